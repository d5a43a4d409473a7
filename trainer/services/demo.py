"""Seed the demo data `make run` shows: the sample chats, two teams and their people, scored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from trainer.db.models import ConversationRecord, Team, User
from trainer.db.repository import get_or_create_user
from trainer.db.session import session_scope
from trainer.errors import TrainerError
from trainer.services.ingestion import ingest_paths
from trainer.services.scoring import score_stored

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
TEAMS = {
    "Tier 1 North": ["Sam Lee", "Priya Shah", "Marcus Bell"],
    "Tier 1 South": ["Aiko Tanaka", "Leo Fischer", "Grace Okafor"],
}
STAFF = [
    ("Morgan Reyes", "lead"),
    ("Jordan Kim", "reviewer"),
    ("Hana Ito", "hr"),
    ("Alex Admin", "admin"),
]


def seed_demo(url: str | None = None, progress: Callable[[str], None] | None = None) -> dict:
    """Ingest recordings/, create teams and staff, and score everything (idempotent)."""
    say = progress or (lambda _msg: None)
    say(f"ingesting {RECORDINGS / 'chats'}")
    summary = ingest_paths([RECORDINGS / "chats"], url=url)
    if summary.failed:
        raise TrainerError(f"demo data failed to ingest: {summary.failed[0][1]}")
    with session_scope(url) as session:
        for team_name, members in TEAMS.items():
            team = session.scalar(select(Team).where(Team.name == team_name)) or Team(
                name=team_name
            )
            session.add(team)
            for name in members:
                get_or_create_user(session, name, "agent").team = team
        for name, role in STAFF:
            get_or_create_user(session, name, role).role = role
        say("scoring with the default rubric")
        scored = score_stored(session, None)
        conversations = session.scalar(select(func.count(ConversationRecord.id)))
        agents = session.scalar(select(func.count(User.id)).where(User.role == "agent"))
    return {"conversations": conversations, "scored": len(scored.scored), "agents": agents}
