"""A seeded database behind the API app: a user of every role (two teams), chats and a call of
agents in each team, an API token per role, and a Starlette TestClient on `create_api()`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from trainer.access import Actor
from trainer.api.app import create_api
from trainer.conversation import Conversation, Turn
from trainer.db.models import Team, User
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.services.auth import issue_api_token
from trainer.services.scoring import score_stored

from ..call_seed import store_call, write_wav
from ..conftest import GOOD_CHAT, POOR_CHAT

PASSWORD = "api-test-pass-1"
# (name, role, team): Sam and Priya are agents of North, Aiko of South; Morgan leads North.
PEOPLE = [
    ("Tina Trainee", "trainee", "North"),
    ("Sam Lee", "agent", "North"),
    ("Priya Shah", "agent", "North"),
    ("Aiko Tanaka", "agent", "South"),
    ("Rita Reviewer", "reviewer", None),
    ("Morgan Reyes", "lead", "North"),
    ("Hana Ito", "hr", None),
    ("Alex Admin", "admin", None),
]
ROLE_USER = {
    "trainee": "Tina Trainee",
    "agent": "Sam Lee",
    "reviewer": "Rita Reviewer",
    "lead": "Morgan Reyes",
    "hr": "Hana Ito",
    "admin": "Alex Admin",
}
# (id, agent, turns, day)
CHATS = [
    ("c-sam", "Sam Lee", GOOD_CHAT, 2),
    ("c-priya", "Priya Shah", POOR_CHAT, 3),
    ("c-aiko", "Aiko Tanaka", GOOD_CHAT, 4),
]
CALL_ID, CALL_AGENT = "call-sam", "Sam Lee"
AUDIO_ID_SOUTH = "call-aiko"


def email(name: str) -> str:
    """A test user's email."""
    return name.lower().replace(" ", ".") + "@example.com"


@dataclass
class Seeded:
    """The app's client and what was seeded."""

    client: TestClient
    tokens: dict[str, str]  # role -> bearer token
    url: str

    def as_role(self, role: str) -> dict[str, str]:
        """The Authorization header of the role's user."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def seed_people(session) -> dict[str, User]:
    """The PEOPLE, with passwords."""
    from trainer.access.passwords import hash_password

    teams = {name: Team(name=name) for name in ("North", "South")}
    session.add_all(teams.values())
    users = {}
    hashed = hash_password(PASSWORD)
    for name, role, team in PEOPLE:
        user = User(name=name, email=email(name), role=role, password_hash=hashed, active=True)
        user.teams = [teams[team]] if team else []
        session.add(user)
        users[name] = user
    session.flush()
    return users


@pytest.fixture
def seeded(db_url, tmp_path) -> Seeded:
    """The API on a seeded database (SQLite and PostgreSQL)."""
    with session_scope(db_url) as session:
        seed_people(session)
        for external_id, agent, turns, day in CHATS:
            store_conversation(
                session,
                Conversation(
                    external_id=external_id,
                    turns=[Turn(s, t) for s, t in turns],  # type: ignore[arg-type]
                    agent=agent,
                    customer="Dana Ruiz",
                    started_at=datetime(2026, 3, day, 10, 0),
                ),
            )
        store_call(session, CALL_ID, write_wav(tmp_path / "call.wav"), agent=CALL_AGENT)
        store_call(session, AUDIO_ID_SOUTH, write_wav(tmp_path / "call2.wav"), agent="Aiko Tanaka")
        score_stored(session, [c[0] for c in CHATS] + [CALL_ID, AUDIO_ID_SOUTH])
        admin = Actor.local_admin()
        tokens = {
            role: issue_api_token(
                session, admin, session.query(User).filter_by(name=name).one(), "tests"
            )
            for role, name in ROLE_USER.items()
        }
    with TestClient(create_api(standalone=True), base_url="http://127.0.0.1:3000") as client:
        yield Seeded(client, tokens, db_url)
