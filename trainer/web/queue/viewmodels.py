"""The queue page's rows, shaped from `my_queue`'s plain data (no Reflex here: unit-testable)."""

from __future__ import annotations

import dataclasses

from trainer.web import routes

STATUS_LABELS = {"open": "Open", "done": "Done", "replaced": "Replaced"}


@dataclasses.dataclass
class QueueRow:
    """One assignment as the table shows it."""

    id: int = 0
    conversation: str = ""
    href: str = ""
    agent: str = ""
    rule: str = ""
    period: str = ""
    due: str = ""
    status: str = ""
    status_label: str = ""
    overdue: bool = False
    reason: str = ""
    can_replace: bool = False


@dataclasses.dataclass
class ProgressRow:
    """Done of the goal for one rule and period."""

    key: str = ""
    rule: str = ""
    period: str = ""
    done: int = 0
    total: int = 0
    percent: int = 0
    label: str = ""
    overdue: int = 0


def conversation_href(external_id: str) -> str:
    """The review page of a conversation."""
    return f"{routes.CONVERSATIONS}/{external_id}"


def percent(done: int, total: int) -> int:
    """Whole percent done (0 when there is no goal yet)."""
    return round(100 * done / total) if total else 0


def queue_rows(view: dict) -> list[QueueRow]:
    """`my_queue`'s assignments as table rows; only open items can be replaced."""
    return [
        QueueRow(
            id=int(a["id"]),
            conversation=a["conversation"],
            href=conversation_href(a["conversation"]),
            agent=a.get("agent") or "—",
            rule=a["rule"],
            period=a["period"],
            due=(a.get("due_at") or "")[:10],
            status=a["status"],
            status_label=STATUS_LABELS.get(a["status"], a["status"]),
            overdue=bool(a.get("overdue")),
            reason=a.get("reason") or "",
            can_replace=a["status"] == "open",
        )
        for a in view.get("assignments", [])
    ]


def progress_rows(view: dict) -> list[ProgressRow]:
    """Per rule and period: a bar's percent and "3 of 5 done"."""
    return [
        ProgressRow(
            key=f"{g['rule']}-{g['period']}",
            rule=g["rule"],
            period=g["period"],
            done=g["done"],
            total=g["total"],
            percent=percent(g["done"], g["total"]),
            label=f"{g['done']} of {g['total']} done",
            overdue=g.get("overdue", 0),
        )
        for g in view.get("progress", [])
    ]


@dataclasses.dataclass
class DisputeRow:
    """An open dispute waiting for the signed-in user's answer."""

    id: int = 0
    conversation: str = ""
    href: str = ""
    agent: str = ""
    reviewer: str = ""
    criteria: str = ""
    comment: str = ""
    opened: str = ""


def dispute_rows(disputes: list[dict]) -> list[DisputeRow]:
    """`disputes_inbox`'s disputes as table rows, each linking to its conversation's review."""
    return [
        DisputeRow(
            id=int(d["id"]),
            conversation=d["conversation"],
            href=conversation_href(d["conversation"]),
            agent=d.get("agent") or "—",
            reviewer=d.get("reviewer") or "—",
            criteria=", ".join(d.get("criteria") or []),
            comment=d.get("comment") or "",
            opened=(d.get("created_at") or "")[:10],
        )
        for d in disputes
    ]
