"""Four (or N) `trainer ingest` processes writing to one new SQLite database at once.

Prints, per process, its exit code, the summary line and the locked-database retries it
reported, then the rows stored and the wall time. Run:

    .venv/bin/python benchmarks/concurrent_ingest.py [--processes 4] [--chats 200]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TURNS = [
    ("agent", "Hi, thanks for contacting Bluebird Bank, this is Sam. How can I help?"),
    ("customer", "I was charged twice for my order and I'm really frustrated."),
    ("agent", "I'm sorry about that. I've refunded the duplicate charge for you."),
    ("customer", "Thank you so much!"),
]


def main() -> None:
    """Write the chats, start the processes together, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--chats", type=int, default=200, help="chats per process")
    args = parser.parse_args()
    trainer = str(Path(sys.executable).parent / "trainer")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for p in range(args.processes):
            folder = root / f"batch{p}"
            folder.mkdir()
            for i in range(args.chats):
                turns = [{"speaker": s, "text": f"{t} ({p}-{i})"} for s, t in TURNS]
                (folder / f"c{i}.json").write_text(json.dumps({"id": f"p{p}-{i}", "turns": turns}))
        env = {**os.environ, "TRAINER_DATABASE_URL": f"sqlite:///{root / 'shared.db'}"}
        started = time.perf_counter()
        procs = [
            subprocess.Popen(
                [trainer, "ingest", str(root / f"batch{p}")],
                env=env,
                cwd=root,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for p in range(args.processes)
        ]
        results = [(p, *p.communicate()) for p in procs]
        wall = time.perf_counter() - started
        for index, (proc, stdout, stderr) in enumerate(results):
            retried = re.search(r"(\d+) write\(s\) retried", stdout)
            summary = stdout.strip().splitlines()[0] if stdout.strip() else stderr.strip()[-200:]
            print(
                f"process {index}: exit {proc.returncode}; {summary}; "
                f"locked retries {retried.group(1) if retried else 0}"
            )
        with sqlite3.connect(root / "shared.db") as db:
            stored = db.execute("SELECT count(*) FROM conversations").fetchone()[0]
        print(f"stored {stored} of {args.processes * args.chats} chats in {wall:.1f} s wall")


if __name__ == "__main__":
    main()
