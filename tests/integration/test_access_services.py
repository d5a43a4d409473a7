"""DESIGN.md's permission matrix through the real services, on SQLite and PostgreSQL.

A seeded database: one person per role, agents in two teams (North, South) with chats and calls,
a conversation whose agent name matches no account, and role-play attempts of a trainee and of an
agent. Each service is asked by each role and must show exactly its own / team / all.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from trainer.access import Actor
from trainer.db.models import AuditEvent, ConversationRecord
from trainer.db.repository import find_conversation, store_conversation
from trainer.db.session import session_scope
from trainer.errors import ForbiddenError, NotFoundError
from trainer.roleplay.attempt import run_script
from trainer.roleplay.loader import find_scenario
from trainer.services import roleplay
from trainer.services.calls import playback_path, swap_roles
from trainer.services.scoring import rescore, score_stored
from trainer.services.views import (
    ConversationFilter,
    call_details,
    conversation_statuses,
    conversation_view,
    list_conversations,
    scorecard,
)

from ..call_seed import store_call, store_pending_call, write_wav
from ..conftest import GOOD_CHAT, POOR_CHAT, actor_of, make_conversation, make_user

PEOPLE = [
    ("Tina Trainee", "trainee", ["North"]),
    ("Ann Agent", "agent", ["North"]),
    ("Bob Agent", "agent", ["North"]),
    ("Sue Agent", "agent", ["South"]),
    ("Rita Reviewer", "reviewer", ["North"]),
    ("Leo Lead", "lead", ["North"]),
    ("Lara Lead", "lead", ["South"]),
    ("Hank HR", "hr", []),
    ("Ada Admin", "admin", []),
]
CHATS = [  # (id, agent name, turns, day of March 2026)
    ("ann-1", "Ann Agent", GOOD_CHAT, 1),
    ("ann-2", "Ann Agent", POOR_CHAT, 2),
    ("bob-1", "Bob Agent", GOOD_CHAT, 3),
    ("sue-1", "Sue Agent", POOR_CHAT, 4),
    ("ghost-1", "Ghost Agent", GOOD_CHAT, 5),  # no account has this name
]
ANN = {"ann-1", "ann-2", "ann-call"}
BOB = {"bob-1", "bob-pending"}
SUE = {"sue-1", "sue-call"}
QA = ANN | BOB | SUE | {"ghost-1"}
LISTED = {  # what list_conversations shows each person (None: refused outright)
    "Tina Trainee": None,
    "Ann Agent": ANN,
    "Bob Agent": BOB,
    "Sue Agent": SUE,
    "Rita Reviewer": QA,
    "Leo Lead": ANN | BOB,
    "Lara Lead": SUE,
    "Hank HR": None,
    "Ada Admin": QA,
}
ALL_AGENTS = {"Ann Agent", "Bob Agent", "Sue Agent", "Ghost Agent"}
SCORECARD = {  # agents on each person's scorecard
    "Tina Trainee": set(),  # own only, and role-plays never count
    "Ann Agent": {"Ann Agent"},
    "Bob Agent": {"Bob Agent"},
    "Sue Agent": {"Sue Agent"},
    "Rita Reviewer": ALL_AGENTS,
    "Leo Lead": {"Ann Agent", "Bob Agent"},
    "Lara Lead": {"Sue Agent"},
    "Hank HR": ALL_AGENTS,
    "Ada Admin": ALL_AGENTS,
}
GOOD_REPLIES = [
    "Hi Dana, this is Sam at Northwind. I'm so sorry, that's really frustrating. "
    "Could I have your full name and the order number, please?",
    "Thanks, Dana. I can see two charges of $94.00. The second one is a duplicate.",
    "I've refunded the duplicate charge. You'll see it within 3-5 business days, "
    "and you'll get a confirmation email today. Your reference number is RF-33489.",
]


@pytest.fixture
def seeded(db_url, tmp_path):
    """The seeded database; returns {name: Actor} and the role-play conversation ids."""
    with session_scope() as session:
        for name, role, teams in PEOPLE:
            make_user(session, name, role, teams)
        for external_id, agent, turns, day in CHATS:
            store_conversation(
                session,
                make_conversation(
                    turns, external_id=external_id, agent=agent, started_at=datetime(2026, 3, day)
                ),
            )
        store_call(session, "ann-call", write_wav(tmp_path / "ann.wav", 1.0), agent="Ann Agent")
        store_call(session, "sue-call", write_wav(tmp_path / "sue.wav", 1.0), agent="Sue Agent")
        store_pending_call(session, "bob-pending", agent="Bob Agent")
        score_stored(session, sorted(QA - {"bob-pending"}))
        scenario = find_scenario("double-charge")
        admin = Actor.local_admin()
        practice = {
            name: roleplay.record_result(
                session, admin, name, run_script(scenario, GOOD_REPLIES, trainee=name)
            ).conversation.external_id
            for name in ("Tina Trainee", "Ann Agent")
        }
    with session_scope() as session:
        actors = {name: actor_of(session, name) for name, _, _ in PEOPLE}
    return actors, practice


def test_access_services_seed_links_agents_and_roleplays_to_accounts(seeded):
    actors, practice = seeded
    with session_scope() as session:
        ann = find_conversation(session, "ann-1")
        assert ann.agent_id == actors["Ann Agent"].id
        ghost = find_conversation(session, "ghost-1")
        assert ghost.agent_id is None and ghost.agent_name == "Ghost Agent"
        # The role-plays belong to their players: their absence from lists is by channel.
        for name, external_id in practice.items():
            record = find_conversation(session, external_id)
            assert record.channel == "roleplay" and record.agent_id == actors[name].id


@pytest.mark.parametrize("name", list(LISTED))
def test_access_services_list_conversations_per_role(seeded, name):
    actors, practice = seeded
    with session_scope() as session:
        if LISTED[name] is None:
            with pytest.raises(ForbiddenError):
                list_conversations(session, actors[name])
            return
        rows = list_conversations(session, actors[name])
    ids = {row["conversation"] for row in rows}
    assert ids == LISTED[name]
    assert not ids & set(practice.values())  # role-plays are never listed


def test_access_services_list_filters_stay_within_what_is_visible(seeded):
    actors, _ = seeded
    lead = actors["Leo Lead"]
    with session_scope() as session:
        by_sue = list_conversations(session, lead, ConversationFilter(agent="Sue Agent"))
        window = list_conversations(
            session,
            lead,
            ConversationFilter(since=datetime(2026, 3, 2), until=datetime(2026, 3, 4)),
        )
        all_window = list_conversations(
            session,
            Actor.local_admin(),
            ConversationFilter(since=datetime(2026, 3, 2), until=datetime(2026, 3, 5)),
        )
    assert by_sue == []  # another team's agent: nothing, not an error
    assert {r["conversation"] for r in window} == {"ann-2", "bob-1"}
    assert {r["conversation"] for r in all_window} == {"ann-2", "bob-1", "sue-1"}


@pytest.mark.parametrize("name", list(SCORECARD))
def test_access_services_scorecard_per_role(seeded, name):
    actors, _ = seeded
    with session_scope() as session:
        rows = scorecard(session, actors[name])
    assert {row["agent"] for row in rows} == SCORECARD[name]
    counts = {row["agent"]: row["conversations"] for row in rows}
    if "Ann Agent" in counts:
        assert counts["Ann Agent"] == 3  # her role-play is not one of them


@pytest.mark.parametrize(
    ("name", "foreign"),
    [
        ("Ann Agent", "sue-1"),
        ("Ann Agent", "bob-1"),  # a teammate's is not hers either
        ("Ann Agent", "ghost-1"),
        ("Leo Lead", "sue-1"),
        ("Leo Lead", "sue-call"),
        ("Lara Lead", "ann-1"),
        ("Sue Agent", "ann-call"),
    ],
)
def test_access_services_foreign_conversation_is_not_found(seeded, name, foreign):
    actors, _ = seeded
    with session_scope() as session:
        with pytest.raises(NotFoundError) as refused:
            conversation_view(session, actors[name], foreign)
        with pytest.raises(NotFoundError) as missing:
            conversation_view(session, actors[name], "no-such-id")
        with pytest.raises(NotFoundError):
            call_details(session, actors[name], foreign)
    with pytest.raises(NotFoundError):
        playback_path(actors[name], foreign)
    # The refusal and a missing id read the same, apart from the id itself.
    assert refused.value.message.replace(foreign, "X") == missing.value.message.replace(
        "no-such-id", "X"
    )
    assert refused.value.fix == missing.value.fix


@pytest.mark.parametrize(
    ("name", "external_id"),
    [
        ("Ann Agent", "ann-1"),
        ("Ann Agent", "ann-call"),
        ("Leo Lead", "bob-1"),
        ("Lara Lead", "sue-call"),
        ("Rita Reviewer", "ghost-1"),
        ("Ada Admin", "sue-1"),
    ],
)
def test_access_services_visible_conversation_opens(seeded, name, external_id):
    actors, _ = seeded
    with session_scope() as session:
        view = conversation_view(session, actors[name], external_id)
    assert view["conversation"] == external_id and view["turns"]


def test_access_services_calls_audio_and_statuses_per_role(seeded):
    actors, _ = seeded
    ann, sue, leo, lara = (actors[n] for n in ("Ann Agent", "Sue Agent", "Leo Lead", "Lara Lead"))
    assert playback_path(ann, "ann-call").name == "ann.wav"
    assert playback_path(actors["Rita Reviewer"], "sue-call").name == "sue.wav"
    assert playback_path(lara, "sue-call").name == "sue.wav"
    for name in ("Tina Trainee", "Hank HR"):
        with pytest.raises((ForbiddenError, NotFoundError)):
            playback_path(actors[name], "ann-call")
    with session_scope() as session:
        assert call_details(session, ann, "ann-call")["has_audio"] is True
        assert set(conversation_statuses(session, leo)) == {"bob-pending"}
        assert conversation_statuses(session, lara) == {}
        assert conversation_statuses(session, ann) == {}
        assert conversation_statuses(session, sue) == {}
        assert set(conversation_statuses(session, actors["Ada Admin"])) == {"bob-pending"}


def _speakers(external_id: str) -> list[str]:
    with session_scope() as session:
        return [t.speaker for t in find_conversation(session, external_id).turns]


def _audit_count(action: str) -> int:
    with session_scope() as session:
        return session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )


@pytest.mark.parametrize(
    ("name", "external_id", "error"),
    [
        ("Ann Agent", "ann-call", ForbiddenError),  # her own call: she may listen, not fix
        ("Ann Agent", "sue-call", NotFoundError),
        ("Tina Trainee", "ann-call", NotFoundError),  # may not see it at all: "not found"
        ("Hank HR", "ann-call", NotFoundError),
        ("Lara Lead", "ann-call", NotFoundError),
    ],
)
def test_access_services_swap_roles_refused(seeded, name, external_id, error):
    actors, _ = seeded
    before = _speakers(external_id)
    with pytest.raises(error):
        swap_roles(actors[name], external_id)
    assert _speakers(external_id) == before
    assert _audit_count("speakers.swap") == 0


@pytest.mark.parametrize("name", ["Rita Reviewer", "Leo Lead", "Ada Admin"])
def test_access_services_swap_roles_allowed(seeded, name):
    actors, _ = seeded
    before = _speakers("ann-call")
    swap_roles(actors[name], "ann-call")
    flip = {"agent": "customer", "customer": "agent"}
    assert _speakers("ann-call") == [flip[s] for s in before]
    assert _audit_count("speakers.swap") == 1


@pytest.mark.parametrize("name", ["Ann Agent", "Tina Trainee", "Hank HR", "Bob Agent"])
def test_access_services_rescore_refused(seeded, name):
    actors, _ = seeded
    with session_scope() as session:
        with pytest.raises(ForbiddenError):
            rescore(session, actors[name], ["ann-1"])
        with pytest.raises(ForbiddenError):
            rescore(session, actors[name], None)
    assert _audit_count("rescore") == 0


def test_access_services_rescore_by_scope(seeded):
    actors, _ = seeded
    leo, rita = actors["Leo Lead"], actors["Rita Reviewer"]
    with session_scope() as session:
        assert [cid for cid, _ in rescore(session, leo, ["ann-1", "bob-1"]).scored] == [
            "ann-1",
            "bob-1",
        ]
        assert [cid for cid, _ in rescore(session, rita, ["sue-1"]).scored] == ["sue-1"]
    with session_scope() as session:
        with pytest.raises((ForbiddenError, NotFoundError)):
            rescore(session, leo, ["ann-1", "sue-1"])  # one of another team: none at all
        with pytest.raises(ForbiddenError, match="only an admin"):
            rescore(session, rita, None)
    assert _audit_count("rescore") == 2
    with session_scope() as session:
        everything = rescore(session, actors["Ada Admin"], None)
    assert {cid for cid, _ in everything.scored} >= QA - {"bob-pending"}


def test_access_services_rescore_of_another_teams_conversation_is_not_found(seeded):
    actors, _ = seeded
    with session_scope() as session:
        with pytest.raises(NotFoundError):
            rescore(session, actors["Leo Lead"], ["sue-1"])


def test_access_services_reviewer_cannot_open_a_trainees_roleplay_conversation(seeded):
    actors, practice = seeded
    with session_scope() as session:
        with pytest.raises(NotFoundError):
            conversation_view(session, actors["Rita Reviewer"], practice["Tina Trainee"])


def test_access_services_trainee_cannot_probe_conversation_ids(seeded):
    actors, _ = seeded
    with session_scope() as session:
        with pytest.raises(NotFoundError):
            conversation_view(session, actors["Tina Trainee"], "ann-1")


def test_access_services_roleplay_attempts_of_another_trainee_are_not_found(seeded):
    actors, _ = seeded
    tina = actors["Tina Trainee"]
    with session_scope() as session:
        attempt = roleplay.start_attempt(session, tina, "double-charge", seed=1)["attempt"]
    for name in ("Ann Agent", "Leo Lead", "Hank HR", "Ada Admin"):
        with session_scope() as session:
            with pytest.raises(NotFoundError, match=f"no role-play attempt {attempt}"):
                roleplay.attempt_view(session, actors[name], attempt)
            with pytest.raises(NotFoundError):
                roleplay.send_reply(session, actors[name], attempt, "Hello?")
            with pytest.raises(NotFoundError):
                roleplay.finish_attempt(session, actors[name], attempt)
    with session_scope() as session:
        view = roleplay.attempt_view(session, tina, attempt)
    assert view["status"] == "in_progress" and len(view["turns"]) == 1  # nobody else replied


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("Leo Lead", True),  # lead of her team follows her onboarding
        ("Hank HR", True),
        ("Ada Admin", True),
        ("Lara Lead", False),  # another team's lead
        ("Rita Reviewer", False),
        ("Ann Agent", False),
    ],
)
def test_access_services_trainee_progress_per_role(seeded, name, allowed):
    actors, _ = seeded
    with session_scope() as session:
        if allowed:
            report = roleplay.trainee_progress(session, actors[name], "Tina Trainee")
            assert report["trainee"] == "Tina Trainee" and report["attempts"] == 1
            attempts = roleplay.list_attempts(session, actors[name], "Tina Trainee")
            assert len(attempts) == 1
        else:
            with pytest.raises(NotFoundError, match="no trainee 'Tina Trainee'"):
                roleplay.trainee_progress(session, actors[name], "Tina Trainee")
            with pytest.raises(NotFoundError):
                roleplay.list_attempts(session, actors[name], "Tina Trainee")


def test_access_services_own_practice_is_separate_from_qa(seeded):
    actors, practice = seeded
    ann = actors["Ann Agent"]
    with session_scope() as session:
        own = roleplay.list_attempts(session, ann)
        assert len(own) == 1 and own[0]["outcome"] == "resolved"
        assert roleplay.trainee_progress(session, ann)["trainee"] == "Ann Agent"
        roleplays = session.scalar(
            select(func.count())
            .select_from(ConversationRecord)
            .where(ConversationRecord.channel == "roleplay")
        )
    assert roleplays == 2 == len(practice)
