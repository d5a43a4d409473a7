"""The deployment smoke test, without containers: a fresh PostgreSQL database on the local
server, a dedicated Redis database, `trainer api` and N `trainer worker` processes, an admin
API token; then chats and calls posted through the REST API, a wait until everything is
scored, and checks in the database that every conversation has exactly one automatic
evaluation and every call was transcribed exactly once (counted from the workers' logs).
Prints timings and tears everything down (the database dropped, only its Redis db flushed).

    .venv/bin/python deploy/smoke.py [--chats 500] [--calls 5] [--workers 3]

Needs PostgreSQL (TRAINER_SMOKE_POSTGRES_URL, default postgres@127.0.0.1:5432), Redis
(TRAINER_SMOKE_REDIS_URL, default redis://127.0.0.1:6379/12: that db is flushed) and, for
calls, espeak-ng and the packaged faster-whisper tiny.en model.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import create_engine, text

TRAINER = str(Path(sys.executable).parent / "trainer")
POSTGRES = os.environ.get(
    "TRAINER_SMOKE_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("TRAINER_SMOKE_REDIS_URL", "redis://127.0.0.1:6379/12")
# A worker with Huey's own log lines, so each task it executes can be counted.
WORKER = (
    "import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stdout, "
    "format='%(asctime)s %(name)s %(message)s'); from trainer.cli import main; "
    "sys.argv = ['trainer', 'worker', '--workers', '1']; main()"
)
AGENTS = ["Sam Lee", "Priya Shah", "Aiko Tanaka", "Omar Haddad", "Lena Vogel"]
OPENINGS = [
    "Hi, thanks for contacting Bluebird Bank, this is {agent}. How can I help?",
    "Hello, you're through to {agent} at Bluebird. What can I do for you today?",
]
PROBLEMS = [
    "I was charged twice for my order and I'm really frustrated.",
    "My card was declined at the shop even though I have money.",
    "I never got the refund you promised last week.",
    "Can you change the address on my account?",
]
REPLIES = [
    "I'm sorry about that, I can see how frustrating this is. I've reversed the duplicate "
    "charge; you'll see it in 3-5 business days.",
    "Let me check that for you. I've fixed it now, and I'll email you a confirmation today.",
    "yeah that's not my department, call back later.",
]
CLOSINGS = ["Is there anything else I can help with? Have a great day!", "ok bye"]
CALL_LINES = [
    ("agent", "Thank you for calling Bluebird Bank, this is Sam. How can I help you today?"),
    ("customer", "Hi, I was charged twice for my order and I am annoyed."),
    ("agent", "I am sorry about that. I have refunded the duplicate charge for you."),
    ("customer", "Thank you."),
    ("agent", "Is there anything else I can help with? Have a great day."),
]
VOICES = {"agent": ["-v", "en-us+m3", "-s", "165"], "customer": ["-v", "en-us+f4", "-s", "160"]}


@dataclass
class Report:
    """Timings (seconds) and the checks' findings."""

    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    tasks_per_worker: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return not self.problems


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chat(index: int, rng: random.Random) -> dict:
    """A synthetic canonical-JSON chat with a customer email (one of 50 customers)."""
    agent = rng.choice(AGENTS)
    turns = [
        {"speaker": "agent", "text": rng.choice(OPENINGS).format(agent=agent.split()[0])},
        {"speaker": "customer", "text": rng.choice(PROBLEMS)},
        {"speaker": "agent", "text": rng.choice(REPLIES)},
        {"speaker": "customer", "text": "Thanks." if index % 3 else "That didn't help at all."},
        {"speaker": "agent", "text": rng.choice(CLOSINGS)},
    ]
    return {
        "id": f"smoke-chat-{index:05d}",
        "channel": "chat",
        "agent": agent,
        "customer": f"Customer {index % 50}",
        "customer_email": f"customer{index % 50}@example.com",
        "started_at": f"2026-11-{1 + index % 28:02d}T{9 + index % 8:02d}:00:00Z",
        "turns": turns,
    }


def _speak(line: str, voice: list[str], folder: Path, rate: int = 16_000) -> np.ndarray:
    out = folder / f"line-{uuid.uuid4().hex}.wav"
    subprocess.run(["espeak-ng", *voice, "-w", str(out), line], check=True)
    with wave.open(str(out)) as handle:
        source_rate = handle.getframerate()
        samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
    positions = np.arange(0, len(samples), source_rate / rate)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.int16)


def make_call(path: Path, index: int, rate: int = 16_000) -> Path:
    """A stereo WAV (agent left, customer right) of CALL_LINES, a little different per call."""
    left, right = [np.zeros(rate // 4, np.int16)], [np.zeros(rate // 4, np.int16)]
    for speaker, line in CALL_LINES:
        if speaker == "customer" and "charged" in line:
            line = line.replace("my order", f"order number {index + 1}")
        samples = _speak(line, VOICES[speaker], path.parent)
        silence = np.zeros(len(samples), np.int16)
        gap = np.zeros(rate // 2, np.int16)
        left += [samples if speaker == "agent" else silence, gap]
        right += [samples if speaker == "customer" else silence, gap]
    stereo = np.stack([np.concatenate(left), np.concatenate(right)], axis=1)
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(stereo.astype("<i2").tobytes())
    return path


class Stack:
    """The processes and the database of one smoke run; `close()` tears all of it down."""

    def __init__(self, workdir: Path, workers: int) -> None:
        self.workdir = workdir
        self.db_name = f"trainer_smoke_{uuid.uuid4().hex[:10]}"
        self.db_url = POSTGRES.rsplit("/", 1)[0] + f"/{self.db_name}"
        self.port = _free_port()
        self.workers = workers
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        self.env = {
            **os.environ,
            "TRAINER_DATABASE_URL": self.db_url,
            "TRAINER_QUEUE_URL": REDIS,
            "TRAINER_UPLOAD_DIR": str(workdir / "uploads"),
            "TRAINER_SECRET_KEY": uuid.uuid4().hex,
            "TRAINER_ASR_ENGINE": "faster-whisper",
            "TRAINER_ASR_MODEL": "tiny.en",
            "HF_HUB_OFFLINE": "1",
            "PYTHONUNBUFFERED": "1",
        }
        self._admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")

    def trainer(self, *args: str, stdin: str | None = None) -> str:
        """Run a `trainer` command against the stack; its standard output."""
        done = subprocess.run(
            [TRAINER, *args],
            env=self.env,
            cwd=self.workdir,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"trainer {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = self.workdir / f"{name}.log"
        handle = log.open("w")
        self.logs.append(log)
        self.processes.append(
            subprocess.Popen(
                argv,
                env=self.env,
                cwd=self.workdir,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def start(self) -> str:
        """Create the database, migrate it, make an admin and a token, start the API and the
        workers; return the token once the API answers."""
        import redis

        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.db_name}"'))
        redis.Redis.from_url(REDIS).flushdb()
        self.trainer("db", "upgrade")
        self.trainer(
            "users", "add", "Smoke Admin", "--email", "smoke@example.com", "--role", "admin"
        )
        token = self.trainer("users", "token", "Smoke Admin", "--name", "smoke").strip()
        self._spawn("api", [TRAINER, "api", "--port", str(self.port)])
        for number in range(self.workers):
            self._spawn(f"worker-{number + 1}", [sys.executable, "-c", WORKER])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                answer = httpx.get(f"{self.base}/api/v1/me", headers=_auth(token), timeout=5)
                if answer.status_code == 200:
                    return token
            except httpx.TransportError:
                pass
            if any(p.poll() is not None for p in self.processes):
                break
            time.sleep(0.3)
        raise RuntimeError(f"the API did not start: {self.logs[0].read_text()[-2000:]}")

    @property
    def base(self) -> str:
        """The API's address."""
        return f"http://127.0.0.1:{self.port}"

    def executed(self, task: str) -> list[int]:
        """How many times each worker executed `task` (Huey logs 'Executing <task>: <id>')."""
        # The task's name is qualified by its module: "trainer.jobs.queue.trainer.transcribe".
        pattern = re.compile(rf"Executing \S*{re.escape(task)}: ")
        return [
            len(pattern.findall(log.read_text(errors="replace")))
            for log in self.logs
            if log.name.startswith("worker")
        ]

    def close(self) -> None:
        """Stop the processes (SIGTERM, then SIGKILL), drop the database, flush the Redis db."""
        import redis

        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'))
        self._admin.dispose()
        redis.Redis.from_url(REDIS).flushdb()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _post_chats(base: str, token: str, chats: list[dict], threads: int) -> list[str]:
    """POST every chat, `threads` at a time. A dropped connection (the server closing an idle
    keep-alive connection as the client reuses it) is retried once: ingestion is idempotent,
    so a chat that was stored after all answers 200 "unchanged"."""
    errors: list[str] = []
    with httpx.Client(base_url=base, headers=_auth(token), timeout=300) as client:

        def post(body: dict) -> None:
            for attempt in (1, 2):
                try:
                    answer = client.post("/api/v1/conversations", json=body)
                    break
                except httpx.TransportError as exc:
                    if attempt == 2:
                        errors.append(f"{body['id']}: {type(exc).__name__}: {exc}")
                        return
            if answer.status_code not in (200, 201) or (answer.status_code == 200 and attempt == 1):
                errors.append(f"{body['id']}: {answer.status_code} {answer.text[:200]}")

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(post, chats))
    return errors


def _post_calls(base: str, token: str, files: list[Path]) -> list[str]:
    errors = []
    with httpx.Client(base_url=base, headers=_auth(token), timeout=60) as client:
        for index, path in enumerate(files):
            params = {
                "id": f"smoke-call-{index:02d}",
                "agent": "Sam Lee",
                "customer_email": f"caller{index}@example.com",
                "agent_channel": "left",
            }
            answer = client.post("/api/v1/calls", content=path.read_bytes(), params=params)
            if answer.status_code != 202:
                errors.append(f"{path.name}: {answer.status_code} {answer.text[:200]}")
    return errors


def _wait_until_done(db_url: str, expected: int, timeout: float) -> dict[str, int]:
    engine = create_engine(db_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT status, count(*) FROM conversations GROUP BY status")
                ).all()
            statuses = {status: count for status, count in rows}
            pending = sum(statuses.get(s, 0) for s in ("queued", "processing", "ingested"))
            if sum(statuses.values()) >= expected and not pending:
                return statuses
            if time.monotonic() > deadline:
                return statuses
            time.sleep(1)
    finally:
        engine.dispose()


def _check(db_url: str, chats: int, calls: int, report: Report) -> None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            per = connection.execute(
                text(
                    "SELECT c.external_id, c.channel, c.status, "
                    "(SELECT count(*) FROM evaluations e WHERE e.conversation_id = c.id "
                    " AND e.kind = 'auto'), "
                    "(SELECT count(*) FROM turns t WHERE t.conversation_id = c.id) "
                    "FROM conversations c"
                )
            ).all()
    finally:
        engine.dispose()
    by_channel = {"chat": 0, "call": 0}
    for external_id, channel, status, evaluations, turns in per:
        by_channel[channel] = by_channel.get(channel, 0) + 1
        if evaluations != 1:
            report.problems.append(f"{external_id}: {evaluations} automatic evaluations")
        if status != "scored":
            report.problems.append(f"{external_id}: status {status}")
        if turns == 0:
            report.problems.append(f"{external_id}: no turns")
    report.counts.update({"chats stored": by_channel["chat"], "calls stored": by_channel["call"]})
    if by_channel["chat"] != chats or by_channel["call"] != calls:
        report.problems.append(f"stored {by_channel}, expected {chats} chats and {calls} calls")


def run(chats: int = 500, calls: int = 5, workers: int = 3, threads: int = 8) -> Report:
    """Bring the stack up, post, wait, check, tear down; the report says what was measured."""
    report = Report()
    workdir = Path(tempfile.mkdtemp(prefix="trainer-smoke-"))
    started = time.perf_counter()
    stack = Stack(workdir, workers)
    try:
        call_files = [make_call(workdir / f"call-{i}.wav", i) for i in range(calls)]
        report.timings["synthesise calls"] = time.perf_counter() - started
        mark = time.perf_counter()
        token = stack.start()
        report.timings["start stack"] = time.perf_counter() - mark
        rng = random.Random(12)
        bodies = [chat(i, rng) for i in range(chats)]
        mark = time.perf_counter()
        report.problems += _post_calls(stack.base, token, call_files)
        report.timings["post calls"] = time.perf_counter() - mark
        # The first chat alone: the API process loads its NLP and redaction models on first
        # use (a deployment's first request pays it too); the rest then go in concurrently.
        mark = time.perf_counter()
        report.problems += _post_chats(stack.base, token, bodies[:1], 1)
        report.timings["first chat (cold)"] = time.perf_counter() - mark
        mark = time.perf_counter()
        report.problems += _post_chats(stack.base, token, bodies[1:], threads)
        report.timings["post + score chats"] = time.perf_counter() - mark
        # Wait for what was accepted (a refused post is a problem already, not worth waiting on).
        accepted = chats + calls - len(report.problems)
        statuses = _wait_until_done(stack.db_url, accepted, timeout=120 + 60 * calls)
        report.timings["all scored"] = time.perf_counter() - mark
        report.counts.update({f"status {k}": v for k, v in statuses.items()})
        _check(stack.db_url, chats, calls, report)
        if calls:  # erasure on the live stack: the first caller's call, audio files included
            mark = time.perf_counter()
            erased = stack.trainer("erase", "--customer", "caller0@example.com", "--yes")
            report.timings["erase one customer"] = time.perf_counter() - mark
            if "delete 1 conversation(s), remove 2 audio file(s)" not in erased:
                report.problems.append(f"erase: {erased.strip()}")
        report.tasks_per_worker = stack.executed("trainer.transcribe")
        if sum(report.tasks_per_worker) != calls:
            report.problems.append(
                f"{sum(report.tasks_per_worker)} transcriptions for {calls} calls"
            )
    except Exception as exc:  # noqa: BLE001 - the report says what broke, teardown still runs
        report.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        mark = time.perf_counter()
        stack.close()
        if report.problems:
            kept = Path(tempfile.mkdtemp(prefix="trainer-smoke-logs-"))
            for log in stack.logs:
                shutil.copy(log, kept / log.name)
            report.problems.append(f"the processes' logs are kept in {kept}")
        report.timings["tear down"] = time.perf_counter() - mark
        shutil.rmtree(workdir, ignore_errors=True)
    report.timings["total"] = time.perf_counter() - started
    return report


def main() -> int:
    """Run the smoke test and print its figures; exit 1 when a check failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=500)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8, help="Concurrent chat posts.")
    args = parser.parse_args()
    report = run(args.chats, args.calls, args.workers, args.threads)
    for name, seconds in report.timings.items():
        print(f"{name:22} {seconds:8.1f} s")
    if "post + score chats" in report.timings and args.chats:
        rate = (args.chats - 1) / report.timings["post + score chats"]
        print(f"{'chats per second':22} {rate:8.1f}")
    for name, count in report.counts.items():
        print(f"{name:22} {count:8d}")
    print(f"{'transcriptions/worker':22} {report.tasks_per_worker}")
    if report.ok:
        print(
            f"OK: {args.chats} chats and {args.calls} calls, each scored exactly once; "
            f"each call transcribed once"
        )
        return 0
    print(f"FAILED ({len(report.problems)} problem(s)):")
    for problem in report.problems[:40]:
        print(f"  {problem}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
