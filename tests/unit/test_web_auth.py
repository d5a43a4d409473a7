"""Sign-in pieces of the web app without a browser: the login page's messages, the session
cookie read from the websocket's Cookie header, error messages without server paths, the account
page's password change, and the admin states acting through the services."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from trainer.db.session import session_scope
from trainer.errors import AudioError, TrainerError
from trainer.services.auth import login, resolve_session
from trainer.web.admin.audit import AuditState, parse_day
from trainer.web.admin.staff_import import ImportState
from trainer.web.admin.users import UsersState
from trainer.web.auth.account import AccountState
from trainer.web.auth.login import LoginState, error_text
from trainer.web.state import UNEXPECTED, cookie_value, login_href, user_message

from .test_web_states import PASSWORD, email, seeded, state  # noqa: F401 - `seeded` is a fixture


def test_web_auth_login_error_codes_read_as_sentences():
    assert "Wrong email or password" in error_text("credentials")
    assert "locked for 7 minutes" in error_text("locked", "7")
    assert "locked for 1 minute." in error_text("locked", "1")
    assert "locked for 15 minutes" in error_text("locked", "<script>")
    assert "deactivated" in error_text("deactivated")
    assert "another site" in error_text("origin")
    assert error_text("") == ""
    assert error_text("made-up") == "Signing in did not work. Try again."


def test_web_auth_login_page_reads_the_address():
    s = state(LoginState, "/login", "/login?error=locked&minutes=3&next=%2Fscorecard", who=None)
    s.on_load()
    assert s.ready and s.next_path == "/scorecard" and "3 minutes" in s.error
    s = state(LoginState, "/login", "/login?signed_out=1&next=https://evil.example/", who=None)
    s.on_load()
    assert s.notice == "You are signed out." and s.error == "" and s.next_path == "/"


def test_web_auth_cookie_value_and_login_href():
    header = 'theme=dark; trainer_session="abc-123"; other=x'
    assert cookie_value(header, "trainer_session") == "abc-123"
    assert cookie_value("trainer_session=", "trainer_session") is None
    assert cookie_value("", "trainer_session") is None
    assert login_href("/conversations?agent=Sam Lee") == (
        "/login?next=%2Fconversations%3Fagent%3DSam+Lee"
    )
    assert login_href("/") == login_href("//evil.example") == "/login"
    assert login_href("/scorecard", ended=True) == "/login?ended=1&next=%2Fscorecard"
    assert login_href("/", ended=True) == "/login?ended=1"


def test_web_auth_login_page_says_when_a_session_has_ended():
    s = state(LoginState, "/login", "/login?ended=1&next=%2Fscorecard", who=None)
    s.on_load()
    assert s.notice.startswith("Your session has ended") and s.next_path == "/scorecard"
    s = state(LoginState, "/login", "/login?ended=1&error=credentials", who=None)
    s.on_load()
    assert s.notice == "" and s.error.startswith("Wrong email or password")


def test_web_auth_messages_never_show_server_paths():
    message = user_message(AudioError("cannot decode", where="/srv/trainer/var/calls/a.wav"))
    assert message == "[E600] a.wav: cannot decode"
    assert "/srv" not in user_message(TrainerError("bad file /home/me/x/y.csv here"))
    assert user_message(RuntimeError("/etc/passwd exploded")) == UNEXPECTED


def test_web_auth_account_changes_the_password(seeded):  # noqa: F811
    with session_scope() as session:
        elsewhere = login(session, email("Priya Shah"), PASSWORD).token  # another browser
    s = state(AccountState, "/account", who="Priya Shah")
    s.change({"current": "wrong-one-123", "new": "another-pass-456", "confirm": "another-pass-456"})
    assert "current password is wrong" in s.error
    s.change({"current": PASSWORD, "new": "another-pass-456", "confirm": "different-789"})
    assert "differ" in s.error
    s.change({"current": PASSWORD, "new": "another-pass-456", "confirm": "another-pass-456"})
    assert s.error == "" and s.notice == "Your password is changed."
    # this browser stays signed in; the user's other sessions are over
    assert s.actor() is not None and s.actor().name == "Priya Shah"
    with session_scope() as session:
        assert resolve_session(session, elsewhere) is None


def test_web_auth_admin_states_go_through_the_services(seeded):  # noqa: F811
    users = state(UsersState, "/admin/users", who="Hana Ito")  # HR
    users.on_load()
    assert users.error == "" and users.roles == ["trainee", "agent"]
    assert {r.role for r in users.rows} <= {"trainee", "agent"}
    users.new_role = "trainee"
    users.add({"name": "Ines Moreau", "email": "ines@example.com", "teams": "", "password": ""})
    assert users.notice.startswith("Ines Moreau was added")
    ines = next(r for r in users.rows if r.name == "Ines Moreau")
    users.set_active(ines.id, False)  # HR may not deactivate: the service says so
    assert "may not" in users.error
    audit = state(AuditState, "/admin/audit", who="Hana Ito")
    audit.on_load()
    assert audit.rows == [] and "may not" in audit.error
    admin_audit = state(AuditState, "/admin/audit")
    admin_audit.on_load()
    assert admin_audit.error == "" and admin_audit.total > 0
    admin_audit.set_action("user")
    assert {r.action.split(".")[0] for r in admin_audit.rows} == {"user"}
    with pytest.raises(ValueError):
        parse_day("02/03/2026")


def test_web_auth_staff_import_reports_lines(seeded):  # noqa: F811
    class Upload:
        name = filename = "staff.csv"

        def __init__(self, data: bytes) -> None:
            self.data = data

        async def read(self) -> bytes:
            return self.data

    csv = b"name,email,role,team\nOla Nordmann,ola@example.com,agent,\nBad Row,nope,agent,\n"
    s = state(ImportState, "/admin/import", who="Hana Ito")

    async def run():
        return [e async for e in s.import_csv([Upload(csv)])]

    # A fresh thread has no event loop, whatever an earlier test (Playwright) left in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()
    assert s.done and s.added == ["Ola Nordmann"]
    assert [(r.line, "not an email" in r.reason) for r in s.refused] == [(3, True)]


def test_web_auth_admin_sets_a_lost_password_and_hr_cannot(seeded):  # noqa: F811
    hr = state(UsersState, "/admin/users", who="Hana Ito")
    hr.on_load()
    target = next(r for r in hr.rows if r.role == "trainee")
    hr.edit_id = target.id
    hr.reset_password({"password": "hr-chosen-pass-1"})
    assert "may not" in hr.error  # HR could otherwise sign in as the person
    admin = state(UsersState, "/admin/users")
    admin.on_load()
    admin.edit_id = target.id
    admin.reset_password({"password": "short"})
    assert "too short" in admin.error
    admin.reset_password({"password": "admin-set-pass-1"})
    assert admin.error == "" and "has a new password" in admin.notice
    with session_scope() as session:
        assert login(session, target.email, "admin-set-pass-1").actor.name == target.name
