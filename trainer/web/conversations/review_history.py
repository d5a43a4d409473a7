"""Submitted reviews and their disputes as the review page lists them, shaped from the review
dicts of `conversation_view` (with the answers `disputes.with_responses` adds). Pure functions."""

from __future__ import annotations

import dataclasses

from trainer.web.conversations.review_model import (
    NA,
    REASON_LABELS,
    CriterionInfo,
    Level,
    levels,
    percent,
)
from trainer.web.formatting import MISSING, ScoreCell, format_date, score_cell

STATUS_LABELS = {
    "open": "Waiting for an answer",
    "accepted": "Accepted",
    "partly_accepted": "Partly accepted",
    "rejected": "Rejected",
}


@dataclasses.dataclass
class ReviewRow:
    """One criterion of a submitted review: its value, the machine's where it differed, the
    reason and comment."""

    id: str = ""
    title: str = ""
    value: str = ""
    automatic: str = ""
    reason: str = ""
    comment: str = ""
    changed: bool = False


@dataclasses.dataclass
class DisputeCriterion:
    """A disputed criterion as the resolver sets its new value."""

    id: str = ""
    title: str = ""
    current: str = ""
    levels: list[Level] = dataclasses.field(default_factory=list)
    na_allowed: bool = True


@dataclasses.dataclass
class DisputeCard:
    """A dispute and its outcome, for both sides' history."""

    id: int = 0
    review_id: int = 0
    agent: str = ""
    status: str = ""
    status_label: str = ""
    is_open: bool = False
    comment: str = ""
    criteria: list[DisputeCriterion] = dataclasses.field(default_factory=list)
    criteria_text: str = ""
    resolver: str = ""
    resolution: str = ""
    changes: list[str] = dataclasses.field(default_factory=list)
    created: str = ""
    resolved: str = ""


@dataclasses.dataclass
class ReviewCard:
    """A review in the page's list of reviews."""

    id: int = 0
    reviewer: str = ""
    status: str = ""
    score: ScoreCell = dataclasses.field(default_factory=ScoreCell)
    submitted: str = ""
    comment: str = ""
    rows: list[ReviewRow] = dataclasses.field(default_factory=list)
    changed_count: int = 0
    acknowledged: str = ""
    respond_until: str = ""
    can_respond: bool = False
    can_resolve: bool = False
    disputes: list[DisputeCard] = dataclasses.field(default_factory=list)


def _value(value, na: bool = False) -> str:
    if value == NA:
        return "N/A"
    return percent(value, na)


def review_rows(review: dict, titles: dict[str, str]) -> list[ReviewRow]:
    """The criteria of a review in their order, each with the machine's value where it differs."""
    return [
        ReviewRow(
            id=c["id"],
            title=titles.get(c["id"], c["id"]),
            value=_value(c.get("value"), bool(c.get("na"))),
            automatic=_value(c.get("automatic")) if c.get("reason") else "",
            reason=REASON_LABELS.get(c.get("reason") or "", c.get("reason") or ""),
            comment=c.get("comment") or "",
            changed=bool(c.get("reason")),
        )
        for c in review.get("criteria") or []
    ]


def dispute_card(
    dispute: dict, review: dict, info: dict[str, CriterionInfo], titles: dict[str, str]
) -> DisputeCard:
    """A dispute of `review`, its criteria ready for the resolver's new values."""
    current = {
        c["id"]: (NA if c.get("na") else c.get("value")) for c in review.get("criteria") or []
    }

    def criterion(cid: str) -> DisputeCriterion:
        now = current.get(cid)
        return DisputeCriterion(
            id=cid,
            title=titles.get(cid, cid),
            current=_value(now),
            levels=levels(info.get(cid), None if now == NA else now),
            na_allowed=info[cid].na_allowed if cid in info else True,
        )

    chosen = list(dispute.get("criteria") or [])
    return DisputeCard(
        id=int(dispute["id"]),
        review_id=int(dispute.get("review_id") or review.get("id") or 0),
        agent=dispute.get("agent") or MISSING,
        status=dispute.get("status") or "",
        status_label=STATUS_LABELS.get(dispute.get("status") or "", dispute.get("status") or ""),
        is_open=dispute.get("status") == "open",
        comment=dispute.get("comment") or "",
        criteria=[criterion(c) for c in chosen],
        criteria_text=", ".join(titles.get(c, c) for c in chosen),
        resolver=dispute.get("resolver") or "",
        resolution=dispute.get("resolution") or "",
        changes=[
            f"{titles.get(cid, cid)}: {_value(change.get('from'))} → {_value(change.get('to'))}"
            for cid, change in (dispute.get("changes") or {}).items()
        ],
        created=format_date(dispute.get("created_at")),
        resolved=format_date(dispute.get("resolved_at")) if dispute.get("resolved_at") else "",
    )


def review_cards(
    view: dict, info: dict[str, CriterionInfo], titles: dict[str, str]
) -> list[ReviewCard]:
    """The submitted reviews of a conversation, newest first, with their disputes."""
    cards = []
    for review in view.get("reviews") or []:
        if review.get("status") != "submitted":
            continue
        rows = review_rows(review, titles)
        cards.append(
            ReviewCard(
                id=int(review["id"]),
                reviewer=review.get("reviewer") or MISSING,
                status=review.get("status") or "",
                score=score_cell(review.get("score"), "review", "Review"),
                submitted=format_date(review.get("submitted_at")),
                comment=review.get("comment") or "",
                rows=rows,
                changed_count=sum(1 for r in rows if r.changed),
                acknowledged=(
                    format_date(review.get("acknowledged_at"))
                    if review.get("acknowledged_at")
                    else ""
                ),
                respond_until=review.get("respond_until") or "",
                can_respond=bool(review.get("can_respond")),
                can_resolve=bool(review.get("can_resolve")),
                disputes=[
                    dispute_card(d, review, info, titles) for d in review.get("disputes") or []
                ],
            )
        )
    cards.sort(key=lambda c: c.submitted, reverse=True)
    return cards


def resolve_values(card: DisputeCard, picks: dict[str, str], outcome: str) -> dict | None:
    """The `values` of `resolve_dispute` from the resolver's picks: None when rejecting, else
    each picked criterion's new value (a number, or "na")."""
    if outcome == "rejected":
        return None
    chosen = {c.id for c in card.criteria}
    return {
        cid: (NA if pick == NA else float(pick))
        for cid, pick in picks.items()
        if cid in chosen and pick
    }
