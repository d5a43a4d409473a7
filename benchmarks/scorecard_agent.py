"""Benchmark: an agent's own scorecard and a criterion drill-down, in-process, on the load-test
database (benchmarks/seed_load_db.py: 100,000 conversations on PostgreSQL). Times, as the first
seeded agent, `scorecard_report` (what GET /api/v1/scorecards?agent=NAME returns, the last 30
days with the FCR column) and `criterion_drilldown` (GET /api/v1/scorecards/agents/NAME/
criteria/CRITERION), each call in its own session. `--viewer` opens the same agent's
scorecard as someone else (a lead of their team, an admin: narrowed to the agent in SQL, not
after loading everyone's range). Prints JSON (median and worst of --repeat).

    .venv/bin/python benchmarks/scorecard_agent.py [URL] [--repeat 5] [--criterion apologises]
        [--viewer agents|leads|admins] [--tokens /tmp/trainer-load-tokens.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/trainer_load"


def _timed(call, repeat: int) -> dict:
    """Median and worst seconds of `repeat` calls, after one warm-up call."""
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}


def main() -> None:
    """Parse the arguments, time both calls, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--criterion", default="apologises")
    parser.add_argument("--tokens", default="/tmp/trainer-load-tokens.json")
    parser.add_argument("--viewer", choices=("agents", "leads", "admins"), default="agents")
    args = parser.parse_args()

    from sqlalchemy import select

    from trainer.access import Actor
    from trainer.db.models import User
    from trainer.db.session import session_scope
    from trainer.services.scorecards import (
        criterion_drilldown,
        make_report_filter,
        scorecard_report,
    )

    with open(args.tokens, encoding="utf-8") as handle:
        tokens = json.load(handle)
    name, viewer = tokens["agents"][0]["name"], tokens[args.viewer][0]["name"]
    with session_scope(args.url) as session:
        user = session.scalar(select(User).where(User.name == viewer))
        actor = Actor(id=user.id, name=user.name, role=user.role, team_ids=frozenset(user.team_ids))

    def report() -> dict:
        with session_scope(args.url) as session:
            return scorecard_report(session, actor, make_report_filter(agent=name))

    def drilldown() -> dict:
        with session_scope(args.url) as session:
            return criterion_drilldown(session, actor, name, args.criterion, make_report_filter())

    card = report()
    print(
        json.dumps(
            {
                "agent": name,
                "viewer": viewer,
                "conversations": card["overall"]["conversations"],
                "own_scorecard": _timed(report, args.repeat),
                "criterion_drilldown": _timed(drilldown, args.repeat),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
