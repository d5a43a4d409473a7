"""The permission matrix of DESIGN.md ("The platform for every role"), walked pair by pair.

The expected table below is copied by hand from DESIGN.md, not imported from the policy module,
so a change to either one shows up here. Each cell is checked against concrete subjects: the
actor's own, a teammate's, another team's, and (where the cell needs it) the scorer of a review
or the role of a user being added.
"""

from __future__ import annotations

import itertools

import pytest

from trainer.access import Action, Actor, authorize, can
from trainer.access.policy import Scope, Subject, scope_of
from trainer.errors import ForbiddenError, NotFoundError

ROLES = ("trainee", "agent", "reviewer", "lead", "hr", "admin")

# DESIGN.md, one row per line, columns in ROLES order. "-" no; "own"; "team"; "all" (✓ too);
# "all_but_own"; "not_scorer" (not the original scorer); "staff" (trainee/agent users only).
EXPECTED: dict[Action, tuple[str, ...]] = {
    # practise role-plays, see own attempts and progress
    Action.PRACTISE: ("own", "own", "own", "own", "own", "own"),
    # see conversations, transcripts, evaluations
    Action.VIEW_CONVERSATION: ("-", "own", "all", "team", "-", "all"),
    # listen to / export call audio
    Action.LISTEN_AUDIO: ("-", "own", "all", "team", "-", "all"),
    # score, override, comment (human review)
    Action.REVIEW_SCORE: ("-", "-", "all_but_own", "team", "-", "all"),
    # correct a transcript, swap speakers, re-score
    Action.CORRECT_TRANSCRIPT: ("-", "-", "all", "team", "-", "all"),
    # acknowledge or dispute a review of mine
    Action.RESPOND_TO_REVIEW: ("-", "own", "-", "-", "-", "-"),
    # resolve a dispute
    Action.RESOLVE_DISPUTE: ("-", "-", "not_scorer", "team", "-", "all"),
    # run calibration sessions / take part: reviewer takes part, lead runs and takes part,
    # admin runs
    Action.RUN_CALIBRATION: ("-", "-", "-", "all", "-", "all"),
    Action.JOIN_CALIBRATION: ("-", "-", "all", "all", "-", "-"),
    # define review assignments (sampling rules)
    Action.DEFINE_ASSIGNMENTS: ("-", "-", "-", "team", "-", "all"),
    # scorecards and trends
    Action.VIEW_SCORECARDS: ("own", "own", "all", "team", "all", "all"),
    # coaching sessions
    Action.COACHING: ("-", "own", "-", "team", "-", "all"),
    # cohorts, learning paths, certificates: own, own, -, team (view), ✓, ✓ ...
    Action.ONBOARDING: ("own", "own", "-", "team", "all", "all"),
    # ... and changing them is for HR and admins only (the lead's column says "view")
    Action.MANAGE_ONBOARDING: ("-", "-", "-", "-", "all", "all"),
    # add users, import staff
    Action.ADD_USERS: ("-", "-", "-", "-", "staff", "all"),
    # roles, teams, tokens, rubrics, settings
    Action.ADMINISTER: ("-", "-", "-", "-", "-", "all"),
    # ingest conversations
    Action.INGEST: ("-", "-", "-", "-", "-", "all"),
    # audit log
    Action.VIEW_AUDIT: ("-", "-", "-", "-", "-", "all"),
}

# Where DESIGN.md says existence itself is private: another agent's conversation (and its audio).
PRIVATE = {Action.VIEW_CONVERSATION, Action.LISTEN_AUDIO}
ME, TEAMMATE, STRANGER = 1, 2, 3
MY_TEAM, OTHER_TEAM = 10, 20


def actor(role: str, teams: frozenset[int] = frozenset({MY_TEAM})) -> Actor:
    return Actor(ME, f"the {role}", role, teams)


OWN = Subject("conversation 'mine'", owner_id=ME, owner_team_ids=frozenset({MY_TEAM}))
TEAM = Subject("conversation 'teammate'", owner_id=TEAMMATE, owner_team_ids=frozenset({MY_TEAM}))
OTHER = Subject("conversation 'other'", owner_id=STRANGER, owner_team_ids=frozenset({OTHER_TEAM}))
UNOWNED = Subject("conversation 'unmatched'")  # an agent name that matches no account


def expected_for(cell: str) -> dict[str, bool]:
    """What each kind of subject should get for one cell of the table."""
    return {
        "-": {"own": False, "team": False, "other": False, "unowned": False},
        "own": {"own": True, "team": False, "other": False, "unowned": False},
        # A lead is in the teams they lead: their own conversations are their team's too.
        "team": {"own": True, "team": True, "other": False, "unowned": False},
        "all": {"own": True, "team": True, "other": True, "unowned": True},
        "all_but_own": {"own": False, "team": True, "other": True, "unowned": True},
        # Ownership does not matter for disputes, only who scored (checked separately).
        "not_scorer": {"own": True, "team": True, "other": True, "unowned": True},
        # Staff scope is about the role of a user being added (checked separately).
        "staff": {"own": False, "team": False, "other": False, "unowned": False},
    }[cell]


def test_access_policy_expected_table_covers_every_action():
    assert set(EXPECTED) == set(Action)
    assert all(len(row) == len(ROLES) for row in EXPECTED.values())


@pytest.mark.parametrize(
    ("role", "action"),
    list(itertools.product(ROLES, Action)),
    ids=lambda value: str(value),
)
def test_access_policy_matrix_cell(role, action):
    cell = EXPECTED[action][ROLES.index(role)]
    who = actor(role)
    # The action itself (a list, a page): allowed whenever the cell is not "-".
    assert can(who, action) is (cell != "-")
    assert (scope_of(who, action) is Scope.NONE) is (cell == "-")
    subjects = {"own": OWN, "team": TEAM, "other": OTHER, "unowned": UNOWNED}
    if cell == "staff":
        subjects = {}  # a user being added has no owner: see the HR test below
    for kind, subject in subjects.items():
        assert can(who, action, subject) is expected_for(cell)[kind], (role, action, kind)
        if expected_for(cell)[kind]:
            authorize(who, action, subject)  # does not raise
        elif action in PRIVATE:
            with pytest.raises(NotFoundError):  # existence is private, whatever the role
                authorize(who, action, subject)
        else:
            with pytest.raises(ForbiddenError):
                authorize(who, action, subject)


@pytest.mark.parametrize("role", ROLES)
def test_access_policy_not_scorer_for_dispute_resolve(role):
    cell = EXPECTED[Action.RESOLVE_DISPUTE][ROLES.index(role)]
    mine = Subject(
        "dispute 1", owner_id=STRANGER, owner_team_ids=frozenset({MY_TEAM}), scorer_id=ME
    )
    theirs = Subject(
        "dispute 2", owner_id=STRANGER, owner_team_ids=frozenset({MY_TEAM}), scorer_id=TEAMMATE
    )
    who = actor(role)
    allowed_mine = {"-": False, "not_scorer": False, "team": True, "all": True}[cell]
    allowed_theirs = cell != "-"
    assert can(who, Action.RESOLVE_DISPUTE, mine) is allowed_mine
    assert can(who, Action.RESOLVE_DISPUTE, theirs) is allowed_theirs


def test_access_policy_reviewer_scores_everyone_but_themselves():
    reviewer = actor("reviewer", frozenset())
    assert can(reviewer, Action.REVIEW_SCORE, OTHER)
    assert can(reviewer, Action.REVIEW_SCORE, TEAM)
    assert not can(reviewer, Action.REVIEW_SCORE, OWN)
    with pytest.raises(ForbiddenError, match="review.score"):
        authorize(reviewer, Action.REVIEW_SCORE, OWN)


@pytest.mark.parametrize(
    ("added_role", "allowed"),
    [
        ("trainee", True),
        ("agent", True),
        ("reviewer", False),
        ("lead", False),
        ("hr", False),
        ("admin", False),
    ],
)
def test_access_policy_hr_adds_staff_only_and_admin_anyone(added_role, allowed):
    subject = Subject(f"user 'new {added_role}'", role=added_role)
    assert can(actor("hr"), Action.ADD_USERS, subject) is allowed
    assert can(actor("admin"), Action.ADD_USERS, subject)
    assert can(Actor.local_admin(), Action.ADD_USERS, subject)
    for role in ("trainee", "agent", "reviewer", "lead"):
        assert not can(actor(role), Action.ADD_USERS, subject)
    if not allowed:
        with pytest.raises(ForbiddenError, match="a hr may not do users.add"):
            authorize(actor("hr"), Action.ADD_USERS, subject)


@pytest.mark.parametrize("action", [Action.VIEW_CONVERSATION, Action.LISTEN_AUDIO])
def test_access_policy_another_agents_conversation_is_not_found(action):
    with pytest.raises(NotFoundError, match="no conversation 'other'"):
        authorize(actor("agent"), action, OTHER)
    with pytest.raises(NotFoundError, match="no conversation 'teammate'"):
        authorize(actor("agent"), action, TEAM)  # a teammate's is not the agent's either
    with pytest.raises(NotFoundError, match="no conversation 'other'"):
        authorize(actor("lead"), action, OTHER)  # another team's, for a lead


def test_access_policy_refusals_without_private_existence_are_forbidden():
    with pytest.raises(ForbiddenError, match="a trainee may not do review.score"):
        authorize(actor("trainee"), Action.REVIEW_SCORE, OTHER)
    with pytest.raises(ForbiddenError, match="transcript.correct"):
        authorize(actor("agent"), Action.CORRECT_TRANSCRIPT, OWN)
    with pytest.raises(ForbiddenError, match="review.score on conversation 'other'"):
        authorize(actor("lead"), Action.REVIEW_SCORE, OTHER)
    with pytest.raises(ForbiddenError, match="audit.view"):
        authorize(actor("hr"), Action.VIEW_AUDIT)
    with pytest.raises(ForbiddenError):
        authorize(actor("trainee"), Action.VIEW_CONVERSATION)  # the list itself


@pytest.mark.parametrize("role", ["trainee", "hr"])
def test_access_policy_no_view_role_gets_not_found_for_a_specific_conversation(role):
    with pytest.raises(NotFoundError):
        authorize(actor(role), Action.VIEW_CONVERSATION, OTHER)


def test_access_policy_lead_without_teams_and_unowned_conversations():
    lonely = actor("lead", frozenset())
    assert can(lonely, Action.VIEW_CONVERSATION)  # the page opens ...
    assert not can(lonely, Action.VIEW_CONVERSATION, OTHER)  # ... and shows nothing
    assert not can(lonely, Action.VIEW_CONVERSATION, UNOWNED)
    assert not can(actor("agent"), Action.VIEW_CONVERSATION, UNOWNED)
    # An actor with no account (the CLI's local admin) owns nothing, even an unowned subject.
    nobody = Actor(None, "someone", "agent")
    assert not can(nobody, Action.VIEW_CONVERSATION, UNOWNED)


def test_access_policy_local_admin_and_actor_validation():
    admin = Actor.local_admin()
    assert admin.id is None and admin.is_admin
    for action in Action:
        assert can(admin, action) is (EXPECTED[action][-1] != "-")
    assert not actor("lead").is_admin
    with pytest.raises(ValueError, match="unknown role 'boss'"):
        Actor(1, "x", "boss")
