"""/api/v1 for QA work: save or submit a review, acknowledge or dispute one, resolve a dispute,
and read the agreement report. Each handler identifies the caller and calls the service with
them as actor; the policy inside the service answers 403/404, a bad value 422."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from trainer.api.v1 import WHEN, ActorDep, Problem, SessionDep, query_time

ID = Path(ge=1, le=2**31 - 1, description="A numeric id")

router = APIRouter(
    prefix="/api/v1",
    responses={
        400: {"description": "A body that is not JSON", "model": Problem},
        401: {"description": "No valid token or session", "model": Problem},
        403: {"description": "Your role may not do this", "model": Problem},
        404: {"description": "Not found (or not yours to see)", "model": Problem},
        422: {"description": "Invalid parameters, body or values", "model": Problem},
    },
)


class JudgementIn(BaseModel):
    """A reviewer's decision on one criterion: 0..1 or "na", a reason code when it differs
    from the automatic value, a comment."""

    value: float | Literal["na"]
    reason: str | None = Field(default=None, max_length=40)
    comment: str = Field(default="", max_length=4000)


class ReviewIn(BaseModel):
    """The reviewer's judgements by criterion id (others accept the automatic value), an
    overall comment, and whether to submit (final) or keep a draft."""

    criteria: dict[str, JudgementIn] = Field(default_factory=dict)
    comment: str = Field(default="", max_length=10000)
    submit: bool = False


class DisputeIn(BaseModel):
    """The criteria an agent disputes, and why."""

    criteria: list[str] = Field(min_length=1, max_length=100)
    comment: str = Field(min_length=1, max_length=4000)


class ResolutionIn(BaseModel):
    """The answer to a dispute; `values` sets each accepted criterion (0..1 or "na")."""

    outcome: Literal["accepted", "partly_accepted", "rejected"]
    reason: str = Field(min_length=1, max_length=4000)
    values: dict[str, float | Literal["na"]] = Field(default_factory=dict)


@router.put(
    "/conversations/{conversation_id}/review",
    summary="Save or submit the caller's review of a conversation",
)
def put_review(
    conversation_id: str, body: ReviewIn, actor: ActorDep, session: SessionDep
) -> dict[str, Any]:
    """The review as `trainer show` lists it. A submitted review cannot be saved again (422):
    it changes through a dispute."""
    from trainer.services.reviews import save_review

    judgements = {cid: j.model_dump() for cid, j in body.criteria.items()}
    return save_review(
        session, actor, conversation_id, judgements, comment=body.comment, submit=body.submit
    )


@router.post(
    "/reviews/{review_id}/acknowledgement",
    summary="The agent acknowledges a submitted review of their conversation",
)
def acknowledge(
    review_id: Annotated[int, ID], actor: ActorDep, session: SessionDep
) -> dict[str, Any]:
    """When it was acknowledged (the first time)."""
    from trainer.services.disputes import acknowledge_review

    return acknowledge_review(session, actor, review_id)


@router.post(
    "/reviews/{review_id}/disputes",
    status_code=201,
    summary="The agent disputes criteria of a submitted review of their conversation",
)
def dispute(
    review_id: Annotated[int, ID], body: DisputeIn, actor: ActorDep, session: SessionDep
) -> dict[str, Any]:
    """The dispute; 422 after the window, or while another dispute of it is open."""
    from trainer.services.disputes import open_dispute

    return open_dispute(session, actor, review_id, body.criteria, body.comment)


@router.post(
    "/disputes/{dispute_id}/resolution",
    summary="Accept, partly accept or reject a dispute (not by the reviewer who scored)",
)
def resolve(
    dispute_id: Annotated[int, ID], body: ResolutionIn, actor: ActorDep, session: SessionDep
) -> dict[str, Any]:
    """The resolved dispute with what changed."""
    from trainer.services.disputes import resolve_dispute

    return resolve_dispute(session, actor, dispute_id, body.outcome, body.reason, body.values)


@router.get("/disputes", summary="Open disputes the caller may resolve, or the caller's own")
def disputes(actor: ActorDep, session: SessionDep, mine: bool = False) -> list[dict[str, Any]]:
    """`mine=true`: the disputes the caller opened."""
    from trainer.services.disputes import disputes_inbox, my_disputes

    return my_disputes(session, actor) if mine else disputes_inbox(session, actor)


@router.get("/agreement", summary="Automatic vs human and reviewer vs reviewer agreement")
def agreement(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    since: Annotated[str | None, WHEN] = None,
) -> list[dict[str, Any]]:
    """One object per criterion (`trainer agreement --format json`), over reviews submitted
    since `since`."""
    from trainer.services.agreement import agreement_report

    return agreement_report(session, actor, query_time(request, "since"))
