"""Seed the demo data `make run` shows: the sample chats and calls, three teams and their people
(accounts with the demo password), all scored, and a few submitted human reviews (two reviewers
on the same chats, with overrides and reasons) so that `trainer agreement` has figures.

The sample calls (`recordings/calls/*.stereo.opus`, plus one mono recording to show voice-based
speaker attribution) are transcribed inline, a few seconds to half a minute each. Seeding again
transcribes nothing already transcribed. `TRAINER_DEMO_CALLS=0` leaves the calls out.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from trainer.access import Actor
from trainer.access.passwords import hash_password
from trainer.db.models import ConversationRecord, Evaluation, Team, User
from trainer.db.repository import find_conversation, latest_evaluation
from trainer.db.session import session_scope
from trainer.errors import TrainerError
from trainer.services.ingestion import ingest_paths
from trainer.services.reviews import save_review
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
# (name, role, teams): the lead leads two teams; new hires practise role-plays.
STAFF = [
    ("Morgan Reyes", "lead", ["Tier 1 North", "Voice Support"]),
    # Two QA reviewers, so agreement between reviewers has something to measure (Jordan Kim,
    # last, is the reviewer `demo_logins` prints).
    ("Casey Nguyen", "reviewer", []),
    ("Jordan Kim", "reviewer", []),
    ("Hana Ito", "hr", []),
    ("Alex Admin", "admin", []),
    ("Riley Park", "trainee", ["Tier 1 North"]),
    ("Noor Haddad", "trainee", ["Tier 1 South"]),
]
#: Every demo account's password. Demo only: documented in the README and printed by `make run`.
DEMO_PASSWORD = "trainer-demo"
DEMO_DOMAIN = "example.com"


def demo_email(name: str) -> str:
    """A demo account's email: `sam.lee@example.com`."""
    return f"{name.lower().replace(' ', '.')}@{DEMO_DOMAIN}"


def demo_logins() -> list[tuple[str, str]]:
    """(role, email) of one demo account per role, for the log and the README."""
    wanted = {r: n for n, r, _ in STAFF} | {"trainee": "Riley Park", "agent": "Sam Lee"}
    order = ("trainee", "agent", "reviewer", "lead", "hr", "admin")
    return [(role, demo_email(wanted[role])) for role in order]


def seed_people(url: str | None = None) -> int:
    """The demo teams and their people, each with an email and the demo password (accounts that
    exist keep theirs); how many accounts were created."""
    created = 0
    with session_scope(url) as session:
        teams: dict[str, Team] = {}
        for team_name in TEAMS:
            team = session.scalar(select(Team).where(Team.name == team_name))
            if team is None:
                team = Team(name=team_name)
                session.add(team)
            teams[team_name] = team
        people = [(n, "agent", [t]) for t, names in TEAMS.items() for n in names] + STAFF
        for name, role, team_names in people:
            user = session.scalar(select(User).where(User.name == name))
            if user is None:
                user = User(name=name, email=demo_email(name), role=role, active=True)
                session.add(user)
                created += 1
            user.role = role
            user.email = user.email or demo_email(name)
            user.password_hash = user.password_hash or hash_password(DEMO_PASSWORD)
            for team_name in team_names:
                if teams[team_name] not in user.teams:
                    user.teams.append(teams[team_name])
    return created


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
    summary = ingest_paths(Actor.local_admin(), files, url=url)
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


# (conversation, reviewer, {criterion: (value, reason)}, comment): the demo's submitted reviews,
# in the order they are submitted (on a chat both reviewed, Casey's later review is the final
# one). A value equal to the machine's is an accepted score (its reason is then dropped).
DEMO_REVIEWS: list[tuple[str, str, dict[str, tuple[float, str]], str]] = [
    ("c-001", "Jordan Kim", {"checks-understanding": (1.0, "missing_evidence")}, "Solid chat."),
    ("c-002", "Jordan Kim", {}, "Agree with the automatic scores."),
    (
        "c-003",
        "Jordan Kim",
        {"no-jargon": (1.0, "incorrect_score"), "states-next-steps": (1.0, "missing_evidence")},
        "The return steps were clear to me.",
    ),
    (
        "c-004",
        "Jordan Kim",
        {"acknowledges-feelings": (1.0, "missing_evidence"), "apologises": (1.0, "wrong_evidence")},
        "Empathy was there, in other words than the detector knows.",
    ),
    ("c-005", "Jordan Kim", {}, "Coaching needed: see the empathy section."),
    ("c-006", "Jordan Kim", {"closing": (0.0, "incorrect_score")}, "No real closing."),
    ("c-007", "Jordan Kim", {"recap": (1.0, "missing_evidence")}, "Recap at the end."),
    ("c-008", "Jordan Kim", {"states-next-steps": (1.0, "missing_evidence")}, ""),
    ("c-001", "Casey Nguyen", {}, "Fine as scored."),
    ("c-002", "Casey Nguyen", {"recap": (1.0, "incorrect_score")}, "There is a short recap."),
    (
        "c-003",
        "Casey Nguyen",
        {"no-jargon": (1.0, "incorrect_score"), "states-next-steps": (0.5, "incorrect_score")},
        "Next steps only half stated.",
    ),
    (
        "c-004",
        "Casey Nguyen",
        {"acknowledges-feelings": (1.0, "missing_evidence")},
        "The agent acknowledged the frustration.",
    ),
    ("c-005", "Casey Nguyen", {"few-fillers": (0.0, "incorrect_score")}, "Full of fillers."),
    ("c-006", "Casey Nguyen", {"closing": (0.0, "incorrect_score")}, "Ends abruptly."),
]


def seed_reviews(url: str | None = None) -> int:
    """Submit the demo's human reviews (DEMO_REVIEWS) that are not there yet, as their reviewers
    (audited like any review); how many were submitted. A chat missing from the database, or
    not scored, is left out."""
    submitted = 0
    for external_id, reviewer, changes, comment in DEMO_REVIEWS:
        with session_scope(url) as session:
            record = find_conversation(session, external_id)
            user = session.scalar(select(User).where(User.name == reviewer))
            auto = latest_evaluation(session, record) if record is not None else None
            if auto is None or user is None:
                continue
            done = session.scalar(
                select(func.count(Evaluation.id)).where(
                    Evaluation.conversation_id == record.id,
                    Evaluation.kind == "human",
                    Evaluation.reviewer_id == user.id,
                )
            )
            if done:
                continue
            machine = {cs.criterion_id: cs.value for cs in auto.criterion_scores}
            judgements = {
                cid: {"value": value, "reason": reason if value != machine.get(cid) else None}
                for cid, (value, reason) in changes.items()
            }
            save_review(
                session, Actor.of(user), external_id, judgements, comment=comment, submit=True
            )
            submitted += 1
    return submitted


def seed_demo(url: str | None = None, progress: Callable[[str], None] | None = None) -> dict:
    """Ingest recordings/ (chats, and calls unless TRAINER_DEMO_CALLS=0), create teams and staff,
    score everything that has a transcript, and submit the demo reviews (idempotent)."""
    say = progress or (lambda _msg: None)
    accounts_created = seed_people(url)
    say(f"ingesting {RECORDINGS / 'chats'}")
    summary = ingest_paths(Actor.local_admin(), [RECORDINGS / "chats"], url=url)
    if summary.failed:
        raise TrainerError(f"demo data failed to ingest: {summary.failed[0][1]}")
    calls = (
        seed_calls(url, say) if calls_enabled() else {"calls": 0, "transcribed": 0, "failed": []}
    )
    for external_id in calls["failed"]:
        say(f"call {external_id} failed to transcribe (its review page shows why)")
    with session_scope(url) as session:
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
    say("submitting the demo reviewers' reviews")
    reviews = seed_reviews(url)
    return {
        "conversations": conversations,
        "scored": len(scored.scored),
        "agents": agents,
        "calls": calls["calls"],
        "transcribed": calls["transcribed"],
        "calls_failed": len(calls["failed"]),
        "accounts_created": accounts_created,
        "reviews_submitted": reviews,
    }
