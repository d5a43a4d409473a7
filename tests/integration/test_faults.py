"""Faults survived: workers killed mid-job, writers sharing one SQLite file, the database or
Redis out of reach at start or lost mid-run. Against SQLite and PostgreSQL (`db_url`) and Redis.

The worker killed here is a real `trainer worker` process (tests/fault_worker.py: the ASR is a
fake that can be slowed, so the kill lands inside the step the test means).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from huey.api import PeriodicTask
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.db.models import AuditEvent, ConversationRecord, Evaluation, TurnRecord
from trainer.db.repository import find_conversation, store_conversation
from trainer.db.session import get_sessionmaker, session_scope
from trainer.jobs import queue as jobs
from trainer.jobs.leases import Lease
from trainer.jobs.recovery import open_score_jobs, recover_stale
from trainer.services import calls
from trainer.services.ingestion import ingest_paths

from ..call_seed import CALL_TURNS, write_wav
from ..conftest import GOOD_CHAT, POOR_CHAT, REPO, make_conversation
from ..fault_worker import install

runner = CliRunner()
CLOSED_DB = "postgresql://bob:s3cret@127.0.0.1:1/trainer"
CLOSED_REDIS = "redis://:s3cret@127.0.0.1:1/0"


@pytest.fixture
def fake_speech(monkeypatch, tmp_path):
    """The fake ASR and slowable scorer in this process too; var/ (playback copies) in tmp."""
    from trainer.services import scoring
    from trainer.speech import pipeline

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pipeline, "process_call", pipeline.process_call)
    monkeypatch.setattr(scoring, "score_conversation", scoring.score_conversation)
    install()


def start_worker(tmp_path: Path, queue_url: str, **env: str) -> subprocess.Popen:
    """A `trainer worker` subprocess on the test's database and queue."""
    environ = {
        **os.environ,
        "TRAINER_QUEUE_URL": queue_url,
        "PYTHONPATH": str(REPO),
        "FAULT_MARKER": str(tmp_path / "inside"),
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fault_worker", "--workers", "1"],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def kill_when_inside(worker: subprocess.Popen, marker: Path, timeout: float = 120) -> None:
    """SIGKILL the worker once it is inside the slowed step."""
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.fail(f"the worker never reached the slow step:\n{worker.communicate()[0]}")
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)  # reaped: its pid is dead, as after a machine restart


def drain(queue) -> list:
    """Run everything queued, as a restarted consumer would; the results of the jobs (the
    consumer's own periodic tasks may be queued too: they run, their results are left out)."""
    results = []
    while (task := queue.huey.dequeue()) is not None:
        value = queue.huey.execute(task)
        if not isinstance(task, PeriodicTask):
            results.append(value)
    return results


def due_retries(queue) -> list:
    """Take the retries off the schedule, however long their back-off (the consumer's
    scheduler would hand them over when due)."""
    return queue.huey.read_schedule(datetime(9999, 1, 1))


def counts() -> dict:
    with session_scope() as session:
        return {
            table.__name__: session.scalar(select(func.count()).select_from(table))
            for table in (ConversationRecord, TurnRecord, Evaluation)
        }


def status(external_id: str) -> tuple[str, str | None]:
    with session_scope() as session:
        record = find_conversation(session, external_id)
        return record.status, record.status_reason


def register(tmp_path: Path, name: str = "stuck") -> str:
    wav = write_wav(tmp_path / "calls" / f"{name}.wav", seconds=2)
    summary = ingest_paths(Actor.local_admin(), [wav])
    assert summary.calls == [name]
    return name


# --- a worker killed mid-job -------------------------------------------------------------


def test_faults_worker_killed_mid_transcription_finishes_once(db_url, tmp_path, fake_speech):
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    cid = register(tmp_path)
    jobs.build_queue(queue_url).transcribe(cid, "fake", None)
    worker = start_worker(tmp_path, queue_url, FAULT_ASR_SLEEP="60")
    kill_when_inside(worker, tmp_path / "inside")

    state, reason = status(cid)
    assert state == "processing" and f"pid {worker.pid} (lease" in reason
    assert counts() == {"ConversationRecord": 1, "TurnRecord": 0, "Evaluation": 0}

    restarted = jobs.build_queue(queue_url)  # what `trainer worker` does when it starts
    assert recover_stale(restarted) == {"calls": [cid], "jobs": []}
    assert status(cid)[0] == "queued"
    assert recover_stale(restarted) == {"calls": [], "jobs": []}  # queued once
    assert drain(restarted) == ["scored"], status(cid)
    assert status(cid) == ("scored", None)
    assert counts() == {"ConversationRecord": 1, "TurnRecord": len(CALL_TURNS), "Evaluation": 1}
    restarted.transcribe(cid, "fake", None)  # a duplicate job changes nothing
    assert drain(restarted) == ["scored"]
    assert counts() == {"ConversationRecord": 1, "TurnRecord": len(CALL_TURNS), "Evaluation": 1}


def test_faults_worker_killed_mid_scoring_job_is_requeued_once(db_url, redis_url, tmp_path):
    with session_scope() as session:
        store_conversation(session, make_conversation(GOOD_CHAT, external_id="g"))
        store_conversation(session, make_conversation(POOR_CHAT, external_id="p"))
    jobs.build_queue(redis_url).score(["g", "p"])
    worker = start_worker(tmp_path, redis_url, FAULT_SCORE_SLEEP="60")
    kill_when_inside(worker, tmp_path / "inside")

    assert counts()["Evaluation"] == 0  # the job's transaction never committed
    with session_scope() as session:
        (started,) = open_score_jobs(session)
        assert started.after["worker"].endswith(f":{worker.pid}")
    restarted = jobs.build_queue(redis_url)
    assert recover_stale(restarted)["jobs"] == [started.object_id]
    assert recover_stale(restarted)["jobs"] == []
    assert drain(restarted) == [{"scored": 2, "failed": []}]
    assert counts()["Evaluation"] == 2
    with session_scope() as session:
        assert open_score_jobs(session) == []
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "job"))
        assert sorted(actions) == ["job.finished", "job.requeued", "job.started", "job.started"]


def test_faults_worker_start_requeues_a_dead_workers_call(sqlite_url, tmp_path, fake_speech):
    """The real start-up path: `trainer worker` finds the stuck call and finishes it."""
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    cid = register(tmp_path)
    with session_scope() as session:
        record = find_conversation(session, cid)
        record.status = "processing"
        # Above Linux's largest pid: a worker of this host that is surely gone.
        record.status_reason = Lease(Lease.mine().host, 2**22 + 1, "0123456789ab").reason()
    worker = start_worker(tmp_path, queue_url)
    try:
        deadline = time.monotonic() + 120
        while status(cid)[0] != "scored" and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        try:
            output = worker.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            worker.kill()
            output = worker.communicate()[0]
    assert status(cid)[0] == "scored", output
    assert "queued again after a worker stopped: 1 call(s) stuck" in output
    assert counts()["Evaluation"] == 1


def test_faults_reingest_and_replace_free_a_stuck_call(db_url, tmp_path, fake_speech):
    cid = register(tmp_path)
    wav = tmp_path / "calls" / f"{cid}.wav"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = Lease(Lease.mine().host, holder.pid, "feedfacecafe")
        with session_scope() as session:
            record = find_conversation(session, cid)
            record.status, record.status_reason = "processing", live.reason()
        # A live worker holds it: re-ingesting leaves it alone.
        result = runner.invoke(app, ["ingest", str(wav)])
        assert result.exit_code == 0 and "unchanged 1" in result.stdout, result.output
        assert status(cid)[0] == "processing"
        # --replace takes it over; the old holder may no longer write.
        result = runner.invoke(app, ["ingest", str(wav), "--replace"])
        assert result.exit_code == 0, result.output
        assert status(cid)[0] == "scored"
        with pytest.raises(calls.LeaseLost):
            calls._set_progress(None, cid, live, 0.5, "left channel")
    finally:
        holder.kill()
        holder.wait()
    # The holder died mid-job: a plain re-ingest now frees the call.
    with session_scope() as session:
        record = find_conversation(session, cid)
        record.status, record.status_reason = "processing", live.reason()
    result = runner.invoke(app, ["ingest", str(wav)])
    assert result.exit_code == 0 and "ingested 1" in result.stdout, result.output
    assert status(cid)[0] == "scored"
    assert counts() == {"ConversationRecord": 1, "TurnRecord": len(CALL_TURNS), "Evaluation": 1}


# --- four writers on one SQLite file --------------------------------------------------------


def test_faults_four_ingest_processes_share_one_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"  # new: the four also race to create the schema
    for worker in range(4):
        folder = tmp_path / f"batch{worker}"
        folder.mkdir()
        for i in range(25):
            turns = [{"speaker": s, "text": f"{t} ({worker}-{i})"} for s, t in GOOD_CHAT]
            chat = {"id": f"w{worker}-{i}", "turns": turns}
            (folder / f"chat{i}.json").write_text(json.dumps(chat))
    env = {**os.environ, "TRAINER_DATABASE_URL": url}
    trainer = str(Path(sys.executable).parent / "trainer")
    procs = [
        subprocess.Popen(
            [trainer, "ingest", str(tmp_path / f"batch{w}")],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(4)
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (stdout, stderr) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, stderr
        assert "ingested 25, replaced 0, unchanged 0, skipped 0, failed 0" in stdout, stdout
        assert "Traceback" not in stderr
    with session_scope(url) as session:
        assert session.scalar(select(func.count()).select_from(ConversationRecord)) == 100


def test_faults_locked_writes_are_retried_and_reported(sqlite_url, tmp_path, monkeypatch):
    from trainer.services import ingestion

    (tmp_path / "chat.json").write_text(
        json.dumps({"id": "c1", "turns": [{"speaker": s, "text": t} for s, t in GOOD_CHAT]})
    )
    real, refusals = ingestion.store_conversation, [2]

    def locked_twice(session, conversation, **kwargs):
        stored = real(session, conversation, **kwargs)  # written, then refused: rolled back
        if refusals[0]:
            refusals[0] -= 1
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return stored

    monkeypatch.setattr(ingestion, "store_conversation", locked_twice)
    result = runner.invoke(app, ["ingest", str(tmp_path / "chat.json")])
    assert result.exit_code == 0, result.output
    assert "ingested 1" in result.stdout
    assert "the database was busy: 2 write(s) retried, all stored" in result.stdout
    assert counts()["ConversationRecord"] == 1


# --- out of reach at start ------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["worker"], ["ingest", "."], ["score", "--all"]], ids=lambda c: c[0]
)
def test_faults_database_unreachable_at_start(command, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRAINER_DATABASE_URL", CLOSED_DB)
    monkeypatch.setattr(jobs, "_default", None)
    result = runner.invoke(app, command)
    assert result.exit_code == 2
    assert "[E400] postgresql://bob:***@127.0.0.1:1/trainer: cannot open the database" in (
        result.output
    )
    assert "s3cret" not in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    "command", [["worker"], ["score", "--all", "--background"]], ids=lambda c: c[-1]
)
def test_faults_redis_unreachable_at_start(command, sqlite_url, monkeypatch):
    monkeypatch.setenv("TRAINER_QUEUE_URL", CLOSED_REDIS)
    monkeypatch.setattr(jobs, "_default", None)
    result = runner.invoke(app, command)
    assert result.exit_code == 2, result.output
    assert "[E420] redis://:***@127.0.0.1:1/0: cannot reach the job queue" in result.output
    assert "s3cret" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_faults_unreachable_database_prints_no_traceback(tmp_path):
    env = {**os.environ, "TRAINER_DATABASE_URL": CLOSED_DB}
    trainer = str(Path(sys.executable).parent / "trainer")
    done = subprocess.run(
        [trainer, "score", "--all"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "bob:***@127.0.0.1:1" in lines[0], done.stderr


# --- lost mid-run ---------------------------------------------------------------------------


def fail_on(url: str, statement: str, nth: int = 1):
    """Make the `nth` and later executions of SQL starting with `statement` fail as a lost
    connection would; returns a function that lifts the failure."""
    engine = get_sessionmaker(url).kw["bind"]
    seen = [0]

    def before(conn, cursor, sql, params, context, executemany):
        if sql.lstrip().upper().startswith(statement):
            seen[0] += 1
            if seen[0] >= nth:
                raise OperationalError(sql, params, Exception("server closed the connection"))

    event.listen(engine, "before_cursor_execute", before)
    return lambda: event.remove(engine, "before_cursor_execute", before)


def test_faults_connection_lost_mid_transcription_writes_nothing(db_url, tmp_path, fake_speech):
    cid = register(tmp_path)
    queue = jobs.build_queue(f"sqlite:///{tmp_path / 'queue.db'}")
    queue.transcribe(cid, "fake", None)
    lift = fail_on(db_url, "INSERT INTO CRITERION_SCORES")  # after the turns, before commit
    try:
        task = queue.huey.dequeue()
        queue.huey.execute(task)
    finally:
        lift()
    # Turns, evaluation and status were one transaction: none of it is there.
    assert counts() == {"ConversationRecord": 1, "TurnRecord": 0, "Evaluation": 0}
    assert status(cid)[0] == "processing"
    # The job is scheduled again with back-off; when it runs, the call finishes once.
    (retry,) = due_retries(queue)
    assert retry.retries == jobs.RETRIES - 1 and retry.retry_delay == 4
    assert queue.huey.execute(retry, retry.eta) == "scored"
    assert counts() == {"ConversationRecord": 1, "TurnRecord": len(CALL_TURNS), "Evaluation": 1}


def test_faults_connection_lost_mid_scoring_job_retries_with_backoff(db_url, tmp_path):
    with session_scope() as session:
        store_conversation(session, make_conversation(GOOD_CHAT, external_id="g"))
        store_conversation(session, make_conversation(POOR_CHAT, external_id="p"))
    queue = jobs.build_queue(f"sqlite:///{tmp_path / 'queue.db'}")
    queue.score(["g", "p"])
    lift = fail_on(db_url, "INSERT INTO CRITERION_SCORES")  # after the evaluation rows
    try:
        queue.huey.execute(queue.huey.dequeue())
        assert counts()["Evaluation"] == 0  # the evaluations written before it went too
        (retry,) = due_retries(queue)
        assert retry.retry_delay == 4
        # Failing again: the next pause is longer.
        queue.huey.execute(retry, retry.eta)
        (retry,) = due_retries(queue)
        assert retry.retries == jobs.RETRIES - 2 and retry.retry_delay == 8
    finally:
        lift()
    assert queue.huey.execute(retry, retry.eta) == {"scored": 2, "failed": []}
    assert counts()["Evaluation"] == 2
    with session_scope() as session:
        assert open_score_jobs(session) == []
