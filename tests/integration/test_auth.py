"""Logging in, sessions, API tokens and the audit log, on SQLite and PostgreSQL.

Each login attempt runs in its own `session_scope`, as the web login route does: a refused login
raises, the scope rolls back, and the failure must still count towards the limit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from trainer.access import Actor
from trainer.access.passwords import hash_password, verify_password
from trainer.db.models import ApiToken, AuditEvent, AuthSession, User
from trainer.db.session import get_sessionmaker, session_scope
from trainer.errors import (
    AccountError,
    AuthenticationError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
)
from trainer.services import auth
from trainer.services.accounts import add_user, require_user, set_active, set_password, update_user
from trainer.services.audit import AuditFilter, list_events

ADMIN = Actor.local_admin()
PASSWORD = "correct horse 1"
ADMIN_PASSWORD = "admin pass 12"


@pytest.fixture
def people(db_url):
    """An admin and an agent with passwords; returns their Actors."""
    with session_scope() as session:
        ada = add_user(session, ADMIN, "Ada Admin", "ada@example.com", "admin", [], ADMIN_PASSWORD)
        ann = add_user(session, ADMIN, "Ann Agent", "ann@example.com", "agent", ["North"], PASSWORD)
        return {"admin": Actor.of(ada), "agent": Actor.of(ann)}


def try_login(email: str, password: str) -> auth.Login:
    with session_scope() as session:
        return auth.login(session, email, password)


def refused(email: str, password: str) -> AuthenticationError:
    with pytest.raises(AuthenticationError) as info:
        try_login(email, password)
    return info.value


def count(model, *where) -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def actions() -> list[str]:
    with session_scope() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def resolve(token: str) -> Actor | None:
    with session_scope() as session:
        return auth.resolve_session(session, token)


def resolve_token(token: str) -> Actor | None:
    with session_scope() as session:
        return auth.resolve_api_token(session, token)


def test_auth_login_opens_a_session_that_resolves_to_the_user(people):
    before = datetime.now(UTC)
    result = try_login("  ANN@Example.com ", PASSWORD)  # any case, surrounding spaces
    assert result.actor == people["agent"]
    assert result.actor.role == "agent" and result.actor.team_ids
    assert resolve(result.token) == people["agent"]
    assert resolve(result.token + "x") is None and resolve("") is None
    with session_scope() as session:
        row = session.scalar(select(AuthSession))
        assert row.token_hash != result.token and result.token not in row.token_hash
        user = session.get(User, people["agent"].id)
        assert auth._aware(user.last_login_at) >= before
    assert actions()[-1] == "login"


def test_auth_wrong_password_and_unknown_email_read_the_same(people):
    wrong = refused("ann@example.com", "not the password")
    unknown = refused("nobody@example.com", PASSWORD)
    empty = refused("", "")
    assert type(wrong) is type(unknown) is AuthenticationError
    assert wrong.message == unknown.message == empty.message == "wrong email or password"
    assert wrong.fix == unknown.fix
    assert count(AuthSession) == 0
    with session_scope() as session:
        failed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "login.failed").order_by(AuditEvent.id)
        ).all()
        assert [e.actor_name for e in failed[:2]] == ["ann@example.com", "nobody@example.com"]
        assert failed[0].object_id == str(people["agent"].id) and failed[1].object_id is None
        assert all(e.actor_id is None for e in failed)


def test_auth_five_failures_lock_the_account_even_for_the_right_password(people):
    for _ in range(auth.MAX_FAILURES):
        refused("ann@example.com", "wrong password!")
    with session_scope() as session:
        hash_before = session.get(User, people["agent"].id).password_hash
    with pytest.raises(RateLimitedError, match="too many failed logins") as locked:
        try_login("ann@example.com", PASSWORD)
    assert "15 minutes" in locked.value.message
    # Nothing else changed: no session, no login time, same password, only the refusal logged.
    assert count(AuthSession) == 0
    with session_scope() as session:
        user = session.get(User, people["agent"].id)
        assert user.last_login_at is None and user.password_hash == hash_before
    assert actions()[-1] == "login.refused"
    assert count(AuditEvent, AuditEvent.action == "login") == 0
    # Another account is not affected.
    assert try_login("ada@example.com", ADMIN_PASSWORD).actor == people["admin"]


def test_auth_lock_lifts_after_the_window(people, monkeypatch):
    for _ in range(auth.MAX_FAILURES):
        refused("ann@example.com", "wrong password!")
    with pytest.raises(RateLimitedError):
        try_login("ann@example.com", PASSWORD)
    later = datetime.now(UTC) + auth.FAILURE_WINDOW + timedelta(minutes=1)
    monkeypatch.setattr(auth, "_now", lambda: later)
    assert try_login("ann@example.com", PASSWORD).actor == people["agent"]


def test_auth_a_success_resets_the_failure_count(people):
    for _ in range(auth.MAX_FAILURES - 1):
        refused("ann@example.com", "wrong password!")
    try_login("ann@example.com", PASSWORD)
    for _ in range(auth.MAX_FAILURES - 1):
        refused("ann@example.com", "wrong password!")
    assert try_login("ann@example.com", PASSWORD).actor == people["agent"]


def test_auth_deactivated_user_is_shut_out_everywhere(people):
    opened = try_login("ann@example.com", PASSWORD)
    with session_scope() as session:
        ann = require_user(session, "ann@example.com")
        token = auth.issue_api_token(session, ADMIN, ann, "ci")
    assert resolve(opened.token) == people["agent"]
    assert resolve_token(token) == people["agent"]
    with session_scope() as session:
        set_active(session, people["admin"], "Ann Agent", False)
    assert resolve(opened.token) is None
    assert resolve_token(token) is None
    error = refused("ann@example.com", PASSWORD)
    assert "deactivated" in error.message
    assert refused("ann@example.com", "wrong password!").message == auth.WRONG_LOGIN
    with session_scope() as session:
        assert auth.resolve_trusted_email(session, "ann@example.com", "127.0.0.1") is None
        with pytest.raises(AccountError, match="deactivated"):
            auth.issue_api_token(session, ADMIN, require_user(session, "Ann Agent"))
    # Reactivated: she logs in again; the session ended by deactivation stays ended.
    with session_scope() as session:
        set_active(session, ADMIN, "Ann Agent", True)
    assert try_login("ann@example.com", PASSWORD).actor.id == people["agent"].id
    assert resolve(opened.token) is None
    with session_scope() as session:  # history kept: the user row and its audit trail
        assert session.get(User, people["agent"].id) is not None
    assert "user.deactivate" in actions() and "user.activate" in actions()


def test_auth_expired_and_idle_sessions_do_not_resolve(people, monkeypatch):
    monkeypatch.setenv("TRAINER_SESSION_HOURS", "1")
    first = try_login("ann@example.com", PASSWORD)
    assert timedelta(minutes=59) < first.expires_at - datetime.now(UTC) <= timedelta(hours=1)
    idle = try_login("ann@example.com", PASSWORD)
    live = try_login("ann@example.com", PASSWORD)
    with session_scope() as session:
        rows = {r.token_hash: r for r in session.scalars(select(AuthSession))}
        rows[auth._session_hash(first.token)].expires_at = datetime.now(UTC) - timedelta(seconds=1)
        rows[auth._session_hash(idle.token)].last_seen_at = datetime.now(UTC) - timedelta(hours=3)
    assert resolve(first.token) is None
    assert resolve(idle.token) is None
    assert resolve(live.token) == people["agent"]


def test_auth_logout_ends_the_session(people):
    opened = try_login("ann@example.com", PASSWORD)
    with session_scope() as session:
        assert auth.logout(session, opened.token) is True
    with session_scope() as session:
        assert auth.logout(session, opened.token) is False  # already ended
        assert auth.logout(session, None) is False
    assert resolve(opened.token) is None
    assert actions()[-1] == "logout"


def test_auth_api_tokens_issue_list_revoke(people):
    with session_scope() as session:
        ann = require_user(session, "Ann Agent")
        token = auth.issue_api_token(session, people["admin"], ann, "reporting")
        with pytest.raises(ForbiddenError):
            auth.issue_api_token(session, people["agent"], ann)
        with pytest.raises(ForbiddenError):
            auth.list_api_tokens(session, people["agent"])
    assert token.startswith(auth.TOKEN_PREFIX)
    assert resolve_token(token) == people["agent"]
    assert resolve_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert resolve_token("not-a-token") is None and resolve_token(None) is None
    with session_scope() as session:
        (row,) = auth.list_api_tokens(session, ADMIN)
        assert row["user"] == "Ann Agent" and row["name"] == "reporting"
        assert row["prefix"] == token[:12] and not row["revoked"]
        assert row["last_used_at"] is not None  # it was used above
        assert token not in str(row)
        stored = session.scalar(select(ApiToken))
        assert stored.token_hash != token and token not in stored.token_hash
        with pytest.raises(ForbiddenError):
            auth.revoke_api_token(session, people["agent"], row["id"])
        with pytest.raises(NotFoundError):
            auth.revoke_api_token(session, ADMIN, 9999)
        auth.revoke_api_token(session, ADMIN, row["id"])
    assert resolve_token(token) is None
    with session_scope() as session:
        assert auth.list_api_tokens(session, ADMIN)[0]["revoked"] is True
    assert actions().count("token.issue") == 1 and actions().count("token.revoke") == 1


def test_auth_change_password_needs_the_current_one(people):
    ann = people["agent"]
    with session_scope() as session:
        with pytest.raises(AuthenticationError, match="current password is wrong"):
            auth.change_password(session, ann, "not it at all", "brand new pass")
        with pytest.raises(AccountError, match="same as the current"):
            auth.change_password(session, ann, PASSWORD, PASSWORD)
        with pytest.raises(AccountError, match="too short"):
            auth.change_password(session, ann, PASSWORD, "short")
        with pytest.raises(AccountError, match="only a user with an account"):
            auth.change_password(session, ADMIN, PASSWORD, "brand new pass")
    with session_scope() as session:
        auth.change_password(session, ann, PASSWORD, "brand new pass")
    assert refused("ann@example.com", PASSWORD).message == auth.WRONG_LOGIN
    assert try_login("ann@example.com", "brand new pass").actor == ann
    assert "password.change" in actions()


def test_auth_change_password_ends_other_sessions(people):
    other = try_login("ann@example.com", PASSWORD)
    with session_scope() as session:
        auth.change_password(session, people["agent"], PASSWORD, "brand new pass")
    assert resolve(other.token) is None


def test_auth_admin_set_password_ends_the_users_sessions(people):
    opened = try_login("ann@example.com", PASSWORD)
    with session_scope() as session:
        with pytest.raises(ForbiddenError):
            set_password(session, people["agent"], "Ann Agent", "self service 1")
        set_password(session, ADMIN, "Ann Agent", "reset by admin")
    assert resolve(opened.token) is None
    assert try_login("ann@example.com", "reset by admin").actor == people["agent"]
    assert "password.set" in actions()


def test_auth_trusted_header_is_off_by_default(people, monkeypatch):
    monkeypatch.delenv("TRAINER_AUTH_HEADER", raising=False)
    assert auth.trusted_header_name() is None
    monkeypatch.setenv("TRAINER_AUTH_HEADER", " X-Forwarded-Email ")
    assert auth.trusted_header_name() == "X-Forwarded-Email"
    with session_scope() as session:
        assert (
            auth.resolve_trusted_email(session, "ANN@example.com", "127.0.0.1") == people["agent"]
        )
        assert auth.resolve_trusted_email(session, "nobody@example.com", "127.0.0.1") is None
        assert auth.resolve_trusted_email(session, None, "127.0.0.1") is None
        # the header means nothing on a connection that does not come from the proxy
        assert auth.resolve_trusted_email(session, "ann@example.com", "203.0.113.9") is None
        assert auth.resolve_trusted_email(session, "ann@example.com", None) is None


def test_auth_passwords_are_argon2_and_checked_for_rules():
    stored = hash_password("a fine password")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a fine password")
    assert not verify_password(stored, "a fine passworD")
    assert not verify_password(None, "a fine password")
    assert not verify_password("not a hash", "a fine password")
    for bad, reason in (("short", "too short"), ("a" * 12, "too simple"), ("ab" * 200, "long")):
        with pytest.raises(AccountError, match=reason):
            hash_password(bad)


def test_auth_audit_rows_for_logins_and_account_changes(people):
    refused("ann@example.com", "wrong password!")
    try_login("ann@example.com", PASSWORD)
    with session_scope() as session:
        update_user(session, people["admin"], "Ann Agent", role="reviewer")
        update_user(session, people["admin"], "Ann Agent", teams=["North", "South"])
        set_active(session, people["admin"], "Ann Agent", False)
    with session_scope() as session:
        total, rows = list_events(session, ADMIN)
        by_action = {row["action"]: row for row in rows}
        assert total == len(rows)
        assert {
            "user.add",
            "team.add",
            "login.failed",
            "login",
            "user.role",
            "user.edit",
            "user.deactivate",
        } <= set(by_action)
        role = by_action["user.role"]
        assert role["actor"] == "Ada Admin" and role["actor_id"] == people["admin"].id
        assert role["object_type"] == "user" and role["object_id"] == str(people["agent"].id)
        assert role["before"]["role"] == "agent" and role["after"]["role"] == "reviewer"
        assert by_action["user.edit"]["after"]["teams"] == ["North", "South"]
        assert by_action["user.deactivate"]["before"] == {"active": True}
        assert by_action["user.deactivate"]["after"] == {"active": False}
        assert by_action["login"]["actor"] == "Ann Agent"
        assert "password_hash" not in str(by_action["user.add"]["after"])
        assert rows[0]["action"] == "user.deactivate"  # newest first
        # An action filter is a prefix on the dotted name: login, login.failed, not logout.
        _, logins = list_events(session, ADMIN, AuditFilter(action="login"))
        assert {r["action"] for r in logins} == {"login", "login.failed"}
        _, by_ann = list_events(session, ADMIN, AuditFilter(object_id=str(people["agent"].id)))
        assert len(by_ann) >= 5
        _, page = list_events(session, ADMIN, limit=2, offset=1)
        assert [r["id"] for r in page] == [r["id"] for r in rows[1:3]]
        with pytest.raises(ForbiddenError):
            list_events(session, people["agent"])


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'tampered'",
        "UPDATE audit_events SET actor_name = 'someone else' WHERE action = 'login'",
        "DELETE FROM audit_events",
        "DELETE FROM audit_events WHERE action = 'login.failed'",
    ],
)
def test_auth_audit_table_refuses_update_and_delete(people, statement):
    refused("ann@example.com", "wrong password!")
    try_login("ann@example.com", PASSWORD)
    before = actions()
    engine = get_sessionmaker().kw["bind"]
    with pytest.raises(DBAPIError, match="(?i)append-only|audit"):
        with engine.begin() as connection:
            connection.execute(text(statement))
    assert actions() == before
    with engine.begin() as connection:  # inserting still works
        connection.execute(
            text(
                "INSERT INTO audit_events (at, actor_name, action) "
                "VALUES (CURRENT_TIMESTAMP, 'test', 'test.insert')"
            )
        )
    assert actions() == [*before, "test.insert"]
