"""Benchmark: a team scorecard over AGENTS agents and N evaluations. Seeds one team of AGENTS
agents and its lead, N chats in the last 30 days spread over the agents (bulk inserts into a
temporary SQLite file, or --url), each with an automatic evaluation of the shipped rubric
(sections and every criterion score); REVIEWED of them also get a submitted human review. Then
times, as the team's lead, the service call (`scorecard_report`, default last 30 days) and the
page's server side (`ScorecardState.on_load`: the service plus the view models). Target: under
1.5 s each. Prints JSON.

    .venv/bin/python benchmarks/scorecard.py [--agents 50] [--n 10000] [--reviewed 0.1]
        [--repeat 3] [--url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PASSWORD = "bench-pass-1234"


def seed(session, agents: int, n: int, reviewed: float) -> None:
    """The team, its lead, the agents, and `n` scored chats with criterion scores, in bulk."""
    from sqlalchemy import insert, select

    from trainer.db.models import (
        ConversationRecord,
        CriterionScore,
        Evaluation,
        Team,
        User,
        team_members,
    )
    from trainer.db.repository import store_rubric
    from trainer.scoring.formula import compute
    from trainer.scoring.rubric import find_rubric

    rubric = find_rubric("customer_service")
    rubric_row = store_rubric(session, rubric)
    team = Team(name="Bench")
    session.add(team)
    session.flush()
    session.execute(
        insert(User),
        [
            {"name": f"Agent {i:03d}", "email": f"agent{i}@example.com", "role": "agent"}
            for i in range(agents)
        ],
    )
    ids = list(session.scalars(select(User.id).where(User.role == "agent").order_by(User.id)))
    session.execute(insert(team_members), [{"team_id": team.id, "user_id": i} for i in ids])
    now = datetime.now(UTC)
    rng = random.Random(7)
    chat_criteria = [(s, c) for s, c in rubric.criteria() if not c.channels or "chat" in c.channels]
    conversations, evaluations, scores = [], [], []
    eid = 0
    for i in range(n):
        conversations.append(
            {
                "id": i + 1,
                "external_id": f"bench-{i}",
                "channel": "chat",
                "agent_id": ids[i % agents],
                "agent_name": f"Agent {i % agents:03d}",
                "started_at": now - timedelta(minutes=int(29 * 24 * 60 * rng.random()) + 5),
                "content_hash": f"{i:064d}",
                "status": "scored",
                "extra": {},
            }
        )
        skill = 0.4 + 0.5 * ((i % agents) / agents)  # agents differ in skill
        kinds = ["auto"] + (["human"] if rng.random() < reviewed else [])
        for kind in kinds:
            eid += 1
            values = {c.id: float(rng.random() < skill) for _, c in chat_criteria}
            result = compute(rubric, values)
            evaluations.append(
                {
                    "id": eid,
                    "conversation_id": i + 1,
                    "rubric_id": rubric_row.id,
                    "kind": kind,
                    "status": "submitted" if kind == "human" else "completed",
                    "score": result.score,
                    "sections": dict(result.sections),
                    "submitted_at": now if kind == "human" else None,
                    "pipeline": kind,
                }
            )
            for section, criterion in chat_criteria:
                scores.append(
                    {
                        "evaluation_id": eid,
                        "section_id": section.id,
                        "criterion_id": criterion.id,
                        "status": "scored",
                        "value": values[criterion.id],
                        "explanation": "bench",
                        "evidence": [],
                    }
                )
    for table, rows in (
        (ConversationRecord, conversations),
        (Evaluation, evaluations),
        (CriterionScore, scores),
    ):
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(table), rows[chunk : chunk + 5000])


def _page_state(token: str):
    """The scorecard page's state as a signed-in browser would have it."""
    import reflex as rx
    from reflex.istate.data import RouterData

    import trainer.trainer  # noqa: F401 - registers the pages
    from trainer.api.identity import SESSION_COOKIE
    from trainer.web.scorecards.state import ScorecardState

    root = rx.State(_reflex_internal_init=True)  # what the framework does per client
    root.router = RouterData.from_router_data(
        {
            "pathname": "/scorecard",
            "asPath": "/scorecard",
            "query": {},
            "headers": {"origin": "http://b", "cookie": f"{SESSION_COOKIE}={token}"},
        }
    )
    return root.get_substate(ScorecardState.get_full_name().split("."))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--reviewed", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    folder = tempfile.TemporaryDirectory()
    os.environ["TRAINER_DATABASE_URL"] = args.url or f"sqlite:///{Path(folder.name) / 'b.db'}"
    from trainer.access import Actor
    from trainer.db.session import session_scope
    from trainer.services.accounts import add_user
    from trainer.services.auth import login
    from trainer.services.scorecards import EXTRA_COLUMNS, make_report_filter, scorecard_report

    began = time.perf_counter()
    with session_scope() as session:
        seed(session, args.agents, args.n, args.reviewed)
        add_user(
            session,
            Actor.local_admin(),
            "Lee Lead",
            "lead@example.com",
            "lead",
            ["Bench"],
            PASSWORD,
        )
    with session_scope() as session:
        token = login(session, "lead@example.com", PASSWORD).token
    seeded = time.perf_counter() - began

    service, page = [], []
    rows = 0
    for _ in range(args.repeat):
        began = time.perf_counter()
        with session_scope() as session:
            from trainer.services.accounts import require_user

            lead = Actor.of(require_user(session, "Lee Lead"))
            report = scorecard_report(session, lead, make_report_filter())
        service.append(time.perf_counter() - began)
        rows = sum(r["conversations"] for r in report["agents"])
        state = _page_state(token)
        began = time.perf_counter()
        state.on_load()
        page.append(time.perf_counter() - began)
        assert state.error == "", state.error
        assert len(state.agent_rows) == args.agents
    print(
        json.dumps(
            {
                "agents": args.agents,
                "conversations": args.n,
                "evaluations_counted": rows,
                "reviewed_share": args.reviewed,
                "database": os.environ["TRAINER_DATABASE_URL"].split(":", 1)[0],
                "extra_columns": sorted(EXTRA_COLUMNS),
                "seed_seconds": round(seeded, 2),
                "service_seconds": [round(t, 3) for t in service],
                "page_load_seconds": [round(t, 3) for t in page],
                "target_seconds": 1.5,
                "within_target": max(service + page) < 1.5,
            },
            indent=2,
        )
    )
    folder.cleanup()


if __name__ == "__main__":
    main()
