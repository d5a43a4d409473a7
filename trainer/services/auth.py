"""Logging in and out, server-side sessions that expire, bearer tokens for the API, and the
optional trusted reverse-proxy header. Tokens and session ids are random; only their hash is
stored, so a copy of the database logs nobody in: SHA-256 for API tokens, and for sessions an
HMAC-SHA256 keyed with $TRAINER_SECRET_KEY (`trainer.services.secret_key`), so that nobody who
can write to the database can plant a session without the key either."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize
from trainer.access.passwords import hash_password, needs_rehash, verify_password
from trainer.db.models import ApiToken, AuditEvent, AuthSession, User
from trainer.errors import AccountError, AuthenticationError, NotFoundError, RateLimitedError
from trainer.services.audit import record_event
from trainer.services.secret_key import secret_key

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
TOKEN_PREFIX = "trn_"
WRONG_LOGIN = "wrong email or password"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _session_hash(token: str) -> str:
    """What a session row stores of its token: HMAC-SHA256 under the server's secret key."""
    return hmac.new(secret_key(), token.encode(), hashlib.sha256).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns: they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def session_lifetime() -> timedelta:
    """How long a login lasts at most: $TRAINER_SESSION_HOURS (default 12)."""
    return timedelta(hours=float(os.environ.get("TRAINER_SESSION_HOURS", "12")))


def session_idle_limit() -> timedelta:
    """How long a login survives unused: $TRAINER_SESSION_IDLE_MINUTES (default 120)."""
    return timedelta(minutes=float(os.environ.get("TRAINER_SESSION_IDLE_MINUTES", "120")))


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    """The user with this email (any case), or None."""
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def _recent_failures(
    session: Session, email: str, user: User | None
) -> tuple[int, datetime | None]:
    """Failed logins with this (normalised) email in the window, since the account's last
    success, and the oldest of them. Counted by the email typed, whether or not an account
    has it, so the lockout never tells which emails exist."""
    since = _now() - FAILURE_WINDOW
    if user is not None and user.last_login_at is not None:
        since = max(since, _aware(user.last_login_at))
    rows = session.scalars(
        select(AuditEvent.at).where(
            AuditEvent.action == "login.failed",
            AuditEvent.actor_name == email,
            AuditEvent.at > since,
        )
    ).all()
    return len(rows), min((_aware(r) for r in rows), default=None)


def _serialise_logins(session: Session, email: str) -> None:
    """Take the write lock on the account before counting its failures, so parallel guesses
    queue up and each sees the failures before it (a row lock on PostgreSQL, the database's
    write lock on SQLite). A no-op UPDATE, and the first statement of the transaction: SQLite
    cannot upgrade a read that began before another writer committed."""
    session.execute(
        update(User).where(func.lower(User.email) == email).values(email=User.email),
        execution_options={"synchronize_session": False},
    )


@dataclass(frozen=True)
class Login:
    """A successful login: who, and the session token the browser keeps (in an HttpOnly
    cookie)."""

    actor: Actor
    token: str
    expires_at: datetime


def login(session: Session, email: str, password: str) -> Login:
    """Check the email and password and open a session. Raises AuthenticationError with one
    message for any wrong email or password (never which), RateLimitedError after 5 failures
    for the email in 15 minutes (an account or not), and says so when the account is deactivated.

    A refusal commits its audit row before raising: the caller's transaction rolls back on the
    error, and a failed login that left no trace would never count towards the limit."""
    typed = normalise_email(email)[:320]
    _serialise_logins(session, typed)
    user = find_user_by_email(session, typed) if typed else None
    failures, oldest = _recent_failures(session, typed, user)
    if failures >= MAX_FAILURES:
        wait = max(1, int(((oldest or _now()) + FAILURE_WINDOW - _now()).total_seconds() // 60) + 1)
        record_event(
            session,
            None,
            "login.refused",
            object_type="user",
            object_id=user.id if user else None,
            actor_name=typed,
            detail="rate limited",
        )
        session.commit()
        raise RateLimitedError(
            f"too many failed logins for this account; try again in {wait} minutes",
            fix="or ask an admin to set a new password",
        )
    if user is None or not verify_password(user.password_hash, password):
        record_event(
            session,
            None,
            "login.failed",
            object_type="user",
            object_id=user.id if user else None,
            actor_name=typed,
        )
        session.commit()
        raise AuthenticationError(WRONG_LOGIN, fix="check both, or ask an admin to reset it")
    if not user.active:
        record_event(
            session,
            None,
            "login.refused",
            object_type="user",
            object_id=user.id,
            actor_name=user.email,
            detail="deactivated",
        )
        session.commit()
        raise AuthenticationError(
            "this account is deactivated", fix="ask an admin if it should be active again"
        )
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    token = secrets.token_urlsafe(32)
    now = _now()
    row = AuthSession(
        user_id=user.id,
        token_hash=_session_hash(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + session_lifetime(),
    )
    session.add(row)
    user.last_login_at = now
    actor = Actor.of(user)
    record_event(session, actor, "login", object_type="user", object_id=user.id)
    return Login(actor, token, row.expires_at)


def resolve_session(session: Session, token: str | None) -> Actor | None:
    """The actor of a live session token; None when unknown, revoked, expired, idle too long
    or its user is deactivated. Using it keeps it alive (sliding idle limit)."""
    if not token:
        return None
    row = session.scalar(select(AuthSession).where(AuthSession.token_hash == _session_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = _now()
    if _aware(row.expires_at) <= now or _aware(row.last_seen_at) + session_idle_limit() <= now:
        return None
    if not row.user.active:
        return None
    if now - _aware(row.last_seen_at) > timedelta(minutes=1):
        row.last_seen_at = now
    return Actor.of(row.user)


def logout(session: Session, token: str | None) -> bool:
    """End the session of this token (True when one was open)."""
    if not token:
        return False
    row = session.scalar(select(AuthSession).where(AuthSession.token_hash == _session_hash(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = _now()
    record_event(session, Actor.of(row.user), "logout", object_type="user", object_id=row.user_id)
    return True


def revoke_sessions(session: Session, user_id: int) -> int:
    """End every open session of a user (deactivation, password change); how many."""
    rows = session.scalars(
        select(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = _now()
    return len(rows)


def change_password(
    session: Session, actor: Actor, current: str, new: str, *, keep_token: str | None = None
) -> int:
    """The actor's own password, after checking the current one. Every other session of theirs
    ends (a stolen one too); the one of `keep_token` (the browser asking) stays. Returns how
    many sessions ended."""
    user = session.get(User, actor.id) if actor.id is not None else None
    if user is None:
        raise AccountError("only a user with an account has a password")
    if not verify_password(user.password_hash, current):
        raise AuthenticationError("the current password is wrong", fix="type it again")
    if new == current:
        raise AccountError("the new password is the same as the current one")
    user.password_hash = hash_password(new)
    kept = _session_hash(keep_token) if keep_token else None
    ended = 0
    for row in session.scalars(
        select(AuthSession).where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
    ):
        if row.token_hash != kept:
            row.revoked_at = _now()
            ended += 1
    record_event(
        session,
        actor,
        "password.change",
        object_type="user",
        object_id=user.id,
        after={"sessions_ended": ended},
    )
    return ended


# --- API tokens -------------------------------------------------------------------------------


def issue_api_token(
    session: Session, actor: Actor, user: User | str | int, name: str = "api"
) -> str:
    """A new bearer token for `user` (a User, or its name, email or id; admins only); printed
    once, stored only as its hash. Authorized before the user is looked up, so nobody else
    learns which names exist."""
    authorize(actor, Action.ADMINISTER)
    if not isinstance(user, User):
        from trainer.services.accounts import require_user  # accounts builds on this module

        user = require_user(session, user)
    if not user.active:
        raise AccountError(f"{user.name} is deactivated", fix="reactivate the account first")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, name=name.strip() or "api", prefix=token[:12], token_hash=_hash(token)
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        actor,
        "token.issue",
        object_type="api_token",
        object_id=row.id,
        after={"user": user.name, "name": row.name, "prefix": row.prefix},
    )
    return token


def resolve_api_token(session: Session, token: str | None) -> Actor | None:
    """The actor of a valid bearer token; None when unknown, revoked or its user deactivated."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = _now()
    if row.last_used_at is None or now - _aware(row.last_used_at) > timedelta(minutes=1):
        row.last_used_at = now
    return Actor.of(row.user)


def list_api_tokens(session: Session, actor: Actor) -> list[dict]:
    """Every token (never its value): owner, name, prefix, created, last used, revoked."""
    authorize(actor, Action.ADMINISTER)
    rows = session.scalars(
        select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return [
        {
            "id": row.id,
            "user": row.user.name,
            "name": row.name,
            "prefix": row.prefix,
            "created_at": row.created_at.isoformat() if row.created_at else None,
            "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
            "revoked": row.revoked_at is not None,
        }
        for row in rows
    ]


def revoke_api_token(session: Session, actor: Actor, token_id: int) -> None:
    """Revoke a token (admins); it stops working at once and stays listed as revoked."""
    authorize(actor, Action.ADMINISTER)
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFoundError(f"no API token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = _now()
        record_event(
            session,
            actor,
            "token.revoke",
            object_type="api_token",
            object_id=row.id,
            before={"revoked": False},
            after={"revoked": True, "user": row.user.name},
        )


# --- a trusted reverse proxy (SSO) --------------------------------------------------------------


def trusted_header_name() -> str | None:
    """$TRAINER_AUTH_HEADER: the header a trusted reverse proxy sets to the user's email, or
    None (the default: off)."""
    name = os.environ.get("TRAINER_AUTH_HEADER", "").strip()
    return name or None


def trusted_proxies() -> frozenset[str]:
    """$TRAINER_TRUSTED_PROXIES: the addresses the SSO proxy connects from (default the same
    host, 127.0.0.1 and ::1). The header is honoured only on connections from these."""
    listed = os.environ.get("TRAINER_TRUSTED_PROXIES", "127.0.0.1,::1")
    return frozenset(a.strip() for a in listed.split(",") if a.strip())


def resolve_trusted_email(
    session: Session, email: str | None, client_host: str | None
) -> Actor | None:
    """The active user with the email a trusted proxy vouched for, or None; None as well when
    the connection does not come from a trusted proxy (anyone else could send the header)."""
    if not email or client_host not in trusted_proxies():
        return None
    user = find_user_by_email(session, email)
    return Actor.of(user) if user is not None and user.active else None
