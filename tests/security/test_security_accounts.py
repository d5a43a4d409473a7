"""Accounts, roles, role-play records and the staff import, through the services and the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from trainer.access import Actor
from trainer.db.models import AuditEvent, User
from trainer.db.repository import find_conversation, store_conversation
from trainer.db.session import session_scope
from trainer.errors import AccountError, ForbiddenError, NotFoundError, TrainerError
from trainer.services import accounts, auth
from trainer.services import roleplay as practice
from trainer.services.views import conversation_view

from ..conftest import GOOD_CHAT, actor_of, make_conversation, make_user

ADMIN = Actor.local_admin()
PASSWORD = "hr-knows-this-1"


def test_security_hr_cannot_sign_in_as_the_staff_it_adds(sqlite_url):
    with session_scope() as session:
        hr = Actor.of(make_user(session, "Hana HR", "hr"))
    with session_scope() as session:
        try:
            accounts.add_user(
                session, hr, "Bob Stone", "bob@example.com", "agent", password=PASSWORD
            )
        except (ForbiddenError, AccountError):
            return  # refused: HR cannot know the new account's password
    with session_scope() as session:  # later, Bob's calls are ingested and linked by name
        store_conversation(
            session, make_conversation(GOOD_CHAT, external_id="c-bob", agent="Bob Stone")
        )
    with session_scope() as session:
        as_bob = auth.login(session, "bob@example.com", PASSWORD).actor
    with session_scope() as session, pytest.raises(NotFoundError):
        conversation_view(session, as_bob, "c-bob")  # HR, signed in as Bob, reads his call


def test_security_names_differing_only_in_case_cannot_share_conversations(sqlite_url):
    with session_scope() as session:
        make_user(session, "Alice Smith", "agent")
    with session_scope() as session:
        try:
            accounts.add_user(session, ADMIN, "alice smith", "alice2@example.com", "trainee")
        except AccountError:
            return  # refused as the same name
    with session_scope() as session:
        lower = actor_of(session, "alice smith")
        upper = actor_of(session, "Alice Smith")
    with session_scope() as session:
        attempt = practice.start_attempt(session, lower, "double-charge", seed=4)["attempt"]
    with session_scope() as session:
        conversation = practice.finish_attempt(session, lower, attempt)["conversation"]
    with session_scope() as session:
        assert find_conversation(session, conversation).agent_id == lower.id
        with pytest.raises(NotFoundError):
            conversation_view(session, upper, conversation)


def test_security_staff_import_refuses_an_overlong_row_and_keeps_the_others(db_url):
    text = (
        "name,email,role,team\n"
        "Ann One,ann@example.com,agent,\n"
        f"{'x' * 300},long@example.com,agent,\n"
        "Cat Three,cat@example.com,agent,\n"
    )
    with session_scope() as session:
        report = accounts.import_staff(session, ADMIN, text)
    assert report.added == ["Ann One", "Cat Three"]
    assert [line for line, _ in report.errors] == [3]
    with session_scope() as session:
        assert session.scalar(select(func.count(User.id))) == 2


def test_security_staff_import_refused_rows_change_nothing_stored(sqlite_url):
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"], email="sam@example.com")
        hr = Actor.of(make_user(session, "Hana HR", "hr"))
    text = (
        "name,email,role,team\n"
        "Sam Lee,other@example.com,admin,South\n"  # HR may not add an admin
        "Someone,SAM@example.com,agent,\n"  # existing email in another case
        "Newbie,new@example.com,agent,Nowhere\n"  # HR may not create teams
        "Good One,good@example.com,trainee,North\n"
    )
    with session_scope() as session:
        report = accounts.import_staff(session, hr, text)
    assert report.added == ["Good One"]
    assert [line for line, _ in report.errors] == [2, 3, 4]
    with session_scope() as session:
        sam = session.scalar(select(User).where(User.name == "Sam Lee"))
        assert (sam.role, sam.email, [t.name for t in sam.teams]) == (
            "agent",
            "sam@example.com",
            ["North"],
        )


def test_security_hr_is_not_told_who_owns_an_email(sqlite_url):
    with session_scope() as session:
        make_user(session, "Alex Admin", "admin", email="alex@example.com")
        hr = Actor.of(make_user(session, "Hana HR", "hr"))
    with session_scope() as session, pytest.raises(AccountError) as refused:
        accounts.add_user(session, hr, "New Person", "ALEX@example.com", "agent")
    assert "Alex Admin" not in refused.value.format()


@pytest.mark.parametrize(
    "call",
    [
        lambda s, a: accounts.update_user(s, a, "Sam Lee", role="admin"),
        lambda s, a: accounts.set_password(s, a, "Sam Lee", "taken-over-pass-1"),
        lambda s, a: accounts.set_active(s, a, "Alex Admin", False),
        lambda s, a: accounts.add_user(s, a, "Evil Admin", "evil@example.com", "admin"),
        lambda s, a: accounts.add_user(s, a, "Evil Lead", "lead@example.com", "lead"),
        lambda s, a: accounts.link_agent(s, a, "Someone", "Sam Lee"),
        lambda s, a: auth.issue_api_token(
            s, a, s.scalar(select(User).where(User.name == "Sam Lee"))
        ),
        lambda s, a: accounts.add_user(s, a, "Teamed", "t@example.com", "agent", ["New Team"]),
    ],
    ids=["role", "password", "deactivate", "add-admin", "add-lead", "link", "token", "new-team"],
)
def test_security_hr_cannot_do_what_only_admins_may(sqlite_url, call):
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent")
        make_user(session, "Alex Admin", "admin")
        hr = Actor.of(make_user(session, "Hana HR", "hr"))
    with session_scope() as session, pytest.raises((ForbiddenError, AccountError)):
        call(session, hr)
    with session_scope() as session:
        assert session.scalar(select(User.role).where(User.name == "Sam Lee")) == "agent"
        assert session.scalar(select(func.count(User.id))) == 3


@pytest.mark.parametrize("role", ["trainee", "agent", "reviewer", "lead"])
def test_security_non_admins_cannot_manage_accounts(sqlite_url, role):
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent")
        actor = Actor.of(make_user(session, "Someone", role))
    for call in (
        lambda s: accounts.list_users(s, actor),
        lambda s: accounts.add_user(s, actor, "X Y", "xy@example.com", "trainee"),
        lambda s: accounts.import_staff(s, actor, "name,email,role\nA B,ab@example.com,agent\n"),
        lambda s: accounts.unmatched_agents(s, actor),
        lambda s: auth.list_api_tokens(s, actor),
    ):
        with session_scope() as session, pytest.raises(ForbiddenError):
            call(session)


def test_security_recording_an_attempt_for_someone_else_is_audited(sqlite_url):
    from trainer.roleplay.attempt import run_script
    from trainer.roleplay.loader import find_scenario

    with session_scope() as session:
        make_user(session, "Tess Trainee", "trainee")
    result = run_script(find_scenario("double-charge"), ["Hello, how can I help?"], seed=1)
    with session_scope() as session:
        before = session.scalar(select(func.count(AuditEvent.id)))
        practice.record_result(session, ADMIN, "Tess Trainee", result)
    with session_scope() as session:
        assert session.scalar(select(func.count(AuditEvent.id))) > before


def test_security_recording_for_someone_else_is_refused_before_the_name_is_looked_up(sqlite_url):
    from trainer.roleplay.attempt import run_script
    from trainer.roleplay.loader import find_scenario

    with session_scope() as session:
        make_user(session, "Tess Trainee", "trainee")
        lead = Actor.of(make_user(session, "Morgan Lead", "lead"))
    result = run_script(find_scenario("double-charge"), ["Hello, how can I help?"], seed=1)
    for name in ("Tess Trainee", "No Such Person"):
        with session_scope() as session, pytest.raises(ForbiddenError):
            practice.record_result(session, lead, name, result)


def test_security_reviewer_and_other_trainees_cannot_read_an_attempt(sqlite_url):
    with session_scope() as session:
        tess = Actor.of(make_user(session, "Tess Trainee", "trainee", ["North"]))
        other = Actor.of(make_user(session, "Tom Trainee", "trainee", ["North"]))
        reviewer = Actor.of(make_user(session, "Rita Reviewer", "reviewer"))
        lead_south = Actor.of(make_user(session, "South Lead", "lead", ["South"]))
    with session_scope() as session:
        attempt = practice.start_attempt(session, tess, "double-charge", seed=4)["attempt"]
    with session_scope() as session:
        conversation = practice.finish_attempt(session, tess, attempt)["conversation"]
    for actor in (other, reviewer, lead_south):
        with session_scope() as session:
            with pytest.raises(NotFoundError):
                practice.attempt_view(session, actor, attempt)
            with pytest.raises(NotFoundError):
                conversation_view(session, actor, conversation)
            with pytest.raises(NotFoundError):
                practice.list_attempts(session, actor, "Tess Trainee")
            with pytest.raises(NotFoundError):  # same answer as for nobody at all
                practice.list_attempts(session, actor, "No Such Trainee")


def test_security_cli_as_an_agent_cannot_administer(sqlite_url):
    from typer.testing import CliRunner

    from trainer.cli import app
    from trainer.cli.common import set_acting

    with session_scope() as session:
        make_user(session, "Sam Lee", "agent")
    runner = CliRunner()
    try:
        for args in (
            ["--as", "Sam Lee", "users", "list"],
            [
                "--as",
                "Sam Lee",
                "users",
                "add",
                "Evil",
                "--email",
                "e@example.com",
                "--role",
                "admin",
            ],
            ["--as", "Sam Lee", "users", "token", "Sam Lee"],
        ):
            result = runner.invoke(app, args)
            assert result.exit_code != 0, args
            assert "Traceback" not in result.output
    finally:
        set_acting(None)
    with session_scope() as session:
        assert session.scalar(select(func.count(User.id))) == 1
    assert isinstance(TrainerError("x"), Exception)


@pytest.mark.parametrize("role", ["trainee", "agent", "reviewer", "lead", "hr"])
def test_security_issuing_a_token_is_refused_before_the_user_is_looked_up(sqlite_url, role):
    with session_scope() as session:
        make_user(session, "Ann Agent", "agent")
        who = Actor.of(make_user(session, "Pat Prober", role))
    for name in ("Ann Agent", "No Such Person"):
        with session_scope() as session, pytest.raises(ForbiddenError):
            auth.issue_api_token(session, who, name)
