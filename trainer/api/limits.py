"""Limits on what a request may cost: body size counted while it streams in (never trusting
Content-Length), and a per-user rate for expensive work."""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict, deque

from fastapi import HTTPException, Request

from trainer.ingest import limits as ingest_limits


def max_upload_bytes() -> int:
    """$TRAINER_MAX_UPLOAD_MB (default 25) in bytes: the same limit file ingest applies."""
    return ingest_limits.max_upload_bytes()


def too_large(limit: int) -> HTTPException:
    """413 naming the limit."""
    return HTTPException(413, f"the upload is too big ({limit / 1048576:g} MB at most)")


async def read_limited(request: Request, limit: int | None = None) -> bytes:
    """The request body, read chunk by chunk and refused (413) as soon as it passes `limit`,
    whatever Content-Length claimed, so a huge or endless upload never fills memory."""
    limit = max_upload_bytes() if limit is None else limit
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise too_large(limit)
    return bytes(body)


class RateLimiter:
    """At most `limit` events per key in any `window` seconds (in this process)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Count one event; 0 when allowed, else the seconds to wait before the next."""
        now = time.monotonic()
        with self._lock:
            events = self._events[key]
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return events[0] + self.window - now
            events.append(now)
            return 0.0


def transcriptions_per_minute() -> int:
    """$TRAINER_TRANSCRIBE_PER_MINUTE (default 10): spoken replies one user may send a minute."""
    try:
        return max(1, int(os.environ.get("TRAINER_TRANSCRIBE_PER_MINUTE", "10")))
    except ValueError:
        return 10


class BodyLimitMiddleware:
    """ASGI middleware: any request body (the API, the login form, Reflex's own upload route)
    that grows past $TRAINER_MAX_UPLOAD_MB while it streams in is cut off with 413."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = max_upload_bytes()
        state = {"received": 0, "exceeded": False, "started": False, "replaced": False}

        async def refuse() -> None:
            body = f'{{"detail": "the upload is too big ({limit / 1048576:g} MB at most)"}}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
                }
            )
            await send({"type": "http.response.body", "body": body.encode()})

        async def guarded_send(message) -> None:
            # The app may catch the cut-off and answer (FastAPI says 400): answer 413 instead.
            if state["exceeded"] and not state["started"]:
                if message["type"] == "http.response.start":
                    state["started"] = state["replaced"] = True
                    await refuse()
                return
            if state["replaced"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        async def counted_receive():
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["exceeded"] = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted_receive, guarded_send)
        except _TooLarge:
            if not state["started"]:
                state["started"] = True
                await refuse()


class _TooLarge(Exception):
    """Raised inside the app when the body passed the limit."""
