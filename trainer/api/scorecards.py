"""/api/v1 scorecards: team and agent scorecards over a date range (what `trainer report` and
the scorecard page show), and the drill-down from an agent's criterion to the conversations
and evidence behind it. The service asks the policy: 403 for a role without scorecards, 404 for
a team or agent that is not the caller's to see, 422 for a bad range or period."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from trainer.api.v1 import ActorDep, Problem, SessionDep

router = APIRouter(
    prefix="/api/v1",
    responses={
        400: {"description": "A malformed request", "model": Problem},
        401: {"description": "No valid token or session", "model": Problem},
        403: {"description": "Your role may not do this", "model": Problem},
        404: {"description": "Not found (or not yours to see)", "model": Problem},
        422: {"description": "Invalid parameters", "model": Problem},
    },
)

# Read as text and parsed by the service: a bare number is not a day (the framework's own
# date type would take "0" as 1970-01-01).
DAY = Query(
    description="A day, YYYY-MM-DD (both ends of the range are included)",
    pattern=r"^\d{4}-\d{2}-\d{2}$",
    json_schema_extra={"format": "date"},
)
NAME = Query(min_length=1, max_length=200)
SEGMENT = Path(min_length=1, max_length=200)


def _filters(since, until, period, team=None, agent=None):
    from trainer.services.scorecards import make_report_filter

    return make_report_filter(since=since, until=until, period=period, team=team, agent=agent)


@router.get("/scorecards", summary="Agent and team scorecards over a date range")
def scorecards(
    actor: ActorDep,
    session: SessionDep,
    by: Literal["agent", "team"] = "agent",
    since: Annotated[str | None, DAY] = None,
    until: Annotated[str | None, DAY] = None,
    period: Literal["day", "week", "month"] = "week",
    team: Annotated[str | None, NAME] = None,
    agent: Annotated[str | None, NAME] = None,
) -> dict[str, Any]:
    """From final scores (a submitted review, else the automatic score), the last 30 days by
    default: `rows` (one per agent or team, `by`) with the score, its 95% interval (`low`,
    `high`, `uncertain` when few conversations stand behind it), sections and criteria each
    with `n`; also `agents`, `teams`, the rubric `sections` outline, `trends` per period, the
    score `distribution` and role-play `practice` kept apart."""
    from trainer.services.scorecards import scorecard_report

    report = scorecard_report(session, actor, _filters(since, until, period, team, agent))
    return {"by": by, "rows": report["agents" if by == "agent" else "teams"]} | report


@router.get(
    "/scorecards/agents/{agent}/criteria/{criterion}",
    summary="The conversations and evidence behind one agent's criterion figure",
)
def drilldown(
    agent: Annotated[str, SEGMENT],
    criterion: Annotated[str, SEGMENT],
    actor: ActorDep,
    session: SessionDep,
    since: Annotated[str | None, DAY] = None,
    until: Annotated[str | None, DAY] = None,
) -> dict[str, Any]:
    """Worst first: each conversation with its final value, explanation and evidence (turn,
    span, quoted words) and a link to its review page."""
    from trainer.services.scorecards import criterion_drilldown

    return criterion_drilldown(session, actor, agent, criterion, _filters(since, until, "week"))
