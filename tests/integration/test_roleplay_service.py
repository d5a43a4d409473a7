"""Role-play attempts in the database (SQLite and PostgreSQL): turn by turn across sessions,
stored as scored `roleplay` conversations, and per-trainee progress."""

import pytest
from sqlalchemy import func, inspect, select

from trainer.access import Actor
from trainer.db.models import ConversationRecord, Evaluation, RoleplayAttempt
from trainer.db.session import get_sessionmaker, session_scope
from trainer.errors import NotFoundError, ScenarioError
from trainer.roleplay.attempt import run_script
from trainer.roleplay.loader import find_scenario
from trainer.services import roleplay as service
from trainer.services.views import conversation_view

from ..conftest import actor_of, make_user

ADMIN = Actor.local_admin()

GOOD = [
    "Hi Dana, this is Sam at Northwind. I'm so sorry, that's really frustrating. "
    "Could I have your full name and the order number, please?",
    "Thanks, Dana. I can see two charges of $94.00. The second one is a duplicate.",
    "I've refunded the duplicate charge. You'll see it within 3-5 business days, "
    "and you'll get a confirmation email today. Your reference number is RF-33489.",
    "To recap: the refund is on its way. Is there anything else I can help with?",
    "Have a great day, Dana!",
]


def trainee(name: str) -> Actor:
    """A trainee account, stored in its own transaction; its Actor."""
    with session_scope() as session:
        return Actor.of(make_user(session, name, "trainee", ["Onboarding"]))


def test_roleplay_service_attempt_is_played_across_sessions_and_stored(db_url):
    tess = trainee("Tess Trainee")
    with session_scope() as session:
        started = service.start_attempt(session, tess, "double-charge", seed=4)
    attempt_id = started["attempt"]
    assert started["brief"]["customer"] == "Dana Ruiz" and started["mood"] == 7
    assert "furious" in started["customer"] and started["status"] == "in_progress"
    assert "3348917502" not in str(started["brief"])  # hidden facts stay hidden
    views = []
    for reply in GOOD:  # a new session (a new web request) for each reply
        with session_scope() as session:
            views.append(service.send_reply(session, tess, attempt_id, reply))
        if views[-1]["ended"]:
            break
    final = views[-1]
    assert final["outcome"] == "resolved" and final["status"] == "finished"
    result = final["result"]
    assert result["passed"] and result["score"] >= result["pass_mark"]
    assert result["mood"][0] == 7 and result["mood"][-1] < 7
    assert result["conversation"] == f"roleplay-{attempt_id}"
    with session_scope() as session:
        view = conversation_view(session, ADMIN, result["conversation"])
        assert view["channel"] == "roleplay" and view["agent"] == "Tess Trainee"
        assert view["score"] == pytest.approx(result["score"], abs=0.05)
        assert view["rubric"].startswith("customer_service-v")
        assert len(view["turns"]) == len(result["turns"])
        with pytest.raises(ScenarioError, match="has finished"):
            service.send_reply(session, tess, attempt_id, "Hello again?")
        assert service.attempt_view(session, tess, attempt_id)["trainee"] == "Tess Trainee"


def test_roleplay_service_same_seed_same_attempt_as_the_script_runner(db_url):
    tess = trainee("Tess")
    with session_scope() as session:
        attempt_id = service.start_attempt(session, tess, "double-charge", seed=9)["attempt"]
    for reply in GOOD:
        with session_scope() as session:
            view = service.send_reply(session, tess, attempt_id, reply)
        if view["ended"]:
            break
    offline = run_script(find_scenario("double-charge"), GOOD, seed=9)
    assert [t["text"] for t in view["turns"]] == [t.text for t in offline.conversation.turns]
    assert view["result"]["score"] == offline.score


def test_roleplay_service_finishing_early_is_unresolved_and_idempotent(db_url):
    tess = trainee("Tess")
    with session_scope() as session:
        attempt_id = service.start_attempt(session, tess, "late-delivery")["attempt"]
        service.send_reply(session, tess, attempt_id, "Hi, this is Sam. How can I help?")
    with session_scope() as session:
        first = service.finish_attempt(session, tess, attempt_id)
    with session_scope() as session:
        again = service.finish_attempt(session, tess, attempt_id)
        assert session.scalar(select(func.count()).select_from(Evaluation)) == 1
    assert first["outcome"] == "unresolved" and first["passed"] is False
    assert again == first


def test_roleplay_service_progress_per_trainee(db_url):
    scenario = find_scenario("double-charge")
    tess = trainee("Tess")
    trainee("Other Trainee")
    with session_scope() as session:
        for replies in (["Calm down.", "Calm down, I said."], GOOD):
            service.record_result(session, ADMIN, "Tess", run_script(scenario, replies), seed=0)
        service.record_result(session, ADMIN, "Other Trainee", run_script(scenario, GOOD), seed=0)
    with session_scope() as session:
        report = service.trainee_progress(session, tess)
        attempts = service.list_attempts(session, tess)
        assert service.trainee_progress(session, ADMIN, "Tess") == report
        assert service.list_attempts(session, ADMIN, "Tess") == attempts
        assert session.scalar(select(func.count()).select_from(RoleplayAttempt)) == 3
        roleplays = session.scalars(
            select(ConversationRecord).where(ConversationRecord.channel == "roleplay")
        ).all()
        assert len(roleplays) == 3
    assert [a["outcome"] for a in attempts] == ["customer_left", "resolved"]
    assert report["attempts"] == 2 and report["scenarios_passed"] == ["double-charge"]
    empathy = report["skills"]["empathy"]
    assert empathy["first"] < empathy["latest"] == empathy["best"]
    row = report["scenarios"][0]
    assert row["scenario"] == "double-charge" and row["attempts"] == 2
    assert row["best"] == row["latest"] and row["passed"]


def test_roleplay_service_unknown_ids_are_clear_errors(db_url):
    tess = trainee("Tess")
    with session_scope() as session:
        with pytest.raises(NotFoundError, match="no role-play attempt 999"):
            service.send_reply(session, tess, 999, "hi")
        with pytest.raises(NotFoundError, match="no trainee 'Nobody'"):
            service.trainee_progress(session, ADMIN, "Nobody")
        with pytest.raises(ScenarioError, match="no scenario with id"):
            service.start_attempt(session, tess, "no-such-scenario")


def test_roleplay_service_needs_an_account_to_play_and_to_record(db_url):
    scenario = find_scenario("double-charge")
    with session_scope() as session:
        with pytest.raises(ScenarioError, match="played by a user with an account"):
            service.start_attempt(session, ADMIN, "double-charge")
        with pytest.raises(NotFoundError, match="no user 'Ghost'"):
            service.record_result(session, ADMIN, "Ghost", run_script(scenario, GOOD))
        make_user(session, "Gone Trainee", "trainee", active=False)
        with pytest.raises(ScenarioError, match="played by a user with an account"):
            service.start_attempt(session, actor_of(session, "Gone Trainee"), "double-charge")
        assert session.scalar(select(func.count()).select_from(RoleplayAttempt)) == 0


def test_roleplay_service_only_the_trainee_or_an_admin_records_a_result(db_url):
    from trainer.errors import ForbiddenError

    scenario = find_scenario("double-charge")
    trainee("Tess")
    with session_scope() as session:
        make_user(session, "Sam Agent", "agent", ["Onboarding"])
        sam = actor_of(session, "Sam Agent")
        with pytest.raises(ForbiddenError):
            service.record_result(session, sam, "Tess", run_script(scenario, GOOD))
        row = service.record_result(session, sam, "Sam Agent", run_script(scenario, GOOD))
        assert row.trainee.name == "Sam Agent" and row.status == "finished"


def test_roleplay_service_table_comes_from_the_migration(db_url):
    engine = get_sessionmaker(db_url).kw["bind"]
    columns = {c["name"] for c in inspect(engine).get_columns("roleplay_attempts")}
    assert {"trainee_id", "scenario_id", "conversation_id", "outcome", "score", "passed"} <= columns
    assert {"mood", "feedback", "state", "created_at", "finished_at"} <= columns


def test_roleplay_service_recorded_result_belongs_to_the_trainee(db_url):
    tess = trainee("Tess")
    with session_scope() as session:
        row = service.record_result(
            session, ADMIN, "Tess", run_script(find_scenario("double-charge"), GOOD)
        )
        assert row.conversation.agent_id == tess.id
