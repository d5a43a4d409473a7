"""Fill a PostgreSQL database with a contact centre's worth of scored conversations, for the
load test (`benchmarks/load_test.sh`) and for reading query plans at scale.

Creates the database (dropping it first with --recreate), migrates it, then writes with COPY,
not the ORM: teams, agents, reviewers, leads, an admin and an integration account, each with
an API token; N conversations spread over the last 90 days with their turns, one automatic
evaluation each (every criterion of the default rubric as a row) and a submitted human review
for one in a hundred. The tokens go to a JSON file the locust file reads.

    .venv/bin/python benchmarks/seed_load_db.py \\
        postgresql+psycopg://postgres@127.0.0.1:5432/trainer_load \\
        --conversations 100000 --tokens /tmp/trainer-load-tokens.json --recreate
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TEAMS = 5
AGENTS_PER_TEAM = 10
REVIEWERS = 5
TURNS = 6
DAYS = 90
HUMAN_EVERY = 100
CHUNK = 20_000  # conversations per COPY round (bounded memory)
REASONS = ("billing", "delivery", "refund", "login", "cancel")
LINES = (
    ("customer", "Hi, my order {n} has not arrived and I am getting frustrated."),
    ("agent", "I'm sorry to hear that, {name}. I understand how frustrating that is."),
    ("customer", "It was due last Tuesday and nobody told me anything."),
    ("agent", "Let me check order {n} for you right now. It left the depot this morning."),
    ("customer", "OK, thanks. When will it get here?"),
    ("agent", "It will arrive tomorrow before noon. Is there anything else I can help with?"),
)


def _copy(connection, table: str, columns: list[str], rows: Iterator[str]) -> int:
    """COPY tab-separated lines into `table`; how many were written."""
    count = 0
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for line in rows:
                buffer.write(line)
                count += 1
                if count % 50_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
    return count


def _create_database(url: str, recreate: bool) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        )
        if exists and recreate:
            connection.execute(text(f'DROP DATABASE "{parsed.database}" WITH (FORCE)'))
            exists = None
        if exists:
            raise SystemExit(f"{parsed.database} exists; pass --recreate to replace it")
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def _people(connection, tokens_path: Path) -> dict:
    """Teams, users and their API tokens; the tokens file for locust."""
    from trainer.services.auth import TOKEN_PREFIX

    users: list[tuple[int, str, str, str]] = []  # id, name, email, role
    members: list[tuple[int, int]] = []
    agents_of: dict[int, list[int]] = {}
    next_id = 1

    def add(name: str, role: str) -> int:
        nonlocal next_id
        slug = name.lower().replace(" ", ".")
        users.append((next_id, name, f"{slug}@load.example.com", role))
        next_id += 1
        return next_id - 1

    admin = add("Load Admin", "admin")
    integration = add("Integration Bot", "admin")
    reviewers = [add(f"Reviewer {i + 1:02d}", "reviewer") for i in range(REVIEWERS)]
    leads = []
    for team in range(1, TEAMS + 1):
        lead = add(f"Lead {team:02d}", "lead")
        leads.append(lead)
        members.append((team, lead))
        agents_of[team] = []
        for i in range(AGENTS_PER_TEAM):
            agent = add(f"Agent {team:02d}-{i + 1:02d}", "agent")
            agents_of[team].append(agent)
            members.append((team, agent))
    _copy(
        connection,
        "teams",
        ["id", "name"],
        (f"{t}\tTeam {t:02d}\n" for t in range(1, TEAMS + 1)),
    )
    _copy(
        connection,
        "users",
        ["id", "name", "email", "role", "active"],
        (f"{u}\t{n}\t{e}\t{r}\tt\n" for u, n, e, r in users),
    )
    _copy(connection, "team_members", ["team_id", "user_id"], (f"{t}\t{u}\n" for t, u in members))
    issued: dict[int, str] = {}
    lines = []
    now = datetime.now(UTC).isoformat()
    for user_id, *_ in users:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        issued[user_id] = token
        digest = hashlib.sha256(token.encode()).hexdigest()
        lines.append(f"{user_id}\t{user_id}\tload\t{token[:12]}\t{digest}\t{now}\n")
    columns = ["id", "user_id", "name", "prefix", "token_hash", "created_at"]
    _copy(connection, "api_tokens", columns, iter(lines))
    names = {u: n for u, n, _, _ in users}

    def entries(ids: list[int]) -> list[dict]:
        return [{"name": names[i], "token": issued[i]} for i in ids]

    every_agent = [a for team in agents_of.values() for a in team]
    tokens_path.write_text(
        json.dumps(
            {
                "admins": entries([admin]),
                "integrations": entries([integration]),
                "reviewers": entries(reviewers),
                "leads": entries(leads),
                "agents": entries(every_agent),
            },
            indent=1,
        )
    )
    return {"agents": every_agent, "names": names, "reviewers": reviewers, "next_id": next_id}


def _rubric(url: str) -> tuple[int, list[tuple[str, str, str]]]:
    """Store the default rubric (through the ORM: one row) and list (section, criterion,
    detector) of its criteria."""
    from trainer.db.repository import store_rubric
    from trainer.db.session import session_scope
    from trainer.scoring.rubric import load_rubric

    rubric = load_rubric(REPO / "rubrics" / "customer_service.yaml")
    with session_scope(url) as session:
        record = store_rubric(session, rubric)
        rubric_id = record.id
    criteria = [
        (section.id, criterion.id, criterion.detector.name if criterion.detector else "")
        for section, criterion in rubric.criteria()
    ]
    return rubric_id, criteria


def _conversation_rows(
    rng: random.Random, first: int, last: int, people: dict, now: datetime
) -> tuple[list[str], list[str]]:
    """Tab-separated lines for the conversations with ids first..last-1 and their turns."""
    conversations, turns = [], []
    for cid in range(first, last):
        agent = rng.choice(people["agents"])
        started = now - timedelta(seconds=rng.uniform(0, DAYS * 86400))
        customer = rng.randrange(60_000)
        # One contact in five comes without a customer id (a call, a web chat): its name alone
        # ties it to the customer, as in a contact centre's real mix.
        ref = f"cust-{customer}" if rng.random() >= 0.2 else "\\N"
        conversations.append(
            f"{cid}\tload-{cid:07d}\tchat\t{agent}\t{people['names'][agent]}\t"
            f"Customer {customer}\tcustomer {customer}\t{started.isoformat()}\t"
            f"{rng.uniform(60, 900):.1f}\tjson\t{secrets.token_hex(32)}\tscored\t{{}}\t"
            f"{ref}\t{rng.choice(REASONS)}\n"
        )
        for position, (speaker, line) in enumerate(LINES):
            body = line.format(n=cid, name=f"Customer {customer}")
            turns.append(
                f"{cid * TURNS + position}\t{cid}\t{position}\t{speaker}\t{body}\t"
                f"{position * 20.0}\t{position * 20.0 + 15.0}\n"
            )
    return conversations, turns


def _evaluation_lines(
    rng: random.Random,
    cids: range,
    rubric_id: int,
    criteria: list[tuple[str, str, str]],
    reviewers: list[int],
    next_score_id: Callable[[], int],
) -> tuple[list[str], list[str]]:
    """An automatic evaluation per conversation (its id: the conversation's) and a submitted
    review (id + 10,000,000) for one in HUMAN_EVERY, each with one row per criterion."""
    section_ids = sorted({s for s, _, _ in criteria})
    evaluations, scores = [], []
    for cid in cids:
        kinds = [("auto", cid, None)]
        if cid % HUMAN_EVERY == 0:
            kinds.append(("human", cid + 10_000_000, rng.choice(reviewers)))
        for kind, eid, reviewer in kinds:
            values = {c: (1.0 if rng.random() < 0.8 else 0.0) for _, c, _ in criteria}
            by_section = {
                s: round(
                    100
                    * sum(values[c] for sec, c, _ in criteria if sec == s)
                    / max(1, sum(1 for sec, _, _ in criteria if sec == s)),
                    1,
                )
                for s in section_ids
            }
            score = round(sum(by_section.values()) / len(by_section), 1)
            status = "submitted" if kind == "human" else "completed"
            submitted = datetime.now(UTC).isoformat() if kind == "human" else "\\N"
            evaluations.append(
                f"{eid}\t{cid}\t{rubric_id}\t{kind}\t{status}\t{score}\t"
                f"{json.dumps(by_section)}\t{reviewer if reviewer else chr(92) + 'N'}\t"
                f"trainer-load\t{submitted}\n"
            )
            for section, criterion, detector in criteria:
                value = values[criterion]
                evidence = '[{"turn": 1, "start": 0, "end": 12}]' if value else "[]"
                scores.append(
                    f"{next_score_id()}\t{eid}\t{section}\t{criterion}\tscored\t{value}\t"
                    f"seeded for the load test\t{evidence}\t{detector or chr(92) + 'N'}\n"
                )
    return evaluations, scores


def seed(url: str, conversations: int, tokens_path: Path, recreate: bool) -> dict:
    """Create, migrate and fill the database; the counts written and the seconds taken."""
    from trainer.db.migrate import upgrade

    started = time.perf_counter()
    _create_database(url, recreate)
    engine = create_engine(url)
    upgrade(engine)
    rubric_id, criteria = _rubric(url)
    rng = random.Random(12)
    now = datetime.now(UTC)
    counts = {"conversations": 0, "turns": 0, "evaluations": 0, "criterion_scores": 0}
    score_id = iter(range(1, 10**9))
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        people = _people(connection, tokens_path)
        connection.commit()
        for first in range(1, conversations + 1, CHUNK):
            last = min(conversations + 1, first + CHUNK)
            convs, turns = _conversation_rows(rng, first, last, people, now)
            evaluations, scores = _evaluation_lines(
                rng, range(first, last), rubric_id, criteria, people["reviewers"],
                lambda: next(score_id),
            )  # fmt: skip
            counts["conversations"] += _copy(
                connection,
                "conversations",
                [
                    "id", "external_id", "channel", "agent_id", "agent_name", "customer_name",
                    "customer_key", "started_at", "duration_seconds", "source_format",
                    "content_hash", "status", "extra", "customer_ref", "contact_reason",
                ],
                iter(convs),
            )  # fmt: skip
            counts["turns"] += _copy(
                connection,
                "turns",
                ["id", "conversation_id", "position", "speaker", "text", "start", '"end"'],
                iter(turns),
            )
            counts["evaluations"] += _copy(
                connection,
                "evaluations",
                [
                    "id", "conversation_id", "rubric_id", "kind", "status", "score",
                    "sections", "reviewer_id", "pipeline", "submitted_at",
                ],
                iter(evaluations),
            )  # fmt: skip
            counts["criterion_scores"] += _copy(
                connection,
                "criterion_scores",
                [
                    "id", "evaluation_id", "section_id", "criterion_id", "status", "value",
                    "explanation", "evidence", "detector",
                ],
                iter(scores),
            )  # fmt: skip
            connection.commit()
            print(f"  {last - 1:,} conversations ({time.perf_counter() - started:.0f} s)")
        with connection.cursor() as cursor:
            # COPY wrote explicit ids: move each sequence past them for rows added later.
            for table in (
                "teams", "users", "api_tokens", "conversations", "turns", "evaluations",
                "criterion_scores",
            ):  # fmt: skip
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        connection.commit()
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        raw.close()
        engine.dispose()
    return counts | {"seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    """Parse arguments, seed, print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="postgresql+psycopg://user@host:port/NEW_DATABASE")
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--tokens", type=Path, default=Path("/tmp/trainer-load-tokens.json"))
    parser.add_argument("--recreate", action="store_true", help="drop the database first")
    args = parser.parse_args()
    if not make_url(args.url).get_backend_name().startswith("postgresql"):
        raise SystemExit("the load database is PostgreSQL (COPY); give a postgresql:// URL")
    result = seed(args.url, args.conversations, args.tokens, args.recreate)
    print(json.dumps(result), f"tokens: {args.tokens}")


if __name__ == "__main__":
    main()
