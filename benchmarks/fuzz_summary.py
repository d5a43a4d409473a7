"""Run the fuzz suite and print the figures issue 12 asks for: inputs tried, tracebacks, hangs,
partial stores, and the time taken; `--big` also times one 20,000-turn conversation (the turn
limit) read, redacted and stored in a fresh SQLite database.

    .venv/bin/python benchmarks/fuzz_summary.py [--examples N] [--big]

N hypothesis examples per fuzz test (default: the suite's own few hundred in all).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_suite(examples: int | None) -> None:
    """Run tests/fuzz in a subprocess and print its counting line and outcome."""
    env = dict(os.environ)
    if examples:
        env["TRAINER_FUZZ_EXAMPLES"] = str(examples)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/fuzz", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    counts = re.search(r"^fuzz: .*$", result.stdout, re.MULTILINE)
    outcome = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "no output"
    print(counts.group(0) if counts else "fuzz: no count printed")
    print(f"pytest: {outcome}  ({elapsed:.1f} s wall, exit {result.returncode})")


def big_conversation() -> None:
    """Time reading, redacting and storing one conversation at the 20,000-turn limit."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TRAINER_DATABASE_URL"] = f"sqlite:///{folder}/big.db"
        from trainer.access import Actor
        from trainer.ingest.limits import max_turns
        from trainer.services.ingestion import ingest_paths

        turns = [
            {"speaker": ("agent", "customer")[i % 2], "text": f"message {i} about the order"}
            for i in range(max_turns())
        ]
        path = Path(folder) / "big.json"
        path.write_text(json.dumps({"id": "big", "turns": turns}))
        started = time.perf_counter()
        summary = ingest_paths(Actor.local_admin(), [path])
        elapsed = time.perf_counter() - started
        print(
            f"{len(turns):,}-turn conversation: ingested {summary.ingested}, failed "
            f"{len(summary.failed)}, {elapsed:.1f} s (read + redact + store, SQLite)"
        )


def main() -> None:
    """Parse the options and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=None)
    parser.add_argument("--big", action="store_true")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    run_suite(args.examples)
    if args.big:
        big_conversation()


if __name__ == "__main__":
    main()
