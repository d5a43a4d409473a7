"""The review queue: each period, every active assignment rule draws a seeded random sample of
each agent's eligible conversations and shares it among the rule's reviewers; a reviewer works
their queue, replaces an item with a reason, and a submitted review marks its item done.

Reproducible and auditable: each agent's sample is drawn with a seed derived from the rule's
seed, the period key and the agent id (a replacement's from the item it replaces), and the seed
is stored on every assignment. Given the same eligible conversations (ordered by id), the same
seed draws the same sample. Drawing twice in a period draws nothing new (an agent still short
of `per_agent` is topped up when new conversations became eligible).
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from trainer.access import Action, Actor, authorize, can
from trainer.access.policy import not_found
from trainer.db.models import (
    AssignmentRule,
    Evaluation,
    ReviewAssignment,
    User,
)
from trainer.errors import AssignmentError
from trainer.services.assignment_rules import (
    REVIEWER_ROLES,
    agent_subject,
    eligible_query,
    manages,
    period_bounds,
    period_key,
    rule_agents,
)
from trainer.services.audit import record_event

MAX_REASON = 500


def derive_seed(rule_seed: int, key: str, agent_id: int, salt: str = "") -> int:
    """The seed of one agent's draw in one period (or of one replacement, `salt`): a stable
    hash, so anyone holding the rule's seed can recompute and check it."""
    text = f"{rule_seed}:{key}:{agent_id}:{salt}".encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:4], "big") & 0x7FFFFFFF


def sample(ids: list[int], count: int, seed: int) -> list[int]:
    """`count` of `ids` (sorted first) drawn at random with `seed`; all of them if fewer."""
    ordered = sorted(ids)
    return random.Random(seed).sample(ordered, min(count, len(ordered)))


def _aware(value: datetime | None) -> datetime | None:
    """A stored datetime as UTC-aware (SQLite hands them back naive)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


# ---------------------------------------------------------------- the draw


def _may_review(reviewer: User, agent: User) -> bool:
    """A reviewer gets an agent's conversation only where the policy lets them score it, and
    never their own (an admin's scope would allow it)."""
    return reviewer.id != agent.id and can(
        Actor.of(reviewer), Action.REVIEW_SCORE, agent_subject(agent)
    )


def _drawn_counts(session: Session, rule: AssignmentRule, key: str) -> dict[str, dict[int, int]]:
    """Per agent, items already held in this period (replaced ones not counted: their
    replacement is), and per reviewer, their load in it."""
    rows = session.execute(
        select(ReviewAssignment.agent_id, ReviewAssignment.reviewer_id).where(
            ReviewAssignment.rule_id == rule.id,
            ReviewAssignment.period_key == key,
            ReviewAssignment.status != "replaced",
        )
    ).all()
    agents: dict[int, int] = defaultdict(int)
    load: dict[int, int] = defaultdict(int)
    for agent_id, reviewer_id in rows:
        agents[agent_id] += 1
        load[reviewer_id] += 1
    return {"agents": agents, "load": load}


def _reviewed_by(session: Session, conversation_ids: list[int]) -> set[tuple[int, int]]:
    """(conversation, reviewer) pairs with a submitted review: that reviewer cannot review it
    again, so the item goes to someone else."""
    if not conversation_ids:
        return set()
    rows = session.execute(
        select(Evaluation.conversation_id, Evaluation.reviewer_id).where(
            Evaluation.conversation_id.in_(conversation_ids),
            Evaluation.kind == "human",
            Evaluation.status == "submitted",
        )
    ).all()
    return {(c, r) for c, r in rows}


def _draw_rule(session: Session, rule: AssignmentRule, now: datetime) -> dict:
    """Draw one rule's current period; the summary of what it assigned and who is short."""
    key = period_key(rule.period, now)
    _, due = period_bounds(rule.period, now)
    summary: dict = {"rule": rule.name, "period": key, "assigned": 0, "short": [], "seeds": {}}
    reviewers = session.scalars(
        select(User).where(User.id.in_(list(rule.reviewer_ids) or [-1]))
    ).all()
    order = {rid: i for i, rid in enumerate(rule.reviewer_ids or [])}
    reviewers = sorted(
        (r for r in reviewers if r.active and r.role in REVIEWER_ROLES),
        key=lambda r: order.get(r.id, 0),
    )
    agents = rule_agents(session, rule)
    held = _drawn_counts(session, rule, key)
    wanted = {a.id: rule.per_agent - held["agents"].get(a.id, 0) for a in agents}
    todo = [a for a in agents if wanted[a.id] > 0]
    if not todo:
        return summary
    pools: dict[int, list[int]] = defaultdict(list)
    for agent_id, conversation_id in session.execute(
        eligible_query(rule, [a.id for a in todo])
    ).all():
        pools[agent_id].append(conversation_id)
    drawn = {}
    for agent in todo:
        seed = derive_seed(rule.seed, key, agent.id)
        drawn[agent.id] = (seed, sample(pools.get(agent.id, []), wanted[agent.id], seed))
    reviewed = _reviewed_by(session, [cid for _, ids in drawn.values() for cid in ids])
    load = held["load"]
    for agent in todo:
        seed, ids = drawn[agent.id]
        summary["seeds"][agent.name] = seed
        allowed = [r for r in reviewers if _may_review(r, agent)]
        made = 0
        for conversation_id in ids:
            # Balanced: the allowed reviewer with the fewest items this period, first listed
            # first on a tie.
            choices = [r for r in allowed if (conversation_id, r.id) not in reviewed]
            if not choices:
                continue
            reviewer = min(choices, key=lambda r: (load.get(r.id, 0), order.get(r.id, 0)))
            load[reviewer.id] = load.get(reviewer.id, 0) + 1
            session.add(
                ReviewAssignment(
                    rule_id=rule.id,
                    period_key=key,
                    reviewer_id=reviewer.id,
                    agent_id=agent.id,
                    conversation_id=conversation_id,
                    seed=seed,
                    status="open",
                    due_at=due,
                )
            )
            made += 1
        summary["assigned"] += made
        if made < wanted[agent.id]:
            why = "no reviewer of the rule may review them" if ids and not made else None
            summary["short"].append(
                {
                    "agent": agent.name,
                    "wanted": wanted[agent.id],
                    "drawn": made,
                    "eligible": len(pools.get(agent.id, [])),
                    **({"why": why} if why else {}),
                }
            )
    session.flush()
    return summary


def draw_due(session: Session, actor: Actor, now: datetime | None = None) -> dict:
    """Draw every active rule's current period (the rules the actor manages: all for an admin
    or the scheduler, their teams' for a lead). Idempotent within a period. Returns
    {"at", "assigned", "rules": [{"rule", "period", "assigned", "short": [...], "seeds"}]}."""
    authorize(actor, Action.DEFINE_ASSIGNMENTS)
    now = _aware(now) or datetime.now(UTC)
    rules = session.scalars(
        select(AssignmentRule).where(AssignmentRule.active.is_(True)).order_by(AssignmentRule.id)
    ).all()
    results = []
    for rule in rules:
        if not manages(session, actor, rule):
            continue
        summary = _draw_rule(session, rule, now)
        results.append(summary)
        if summary["assigned"]:
            record_event(
                session,
                actor,
                "assignment.draw",
                object_type="assignment_rule",
                object_id=rule.id,
                after={k: summary[k] for k in ("period", "assigned", "short", "seeds")},
                detail=f"rule {rule.name!r} seed {rule.seed}",
            )
    return {
        "at": now.isoformat(),
        "assigned": sum(r["assigned"] for r in results),
        "rules": results,
    }


# ---------------------------------------------------------------- the queue


def assignment_view(a: ReviewAssignment, now: datetime) -> dict:
    """One assignment as plain data; `overdue` when still open past its due time."""
    due = _aware(a.due_at)
    return {
        "id": a.id,
        "conversation": a.conversation.external_id,
        "channel": a.conversation.channel,
        "agent": a.agent.name if a.agent else a.conversation.agent_name,
        "reviewer": a.reviewer.name,
        "rule": a.rule.name,
        "period": a.period_key,
        "due_at": due.isoformat() if due else None,
        "status": a.status,
        "overdue": a.status == "open" and due is not None and now >= due,
        "reason": a.replaced_reason,
        "seed": a.seed,
        "completed_at": a.completed_at.isoformat() if a.completed_at else None,
    }


def _progress(items: list[dict]) -> list[dict]:
    """Per rule and period: done of the goal (replaced items are not part of it)."""
    groups: dict[tuple[str, str], dict] = {}
    for item in items:
        group = groups.setdefault(
            (item["rule"], item["period"]),
            {"rule": item["rule"], "period": item["period"], "done": 0, "total": 0, "overdue": 0},
        )
        if item["status"] == "replaced":
            continue
        group["total"] += 1
        group["done"] += item["status"] == "done"
        group["overdue"] += item["overdue"]
    return sorted(groups.values(), key=lambda g: (g["period"], g["rule"]), reverse=True)


def queue_reviewers(session: Session, actor: Actor) -> list[str]:
    """Whose queues the actor may see: their own, and for a lead or admin every reviewer with
    assignments of agents they manage."""
    authorize(actor, Action.REVIEW_SCORE)
    names = {actor.name} if actor.id is not None else set()
    if can(actor, Action.DEFINE_ASSIGNMENTS):
        rows = session.scalars(
            select(ReviewAssignment).options(
                selectinload(ReviewAssignment.agent), selectinload(ReviewAssignment.reviewer)
            )
        ).all()
        names |= {a.reviewer.name for a in rows if _manages_item(actor, a)}
    return sorted(names)


def _manages_item(actor: Actor, a: ReviewAssignment) -> bool:
    return a.agent is not None and can(actor, Action.DEFINE_ASSIGNMENTS, agent_subject(a.agent))


def my_queue(
    session: Session, actor: Actor, *, reviewer: str | None = None, now: datetime | None = None
) -> dict:
    """A reviewer's queue: their assignments (open first, then by due time), progress toward the
    goal per rule and period, and how many are overdue. A lead or admin may name another
    `reviewer` and sees the items of the agents they manage."""
    authorize(actor, Action.REVIEW_SCORE)
    now = _aware(now) or datetime.now(UTC)
    if reviewer and reviewer != actor.name:
        authorize(actor, Action.DEFINE_ASSIGNMENTS)
        user = session.scalar(select(User).where(User.name == reviewer))
        if user is None:
            raise not_found(f"reviewer {reviewer!r}")
        reviewer_id, mine = user.id, False
    else:
        if actor.id is None:
            raise AssignmentError(
                "the local admin has no review queue", where="--as", fix="use --as REVIEWER"
            )
        reviewer_id, mine = actor.id, True
    rows = session.scalars(
        select(ReviewAssignment)
        .where(ReviewAssignment.reviewer_id == reviewer_id)
        .options(
            selectinload(ReviewAssignment.conversation),
            selectinload(ReviewAssignment.agent),
            selectinload(ReviewAssignment.reviewer),
            selectinload(ReviewAssignment.rule),
        )
        .order_by(ReviewAssignment.due_at, ReviewAssignment.id)
    ).all()
    if not mine:
        rows = [a for a in rows if _manages_item(actor, a)]
    rank = {"open": 0, "done": 1, "replaced": 2}
    items = sorted(
        (assignment_view(a, now) for a in rows),
        key=lambda v: (rank.get(v["status"], 3), v["due_at"] or "", v["id"]),
    )
    progress = _progress(items)
    return {
        "reviewer": reviewer or actor.name,
        "assignments": items,
        "progress": progress,
        "done": sum(g["done"] for g in progress),
        "total": sum(g["total"] for g in progress),
        "open": sum(1 for i in items if i["status"] == "open"),
        "overdue": sum(1 for i in items if i["overdue"]),
    }


# ---------------------------------------------------------------- changes to one item


def replace_assignment(
    session: Session,
    actor: Actor,
    assignment_id: int,
    reason: str,
    *,
    now: datetime | None = None,
) -> dict:
    """Replace an open item (its reviewer, or a lead or admin over its agent): mark it replaced
    with the reason and give the same reviewer another of the agent's eligible conversations,
    drawn with a seed derived from the item (recorded). When none is left, nothing changes and
    the error says so. Returns {"replaced": view, "replacement": view}."""
    now = _aware(now) or datetime.now(UTC)
    item = session.get(ReviewAssignment, int(assignment_id))
    if item is None or not (item.reviewer_id == actor.id or _manages_item(actor, item)):
        raise not_found(f"assignment {assignment_id}")
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > MAX_REASON:
        raise AssignmentError(
            "a replacement needs a reason",
            where=f"assignment {item.id}",
            fix=f"say in 1 to {MAX_REASON} characters why this conversation is not reviewable",
        )
    if item.status != "open":
        raise AssignmentError(
            f"assignment {item.id} is {item.status}", fix="only an open item can be replaced"
        )
    rule = item.rule
    pool = [cid for _agent, cid in session.execute(eligible_query(rule, [item.agent_id])).all()]
    reviewed = _reviewed_by(session, pool)
    pool = [cid for cid in pool if (cid, item.reviewer_id) not in reviewed]
    if not pool:
        raise AssignmentError(
            f"no eligible conversation of {item.agent.name if item.agent else 'this agent'} is "
            f"left to replace assignment {item.id} with",
            where=f"rule {rule.name!r}",
            fix="keep this one, or ask a lead to widen the rule's filters",
        )
    seed = derive_seed(rule.seed, item.period_key, item.agent_id or 0, f"replace:{item.id}")
    (conversation_id,) = sample(pool, 1, seed)
    before = assignment_view(item, now)
    item.status, item.replaced_reason = "replaced", reason
    replacement = ReviewAssignment(
        rule_id=rule.id,
        period_key=item.period_key,
        reviewer_id=item.reviewer_id,
        agent_id=item.agent_id,
        conversation_id=conversation_id,
        seed=seed,
        status="open",
        due_at=item.due_at,
    )
    session.add(replacement)
    session.flush()
    result = {
        "replaced": assignment_view(item, now),
        "replacement": assignment_view(replacement, now),
    }
    record_event(
        session,
        actor,
        "assignment.replace",
        object_type="assignment",
        object_id=item.id,
        before={"status": before["status"], "conversation": before["conversation"]},
        after={
            "status": "replaced",
            "replacement": replacement.id,
            "conversation": result["replacement"]["conversation"],
            "seed": seed,
        },
        detail=reason,
    )
    return result


def complete_assignments(session: Session, reviewer_id: int | None, conversation_id: int) -> int:
    """Mark the reviewer's open items of a conversation done (save_review calls this when a
    review is submitted); how many were. The review's own audit row records the act."""
    if reviewer_id is None:
        return 0
    result = session.execute(
        update(ReviewAssignment)
        .where(
            ReviewAssignment.reviewer_id == reviewer_id,
            ReviewAssignment.conversation_id == conversation_id,
            ReviewAssignment.status == "open",
        )
        .values(status="done", completed_at=datetime.now(UTC))
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0
