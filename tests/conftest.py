"""Shared fixtures: a fresh database per test (SQLite always, PostgreSQL when reachable).

Tests that need PostgreSQL or Redis skip with a clear reason when the server is absent, and fail
instead when TRAINER_REQUIRE_SERVICES=1 (as .ci/run sets).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from trainer.conversation import Conversation, Turn
from trainer.db import session as db_session

REPO = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN_URL = os.environ.get(
    "TRAINER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@localhost:5432/postgres"
)
REDIS_URL = os.environ.get("TRAINER_TEST_REDIS_URL", "redis://localhost:6379/15")
# Servers refuse to start without a secret key outside demo mode, and sessions are keyed with
# it (trainer.services.secret_key): the suite, and the apps it starts, use a fixed test key.
os.environ.setdefault("TRAINER_SECRET_KEY", "trainer-test-secret-key-0123456789abcdef")


def services_required() -> bool:
    """True when missing services must fail the run instead of skipping (CI)."""
    return os.environ.get("TRAINER_REQUIRE_SERVICES") == "1"


def missing_service(reason: str) -> None:
    """Skip with the reason, or fail with it when services are required."""
    if services_required():
        pytest.fail(f"{reason} (TRAINER_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


def postgres_database():
    """A new empty database on the local PostgreSQL: (admin engine, its name, its URL); a skip,
    or a failure under TRAINER_REQUIRE_SERVICES=1, when the server is not reachable."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    try:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            name = f"trainer_test_{uuid.uuid4().hex[:10]}"
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        missing_service(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}")
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    return admin, name, url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, monkeypatch):
    """A migrated-on-first-use empty database URL, set as TRAINER_DATABASE_URL for the test."""
    db_session.reset_cache()
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'trainer.db'}"
        monkeypatch.setenv("TRAINER_DATABASE_URL", url)
        yield url
        db_session.reset_cache()
        return
    from sqlalchemy import text

    admin, name, url = postgres_database()
    monkeypatch.setenv("TRAINER_DATABASE_URL", url)
    yield url
    db_session.reset_cache()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch):
    """An empty SQLite database only (for tests whose subject is not the database)."""
    db_session.reset_cache()
    url = f"sqlite:///{tmp_path / 'trainer.db'}"
    monkeypatch.setenv("TRAINER_DATABASE_URL", url)
    yield url
    db_session.reset_cache()


@pytest.fixture
def redis_url():
    """The local Redis (database 15, flushed), or a skip/fail with the reason."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        missing_service(f"Redis not reachable at {REDIS_URL}: {exc}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def make_user(
    session,
    name: str,
    role: str = "agent",
    teams: tuple[str, ...] | list[str] = (),
    *,
    email: str | None = None,
    password_hash: str | None = None,
    active: bool = True,
):
    """A stored user (teams created on first use), flushed so it has an id. Faster than
    `accounts.add_user` (no audit row, no password hashing unless a hash is given)."""
    from sqlalchemy import select

    from trainer.db.models import Team, User

    user = User(
        name=name,
        email=email or f"{name.lower().replace(' ', '.')}@example.com",
        role=role,
        password_hash=password_hash,
        active=active,
    )
    for team_name in teams:
        team = session.scalar(select(Team).where(Team.name == team_name))
        if team is None:
            team = Team(name=team_name)
            session.add(team)
        user.teams.append(team)
    session.add(user)
    session.flush()
    return user


def actor_of(session, name: str):
    """The Actor of the stored user with this name."""
    from sqlalchemy import select

    from trainer.access import Actor
    from trainer.db.models import User

    return Actor.of(session.scalar(select(User).where(User.name == name)))


def make_conversation(turns: list[tuple[str, str]], **kwargs) -> Conversation:
    """A Conversation from (speaker, text) pairs, for tests."""
    kwargs.setdefault("external_id", "t-1")
    return Conversation(turns=[Turn(s, t) for s, t in turns], **kwargs)  # type: ignore[arg-type]


GOOD_CHAT = [
    ("agent", "Hi, thanks for contacting Bluebird Bank, this is Sam. How can I help?"),
    ("customer", "I was charged twice for order 3348917502 and I'm really frustrated."),
    (
        "agent",
        "I'm sorry you've had to deal with this, Dana, that sounds really frustrating. "
        "Can you confirm the email on the account?",
    ),
    ("customer", "It's dana@example.com."),
    (
        "agent",
        "Thanks. I've refunded the duplicate $94.00 charge. You'll see it within 3-5 "
        "business days. Your case number is CS-48213. Does that make sense?",
    ),
    ("customer", "Perfect, thank you so much!"),
    (
        "agent",
        "To recap: the refund is issued and lands in 3-5 business days. "
        "Is there anything else I can help with? Have a great day!",
    ),
]

POOR_CHAT = [
    ("agent", "yeah what"),
    ("customer", "I was charged twice for my order and I'm really frustrated."),
    (
        "agent",
        "Calm down. Basically the ACH batch um reconciliation is, you know, pending "
        "in the ledger and provisioning is not my department.",
    ),
    ("customer", "So it's still not fixed?"),
    ("agent", "You'll need to call back later, I'll transfer you to billing."),
    ("customer", "This didn't help at all."),
]
