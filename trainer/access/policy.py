"""The permission matrix of DESIGN.md ("The platform for every role") and the one place that
applies it: `authorize(actor, action, subject)` raises, `can(...)` answers, and
`visible_conversations(actor, query)` narrows a SELECT to what the actor may see.

Scopes: `own` (the actor is the subject's owner: the agent of a conversation, the trainee of an
attempt), `team` (the owner is in one of the actor's teams), `all`, `all_but_own` (everything
except the actor's own), `not_scorer` (anything the actor did not originally score), and
`staff` (users whose role is trainee or agent: what HR may add). Pages, CLI commands and API
handlers never decide on their own: they call a service, and the service calls this.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, false, select

from trainer.access.actor import Actor
from trainer.db.models import ConversationRecord, team_members
from trainer.errors import ForbiddenError, NotFoundError


class Scope(StrEnum):
    """How far an allowed action reaches."""

    NONE = "none"
    OWN = "own"
    TEAM = "team"
    ALL = "all"
    ALL_BUT_OWN = "all_but_own"
    NOT_SCORER = "not_scorer"
    STAFF = "staff"


class Action(StrEnum):
    """Every protected action, one per row of the matrix."""

    PRACTISE = "practise"
    VIEW_CONVERSATION = "conversation.view"
    LISTEN_AUDIO = "audio.listen"
    REVIEW_SCORE = "review.score"
    CORRECT_TRANSCRIPT = "transcript.correct"
    RESPOND_TO_REVIEW = "review.respond"
    RESOLVE_DISPUTE = "dispute.resolve"
    RUN_CALIBRATION = "calibration.run"
    JOIN_CALIBRATION = "calibration.join"
    DEFINE_ASSIGNMENTS = "assignments.define"
    VIEW_SCORECARDS = "scorecards.view"
    COACHING = "coaching"
    ONBOARDING = "onboarding"
    MANAGE_ONBOARDING = "onboarding.manage"
    ADD_USERS = "users.add"
    ADMINISTER = "admin"
    INGEST = "conversations.ingest"
    VIEW_AUDIT = "audit.view"


N, OWN, TEAM, ALL = Scope.NONE, Scope.OWN, Scope.TEAM, Scope.ALL
ROLE_ORDER = ("trainee", "agent", "reviewer", "lead", "hr", "admin")

# One row per action, one column per role (ROLE_ORDER), exactly as DESIGN.md's table.
MATRIX: dict[Action, tuple[Scope, ...]] = {
    Action.PRACTISE: (OWN, OWN, OWN, OWN, OWN, OWN),
    Action.VIEW_CONVERSATION: (N, OWN, ALL, TEAM, N, ALL),
    Action.LISTEN_AUDIO: (N, OWN, ALL, TEAM, N, ALL),
    Action.REVIEW_SCORE: (N, N, Scope.ALL_BUT_OWN, TEAM, N, ALL),
    Action.CORRECT_TRANSCRIPT: (N, N, ALL, TEAM, N, ALL),
    Action.RESPOND_TO_REVIEW: (N, OWN, N, N, N, N),
    Action.RESOLVE_DISPUTE: (N, N, Scope.NOT_SCORER, TEAM, N, ALL),
    Action.RUN_CALIBRATION: (N, N, N, ALL, N, ALL),
    Action.JOIN_CALIBRATION: (N, N, ALL, ALL, N, N),
    Action.DEFINE_ASSIGNMENTS: (N, N, N, TEAM, N, ALL),
    Action.VIEW_SCORECARDS: (OWN, OWN, ALL, TEAM, ALL, ALL),
    Action.COACHING: (N, OWN, N, TEAM, N, ALL),
    Action.ONBOARDING: (OWN, OWN, N, TEAM, ALL, ALL),
    Action.MANAGE_ONBOARDING: (N, N, N, N, ALL, ALL),
    Action.ADD_USERS: (N, N, N, N, Scope.STAFF, ALL),
    Action.ADMINISTER: (N, N, N, N, N, ALL),
    Action.INGEST: (N, N, N, N, N, ALL),
    Action.VIEW_AUDIT: (N, N, N, N, N, ALL),
}
# Where refusing would tell that the thing exists (another agent's conversation), refuse with
# "not found" instead of "forbidden".
PRIVATE_EXISTENCE = frozenset({Action.VIEW_CONVERSATION, Action.LISTEN_AUDIO})
STAFF_ROLES = frozenset({"trainee", "agent"})


@dataclass(frozen=True)
class Subject:
    """What an action is done to, as the policy needs it: whose it is, their teams, who first
    scored it (disputes), the role of a user being added, and a label for messages."""

    label: str
    owner_id: int | None = None
    owner_team_ids: frozenset[int] = frozenset()
    scorer_id: int | None = None
    role: str | None = None


def scope_of(actor: Actor, action: Action) -> Scope:
    """The scope the actor's role has for the action (NONE when not allowed at all)."""
    return MATRIX[action][ROLE_ORDER.index(actor.role)]


def _within(actor: Actor, scope: Scope, subject: Subject | None) -> bool:
    if scope is Scope.NONE:
        return False
    if subject is None:
        return True  # a question about the action itself (a list, a page), narrowed later
    owns = actor.id is not None and subject.owner_id == actor.id
    match scope:
        case Scope.ALL:
            return True
        case Scope.OWN:
            return owns
        case Scope.TEAM:
            return bool(actor.team_ids & subject.owner_team_ids)
        case Scope.ALL_BUT_OWN:
            return not owns
        case Scope.NOT_SCORER:
            return subject.scorer_id is None or subject.scorer_id != actor.id
        case Scope.STAFF:
            return subject.role in STAFF_ROLES
    return False


def can(actor: Actor, action: Action, subject: Subject | None = None) -> bool:
    """True when the actor may do the action (to the subject, when given)."""
    return _within(actor, scope_of(actor, action), subject)


def not_found(label: str) -> NotFoundError:
    """The one refusal for something missing or not the actor's to see: the two read alike."""
    return NotFoundError(f"no {label}", fix="check the id, or list what you can see")


def authorize(actor: Actor, action: Action, subject: Subject | None = None) -> None:
    """Raise unless the actor may do the action: NotFoundError where existence is private,
    ForbiddenError otherwise, both naming what was refused."""
    if can(actor, action, subject):
        return
    label = subject.label if subject is not None else None
    # Whatever the role, a named conversation it may not see reads exactly like a missing one,
    # so no one can probe which ids exist.
    if action in PRIVATE_EXISTENCE and label is not None:
        raise not_found(label)
    what = f"{action.value} on {label}" if label else action.value
    raise ForbiddenError(
        f"a {actor.role} may not do {what}",
        where=actor.name,
        fix="ask an admin if your role should allow it",
    )


def conversation_subject(record: ConversationRecord) -> Subject:
    """The policy's view of a stored conversation (owner: its agent)."""
    agent = record.agent
    return Subject(
        label=f"conversation {record.external_id!r}",
        owner_id=agent.id if agent else None,
        owner_team_ids=agent.team_ids if agent else frozenset(),
    )


def visible_conversations(actor: Actor, query: Select, action: Action = Action.VIEW_CONVERSATION):
    """`query` (over ConversationRecord) narrowed to the conversations the actor may see."""
    scope = scope_of(actor, action)
    if scope is Scope.ALL:
        return query
    if scope is Scope.OWN and actor.id is not None:
        return query.where(ConversationRecord.agent_id == actor.id)
    if scope is Scope.TEAM and actor.team_ids:
        members = select(team_members.c.user_id).where(
            team_members.c.team_id.in_(sorted(actor.team_ids))
        )
        return query.where(ConversationRecord.agent_id.in_(members))
    return query.where(false())
