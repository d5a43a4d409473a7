"""Benchmark: the review queue's draw over many agents and conversations. Seeds AGENTS agents
with N conversations in all (bulk inserts into a temporary SQLite file, or --url), one weekly
rule of PER_AGENT per agent shared among REVIEWERS reviewers (only unreviewed conversations),
then times `draw_due` (the first draw, and the idempotent re-run that draws nothing).

    .venv/bin/python benchmarks/queue_draw.py [--agents 50] [--n 10000] [--per-agent 5]
        [--reviewers 4] [--url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def seed(session, agents: int, n: int, reviewers: int) -> None:
    """Users, then `n` scored conversations spread over the agents, in bulk."""
    from sqlalchemy import insert

    from trainer.db.models import ConversationRecord, User

    session.execute(
        insert(User),
        [
            {"name": f"Agent {i:03d}", "email": f"agent{i}@example.com", "role": "agent"}
            for i in range(agents)
        ]
        + [
            {"name": f"Reviewer {i}", "email": f"reviewer{i}@example.com", "role": "reviewer"}
            for i in range(reviewers)
        ],
    )
    session.flush()
    ids = [u.id for u in session.query(User).filter(User.role == "agent").order_by(User.id)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        {
            "external_id": f"bench-{i}",
            "channel": "chat" if i % 3 else "call",
            "agent_id": ids[i % agents],
            "agent_name": f"Agent {i % agents:03d}",
            "started_at": start + timedelta(minutes=7 * i),
            "content_hash": f"{i:064d}",
            "status": "scored",
            "extra": {},
        }
        for i in range(n)
    ]
    for chunk in range(0, n, 5000):
        session.execute(insert(ConversationRecord), rows[chunk : chunk + 5000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--per-agent", type=int, default=5)
    parser.add_argument("--reviewers", type=int, default=4)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    folder = tempfile.TemporaryDirectory()
    os.environ["TRAINER_DATABASE_URL"] = args.url or f"sqlite:///{Path(folder.name) / 'b.db'}"
    from trainer.access import Actor
    from trainer.db.session import session_scope
    from trainer.services.assignment_rules import RuleSpec, define_rule
    from trainer.services.assignments import draw_due

    admin = Actor.local_admin()
    began = time.perf_counter()
    with session_scope() as session:
        seed(session, args.agents, args.n, args.reviewers)
        define_rule(
            session,
            admin,
            RuleSpec(
                name="bench weekly",
                reviewers=[f"Reviewer {i}" for i in range(args.reviewers)],
                agents=[f"Agent {i:03d}" for i in range(args.agents)],
                per_agent=args.per_agent,
                period="weekly",
                unreviewed=True,
                seed=7,
            ),
        )
    seeded = time.perf_counter() - began
    now = datetime(2026, 3, 4, 12, tzinfo=UTC)
    timings = []
    for _ in range(2):  # the first draws; the second finds the period drawn
        began = time.perf_counter()
        with session_scope() as session:
            summary = draw_due(session, admin, now)
        timings.append((time.perf_counter() - began, summary["assigned"]))
    print(
        json.dumps(
            {
                "agents": args.agents,
                "conversations": args.n,
                "reviewers": args.reviewers,
                "per_agent": args.per_agent,
                "database": os.environ["TRAINER_DATABASE_URL"].split(":", 1)[0],
                "seed_seconds": round(seeded, 2),
                "draw_seconds": round(timings[0][0], 3),
                "assignments_made": timings[0][1],
                "rerun_seconds": round(timings[1][0], 3),
                "rerun_assignments": timings[1][1],
            },
            indent=2,
        )
    )
    folder.cleanup()


if __name__ == "__main__":
    main()
