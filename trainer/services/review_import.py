"""Importing review history: `trainer review import reviews.csv` brings the past scores of another
QA tool in as submitted human reviews, so agreement is measurable on day one.

The file has the columns `conversation_id, reviewer, criterion, score, comment` (a header line
first; other columns are ignored). `score` is 0..1 or `N/A`; `criterion` is a criterion id of the
rubric of the conversation's automatic evaluation, optionally written `section.criterion`.

Decisions, so that people know what they get:
- Only admins import: the file carries other people's reviews and may create their accounts.
- The rows of one (conversation, reviewer) make one submitted review (pipeline "import").
  Criteria the file does not give are stored "unscored": the reviewer did not judge them, so
  they count in neither the review's score nor the agreement figures (accepting the machine's
  value for them would invent agreement). The score uses the same formula as every review.
- A conversation that has no automatic evaluation yet is scored first with the default rubric
  (its criteria are what the file names).
- Importing the same file again stores nothing twice: a review whose values are the same is
  "unchanged", one whose values differ is "replaced" in place. A review the reviewer made in
  Trainer itself (or a draft) is never overwritten: those rows are refused.
- A reviewer (name or email) that matches no account gets a deactivated account with the role
  reviewer and no password (audited): their history keeps its author, and they cannot log in
  until an admin activates them.
- Each conversation is stored in its own savepoint: one bad row refuses everything of its
  conversation (reported with line numbers), and the other conversations are stored.
- One audit event per import, with the counts.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize
from trainer.db.models import (
    ConversationRecord,
    CriterionScore,
    Evaluation,
    ReviewDispute,
    User,
)
from trainer.db.repository import latest_evaluation, match_agent
from trainer.errors import ReviewError, TrainerError
from trainer.scoring.formula import compute
from trainer.scoring.rubric import Criterion, Rubric, Section, parse_rubric
from trainer.services.accounts import EMAIL, user_view
from trainer.services.audit import record_event
from trainer.services.reviews import Judgement
from trainer.services.scoring import score_stored
from trainer.services.views import visible_conversation

COLUMNS = ("conversation_id", "reviewer", "criterion", "score", "comment")
#: `Evaluation.pipeline` of an imported review (a review made in Trainer has "human").
IMPORTED = "import"
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME = 200


@dataclass(frozen=True)
class Row:
    """One data line of the file, trimmed, with the line it starts on."""

    line: int
    conversation: str
    reviewer: str
    criterion: str
    judgement: Judgement


@dataclass(frozen=True)
class RowError:
    """Lines of the file refused for one reason."""

    lines: tuple[int, ...]
    message: str
    conversation: str | None = None

    def as_dict(self) -> dict:
        """JSON form."""
        return {"lines": list(self.lines), "conversation": self.conversation, "error": self.message}


@dataclass
class ImportSummary:
    """What an import did: reviews stored new, replaced or unchanged (each as
    {"conversation", "reviewer", "score"}), accounts created, and the refused lines."""

    source: str
    rows: int = 0
    stored: list[dict] = field(default_factory=list)
    replaced: list[dict] = field(default_factory=list)
    unchanged: list[dict] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    conversations_refused: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        """How many of each (the audit event's `after`)."""
        return {
            "rows": self.rows,
            "stored": len(self.stored),
            "replaced": len(self.replaced),
            "unchanged": len(self.unchanged),
            "users_created": len(self.users_created),
            "errors": len(self.errors),
            "conversations_refused": len(self.conversations_refused),
        }

    def as_dict(self) -> dict:
        """JSON form (`trainer review import --format json`)."""
        return {
            "source": self.source,
            **self.counts(),
            "reviews": {
                "stored": self.stored,
                "replaced": self.replaced,
                "unchanged": self.unchanged,
            },
            "users": self.users_created,
            "refused": [e.as_dict() for e in self.errors],
        }


# --- reading the file ---------------------------------------------------------------------------


def _decode(data: bytes | str, source: str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReviewError(
            f"the file is not UTF-8 text (byte {exc.start} cannot be read)",
            where=f"{source}:{line}",
            fix="save it as UTF-8 (a spreadsheet's 'CSV UTF-8')",
        ) from None


def _header(raw: list[str], where: str) -> dict[str, int]:
    """Column positions by name; ReviewError for a column given twice or missing."""
    names = [h.strip().lower() for h in raw]
    columns = {name: i for i, name in enumerate(names) if name}
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        raise ReviewError(
            f"the column {twice[0]!r} appears twice in the header",
            where=where,
            fix="keep one",
        )
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        found = ", ".join(n for n in names if n) or "nothing"
        raise ReviewError(
            f"the header lacks {', '.join(missing)} (it has: {found})",
            where=where,
            fix=f"start the file with the line: {','.join(COLUMNS)}",
        )
    return columns


def _row(line: int, fields: list[str], columns: dict[str, int], width: int) -> Row:
    if len(fields) != width:
        raise ReviewError(
            f"{len(fields)} fields where the header has {width}",
            fix="give every column, an empty comment too; quote a comment holding a comma",
        )
    value = {name: fields[i].strip() for name, i in columns.items()}
    for name in ("conversation_id", "reviewer", "criterion"):
        if not value[name]:
            raise ReviewError(f"no {name}", fix=f"fill in the {name} column")
    criterion = value["criterion"].lower()
    judgement = Judgement.parse(criterion, {"value": value["score"], "comment": value["comment"]})
    return Row(line, value["conversation_id"], value["reviewer"], criterion, judgement)


def read_rows(data: bytes | str, source: str = "reviews.csv") -> tuple[list[Row], list[RowError]]:
    """The file's rows, and the lines refused on their own (a missing value, a bad score).
    A file that cannot be read as a whole (not UTF-8, empty, no header, a missing column)
    raises ReviewError naming the file and line."""
    text = _decode(data, source)
    if not text.strip():
        raise ReviewError(
            "the file is empty",
            where=source,
            fix=f"the first line names the columns: {','.join(COLUMNS)}",
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[Row] = []
    errors: list[RowError] = []
    columns: dict[str, int] | None = None
    width = 0
    start = 1
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not any(f.strip() for f in fields):
                continue
            if columns is None:  # the first line that is not blank
                columns, width = _header(fields, f"{source}:{line}"), len(fields)
                continue
            try:
                rows.append(_row(line, fields, columns, width))
            except ReviewError as exc:
                errors.append(RowError((line,), _text(exc), _first(fields, columns)))
    except csv.Error as exc:
        raise ReviewError(
            f"not a readable CSV file ({exc})", where=f"{source}:{reader.line_num}"
        ) from None
    if columns is None:
        raise ReviewError("the file has no header", where=source)
    if not rows and not errors:
        raise ReviewError(
            "the file has a header but no reviews",
            where=source,
            fix="one line per conversation, reviewer and criterion",
        )
    return rows, errors


def _text(exc: TrainerError) -> str:
    """A coded error as one line without its code: `where: message (fix: ...)`."""
    text = f"{exc.where}: {exc.message}" if exc.where else exc.message
    return f"{text} (fix: {exc.fix})" if exc.fix else text


def _first(fields: list[str], columns: dict[str, int]) -> str | None:
    i = columns["conversation_id"]
    return fields[i].strip() or None if i < len(fields) else None


# --- storing one conversation --------------------------------------------------------------------


class _Refused(Exception):
    """A conversation's rows were refused: roll its savepoint back."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class _Reviewers:
    """Accounts by what the file called them; those created inside the current conversation's
    savepoint stay pending until it is kept (a rolled-back one is created again later)."""

    known: dict[str, int] = field(default_factory=dict)
    pending: dict[str, int] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    created_pending: list[str] = field(default_factory=list)

    def keep(self) -> None:
        self.known.update(self.pending)
        self.created.extend(self.created_pending)
        self.drop()

    def drop(self) -> None:
        self.pending, self.created_pending = {}, []


def _reviewer(
    session: Session, actor: Actor, text: str, reviewers: _Reviewers, source: str
) -> User:
    key = " ".join(text.split()).lower()
    user_id = reviewers.known.get(key) or reviewers.pending.get(key)
    if user_id is not None:
        return session.get(User, user_id)
    user = match_agent(session, text)
    if user is not None:
        reviewers.known[key] = user.id
        return user
    name = " ".join(text.split())
    if len(name) > MAX_NAME or CONTROL.search(name):
        raise ReviewError(
            f"the reviewer {name[:60]!r} is too long or has control characters",
            fix=f"use at most {MAX_NAME} printable characters",
        )
    email = name.lower() if "@" in name else None
    if email is not None and not EMAIL.match(email):
        raise ReviewError(f"{name!r} is not an email address", fix="write it as name@example.com")
    user = User(name=name, email=email, role="reviewer", active=False, password_hash=None)
    session.add(user)
    session.flush()
    record_event(
        session,
        actor,
        "user.add",
        object_type="user",
        object_id=user.id,
        after=user_view(user),
        detail=f"reviewer named in {source}: created deactivated by the review import",
    )
    reviewers.pending[key] = user.id
    reviewers.created_pending.append(user.name)
    return user


def _automatic(session: Session, record: ConversationRecord) -> Evaluation:
    auto = latest_evaluation(session, record)
    if auto is not None:
        return auto
    if not record.turns:
        raise ReviewError(
            "has no transcript to score yet",
            fix=f"ingest or transcribe it first: trainer score {record.external_id}",
        )
    summary = score_stored(session, [record.external_id])
    if summary.failed:
        raise ReviewError(summary.failed[0][1], fix="fix the conversation, then import again")
    return latest_evaluation(session, record)  # type: ignore[return-value]


def _criterion(rubric: Rubric, ref: str) -> tuple[Section, Criterion]:
    """`criterion` or `section.criterion` of the rubric; ReviewError naming the choices."""
    section_id, _, criterion_id = ref.rpartition(".")
    for section, criterion in rubric.criteria():
        if criterion.id == criterion_id:
            if section_id and section_id != section.id:
                raise ReviewError(
                    f"criterion {criterion_id!r} is in section {section.id!r}, not {section_id!r}",
                    fix=f"write {section.id}.{criterion_id} or just {criterion_id}",
                )
            return section, criterion
    raise ReviewError(
        f"no criterion {ref!r} in {rubric.ref}",
        fix=f"use one of {', '.join(c.id for _, c in rubric.criteria())}",
    )


@dataclass
class _Planned:
    """One reviewer's review of the conversation, as the file gives it."""

    reviewer: User
    values: dict[str, tuple[str, Judgement]] = field(default_factory=dict)  # id -> section
    lines: dict[str, int] = field(default_factory=dict)


def _plan(
    session: Session,
    actor: Actor,
    record: ConversationRecord,
    rubric: Rubric,
    rows: list[Row],
    reviewers: _Reviewers,
    source: str,
) -> tuple[list[_Planned], list[RowError]]:
    plans: dict[int, _Planned] = {}
    errors: list[RowError] = []
    conversation = record.external_id
    for row in rows:
        try:
            section, criterion = _criterion(rubric, row.criterion)
            if row.judgement.na and not criterion.na_allowed:
                raise ReviewError(
                    f"N/A is not allowed for {criterion.id}", fix="give a value from 0 to 1"
                )
            user = _reviewer(session, actor, row.reviewer, reviewers, source)
            if record.agent_id is not None and user.id == record.agent_id:
                raise ReviewError(
                    f"{user.name} is the agent of this conversation",
                    fix="no one reviews their own conversation",
                )
            plan = plans.setdefault(user.id, _Planned(user))
            if criterion.id in plan.lines:
                raise ReviewError(
                    f"{user.name}'s {criterion.id} is given twice "
                    f"(also line {plan.lines[criterion.id]})",
                    fix="keep one line per conversation, reviewer and criterion",
                )
            plan.values[criterion.id] = (section.id, row.judgement)
            plan.lines[criterion.id] = row.line
        except ReviewError as exc:
            errors.append(RowError((row.line,), _text(exc), conversation))
    return list(plans.values()), errors


def _scores(rubric: Rubric, auto: Evaluation, plan: _Planned, source: str) -> list[CriterionScore]:
    machine = {cs.criterion_id: cs for cs in auto.criterion_scores}
    scores = []
    for section, criterion in rubric.criteria():
        given = plan.values.get(criterion.id)
        if given is None:  # not judged by this reviewer: counts nowhere
            scores.append(
                CriterionScore(
                    section_id=section.id,
                    criterion_id=criterion.id,
                    status="unscored",
                    value=None,
                    explanation=f"not in the review imported from {source}",
                    evidence=[],
                )
            )
            continue
        judgement = given[1]
        auto_score = machine.get(criterion.id)
        auto_value = auto_score.value if auto_score is not None else None
        auto_na = auto_score is not None and auto_score.status == "na"
        changed = judgement.na != auto_na or (not judgement.na and judgement.value != auto_value)
        scores.append(
            CriterionScore(
                section_id=section.id,
                criterion_id=criterion.id,
                status="na" if judgement.na else "scored",
                value=None if judgement.na else judgement.value,
                explanation=f"imported from {source}",
                comment=judgement.comment or None,
                # Provenance: the machine's value where the reviewer's differs. No reason code:
                # the other tool did not record one, and none is made up.
                overridden_from=auto_value if changed else None,
                overridden_by_id=plan.reviewer.id,
                evidence=[],
            )
        )
    return scores


def _same(review: Evaluation, scores: list[CriterionScore]) -> bool:
    def key(cs: CriterionScore) -> tuple:
        return (cs.criterion_id, cs.status, cs.value, cs.comment or None)

    return sorted(map(key, review.criterion_scores)) == sorted(map(key, scores))


def _existing(session: Session, record: ConversationRecord, user: User) -> Evaluation | None:
    # Whatever rubric version it scored: an import made before a re-scoring with a new rubric
    # version is replaced, not doubled.
    return session.scalar(
        select(Evaluation)
        .where(
            Evaluation.conversation_id == record.id,
            Evaluation.kind == "human",
            Evaluation.reviewer_id == user.id,
        )
        .order_by((Evaluation.pipeline == IMPORTED).asc(), Evaluation.id)
        .limit(1)
    )


def _store(
    session: Session,
    record: ConversationRecord,
    rubric: Rubric,
    auto: Evaluation,
    plan: _Planned,
    source: str,
) -> tuple[str, Evaluation]:
    """Store one review: ('stored' | 'replaced' | 'unchanged', the review)."""
    scores = _scores(rubric, auto, plan, source)
    review = _existing(session, record, plan.reviewer)
    if review is not None and (review.pipeline != IMPORTED or review.status != "submitted"):
        raise ReviewError(
            f"{plan.reviewer.name} has a review of this conversation in Trainer already",
            fix="the import never overwrites a review made in Trainer; leave these lines out",
        )
    if review is not None and review.rubric_id == auto.rubric_id and _same(review, scores):
        return "unchanged", review
    if review is not None:
        disputed = session.scalar(
            select(func.count(ReviewDispute.id)).where(ReviewDispute.review_id == review.id)
        )
        if disputed:
            raise ReviewError(
                f"{plan.reviewer.name}'s imported review is disputed, so it is not replaced",
                fix="resolve the dispute in Trainer instead",
            )
        review.criterion_scores.clear()
        session.flush()
        review.rubric_id = auto.rubric_id
        action = "replaced"
    else:
        review = Evaluation(
            conversation_id=record.id,
            rubric_id=auto.rubric_id,
            kind="human",
            status="submitted",
            reviewer_id=plan.reviewer.id,
            pipeline=IMPORTED,
            submitted_at=datetime.now(UTC),
        )
        session.add(review)
        action = "stored"
    result = compute(rubric, {cs.criterion_id: cs.value for cs in scores if cs.status == "scored"})
    review.criterion_scores = scores
    review.score, review.sections = result.score, dict(result.sections)
    session.flush()
    return action, review


def _conversation(
    session: Session,
    actor: Actor,
    external_id: str,
    rows: list[Row],
    reviewers: _Reviewers,
    summary: ImportSummary,
) -> None:
    lines = tuple(r.line for r in rows)
    try:
        record = visible_conversation(session, actor, external_id, Action.REVIEW_SCORE)
        if record.channel == "roleplay":
            raise ReviewError("is a role-play attempt: practice, not QA, has no reviews")
        auto = _automatic(session, record)
    except TrainerError as exc:
        raise _Refused([RowError(lines, _text(exc), external_id)]) from None
    rubric = parse_rubric(auto.rubric.definition, source=auto.rubric.ref)
    plans, errors = _plan(session, actor, record, rubric, rows, reviewers, summary.source)
    if errors:
        raise _Refused(errors)
    done: list[tuple[str, dict]] = []
    for plan in plans:
        try:
            action, review = _store(session, record, rubric, auto, plan, summary.source)
        except ReviewError as exc:
            raise _Refused(
                [RowError(tuple(plan.lines.values()), _text(exc), external_id)]
            ) from None
        done.append(
            (
                action,
                {
                    "conversation": external_id,
                    "reviewer": plan.reviewer.name,
                    "score": review.score,
                },
            )
        )
    for action, item in done:  # counted only once the whole conversation is kept
        getattr(summary, action).append(item)


def import_reviews(
    session: Session, actor: Actor, data: bytes | str, source: str = "reviews.csv"
) -> ImportSummary:
    """Import a CSV of past reviews (admins): one submitted human review per conversation and
    reviewer; each conversation stored whole or not at all; the refused lines reported with
    their numbers. See the module's docstring for what is decided how."""
    authorize(actor, Action.ADMINISTER)
    rows, errors = read_rows(data, source)
    summary = ImportSummary(source=source, rows=len(rows) + len(errors))
    summary.errors.extend(errors)
    refused = {e.conversation for e in errors}
    by_conversation: dict[str, list[Row]] = {}
    for row in rows:
        by_conversation.setdefault(row.conversation, []).append(row)
    reviewers = _Reviewers()
    for external_id, conversation_rows in by_conversation.items():
        if external_id in refused:  # a bad line refuses its whole conversation
            summary.conversations_refused.append(external_id)
            continue
        try:
            with session.begin_nested():
                _conversation(session, actor, external_id, conversation_rows, reviewers, summary)
            reviewers.keep()
        except _Refused as exc:
            reviewers.drop()
            summary.errors.extend(exc.errors)
            summary.conversations_refused.append(external_id)
        except SQLAlchemyError:
            reviewers.drop()
            lines = tuple(r.line for r in conversation_rows)
            summary.errors.append(
                RowError(lines, "the database refused these rows (a value too long?)", external_id)
            )
            summary.conversations_refused.append(external_id)
    for external_id in sorted(refused - set(by_conversation) - {None}):
        summary.conversations_refused.append(external_id)  # every line of it was bad
    summary.users_created = reviewers.created
    summary.errors.sort(key=lambda e: e.lines)
    record_event(
        session,
        actor,
        "review.import",
        object_type="file",
        object_id=source,
        after=summary.counts(),
    )
    return summary
