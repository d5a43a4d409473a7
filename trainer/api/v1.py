"""/api/v1: the integration API. Every handler identifies the caller (401 without a valid token
or session), then calls a service with them as actor; the policy inside decides 403/404."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize
from trainer.api.identity import db_session, identify, unauthorized
from trainer.api.limits import (
    RateLimiter,
    max_upload_bytes,
    read_limited,
    transcriptions_per_minute,
)
from trainer.db.session import session_scope
from trainer.errors import IngestError
from trainer.speech.audio import sniff_format


class Problem(BaseModel):
    """An error: a readable `detail` (a list of field errors for malformed parameters) and,
    for Trainer's own errors, their stable `code`."""

    detail: str | list[dict[str, Any]]
    code: str | None = None


router = APIRouter(
    prefix="/api/v1",
    responses={
        401: {"description": "No valid token or session", "model": Problem},
        403: {"description": "Your role may not do this", "model": Problem},
        404: {"description": "Not found (or not yours to see)", "model": Problem},
        422: {"description": "Invalid parameters or body", "model": Problem},
    },
)


def current_actor(request: Request, session: Annotated[Session, Depends(db_session)]) -> Actor:
    """The calling user; 401 when the request carries no valid token or session."""
    actor = identify(session, request)
    # Commit the token's or session's "last used" now: a handler that writes in its own
    # transaction (ingest) must not wait on this one (SQLite has one writer).
    session.commit()
    if actor is None:
        raise unauthorized()
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
SessionDep = Annotated[Session, Depends(db_session)]


class Me(BaseModel):
    """The calling user."""

    id: int | None
    name: str
    email: str | None
    role: str
    teams: list[int]


class ConversationSummary(BaseModel):
    """A conversation in a list, with its current score and section scores."""

    conversation: str
    channel: str | None = None
    agent: str | None = None
    customer: str | None = None
    started_at: str | None = None
    status: str | None = None
    rubric: str | None = None
    kind: str | None = None
    score: float | None = None
    sections: dict[str, float | None] = Field(default_factory=dict)


class ConversationPage(BaseModel):
    """One page of conversations."""

    items: list[ConversationSummary]
    total: int
    page: int
    per_page: int


class Ingested(BaseModel):
    """What a POSTed conversation became."""

    conversation: str
    action: str
    score: float | None = None


class Transcribed(BaseModel):
    """The text of a spoken reply."""

    text: str


@router.get("/me", response_model=Me, summary="The calling user")
def me(actor: ActorDep) -> Me:
    """Who the token or session belongs to."""
    return Me(
        id=actor.id,
        name=actor.name,
        email=actor.email,
        role=actor.role,
        teams=sorted(actor.team_ids),
    )


WHEN = Query(
    description="ISO 8601 date-time, e.g. 2026-03-01T00:00:00Z",
    json_schema_extra={"format": "date-time"},
)


def query_time(request: Request, name: str) -> datetime | None:
    """An ISO 8601 date-time from a query parameter (a bare number or an empty value is not a
    time); 422 else. Read raw: the framework would turn `?until=` into None."""
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(422, f"{name}: {value!r} is not an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


SUMMARY_KEYS = set(ConversationSummary.model_fields) - {"sections"}


@router.get("/conversations", response_model=ConversationPage, summary="List conversations")
def conversations(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    agent: str | None = None,
    channel: str | None = None,
    since: Annotated[str | None, WHEN] = None,
    until: Annotated[str | None, WHEN] = None,
    min_score: Annotated[float | None, Query(ge=0, le=100)] = None,
    max_score: Annotated[float | None, Query(ge=0, le=100)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,  # views.MAX_PER_PAGE
) -> ConversationPage:
    """The conversations the caller may see (own, team's or all, by role), newest first,
    filtered by agent name, channel, start time and score range; one page at a time (at most
    500 a page), `total` counting every match."""
    from trainer.services.views import ConversationFilter, page_conversations

    found = page_conversations(
        session,
        actor,
        ConversationFilter(
            agent=agent,
            channel=channel,
            min_score=min_score,
            max_score=max_score,
            since=query_time(request, "since"),
            until=query_time(request, "until"),
        ),
        page=page,
        per_page=per_page,
    )
    items = [
        ConversationSummary(
            **{k: v for k, v in row.items() if k in SUMMARY_KEYS},
            sections={
                k: (float(v) if isinstance(v, int | float) else None)
                for k, v in row.items()
                if k not in SUMMARY_KEYS
            },
        )
        for row in found.rows
    ]
    return ConversationPage(
        items=items, total=found.total, page=found.page, per_page=found.per_page
    )


@router.get(
    "/conversations/{conversation_id}",
    summary="One conversation (the JSON of `trainer show --format json`)",
    responses={404: {"description": "No such conversation, or not yours to see"}},
)
def conversation(conversation_id: str, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """Turns, scores and criteria with evidence; 404 when it does not exist or the caller may
    not see it."""
    from trainer.services.views import conversation_view

    return conversation_view(session, actor, conversation_id)


@router.post(
    "/conversations",
    status_code=201,
    response_model=Ingested,
    summary="Ingest one canonical-JSON conversation and score it",
    responses={
        200: {"description": "Already stored with the same content", "model": Ingested},
        409: {"description": "Stored already with other content", "model": Problem},
        413: {"description": "Body over TRAINER_MAX_UPLOAD_MB", "model": Problem},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ConversationIn"}}
            },
        }
    },
)
async def ingest(request: Request, response: Response, actor: ActorDep) -> Ingested:
    """Body: one conversation object as `trainer ingest` reads it (`id`, `channel`, `agent`,
    `customer`, `started_at`, `turns: [{speaker, text, start, end}]`). Personal data is
    redacted before storing. `?replace=true` overwrites changed content under the same id."""
    from trainer.services.ingestion import ingest_document

    authorize(actor, Action.INGEST)
    raw = await read_limited(request)
    try:
        parsed = json.loads(raw or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HTTPException(422, f"the body is not JSON: {exc}") from None
    except RecursionError:
        raise HTTPException(422, "the body is nested too deeply to be a conversation") from None
    if not isinstance(parsed, dict):
        raise HTTPException(422, "the body must be one conversation object with 'turns'")
    replace = request.query_params.get("replace", "").lower() in {"1", "true", "yes"}

    def work() -> dict:
        with session_scope() as session:
            return ingest_document(session, actor, raw, name="request body", replace=replace)

    try:
        result = await run_in_threadpool(work)
    except IngestError as exc:
        if "already stored" in exc.message:
            raise HTTPException(409, exc.format()) from None
        raise
    if result["action"] == "unchanged":
        response.status_code = 200
    return Ingested(**result)


@router.head("/audio/{conversation_id}", include_in_schema=False)
@router.get(
    "/audio/{conversation_id}",
    summary="A call's recording (redacted stretches silenced), WAV; range requests supported",
    response_class=FileResponse,
    responses={
        200: {"content": {"audio/wav": {}}},
        404: {"description": "No recording, or not yours to hear"},
    },
)
async def audio(conversation_id: str, actor: ActorDep) -> FileResponse:
    """Only the redacted playback copy is ever served, never the source audio."""
    from trainer.services.calls import playback_path

    path = await run_in_threadpool(playback_path, actor, conversation_id)
    if path is None:
        raise HTTPException(404, f"no recording to play for conversation {conversation_id!r}")
    return FileResponse(
        path,
        media_type="audio/wav",
        headers={"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"},
    )


# The suffix for a recording's content type (the decoder sniffs the bytes anyway).
REPLY_SUFFIXES = {
    "audio/webm": ".webm",
    "video/webm": ".webm",
    "audio/ogg": ".ogg",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
}
REPLY_MAX_BYTES = 20 * 1024 * 1024


@router.post(
    "/practice/transcribe",
    response_model=Transcribed,
    summary="Transcribe a spoken role-play reply (the request body is the audio)",
    responses={
        413: {"description": "Too big"},
        415: {"description": "Not audio"},
        422: {"description": "No words"},
        429: {"description": "Too many"},
    },
)
async def transcribe(request: Request, actor: ActorDep) -> Transcribed:
    """For the practice page's recorder: the caller must be logged in and may send at most
    $TRAINER_TRANSCRIBE_PER_MINUTE replies a minute."""
    from trainer.services.roleplay import transcribe_reply_bytes

    authorize(actor, Action.PRACTISE)
    # One limiter per app (per server process); a changed setting takes effect at once.
    limiter = getattr(request.app.state, "transcribe_limiter", None)
    if limiter is None or limiter.limit != transcriptions_per_minute():
        limiter = request.app.state.transcribe_limiter = RateLimiter(
            transcriptions_per_minute(), 60.0
        )
    wait = limiter.hit(f"{actor.id}:{actor.name}")
    if wait:
        raise HTTPException(
            429,
            f"too many recordings; try again in {int(wait) + 1} s",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    data = await read_limited(request, min(REPLY_MAX_BYTES, max_upload_bytes()))
    if sniff_format(data[:512]) is None:
        raise HTTPException(415, "that is not an audio recording (webm, ogg, wav, mp3, m4a)")
    kind = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    text, error = await run_in_threadpool(
        transcribe_reply_bytes, data, REPLY_SUFFIXES.get(kind, "")
    )
    if error:
        raise HTTPException(422, error)
    return Transcribed(text=text)
