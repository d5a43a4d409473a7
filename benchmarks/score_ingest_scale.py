"""Benchmark: `trainer ingest` and `trainer score --all` end to end on N generated chats, on
SQLite and (with --url) PostgreSQL, with 1 and more worker processes; prints chats per second.

    .venv/bin/python benchmarks/score_ingest_scale.py [--n 3000] [--workers 1,2]
        [--url postgresql+psycopg://postgres@localhost:5432/postgres] [--no-sqlite]

The chats come from benchmarks/score_throughput.py's generator, written as one JSON file each
into a temporary folder, with their agents as accounts (so promise tracking runs as in
production). Each figure runs the real command in a fresh process (`trainer ingest FOLDER
--workers W`, then `trainer score --all --workers W` twice: first scoring, then re-scoring),
so start-up, imports and model loading count. With --url a temporary database is created on
that server and dropped afterwards. Besides wall-clock chats/s it prints the CPU seconds the
command and its workers used and the load average: on a shared machine, wall time mostly says
how busy the machine was; chats per CPU-second says what the code costs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from score_throughput import generate  # noqa: E402

AGENTS = ("Sam Lee", "Priya Shah", "Leo Fischer")
TRAINER = Path(sys.executable).with_name("trainer")


def write_chats(folder: Path, n: int, seed: int) -> None:
    """N chat files (Trainer JSON), one conversation each, started a few minutes apart."""
    rng = random.Random(seed)
    for i in range(n):
        chat = generate(rng, i)
        doc = {
            "id": chat.external_id,
            "agent": chat.agent,
            "customer": chat.customer,
            "started_at": f"2026-03-{1 + i * 28 // n:02d}T{8 + i % 10:02d}:{i % 60:02d}:00Z",
            "turns": [{"speaker": t.speaker, "text": t.text} for t in chat.turns],
        }
        (folder / f"{chat.external_id}.json").write_text(json.dumps(doc), encoding="utf-8")


def add_agents(url: str) -> None:
    """The generated agents as accounts, so conversations link to them."""
    from trainer.db.models import User
    from trainer.db.session import reset_cache, session_scope

    with session_scope(url) as session:
        for name in AGENTS:
            session.add(User(name=name, email=f"{name.split()[0].lower()}@example.com"))
    reset_cache()


def run(args: list[str], url: str) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (the command and its workers) and the last output line."""
    env = {**os.environ, "TRAINER_DATABASE_URL": url, "TRAINER_LOG_LEVEL": "WARNING"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [str(TRAINER), *args], env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = (done.stdout + done.stderr).strip().splitlines()
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n" + "\n".join(lines[-20:]))
    return wall, cpu, lines[-1] if lines else ""


def counts(url: str) -> dict[str, int]:
    """Rows stored, to check every chat was stored and scored exactly once."""
    from sqlalchemy import func, select

    from trainer.db.models import ConversationRecord, Evaluation
    from trainer.db.session import reset_cache, session_scope

    with session_scope(url) as session:
        found = {
            "conversations": session.scalar(select(func.count(ConversationRecord.id))),
            "auto_evaluations": session.scalar(
                select(func.count(Evaluation.id)).where(Evaluation.kind == "auto")
            ),
            "scored_conversations": session.scalar(
                select(func.count(func.distinct(Evaluation.conversation_id)))
            ),
        }
    reset_cache()
    return found


def postgres_database(admin_url: str) -> tuple[str, object]:
    """A new empty database on the server (and a callable that drops it)."""
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"trainer_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + f"/{name}", drop


def measure(backend: str, url: str, folder: Path, n: int, workers: int) -> dict:
    """Ingest, score and re-score on an empty database; the figures of one configuration."""
    add_agents(url)
    figures: dict = {"backend": backend, "workers": workers, "n": n}
    for step, args in (
        ("ingest", ["ingest", str(folder), "--workers", str(workers)]),
        ("score", ["score", "--all", "--workers", str(workers)]),
        ("rescore", ["score", "--all", "--workers", str(workers)]),
    ):
        wall, cpu, said = run(args, url)
        figures[step] = {
            "chats_per_s": round(n / wall, 1),
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2),
            "chats_per_cpu_s": round(n / cpu, 1) if cpu else None,
            "said": said,
        }
        print(f"  {backend} workers={workers} {step}: {figures[step]}", flush=True)
    figures["rows"] = counts(url)
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return figures


def main() -> None:
    """Run every configuration asked for and print a table, then one JSON line per run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--url", help="PostgreSQL server URL (admin database) to test too")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    results = []
    with tempfile.TemporaryDirectory(prefix="trainer-scale-") as tmp:
        folder = Path(tmp) / "chats"
        folder.mkdir()
        write_chats(folder, args.n, args.seed)
        for workers in worker_counts:
            if not args.no_sqlite:
                url = f"sqlite:///{Path(tmp) / f'bench-{workers}.db'}"
                results.append(measure("sqlite", url, folder, args.n, workers))
            if args.url:
                url, drop = postgres_database(args.url)
                try:
                    results.append(measure("postgresql", url, folder, args.n, workers))
                finally:
                    drop()
    print(f"{args.n} chats, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'backend':<11}{'workers':>8}  {'step':<8}{'chats/s':>9}{'wall s':>9}"
          f"{'CPU s':>9}{'chats/CPU-s':>13}")  # fmt: skip
    for figures in results:
        for step in ("ingest", "score", "rescore"):
            f = figures[step]
            print(
                f"{figures['backend']:<11}{figures['workers']:>8}  {step:<8}"
                f"{f['chats_per_s']:>9}{f['wall_s']:>9}{f['cpu_s']:>9}{f['chats_per_cpu_s']:>13}"
            )
    for figures in results:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
