"""/api/v1 for onboarding: the cohorts the caller may see, a cohort's progress (each member's
step statuses and the funnel) and a certificate as PDF. Each handler calls the service with the
caller as actor; the policy inside it answers 403 (a role with no part in onboarding) or 404
(a cohort or certificate that is missing or not the caller's to see)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from trainer.api.v1 import ActorDep, Problem, SessionDep

ID = Path(ge=1, le=2**31 - 1, description="A numeric id")

router = APIRouter(
    prefix="/api/v1",
    responses={
        400: {"description": "A malformed request", "model": Problem},
        401: {"description": "No valid token or session", "model": Problem},
        403: {"description": "Your role may not do this", "model": Problem},
        404: {"description": "Not found (or not yours to see)", "model": Problem},
        422: {"description": "Invalid parameters, or a learning path that cannot be read"},
    },
)


@router.get("/cohorts", summary="The cohorts the caller may see")
def cohorts(actor: ActorDep, session: SessionDep) -> list[dict[str, Any]]:
    """HR and admins: every cohort; leads: those with people of their teams; trainees and
    agents: their own. Each with the members the caller may see and how many finished."""
    from trainer.services.onboarding import list_cohorts

    return list_cohorts(session, actor)


@router.get(
    "/cohorts/{cohort_id}/progress",
    summary="A cohort's progress: each member's status per step, and the funnel",
)
def cohort_progress(
    cohort_id: Annotated[int, ID], actor: ActorDep, session: SessionDep
) -> dict[str, Any]:
    """`members`: one object per member the caller may see, with `name`, `status` (of the whole
    path), `current_step`, `certificate` and `steps` (`step`, `status`: not_started,
    in_progress, passed, past_due or did_not_pass, `locked`, `attempts`, `passes`, `best`);
    `funnel`: per step, how many members have each status."""
    from trainer.services.onboarding import cohort_progress as progress

    return progress(session, actor, cohort_id)


@router.get(
    "/certificates/{certificate_id}/pdf",
    summary="A learning-path certificate as PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def certificate(
    certificate_id: Annotated[int, ID], actor: ActorDep, session: SessionDep
) -> Response:
    """The person's own, their lead's, HR's or an admin's to download."""
    from trainer.services.onboarding import certificate_pdf

    data = certificate_pdf(session, actor, certificate_id)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{certificate_id}.pdf"',
            "Cache-Control": "private, no-cache",
        },
    )
