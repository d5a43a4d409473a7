"""Login, lockout, sessions and the audit log, through the services."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text

from trainer.access import Actor
from trainer.db.models import AuditEvent, AuthSession
from trainer.db.session import session_scope
from trainer.errors import AuthenticationError, RateLimitedError
from trainer.services import auth

from ..conftest import make_user

PASSWORD = "correct-horse-battery-1"
WRONG = "wrong-password-xyz"


def _user(name: str = "Vic Tim", role: str = "agent") -> str:
    from trainer.access.passwords import hash_password

    with session_scope() as session:
        user = make_user(session, name, role, password_hash=hash_password(PASSWORD))
        return user.email


def _attempt(email: str, password: str) -> tuple[str, str]:
    """('ok'|'wrong'|'locked', message) of one login in its own transaction."""
    try:
        with session_scope() as session:
            auth.login(session, email, password)
        return "ok", ""
    except RateLimitedError as exc:
        return "locked", exc.message
    except AuthenticationError as exc:
        return "wrong", exc.message


def test_security_email_case_and_whitespace_variants_share_one_lockout(sqlite_url):
    email = _user()
    variants = [email.upper(), f"  {email} ", email.title() + "\t", email.swapcase(), email]
    assert [_attempt(v, WRONG)[0] for v in variants] == ["wrong"] * auth.MAX_FAILURES
    # The right password, any spelling of the email: still locked.
    assert _attempt(f" {email.upper()} ", PASSWORD)[0] == "locked"
    assert _attempt(email, PASSWORD)[0] == "locked"


def test_security_wrong_password_and_unknown_email_read_the_same(sqlite_url):
    email = _user()
    assert _attempt(email, WRONG) == _attempt("nobody@example.com", WRONG)


def test_security_lockout_does_not_tell_which_emails_have_accounts(sqlite_url):
    email = _user()

    def last_answer(address: str) -> tuple[str, str]:
        answers = [_attempt(address, WRONG) for _ in range(auth.MAX_FAILURES + 1)]
        return answers[-1]

    assert last_answer(email) == last_answer("nobody@example.com")


def test_security_parallel_wrong_passwords_cannot_pass_the_lockout(sqlite_url):
    email = _user()
    threads_n = 16
    barrier = threading.Barrier(threads_n)
    answers: list[str] = []
    lock = threading.Lock()

    def guess() -> None:
        barrier.wait()
        try:
            answer = _attempt(email, WRONG)[0]
        except Exception as exc:  # noqa: BLE001 - a locked database is not a checked guess
            answer = type(exc).__name__
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=guess) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = answers.count("wrong")
    assert checked <= auth.MAX_FAILURES, f"{checked} passwords checked: {answers}"


def test_security_login_never_adopts_a_token_it_did_not_issue(sqlite_url):
    email = _user()
    with session_scope() as session:
        first = auth.login(session, email, PASSWORD)
    with session_scope() as session:
        second = auth.login(session, email, PASSWORD)
    assert first.token != second.token and len(second.token) >= 40
    with session_scope() as session:
        assert auth.resolve_session(session, "attacker-chosen-token") is None
        # Only hashes are stored: the database holds no usable token.
        stored = session.scalars(select(AuthSession.token_hash)).all()
        assert first.token not in stored and second.token not in stored


def test_security_password_change_ends_every_other_session(sqlite_url):
    email = _user()
    with session_scope() as session:
        stolen = auth.login(session, email, PASSWORD).token
    with session_scope() as session:
        mine = auth.login(session, email, PASSWORD)
    with session_scope() as session:
        auth.change_password(
            session, mine.actor, PASSWORD, "another-good-pass-2", keep_token=mine.token
        )
    with session_scope() as session:
        assert auth.resolve_session(session, stolen) is None
        assert auth.resolve_session(session, mine.token) is not None


def test_security_deactivation_ends_sessions_and_tokens_at_once(sqlite_url):
    from trainer.db.models import User
    from trainer.services.accounts import set_active

    email = _user()
    with session_scope() as session:
        token = auth.login(session, email, PASSWORD).token
        user = session.scalar(select(User).where(User.email == email))
        api_token = auth.issue_api_token(session, Actor.local_admin(), user)
    with session_scope() as session:
        set_active(session, Actor.local_admin(), email, False)
    with session_scope() as session:
        assert auth.resolve_session(session, token) is None
        assert auth.resolve_api_token(session, api_token) is None
    assert _attempt(email, PASSWORD)[0] == "wrong" or "deactivated" in _attempt(email, PASSWORD)[1]


def test_security_expired_and_idle_sessions_stop_working(sqlite_url, monkeypatch):
    email = _user()
    with session_scope() as session:
        idle = auth.login(session, email, PASSWORD).token
    monkeypatch.setenv("TRAINER_SESSION_IDLE_MINUTES", "0")
    with session_scope() as session:
        assert auth.resolve_session(session, idle) is None
    monkeypatch.setenv("TRAINER_SESSION_IDLE_MINUTES", "120")
    monkeypatch.setenv("TRAINER_SESSION_HOURS", "0")
    with session_scope() as session:
        expired = auth.login(session, email, PASSWORD).token
    with session_scope() as session:
        assert auth.resolve_session(session, expired) is None


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"]
)
def test_security_audit_rows_cannot_be_altered_or_removed(db_url, statement):
    _attempt("nobody@example.com", WRONG)  # one audit row
    with pytest.raises(Exception, match="(?i)append-only|audit"):
        with session_scope() as session:
            session.execute(text(statement))
    with session_scope() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert actions == ["login.failed"]


def test_security_failed_login_is_audited_even_though_the_request_fails(sqlite_url):
    email = _user()
    _attempt(email, WRONG)
    with session_scope() as session:
        count = session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "login.failed")
        )
    assert count == 1
