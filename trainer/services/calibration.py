"""Calibration: a lead opens a session on some conversations and invites reviewers; each scores
them blind; the results show how far they agree with each other, with the automatic scorer and
with the baseline (expert) reviewer.

A blind score is an `Evaluation` of kind "calibration" (its `calibration_id` names the session,
`reviewer_id` the participant), draft or submitted. Calibration scores never count anywhere
else: `counts_toward_scores` leaves them out of scorecards and final scores, reviews and
agreement read kind "human" only.

Blindness: until a participant has submitted their scores for a conversation, what they are
given of it holds the transcript and the rubric's criteria, never another rater's values nor
the automatic ones. The person who runs the session (its lead, or an admin) sees everything,
and once a session is closed so does everyone in it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from trainer.access import Action, Actor, authorize, can
from trainer.access.policy import conversation_subject, not_found
from trainer.analytics.calibration import AUTOMATIC, summarise
from trainer.db.models import (
    CalibrationSession,
    ConversationRecord,
    CriterionScore,
    Evaluation,
    User,
    calibration_participants,
)
from trainer.db.repository import latest_evaluation
from trainer.errors import CalibrationError
from trainer.scoring.formula import compute
from trainer.scoring.rubric import Criterion, Rubric, parse_rubric
from trainer.services.accounts import require_user
from trainer.services.audit import record_event
from trainer.services.reviews import Judgement, check_judgements
from trainer.services.views import visible_conversation

MAX_TITLE = 200


# --- opening, listing, closing ----------------------------------------------------------------


def open_session(
    session: Session,
    actor: Actor,
    title: str,
    conversations: list[str],
    participants: list[str | int],
    baseline: str | int | None = None,
) -> dict:
    """Open a calibration session (leads and admins): its `title`, the conversations' external
    ids (each with an automatic score, visible to the actor and to every participant), the
    participants (reviewers or leads, by name, email or id) and optionally the baseline
    reviewer, whose scores the others are measured against (a participant is added for them;
    it may be the lead). Audited; nothing is stored when any part is refused."""
    authorize(actor, Action.RUN_CALIBRATION)
    title = " ".join((title or "").split())
    if not title or len(title) > MAX_TITLE:
        raise CalibrationError(
            "a session needs a title", where="title", fix=f"give 1 to {MAX_TITLE} characters"
        )
    records = _conversations(session, actor, conversations)
    people = _participants(session, participants)
    expert = _person(session, baseline, "baseline") if baseline not in (None, "") else None
    if expert is not None and expert not in people:
        people.append(expert)
    if not people:
        raise CalibrationError(
            "a session needs at least one participant",
            where="participants",
            fix="invite reviewers or leads",
        )
    for person in people:
        joiner = Actor.of(person)
        for record in records:
            if not can(joiner, Action.VIEW_CONVERSATION, conversation_subject(record)):
                raise CalibrationError(
                    f"{person.name} may not see conversation {record.external_id!r}",
                    where="participants",
                    fix="invite someone who may, or choose conversations of their teams",
                )
    calibration = CalibrationSession(
        title=title,
        lead_id=actor.id,
        baseline_reviewer_id=expert.id if expert is not None else None,
        status="open",
    )
    calibration.conversations = records
    calibration.participants = sorted(people, key=lambda u: u.name)
    session.add(calibration)
    session.flush()
    view = _summary(calibration, actor)
    record_event(
        session,
        actor,
        "calibration.open",
        object_type="calibration",
        object_id=calibration.id,
        after={k: view[k] for k in ("title", "conversations", "participants", "baseline")},
    )
    return view


def _conversations(session: Session, actor: Actor, external_ids: list[str]) -> list:
    ids = list(dict.fromkeys(i.strip() for i in external_ids or [] if i and i.strip()))
    if not ids:
        raise CalibrationError(
            "a session needs at least one conversation",
            where="conversations",
            fix="name conversations by their external id",
        )
    records = []
    for external_id in ids:
        record = visible_conversation(session, actor, external_id)
        if record.channel == "roleplay":
            # Role-play attempts are practice, not QA: nothing to calibrate on.
            raise CalibrationError(
                f"{external_id!r} is a role-play attempt",
                where="conversations",
                fix="choose customer conversations",
            )
        if latest_evaluation(session, record) is None:
            raise CalibrationError(
                f"conversation {external_id!r} has no automatic score yet",
                where="conversations",
                fix=f"score it first: trainer score {external_id}",
            )
        records.append(record)
    return records


def _person(session: Session, ref: str | int, where: str) -> User:
    user = require_user(session, ref)
    if not user.active or not can(Actor.of(user), Action.JOIN_CALIBRATION):
        raise CalibrationError(
            f"{user.name} ({user.role}) may not take part in calibration",
            where=where,
            fix="invite active reviewers or leads",
        )
    return user


def _participants(session: Session, refs: list[str | int]) -> list[User]:
    people: list[User] = []
    for ref in refs or []:
        if isinstance(ref, str) and not ref.strip():
            continue
        user = _person(session, ref, "participants")
        if user not in people:
            people.append(user)
    return people


def eligible_participants(session: Session, actor: Actor) -> list[dict]:
    """The active people who may be invited (roles that may take part), for the form that
    opens a session: [{"id", "name", "role"}] by name."""
    authorize(actor, Action.RUN_CALIBRATION)
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)).all()
    return [
        {"id": u.id, "name": u.name, "role": u.role}
        for u in users
        if can(Actor.of(u), Action.JOIN_CALIBRATION)
    ]


def _runs(actor: Actor, calibration: CalibrationSession) -> bool:
    """The session's lead and admins run it (and see every score in it)."""
    return actor.is_admin or (actor.id is not None and calibration.lead_id == actor.id)


def _takes_part(actor: Actor, calibration: CalibrationSession) -> bool:
    return actor.id is not None and any(p.id == actor.id for p in calibration.participants)


def _session(session: Session, actor: Actor, session_id: int | str) -> CalibrationSession:
    """The session, if the actor runs it or takes part; "not found" otherwise (a session one
    is not in is nobody else's business)."""
    try:
        number = int(session_id)
    except (TypeError, ValueError):
        raise not_found(f"calibration session {session_id!r}") from None
    calibration = session.get(CalibrationSession, number)
    if calibration is None or not (_runs(actor, calibration) or _takes_part(actor, calibration)):
        raise not_found(f"calibration session {session_id!r}")
    return calibration


def _summary(calibration: CalibrationSession, actor: Actor) -> dict:
    return {
        "id": calibration.id,
        "title": calibration.title,
        "status": calibration.status,
        "lead": calibration.lead.name if calibration.lead else None,
        "baseline": calibration.baseline_reviewer.name if calibration.baseline_reviewer else None,
        "participants": [p.name for p in calibration.participants],
        "conversations": [c.external_id for c in calibration.conversations],
        "runs": _runs(actor, calibration),
        "takes_part": _takes_part(actor, calibration),
        "created_at": calibration.created_at.isoformat() if calibration.created_at else None,
    }


def list_sessions(session: Session, actor: Actor) -> list[dict]:
    """The sessions the actor runs or takes part in (admins: every session), newest first."""
    if not (can(actor, Action.RUN_CALIBRATION) or can(actor, Action.JOIN_CALIBRATION)):
        authorize(actor, Action.JOIN_CALIBRATION)  # raises, naming the action
    query = select(CalibrationSession).order_by(
        CalibrationSession.created_at.desc(), CalibrationSession.id.desc()
    )
    if not actor.is_admin:
        mine = select(calibration_participants.c.session_id).where(
            calibration_participants.c.user_id == actor.id
        )
        query = query.where(
            or_(CalibrationSession.lead_id == actor.id, CalibrationSession.id.in_(mine))
        )
    return [_summary(c, actor) for c in session.scalars(query).all()]


def close_session(session: Session, actor: Actor, session_id: int | str) -> dict:
    """Close a session (its lead or an admin): no more scoring; everyone in it may then see
    all of its results. Audited."""
    calibration = _session(session, actor, session_id)
    if not _runs(actor, calibration):
        authorize(actor, Action.RUN_CALIBRATION)
        raise CalibrationError(
            "only the session's lead (or an admin) closes it", where=f"session {calibration.id}"
        )
    before = calibration.status
    calibration.status = "closed"
    session.flush()
    record_event(
        session,
        actor,
        "calibration.close",
        object_type="calibration",
        object_id=calibration.id,
        before={"status": before},
        after={"status": "closed"},
    )
    return _summary(calibration, actor)


# --- blind scoring ----------------------------------------------------------------------------


def _scores(session: Session, calibration: CalibrationSession) -> list[Evaluation]:
    return list(
        session.scalars(
            select(Evaluation)
            .where(Evaluation.calibration_id == calibration.id, Evaluation.kind == "calibration")
            .options(selectinload(Evaluation.criterion_scores), selectinload(Evaluation.reviewer))
            .order_by(Evaluation.id)
        ).all()
    )


def _revealed(actor: Actor, calibration: CalibrationSession, scores: list[Evaluation]) -> set:
    """The conversation ids whose scores the actor may see: all for whoever runs the session
    or once it is closed, else those the actor has submitted their own scores for."""
    if _runs(actor, calibration) or calibration.status == "closed":
        return {c.id for c in calibration.conversations}
    return {
        e.conversation_id for e in scores if e.reviewer_id == actor.id and e.status == "submitted"
    }


def _in_session(calibration: CalibrationSession, external_id: str) -> ConversationRecord:
    record = next((c for c in calibration.conversations if c.external_id == external_id), None)
    if record is None:
        raise CalibrationError(
            f"conversation {external_id!r} is not in this session",
            where=f"session {calibration.id}",
            fix=f"choose one of {', '.join(c.external_id for c in calibration.conversations)}",
        )
    return record


def _rubric(session: Session, record: ConversationRecord) -> tuple[Evaluation, Rubric]:
    auto = latest_evaluation(session, record)
    if auto is None:  # re-ingested with --replace since the session opened
        raise CalibrationError(
            f"conversation {record.external_id!r} has no automatic score now",
            fix=f"score it again: trainer score {record.external_id}",
        )
    return auto, parse_rubric(auto.rubric.definition, source=auto.rubric.ref)


def _applies(criterion: Criterion, channel: str | None) -> bool:
    return not criterion.channels or channel in criterion.channels


def save_calibration_score(
    session: Session,
    actor: Actor,
    session_id: int | str,
    external_id: str,
    judgements: dict[str, dict | Judgement],
    submit: bool = False,
) -> dict:
    """Save the actor's blind scores of one conversation of a session: per criterion a value in
    [0, 1] or N/A and a comment (a reason is optional here; criteria not named stay unscored),
    as a draft or `submit`ted (final: after that the actor sees everyone's scores of it).
    Returns the actor's own scores only. Audited."""
    authorize(actor, Action.JOIN_CALIBRATION)
    calibration = _session(session, actor, session_id)
    if not _takes_part(actor, calibration):
        raise CalibrationError(
            "you are not a participant of this session",
            where=f"session {calibration.id}",
            fix="the lead invites participants when opening a session",
        )
    if calibration.status != "open":
        raise CalibrationError(
            "this session is closed", where=f"session {calibration.id}", fix="ask the lead"
        )
    record = _in_session(calibration, external_id)
    visible_conversation(session, actor, external_id)  # the policy still decides who sees it
    auto, rubric = _rubric(session, record)
    parsed = {cid: Judgement.parse(cid, raw) for cid, raw in (judgements or {}).items()}
    check_judgements(rubric, parsed, auto.rubric.ref)
    mine = session.scalar(
        select(Evaluation).where(
            Evaluation.calibration_id == calibration.id,
            Evaluation.conversation_id == record.id,
            Evaluation.reviewer_id == actor.id,
            Evaluation.kind == "calibration",
        )
    )
    if mine is not None and mine.status == "submitted":
        raise CalibrationError(
            "your scores of this conversation are submitted already",
            where=external_id,
            fix="submitted calibration scores are final",
        )
    before = _mine_view(mine) if mine is not None else None
    if mine is None:
        mine = Evaluation(
            conversation_id=record.id,
            rubric_id=auto.rubric_id,
            kind="calibration",
            calibration_id=calibration.id,
            reviewer_id=actor.id,
            pipeline="calibration",
        )
        session.add(mine)
    else:
        mine.criterion_scores.clear()  # a draft saved again: its old rows go first
        session.flush()
    sections_of = {criterion.id: section.id for section, criterion in rubric.criteria()}
    mine.criterion_scores = [
        CriterionScore(
            section_id=sections_of[cid],
            criterion_id=cid,
            status="na" if j.na else "scored",
            value=None if j.na else j.value,
            explanation=j.comment or "calibration",
            comment=j.comment or None,
            override_reason=j.reason,
            overridden_by_id=actor.id,
            evidence=[],
        )
        for cid, j in parsed.items()
    ]
    result = compute(rubric, {cid: j.value for cid, j in parsed.items() if not j.na})
    mine.rubric_id = auto.rubric_id
    mine.status = "submitted" if submit else "draft"
    mine.score, mine.sections = result.score, dict(result.sections)
    mine.submitted_at = datetime.now(UTC) if submit else None
    session.flush()
    after = _mine_view(mine)
    record_event(
        session,
        actor,
        "calibration.submit" if submit else "calibration.save",
        object_type="calibration",
        object_id=calibration.id,
        detail=f"conversation {external_id}",
        before=before,
        after=after,
    )
    return {"session": calibration.id, "conversation": external_id, **after}


def _mine_view(evaluation: Evaluation) -> dict:
    return {
        "status": evaluation.status,
        "score": evaluation.score,
        "values": {
            cs.criterion_id: {
                "value": cs.value,
                "na": cs.status == "na",
                "comment": cs.comment,
                "reason": cs.override_reason,
            }
            for cs in evaluation.criterion_scores
        },
    }


def calibration_view(session: Session, actor: Actor, session_id: int | str) -> dict:
    """A session as its page shows it: the summary, then per conversation the transcript, the
    rubric's criteria to score (levels, N/A allowed, guidance), the actor's own scores and
    whether the results of it are `revealed` to the actor. Nobody's values and no automatic
    value are in it: those come from `calibration_results`, for revealed conversations only."""
    calibration = _session(session, actor, session_id)
    scores = _scores(session, calibration)
    revealed = _revealed(actor, calibration, scores)
    conversations = []
    for record in calibration.conversations:
        visible_conversation(session, actor, record.external_id)
        _auto, rubric = _rubric(session, record)
        mine = next(
            (e for e in scores if e.conversation_id == record.id and e.reviewer_id == actor.id),
            None,
        )
        conversations.append(
            {
                "conversation": record.external_id,
                "channel": record.channel,
                "agent": record.agent.name if record.agent else record.agent_name,
                "turns": [
                    {"speaker": t.speaker, "text": t.text, "start": t.start, "end": t.end}
                    for t in record.turns
                ],
                "criteria": _criteria(rubric, record.channel),
                "mine": _mine_view(mine) if mine is not None else None,
                "revealed": record.id in revealed,
                # who has submitted is part of what a blind participant is not told
                "submitted_by": sorted(
                    e.reviewer.name
                    for e in scores
                    if e.conversation_id == record.id and e.status == "submitted" and e.reviewer
                )
                if record.id in revealed
                else [],
            }
        )
    return {**_summary(calibration, actor), "items": conversations}


def _criteria(rubric: Rubric, channel: str | None) -> list[dict]:
    """The criteria a reviewer scores on a conversation of this channel, with the scale's
    levels normalised to [0, 1] and their labels."""
    rows = []
    for section, criterion in rubric.criteria():
        if not _applies(criterion, channel):
            continue
        scale = criterion.scale
        rows.append(
            {
                "id": criterion.id,
                "section": section.id,
                "title": criterion.title,
                "guidance": criterion.guidance,
                "weight": criterion.weight,
                "na_allowed": criterion.na_allowed,
                "levels": [
                    {"value": round(scale.normalise(p), 4), "label": scale.labels.get(p, str(p))}
                    for p in scale.points
                ],
            }
        )
    return rows


# --- results ----------------------------------------------------------------------------------


def _value(score: CriterionScore | None) -> float | None:
    return None if score is None or score.status != "scored" else score.value


def calibration_results(session: Session, actor: Actor, session_id: int | str) -> dict:
    """The results of a session as far as the actor may see them (every conversation for its
    lead, admins and after closing; else the conversations the actor has submitted): per
    conversation and criterion each reviewer's value, the automatic and baseline values, each
    reviewer's deviation from the baseline and the spread; per criterion and overall
    Krippendorff's alpha (interval) across reviewers, without and with the automatic scorer as
    one more rater; per reviewer the alignment with the baseline, weighted like the rubric.
    Only submitted scores count; null where there is too little data."""
    calibration = _session(session, actor, session_id)
    scores = _scores(session, calibration)
    revealed = _revealed(actor, calibration, scores)
    records = [c for c in calibration.conversations if c.id in revealed]
    baseline = calibration.baseline_reviewer.name if calibration.baseline_reviewer else None
    ratings: dict[str, dict] = {}
    automatic: dict = {}
    weights: dict[str, float] = {}
    titles: dict[str, str] = {}
    for record in records:
        auto, rubric = _rubric(session, record)
        for _, criterion in rubric.criteria():
            weights.setdefault(criterion.id, criterion.weight)
            titles.setdefault(criterion.id, criterion.title)
        for cs in auto.criterion_scores:
            if cs.status != "unscored":
                automatic[(record.external_id, cs.criterion_id)] = _value(cs)
        for e in scores:
            if e.conversation_id == record.id and e.status == "submitted" and e.reviewer:
                per = ratings.setdefault(e.reviewer.name, {})
                for cs in e.criterion_scores:
                    per[(record.external_id, cs.criterion_id)] = _value(cs)
    raters = sorted(ratings, key=lambda n: (n != baseline, n))  # the baseline first
    summary = summarise({r: ratings[r] for r in raters}, automatic, weights, baseline)
    items = [
        {**row, "title": titles.get(row["criterion"], row["criterion"])} for row in summary.items
    ]
    return {
        **_summary(calibration, actor),
        "automatic_rater": AUTOMATIC,
        "revealed": [r.external_id for r in records],
        "reviewers": raters,
        "items": items,
        "criteria": [
            {**c, "title": titles.get(c["criterion"], c["criterion"])} for c in summary.criteria
        ],
        "overall": summary.overall,
        "alignment": summary.alignment,
    }
