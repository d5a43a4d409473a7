"""HTTP routes beside the Reflex pages: a call's recording for the review page's player, and the
transcription of a spoken role-play reply recorded in the browser (the practice page).

Mounted through `rx.App(api_transformer=api)`, so they are served on the backend's port (the one
port of `reflex run --env prod --single-port`). Only the redacted playback copy is ever served
(`trainer.services.calls.playback_path`), never the source audio.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from trainer.errors import TrainerError
from trainer.services.calls import playback_path

AUDIO_ROUTE = "/api/audio/{conversation_id:path}"
TRANSCRIBE_ROUTE = "/api/practice/transcribe"
MAX_REPLY_BYTES = 20 * 1024 * 1024
# The file suffix for a recording's content type (the decoder sniffs the bytes anyway).
REPLY_SUFFIXES = {
    "audio/webm": ".webm",
    "video/webm": ".webm",
    "audio/ogg": ".ogg",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
}


async def call_audio(request: Request) -> Response:
    """The redacted WAV of a call; 404 for an unknown id, a chat, or a call with no recording yet.

    Starlette's FileResponse answers HTTP range requests (206), which the player uses to seek.
    """
    external_id = request.path_params["conversation_id"]
    try:
        path = await run_in_threadpool(playback_path, external_id)
    except TrainerError as exc:
        return JSONResponse({"detail": exc.format()}, status_code=500)
    if path is None:
        return JSONResponse(
            {"detail": f"no recording to play for conversation {external_id!r}"}, status_code=404
        )
    return FileResponse(
        path,
        media_type="audio/wav",
        headers={"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"},
    )


async def transcribe_reply(request: Request) -> Response:
    """POST the audio of a spoken reply (the request body): `{"text": ...}`, or 422 with a
    `detail` the trainee can act on (silent, too short, not audio, no words), 413 when too big."""
    from trainer.web.pages.practice import transcribe_bytes

    size = int(request.headers.get("content-length") or 0)
    if size > MAX_REPLY_BYTES:
        return JSONResponse({"detail": "the recording is too big (20 MB at most)"}, 413)
    data = await request.body()
    if len(data) > MAX_REPLY_BYTES:
        return JSONResponse({"detail": "the recording is too big (20 MB at most)"}, 413)
    kind = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    text, error = await run_in_threadpool(transcribe_bytes, data, REPLY_SUFFIXES.get(kind, ""))
    if error:
        return JSONResponse({"detail": error}, status_code=422)
    return JSONResponse({"text": text})


api = Starlette(
    routes=[
        Route(AUDIO_ROUTE, call_audio, methods=["GET", "HEAD"]),
        Route(TRANSCRIBE_ROUTE, transcribe_reply, methods=["POST"]),
    ]
)
