"""Typed SQLAlchemy 2.0 models with a shared base and timestamps (argilla-style)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from trainer.customer_keys import name_key

ROLES = ("trainee", "agent", "reviewer", "lead", "hr", "admin")
CONVERSATION_STATUSES = ("ingested", "processing", "scored", "failed")
# "calibration": a reviewer's blind score in a calibration session; never counts anywhere else.
EVALUATION_KINDS = ("auto", "human", "calibration")
EVALUATION_STATUSES = ("completed", "needs_review", "failed", "draft", "submitted")
SCORE_STATUSES = ("scored", "na", "unscored")


def utcnow() -> datetime:
    """Timezone-aware now, for defaults."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Shared base: JSON for dicts and lists, naming convention for portable migrations."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


Base.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class TimestampMixin:
    """created_at / updated_at, set by the database."""

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


team_members = Table(
    "team_members",
    Base.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Team(TimestampMixin, Base):
    """A group of agents; its lead is a member with the `lead` role."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    members: Mapped[list[User]] = relationship(
        secondary=team_members, back_populates="teams", order_by="User.name"
    )


class User(TimestampMixin, Base):
    """A person using Trainer: one role, one or more teams. Never deleted (deactivated instead),
    so their history keeps its author."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="agent")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    teams: Mapped[list[Team]] = relationship(
        secondary=team_members, back_populates="members", order_by="Team.name"
    )

    @property
    def team_ids(self) -> frozenset[int]:
        """The ids of the user's teams."""
        return frozenset(team.id for team in self.teams)


class AuthSession(Base):
    """A server-side login session; the browser holds only a random token (its hash is here)."""

    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship()


class ApiToken(Base):
    """A bearer token for the REST API, stored hashed; revoked, never deleted."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship()


class AuditEvent(Base):
    """One change a person made: who, when, what, on which object, before and after.

    Append-only: the services only insert, and database triggers refuse UPDATE and DELETE.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_action_object", "action", "object_id", "at"),
        Index("ix_audit_events_action_actor", "action", "actor_name", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    detail: Mapped[str | None] = mapped_column(Text)


class ConversationRecord(TimestampMixin, Base):
    """A stored conversation (chat, call or role-play) with its ingestion status."""

    __tablename__ = "conversations"
    __table_args__ = (
        # The conversations list, newest first (paged): read backwards, no sort of the table.
        Index("ix_conversations_started_at_external_id", "started_at", "external_id"),
        # One agent's conversations by time: their list and their scorecard.
        Index("ix_conversations_agent_id_started_at", "agent_id", "started_at"),
        # The few queued, processing or failed ones among many scored ones.
        Index("ix_conversations_status", "status"),
        # A customer's later contacts, by the reference as first-contact resolution compares it
        # (migration 0009 creates it as lower(trim(...)); written here as PostgreSQL reflects it).
        Index("ix_conversations_customer_ref_key", text("lower(TRIM(BOTH FROM customer_ref))")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20), default="chat", index=True)
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The agent's name as the source gave it; kept when it matches no account (an admin links it).
    agent_name: Mapped[str | None] = mapped_column(String(200), index=True)
    customer_name: Mapped[str | None] = mapped_column(String(200))
    # The name as repeat contacts compare it (`name_key`), kept with it by `_keep_customer_key`:
    # a customer's later contacts are found by this index, not by folding every name in range.
    customer_key: Mapped[str | None] = mapped_column(String(200), index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(Text)
    source_format: Mapped[str | None] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default="ingested")
    status_reason: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Set when the agent asks for this conversation to be reviewed (an assignment rule may
    # draw only flagged ones).
    flagged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Who the customer is for repeat-contact FCR: the source's customer id or email when it
    # gives one, else None (the customer's name stands in).
    customer_ref: Mapped[str | None] = mapped_column(String(320), index=True)
    # Why the customer got in touch, from the organisation's own classifier (None: unknown).
    contact_reason: Mapped[str | None] = mapped_column(String(120))

    agent: Mapped[User | None] = relationship()

    @validates("customer_name")
    def _keep_customer_key(self, _key: str, name: str | None) -> str | None:
        self.customer_key = name_key(name)
        return name

    turns: Mapped[list[TurnRecord]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        order_by="TurnRecord.position",
    )
    evaluations: Mapped[list[Evaluation]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan"
    )


class TurnRecord(Base):
    """One turn of a stored conversation."""

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("conversation_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[float | None] = mapped_column(Float)
    end: Mapped[float | None] = mapped_column(Float)
    words: Mapped[list[Any] | None] = mapped_column(JSON)  # [[word, start, end], ...] for calls
    # A reviewer's correction keeps what the transcript said first.
    original_text: Mapped[str | None] = mapped_column(Text)
    original_speaker: Mapped[str | None] = mapped_column(String(20))
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    corrected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    conversation: Mapped[ConversationRecord] = relationship(back_populates="turns")


class RubricRecord(TimestampMixin, Base):
    """A rubric version with its full definition, so old scores stay explainable."""

    __tablename__ = "rubrics"
    __table_args__ = (UniqueConstraint("slug", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column()
    content_hash: Mapped[str] = mapped_column(String(64))

    @property
    def ref(self) -> str:
        """`slug@version`."""
        return f"{self.slug}@{self.version}"


class Evaluation(TimestampMixin, Base):
    """A scoring of one conversation with one rubric version, automatic or by a human."""

    __tablename__ = "evaluations"
    __table_args__ = (Index("ix_evaluations_conversation_rubric", "conversation_id", "rubric_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20), default="auto")
    status: Mapped[str] = mapped_column(String(20), default="completed")
    status_reason: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    sections: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    pipeline: Mapped[str | None] = mapped_column(String(120))
    # Human reviews: status "draft" or "submitted", the reviewer's overall comment.
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The agent saw a submitted review and accepted it (disputes are ReviewDispute rows).
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    calibration_id: Mapped[int | None] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE"), index=True
    )

    conversation: Mapped[ConversationRecord] = relationship(back_populates="evaluations")
    rubric: Mapped[RubricRecord] = relationship()
    reviewer: Mapped[User | None] = relationship()
    criterion_scores: Mapped[list[CriterionScore]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="CriterionScore.id"
    )


class CriterionScore(TimestampMixin, Base):
    """One criterion's score inside an evaluation, with evidence and provenance."""

    __tablename__ = "criterion_scores"
    __table_args__ = (UniqueConstraint("evaluation_id", "criterion_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"))
    section_id: Mapped[str] = mapped_column(String(120))
    criterion_id: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10))
    value: Mapped[float | None] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    detector: Mapped[str | None] = mapped_column(String(120))
    overridden_from: Mapped[float | None] = mapped_column(Float)
    override_reason: Mapped[str | None] = mapped_column(Text)
    overridden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    comment: Mapped[str | None] = mapped_column(Text)  # a reviewer's note on this criterion

    evaluation: Mapped[Evaluation] = relationship(back_populates="criterion_scores")

    @property
    def na(self) -> bool:
        """True when the criterion did not apply."""
        return self.status == "na"


class RoleplayAttempt(TimestampMixin, Base):
    """One trainee's attempt at a role-play scenario: its live state while it runs, then the
    outcome, score, mood curve and feedback; the transcript is a `roleplay` conversation."""

    __tablename__ = "roleplay_attempts"
    __table_args__ = (Index("ix_roleplay_attempts_trainee_scenario", "trainee_id", "scenario_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scenario_id: Mapped[str] = mapped_column(String(120))
    scenario_version: Mapped[int] = mapped_column(Integer, default=1)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    outcome: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)
    pass_mark: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column()
    sections: Mapped[dict[str, Any]] = mapped_column(default=dict)
    mood: Mapped[list[Any]] = mapped_column(default=list)
    feedback: Mapped[list[Any]] = mapped_column(default=list)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    trainee: Mapped[User] = relationship()
    conversation: Mapped[ConversationRecord | None] = relationship()


class ReviewDispute(TimestampMixin, Base):
    """An agent's dispute of chosen criteria of a submitted review, and its resolution by a
    different reviewer or a lead. `changes` records what an accepted dispute changed:
    {criterion: {"from": value, "to": value}}."""

    __tablename__ = "review_disputes"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    criteria: Mapped[list[Any]] = mapped_column(default=list)
    comment: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    resolver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    review: Mapped[Evaluation] = relationship()
    agent: Mapped[User | None] = relationship(foreign_keys=[agent_id])
    resolver: Mapped[User | None] = relationship(foreign_keys=[resolver_id])


class AssignmentRule(TimestampMixin, Base):
    """Who reviews whom: each period, `per_agent` eligible conversations of every agent in
    `agent_ids` (or in team `team_id`) are drawn at random (seeded) and shared among
    `reviewer_ids`. `filters` says which conversations are eligible."""

    __tablename__ = "assignment_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    agent_ids: Mapped[list[Any]] = mapped_column(default=list)
    reviewer_ids: Mapped[list[Any]] = mapped_column(default=list)
    per_agent: Mapped[int] = mapped_column(Integer, default=5)
    period: Mapped[str] = mapped_column(String(10), default="weekly")
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class ReviewAssignment(TimestampMixin, Base):
    """One conversation a rule gave a reviewer to review in one period, with the seed that drew
    it (for audit). Status: open, done, or replaced (with the reviewer's reason)."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        UniqueConstraint("rule_id", "period_key", "conversation_id"),
        Index("ix_review_assignments_reviewer_status", "reviewer_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("assignment_rules.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(String(20))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    seed: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="open")
    replaced_reason: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    rule: Mapped[AssignmentRule] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    agent: Mapped[User | None] = relationship(foreign_keys=[agent_id])
    conversation: Mapped[ConversationRecord] = relationship()


calibration_conversations = Table(
    "calibration_conversations",
    Base.metadata,
    Column(
        "session_id", ForeignKey("calibration_sessions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True),
)

calibration_participants = Table(
    "calibration_participants",
    Base.metadata,
    Column(
        "session_id", ForeignKey("calibration_sessions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class CalibrationSession(TimestampMixin, Base):
    """A lead's calibration session: invited reviewers score the same conversations blind; the
    baseline reviewer's scores (the expert's) are what the others are measured against."""

    __tablename__ = "calibration_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    baseline_reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), default="open")

    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id])
    baseline_reviewer: Mapped[User | None] = relationship(foreign_keys=[baseline_reviewer_id])
    conversations: Mapped[list[ConversationRecord]] = relationship(
        secondary=calibration_conversations, order_by="ConversationRecord.id"
    )
    participants: Mapped[list[User]] = relationship(
        secondary=calibration_participants, order_by="User.name"
    )


class FollowUpPromise(TimestampMixin, Base):
    """A follow-up an agent promised with a time frame ("I'll call you back by Friday"), due at
    `due_at` (resolved against the conversation's start). `kept_conversation_id` is the agent's
    later contact with the customer before the due date, once found."""

    __tablename__ = "follow_up_promises"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    turn: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    kept_conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )

    conversation: Mapped[ConversationRecord] = relationship(foreign_keys=[conversation_id])
    agent: Mapped[User | None] = relationship()


class CoachingSession(TimestampMixin, Base):
    """A lead's coaching of one agent: linked conversations, notes the agent sees and private
    notes, a criterion to work on, an assigned practice scenario, a follow-up date."""

    __tablename__ = "coaching_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    criterion_id: Mapped[str | None] = mapped_column(String(120))
    conversation_ids: Mapped[list[Any]] = mapped_column(default=list)  # external ids
    shared_notes: Mapped[str | None] = mapped_column(Text)
    private_notes: Mapped[str | None] = mapped_column(Text)
    scenario_id: Mapped[str | None] = mapped_column(String(120))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")

    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
    coach: Mapped[User | None] = relationship(foreign_keys=[coach_id])
    actions: Mapped[list[CoachingAction]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="CoachingAction.id"
    )


class CoachingAction(TimestampMixin, Base):
    """An action item of a coaching session, with a due date and completion."""

    __tablename__ = "coaching_actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    session: Mapped[CoachingSession] = relationship(back_populates="actions")


class Cohort(TimestampMixin, Base):
    """A group of new hires starting together on one learning path."""

    __tablename__ = "cohorts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    path_id: Mapped[str] = mapped_column(String(120))
    start_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PathAssignment(TimestampMixin, Base):
    """A learning path assigned to one person (through a cohort, or on its own), due by
    `due_on`. Step statuses are derived from the person's role-play attempts."""

    __tablename__ = "path_assignments"
    __table_args__ = (UniqueConstraint("user_id", "path_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path_id: Mapped[str] = mapped_column(String(120))
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date | None] = mapped_column(Date)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    cohort: Mapped[Cohort | None] = relationship()


class Certificate(Base):
    """Proof that a person finished a learning path: when, and the scores of each step."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "path_id", "path_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path_id: Mapped[str] = mapped_column(String(120))
    path_version: Mapped[int] = mapped_column(Integer, default=1)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)

    user: Mapped[User] = relationship()
