"""Security headers on every answer of the web app and the API: a Content-Security-Policy (no
framing by other sites, scripts, styles, images and connections from this site only, no plugins,
forms posting only here), nosniff, no framing (older browsers), a same-origin referrer and no
camera or location.

The Reflex frontend needs inline scripts and styles (its prebuilt pages hydrate with inline
scripts; Radix and Emotion set inline styles) and `eval` (`rx.call_script` runs its JavaScript
through it), so script-src allows them; the policy still keeps other sites' scripts out and any
injected script from sending data anywhere but here. React already renders stored text as text
(tests/security/test_xss.py); this is the second line."""

from __future__ import annotations

from trainer.api.origins import allowed_origins

DOCS_PATH = "/api/v1/docs"
# FastAPI's Swagger UI page loads its script and style from this CDN.
DOCS_CDN = "https://cdn.jsdelivr.net"


def _socket_origins() -> str:
    """The app's own origins as websocket origins too (the Reflex event socket, /_event)."""
    origins = allowed_origins()
    sockets = [o.replace("https://", "wss://", 1).replace("http://", "ws://", 1) for o in origins]
    return " ".join([*origins, *sockets])


def content_security_policy(path: str = "/") -> str:
    """The policy for an answer at `path` (the API docs page may load Swagger UI's CDN)."""
    scripts, styles, images = "'self' 'unsafe-inline' 'unsafe-eval'", "'self' 'unsafe-inline'", ""
    if path.startswith(DOCS_PATH):
        scripts, styles = f"{scripts} {DOCS_CDN}", f"{styles} {DOCS_CDN}"
        images = " https://fastapi.tiangolo.com"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            f"style-src {styles}",
            f"img-src 'self' data: blob:{images}",
            "font-src 'self' data:",
            f"connect-src 'self' {_socket_origins()}",
            # call audio from /api/v1/audio; practice recordings play back from blob: URLs
            "media-src 'self' blob:",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


STATIC_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"same-origin",
    # the practice page records the trainee's voice; nothing needs the camera or location
    b"permissions-policy": b"camera=(), geolocation=(), microphone=(self)",
}


def security_headers(path: str) -> dict[bytes, bytes]:
    """Every security header for an answer at `path`."""
    policy = content_security_policy(path).encode("latin-1")
    return {**STATIC_HEADERS, b"content-security-policy": policy}


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP answer (a header the handler
    set itself is kept)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = security_headers(scope.get("path", "/"))

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in headers.items() if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
