"""Seed the demo data `make run` shows: the sample chats and calls, three teams and their people,
all scored.

The sample calls (`recordings/calls/*.stereo.opus`, plus one mono recording to show voice-based
speaker attribution) are transcribed inline, a few seconds to half a minute each. Seeding again
transcribes nothing already transcribed. `TRAINER_DEMO_CALLS=0` leaves the calls out.
"""

from __future__ import annotations

import os
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
CALLS = RECORDINGS / "calls"
# One call also as a mono recording: agent and customer told apart by voice, not by channel.
MONO_CALLS = ("call-004-hold-dead-air.mono.mp3",)
TEAMS = {
    "Tier 1 North": ["Sam Lee", "Priya Shah", "Marcus Bell"],
    "Tier 1 South": ["Aiko Tanaka", "Leo Fischer", "Grace Okafor"],
    # The agents of the sample calls (Priya Shah takes calls too, in Tier 1 North).
    "Voice Support": [
        "Daniel Brooks",
        "Kevin Marsh",
        "Laura Chen",
        "Mark Davis",
        "Ryan Hall",
        "Nina Patel",
    ],
}
STAFF = [
    ("Morgan Reyes", "lead"),
    ("Jordan Kim", "reviewer"),
    ("Hana Ito", "hr"),
    ("Alex Admin", "admin"),
    # New hires who practise role-plays on the practice page.
    ("Riley Park", "trainee"),
    ("Noor Haddad", "trainee"),
]
WAITING = ("queued", "processing")


def demo_call_files(folder: Path = CALLS) -> list[Path]:
    """The sample recordings the demo transcribes: every stereo call and the mono ones named."""
    files = sorted(folder.glob("*.stereo.opus"))
    return files + [folder / name for name in MONO_CALLS if (folder / name).is_file()]


def calls_enabled() -> bool:
    """False when TRAINER_DEMO_CALLS is 0/false/no (seed the chats only)."""
    return os.environ.get("TRAINER_DEMO_CALLS", "1").strip().lower() not in {"0", "false", "no"}


def seed_calls(url: str | None = None, say: Callable[[str], None] = lambda _msg: None) -> dict:
    """Register the sample calls and transcribe those not transcribed yet (unscored: the caller
    scores). A call left queued or processing by an interrupted run is transcribed again."""
    from trainer.services.calls import transcribe_stored

    files = demo_call_files()
    if not files:
        return {"calls": 0, "transcribed": 0, "failed": []}
    say(f"registering {len(files)} calls from {CALLS}")
    summary = ingest_paths(files, url=url)
    if summary.failed:
        raise TrainerError(f"demo calls failed to register: {summary.failed[0][1]}")
    ids = summary.calls + summary.unchanged
    with session_scope(url) as session:
        waiting = set(
            session.scalars(
                select(ConversationRecord.external_id).where(
                    ConversationRecord.external_id.in_(ids),
                    ConversationRecord.status.in_(WAITING),
                )
            )
        )
    todo = [i for i in ids if i in waiting]
    failed: list[str] = []
    for number, external_id in enumerate(todo, 1):
        say(f"transcribing call {number}/{len(todo)}: {external_id}")
        if transcribe_stored(external_id, url=url, score=False) == "failed":
            failed.append(external_id)
    return {"calls": len(ids), "transcribed": len(todo) - len(failed), "failed": failed}


def seed_demo(url: str | None = None, progress: Callable[[str], None] | None = None) -> dict:
    """Ingest recordings/ (chats, and calls unless TRAINER_DEMO_CALLS=0), create teams and staff,
    and score everything that has a transcript (idempotent)."""
    say = progress or (lambda _msg: None)
    say(f"ingesting {RECORDINGS / 'chats'}")
    summary = ingest_paths([RECORDINGS / "chats"], url=url)
    if summary.failed:
        raise TrainerError(f"demo data failed to ingest: {summary.failed[0][1]}")
    calls = (
        seed_calls(url, say) if calls_enabled() else {"calls": 0, "transcribed": 0, "failed": []}
    )
    for external_id in calls["failed"]:
        say(f"call {external_id} failed to transcribe (its review page shows why)")
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
        ready = session.scalars(
            select(ConversationRecord.external_id)
            .where(
                (ConversationRecord.channel != "call")
                | ConversationRecord.status.not_in([*WAITING, "failed"])
            )
            .order_by(ConversationRecord.external_id)
        ).all()
        scored = score_stored(session, ready)
        conversations = session.scalar(select(func.count(ConversationRecord.id)))
        agents = session.scalar(select(func.count(User.id)).where(User.role == "agent"))
    return {
        "conversations": conversations,
        "scored": len(scored.scored),
        "agents": agents,
        "calls": calls["calls"],
        "transcribed": calls["transcribed"],
        "calls_failed": len(calls["failed"]),
    }
