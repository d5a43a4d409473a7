"""HTTP routes beside the Reflex pages: a call's recording for the review page's player.

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


api = Starlette(routes=[Route(AUDIO_ROUTE, call_audio, methods=["GET", "HEAD"])])
