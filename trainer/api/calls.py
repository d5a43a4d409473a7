"""POST /api/v1/calls: upload a recorded call (the request body is the audio); it is queued for
`trainer worker` to transcribe, redact and score, and its status is then visible at
GET /api/v1/conversations/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from trainer.access import Action, authorize
from trainer.api.limits import read_limited
from trainer.api.v1 import ActorDep, Problem
from trainer.errors import TrainerError
from trainer.speech.audio import sniff_format

router = APIRouter(
    prefix="/api/v1",
    responses={
        401: {"description": "No valid token or session", "model": Problem},
        403: {"description": "Your role may not do this", "model": Problem},
        422: {"description": "Invalid parameters", "model": Problem},
    },
)


class CallQueued(BaseModel):
    """What an uploaded call became: its conversation id, `created`, `retried` (it had
    failed before) or `unchanged` (the same audio is stored already), and whether a
    transcription job was queued."""

    conversation: str
    action: str
    queued: bool
    status: str


ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$"
Text200 = Annotated[str | None, Query(max_length=200)]


@router.post(
    "/calls",
    status_code=202,
    response_model=CallQueued,
    summary="Upload a call recording (the body is the audio) to be transcribed and scored",
    responses={
        200: {"description": "The same audio is stored already", "model": CallQueued},
        409: {"description": "The id is taken by other audio", "model": Problem},
        413: {"description": "Body over TRAINER_MAX_UPLOAD_MB", "model": Problem},
        415: {"description": "Not audio (wav, flac, ogg, opus, mp3, m4a, webm)", "model": Problem},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                # Any Content-Type is read the same way: the bytes are sniffed, never trusted.
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def upload_call(
    request: Request,
    response: Response,
    actor: ActorDep,
    id: Annotated[str | None, Query(pattern=ID_PATTERN, description="The call's id")] = None,
    agent: Text200 = None,
    customer: Text200 = None,
    customer_email: Annotated[str | None, Query(max_length=320)] = None,
    customer_id: Text200 = None,
    agent_channel: Annotated[str | None, Query(pattern="^(left|right)$")] = None,
) -> CallQueued:
    """Admins (and their API tokens) only. The audio is kept under the upload folder,
    registered with status `queued` and transcribed by a worker; without `id`, the call's id
    is `call-` and the start of the audio's SHA-256. `customer_email` or `customer_id`
    identify the customer (repeat contacts, `trainer erase --customer`)."""
    from trainer.services.call_uploads import CallMeta
    from trainer.services.call_uploads import upload_call as upload

    authorize(actor, Action.INGEST)
    data = await read_limited(request)
    if sniff_format(data[:512]) is None:
        raise HTTPException(415, "that is not an audio recording (wav, flac, ogg, mp3, m4a)")
    meta = CallMeta(id, agent, customer, customer_email, customer_id, agent_channel)
    try:
        result = await run_in_threadpool(upload, actor, data, meta)
    except TrainerError as exc:
        if "already stored" in exc.message:
            raise HTTPException(409, exc.format()) from None
        raise
    if result.action == "unchanged":
        response.status_code = 200
    return CallQueued(
        conversation=result.conversation,
        action=result.action,
        queued=result.queued,
        status="queued" if result.queued else "stored",
    )
