"""Read models for people: a conversation's review, the conversations list, the scorecard.

Each takes the acting user and asks the policy first: what the actor may not see does not exist
for them (NotFoundError), and lists are narrowed in the query itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from trainer.access import Action, Actor, authorize, can, visible_conversations
from trainer.access.policy import conversation_subject, not_found
from trainer.db.models import ConversationRecord, Evaluation, RubricRecord, User
from trainer.db.repository import counts_toward_scores, find_conversation, latest_evaluation
from trainer.errors import without_paths
from trainer.scoring.rubric import parse_rubric


def visible_conversation(
    session: Session, actor: Actor, external_id: str, action: Action = Action.VIEW_CONVERSATION
) -> ConversationRecord:
    """The stored conversation, if the actor may do `action` to it; "not found" when it does
    not exist or is not theirs to see (the two are told apart by no one)."""
    record = find_conversation(session, external_id)
    if record is None:
        raise not_found(f"conversation {external_id!r}")
    subject = conversation_subject(record)
    if record.channel == "roleplay":
        # A role-play attempt is practice, not QA: its trainee opens it, and those who follow
        # the trainee's onboarding (their lead, HR, admins); QA reviewers do not.
        if not (can(actor, Action.PRACTISE, subject) or can(actor, Action.ONBOARDING, subject)):
            raise not_found(f"conversation {external_id!r}")
    else:
        authorize(actor, Action.VIEW_CONVERSATION, subject)
    if action is not Action.VIEW_CONVERSATION:
        authorize(actor, action, subject)
    return record


def conversation_view(session: Session, actor: Actor, external_id: str) -> dict:
    """The review of one conversation: turns, the automatic scores and criteria with evidence,
    the human reviews the actor may read, and the final score (`show --format json`).

    Evidence `turn` is the 0-based index into `turns`; `start`/`end` are character offsets in it.
    `final_score`/`final_sections` come from the newest submitted review, else the automatic one.
    """
    # reviews and disputes build on views
    from trainer.services.disputes import with_responses
    from trainer.services.reviews import final_evaluation, reviews_of

    record = visible_conversation(session, actor, external_id)
    evaluation = latest_evaluation(session, record)
    final = final_evaluation(session, record)
    titles: dict[str, str] = {}
    if evaluation is not None:
        rubric = parse_rubric(evaluation.rubric.definition, source=evaluation.rubric.ref)
        titles = {c.id: c.title for _, c in rubric.criteria()}
    return {
        "conversation": record.external_id,
        "channel": record.channel,
        "agent": record.agent.name if record.agent else record.agent_name,
        "customer": record.customer_name,
        "started_at": record.started_at.isoformat() if record.started_at else None,
        "status": record.status,
        "status_reason": without_paths(record.status_reason),
        "rubric": evaluation.rubric.ref if evaluation else None,
        "evaluation_kind": evaluation.kind if evaluation else None,
        "score": evaluation.score if evaluation else None,
        "sections": dict(evaluation.sections) if evaluation else {},
        "criteria": [
            {
                "id": cs.criterion_id,
                "section": cs.section_id,
                "title": titles.get(cs.criterion_id, cs.criterion_id),
                "status": cs.status,
                "value": cs.value,
                "na": cs.status == "na",
                "explanation": cs.explanation,
                "detector": cs.detector,
                "evidence": [
                    {"turn": e["turn"], "start": e["start"], "end": e["end"]}
                    for e in cs.evidence or []
                ],
            }
            for cs in (evaluation.criterion_scores if evaluation else [])
        ],
        "final_score": final.score if final else None,
        "final_sections": dict(final.sections or {}) if final else {},
        "final_kind": final.kind if final else None,
        "reviews": with_responses(session, actor, record, reviews_of(session, actor, record)),
        "turns": [_turn_view(t) for t in record.turns],
    }


def _turn_view(turn) -> dict:
    """A stored turn; transcribed calls add their word timestamps as [word, start, end]."""
    view = {
        "speaker": turn.speaker,
        "text": turn.text,
        "start": turn.start,
        "end": turn.end,
        # what the transcript said before a reviewer corrected it (None: never corrected)
        "original_text": turn.original_text,
        "original_speaker": turn.original_speaker,
    }
    if turn.words:
        view["words"] = [list(w) for w in turn.words]
    return view


@dataclass(frozen=True)
class ConversationFilter:
    """Filters of the conversations list."""

    agent: str | None = None
    channel: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_conversations(
    session: Session, actor: Actor, filters: ConversationFilter | None = None
) -> list[dict]:
    """The conversations the actor may see, with their current score, filtered by agent,
    channel, start time and score range (role-play attempts are practice: never listed here)."""
    import pandas as pd  # late: a process that only checks access need not load pandas

    from trainer.analytics.frames import evaluations_frame

    filters = filters or ConversationFilter()
    authorize(actor, Action.VIEW_CONVERSATION)

    def narrow(query):
        query = visible_conversations(actor, query)
        if filters.since is not None:
            query = query.where(ConversationRecord.started_at >= filters.since)
        if filters.until is not None:
            query = query.where(ConversationRecord.started_at < filters.until)
        return query

    frame = evaluations_frame(session, narrow=narrow)
    if filters.agent:
        frame = frame[frame["agent"] == filters.agent]
    if filters.channel:
        frame = frame[frame["channel"] == filters.channel]
    if filters.min_score is not None:
        frame = frame[frame["score"].astype(float) >= filters.min_score]
    if filters.max_score is not None:
        frame = frame[frame["score"].astype(float) <= filters.max_score]
    frame = frame.astype(object).where(pd.notna(frame), None)
    rows = frame.to_dict(orient="records")
    for row in rows:
        if row.get("started_at") is not None:
            row["started_at"] = pd.Timestamp(row["started_at"]).isoformat()
    return rows


DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500


@dataclass(frozen=True)
class ConversationPage:
    """One page of the conversations list: its rows, how many match in all, which page."""

    rows: list[dict]
    total: int
    page: int
    per_page: int


def _is_current(evaluation) -> object:
    """The condition that `evaluation` (an Evaluation or an alias of it) is its
    conversation's current one: a submitted review beats an automatic score, newer beats older
    (as `evaluations_frame`). Correlated on the evaluation's own conversation id, so a score
    filter checks only the evaluations whose score matches."""
    other = aliased(Evaluation)
    newest = (
        select(other.id)
        .where(
            other.conversation_id == evaluation.conversation_id,
            (other.kind == "auto") | ((other.kind == "human") & (other.status == "submitted")),
        )
        .order_by((other.kind == "human").desc(), other.created_at.desc(), other.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return and_(
        evaluation.conversation_id == ConversationRecord.id,
        counts_toward_scores(),
        evaluation.id == newest,
    )


def _agent_is(name: str):
    """The conversations of the agent called `name` (the linked account's name, else the
    name the source gave), as two indexed conditions rather than one over a join."""
    accounts = select(User.id).where(User.name == name)
    return or_(
        ConversationRecord.agent_id.in_(accounts),
        and_(ConversationRecord.agent_id.is_(None), ConversationRecord.agent_name == name),
    )


def page_conversations(
    session: Session,
    actor: Actor,
    filters: ConversationFilter | None = None,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
) -> ConversationPage:
    """One page of the conversations the actor may see, newest first (those without a start
    time first, then by id), filtered like `list_conversations`, with each one's current score
    and section scores. At most MAX_PER_PAGE rows: the database pages, never Python, so a
    page costs the same over 100 or 100,000 conversations."""
    filters = filters or ConversationFilter()
    authorize(actor, Action.VIEW_CONVERSATION)
    page, per_page = max(1, int(page)), min(MAX_PER_PAGE, max(1, int(per_page)))
    query = visible_conversations(
        actor, select(ConversationRecord.id).where(ConversationRecord.channel != "roleplay")
    )
    if filters.agent:
        query = query.where(_agent_is(filters.agent))
    if filters.channel:
        query = query.where(ConversationRecord.channel == filters.channel)
    if filters.since is not None:
        query = query.where(ConversationRecord.started_at >= filters.since)
    if filters.until is not None:
        query = query.where(ConversationRecord.started_at < filters.until)
    order = (
        ConversationRecord.started_at.desc().nulls_first(),
        ConversationRecord.external_id.desc(),
    )
    scored = filters.min_score is not None or filters.max_score is not None
    if scored:
        # Only the evaluations whose score matches are checked for being current.
        query = query.join(Evaluation, _is_current(Evaluation))
        if filters.min_score is not None:
            query = query.where(Evaluation.score >= filters.min_score)
        if filters.max_score is not None:
            query = query.where(Evaluation.score <= filters.max_score)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    # The page's ids first (an index walk, however deep the page), then their details by
    # primary key: a query of its own, so the planner never joins the whole table to them.
    ids = session.scalars(
        query.order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    if not ids:
        return ConversationPage([], total, page, per_page)
    rows = session.execute(
        select(
            ConversationRecord.external_id.label("conversation"),
            ConversationRecord.channel,
            func.coalesce(User.name, ConversationRecord.agent_name).label("agent"),
            ConversationRecord.customer_name.label("customer"),
            ConversationRecord.started_at,
            ConversationRecord.status,
            RubricRecord.slug,
            RubricRecord.version,
            Evaluation.kind,
            Evaluation.score,
            Evaluation.sections,
        )
        .select_from(ConversationRecord)
        .outerjoin(Evaluation, _is_current(Evaluation))
        .outerjoin(User, User.id == ConversationRecord.agent_id)
        .outerjoin(RubricRecord, RubricRecord.id == Evaluation.rubric_id)
        .where(ConversationRecord.id.in_(ids))
        .order_by(*order)
    ).all()
    return ConversationPage([_page_row(row) for row in rows], total, page, per_page)


@dataclass(frozen=True)
class ConversationOptions:
    """What the conversations list's filters offer: the agents and channels of the
    conversations the actor may see, and how many those are in all."""

    agents: list[str]
    channels: list[str]
    total: int


def conversation_options(session: Session, actor: Actor) -> ConversationOptions:
    """The agents and channels to filter the actor's conversations by, and their number: one
    grouped query (a few hundred rows over any number of conversations), never the rows."""
    authorize(actor, Action.VIEW_CONVERSATION)
    agent = func.coalesce(User.name, ConversationRecord.agent_name)
    query = visible_conversations(
        actor,
        select(ConversationRecord.channel, agent, func.count())
        .outerjoin(User, User.id == ConversationRecord.agent_id)
        .where(ConversationRecord.channel != "roleplay")
        .group_by(ConversationRecord.channel, agent),
    )
    agents: set[str] = set()
    channels: set[str] = set()
    total = 0
    for channel, name, count in session.execute(query):
        total += count
        if channel:
            channels.add(channel)
        if name:
            agents.add(name)
    return ConversationOptions(sorted(agents), sorted(channels), total)


def _page_row(row) -> dict:
    """A page row shaped like a `list_conversations` row (section scores as columns)."""
    import pandas as pd

    started = row.started_at
    return {
        "conversation": row.conversation,
        "channel": row.channel,
        "agent": row.agent,
        "customer": row.customer,
        "started_at": pd.Timestamp(started).isoformat() if started is not None else None,
        "status": row.status,
        "rubric": f"{row.slug}@{row.version}" if row.slug is not None else None,
        "kind": row.kind,
        "score": row.score,
    } | dict(row.sections or {})


def scorecard(session: Session, actor: Actor) -> list[dict]:
    """Section averages per agent the actor may see, as rows (the scorecard page and
    `trainer report`): their own, their teams' or everyone's. Role-play attempts never count."""
    import pandas as pd

    from trainer.analytics.frames import evaluations_frame
    from trainer.analytics.scorecards import agent_scorecard

    authorize(actor, Action.VIEW_SCORECARDS)

    card = agent_scorecard(
        evaluations_frame(
            session, narrow=lambda q: visible_conversations(actor, q, Action.VIEW_SCORECARDS)
        )
    )
    card = card.astype(object).where(pd.notna(card), None)
    return card.to_dict(orient="records")


PENDING_STATUSES = ("queued", "processing")


def call_details(session: Session, actor: Actor, external_id: str) -> dict | None:
    """What a call's review shows beside its transcript (None for a chat or role-play).

    Transcription progress (`progress` 0..1, `stage`), the speech metrics, how speakers were told
    apart (`speaker_mode` stereo|mono) and which turns' speaker to check (`speaker_checks`: turn
    index -> words the audio does not clearly attribute), the ASR engine and model, what was
    redacted (count and kinds, never the values) and whether a playable (redacted) recording
    exists.
    """
    record = visible_conversation(session, actor, external_id)
    if record.channel != "call":
        return None
    extra = record.extra or {}
    redactions = [r for r in extra.get("redactions") or [] if isinstance(r, dict)]
    kinds: dict[str, int] = {}
    for item in redactions:
        kind = str(item.get("kind") or "other")
        kinds[kind] = kinds.get(kind, 0) + 1
    playback = (extra.get("audio") or {}).get("playback")
    asr = extra.get("asr") or {}
    return {
        "conversation": record.external_id,
        "status": record.status,
        "status_reason": without_paths(record.status_reason),
        "progress": _fraction(extra.get("progress")),
        "stage": extra.get("stage"),
        "duration": record.duration_seconds,
        "speech": dict(extra["speech"]) if isinstance(extra.get("speech"), dict) else None,
        "speaker_mode": extra.get("speaker_mode"),
        "asr": {
            "engine": asr.get("engine"),
            "model": asr.get("model"),
            "loops_mended": len(asr.get("loops_mended") or []),
        }
        if asr
        else None,
        "redactions": len(redactions),
        "redaction_kinds": dict(sorted(kinds.items())),
        "role_swaps": int(extra.get("role_swaps") or 0),
        "speaker_checks": {
            int(c["turn"]): int(c.get("uncertain_words") or 0)
            for c in extra.get("speaker_checks") or []
            if isinstance(c, dict) and isinstance(c.get("turn"), int)
        },
        "has_audio": bool(playback) and Path(playback).is_file(),
    }


def conversation_statuses(
    session: Session, actor: Actor, external_ids: list[str] | None = None
) -> dict:
    """{external id: {status, reason, progress, stage}} of the visible conversations that are
    not simply done: queued or processing (with progress 0..1 and stage) and failed (with the
    reason)."""
    authorize(actor, Action.VIEW_CONVERSATION)
    query = select(
        ConversationRecord.external_id,
        ConversationRecord.status,
        ConversationRecord.status_reason,
        ConversationRecord.extra,
    ).where(ConversationRecord.status.in_([*PENDING_STATUSES, "failed"]))
    if external_ids is not None:
        query = query.where(ConversationRecord.external_id.in_(list(external_ids)))
    query = visible_conversations(actor, query)
    return {
        row.external_id: {
            "status": row.status,
            "reason": without_paths(row.status_reason),
            "progress": _fraction((row.extra or {}).get("progress")),
            "stage": (row.extra or {}).get("stage"),
        }
        for row in session.execute(query)
    }


def _fraction(value) -> float | None:
    """A progress value clamped to 0..1, or None when missing or not a number."""
    try:
        return min(1.0, max(0.0, float(value)))
    except (TypeError, ValueError):
        return None
