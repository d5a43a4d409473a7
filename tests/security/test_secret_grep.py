"""Sensitive values never reach storage raw: card numbers (typed, grouped, read out in words and
mixed), an IBAN and national ids go in through every door (the CLI's ingest of chat files, the
REST API's POST, a transcribed call through the job queue, a reviewer's transcript correction, a
trainee's role-play reply, and files and bodies with a bad field), and then the raw bytes of the
SQLite database (and its -wal), every row of PostgreSQL, the log file (SQL with its bound
parameters included), the queue (Huey's SQLite file or Redis's keys) and everything printed or
answered are searched for each value in several spellings: none may be found.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.db.session import session_scope
from trainer.jobs import queue as jobs
from trainer.speech.engines.base import Word
from trainer.speech.speakers import SpeakerTurn

from ..call_seed import write_wav
from ..conftest import REDIS_URL, make_user, missing_service

runner = CliRunner()

# Each secret: how it is said somewhere below, and the spellings searched for afterwards.
SECRETS: dict[str, tuple[str, ...]] = {
    "visa digits": ("4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111"),
    "mastercard in words": (
        "5555555555554444",
        "5555 5555 5555 4444",
        "5555-5555-5555-4444",
        "five five five five",
        "double five five five",
    ),
    "card in digits and words": (
        "4242424242424242",
        "4242 4242 4242 4242",
        "4242-4242-4242-4242",
        "four two four two",
    ),
    "amex grouped": ("378282246310005", "3782 822463 10005", "3782-822463-10005"),
    "iban": (
        "GB29NWBK60161331926819",
        "GB29 NWBK 6016 1331 9268 19",
        "GB29-NWBK-6016-1331-9268-19",
        "60161331926819",
    ),
    "iban spoken": ("DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "0532013000"),
    "us ssn": ("536221946", "536 22 1946", "536-22-1946"),
    "uk nino": ("AB123456C", "AB 12 34 56 C"),
    "canada sin": ("130692544", "130 692 544", "130-692-544"),
    "spain dni": ("12345678Z", "12345678-Z"),
}
# Digit-only forms searched for in text with every separator stripped ("4111.1111,1111 1111").
DIGITS_ONLY = (
    "4111111111111111",
    "5555555555554444",
    "4242424242424242",
    "378282246310005",
    "60161331926819",
    "370400440532013000",
    "536221946",
)

# Each secret's digit groups: all of them standing as separate tokens, in any order, is a leak too
# (Presidio once logged the words around a match as a set: "6016 9268 19 1331", "19 1331 ...").
GROUPS = {
    "visa groups": ("4111", "1111"),
    "mastercard groups": ("5555", "4444"),
    "amex groups": ("3782", "822463", "10005"),
    "iban groups": ("6016", "1331", "9268"),
    "iban spoken groups": ("3704", "0044", "0532", "0130"),
}

CHAT_TURNS = [
    ("agent", "Thanks for calling Bluebird Bank, this is Sam. How can I help?"),
    ("customer", "Hi, my card number is 4111 1111 1111 1111 and it was charged twice."),
    ("agent", "I'm sorry about that. Can you read me the other card, the Mastercard?"),
    (
        "customer",
        "It's five five five five, double five five five, five five five five, four four four "
        "four.",
    ),
    ("agent", "And the refund card?"),
    ("customer", "4242 four two four two 4242 four two four two"),
    ("customer", "also my amex 3782 822463 10005"),
    ("agent", "Which account should the refund go to?"),
    ("customer", "My IBAN is GB29 NWBK 6016 1331 9268 19, and my SSN is 536-22-1946."),
    ("customer", "NI number AB 12 34 56 C, SIN 130 692 544, DNI 12345678Z."),
    ("agent", "Thanks Dana. The refund is issued. Is there anything else I can help with?"),
]
CALL_WORDS = [
    ("agent", "thanks for calling this is sam what is your card number"),
    ("customer", "it is four one one one one one one one one one one one one one one one"),
    ("agent", "and the iban for the refund"),
    (
        "customer",
        "D E eight nine three seven zero four zero zero four four zero five three two zero one "
        "three zero zero zero",
    ),
    ("agent", "and your social security number"),
    ("customer", "five three six two two one nine four six"),
    ("agent", "thank you dana the refund is on its way"),
]
REVIEWER_FIX = "she said 5555 5555 5555 4444 not what the machine heard"
TRAINEE_REPLY = "Sure, I will refund it to card 4111 1111 1111 1111 and IBAN GB29NWBK60161331926819"


def spoken_call(_audio, _engine, _agent_side, _progress=None, _repairs=None):
    """What the speakers stage would hand on: turns of timed words (instead of running ASR)."""
    turns, clock = [], 0.5
    for speaker, said in CALL_WORDS:
        words = []
        for word in said.split():
            words.append(Word(word, clock, clock + 0.25))
            clock += 0.5
        turns.append(SpeakerTurn(speaker, words))
        clock += 1.0
    return turns, "stereo"


def found(haystack: bytes) -> list[str]:
    """Every secret spelling present in `haystack` (any case, and digits with separators
    stripped)."""
    lowered = haystack.lower()
    hits = [
        f"{name}: {spelling!r}"
        for name, spellings in SECRETS.items()
        for spelling in spellings
        if spelling.lower().encode() in lowered
    ]
    squeezed = re.sub(rb"[\s.,;:/\\_-]+", b"", lowered)
    hits += [f"digits {d}" for d in DIGITS_ONLY if d.encode() in squeezed]
    tokens = set(re.findall(rb"(?<![0-9a-z])[0-9]+(?![0-9a-z])", lowered))
    hits += [name for name, groups in GROUPS.items() if all(g.encode() in tokens for g in groups)]
    return hits


def files_bytes(*paths: Path) -> bytes:
    """The bytes of these files and their -wal/-journal companions, where present."""
    out = b""
    for path in paths:
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-journal")):
            if candidate.exists():
                out += candidate.read_bytes()
    return out


def postgres_rows(url: str) -> bytes:
    """Every row of every table as text (what a dump would hold)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            rows = [
                str(row[0])
                for table in tables
                for row in connection.execute(text(f'SELECT t::text FROM "{table}" AS t'))
            ]
    finally:
        engine.dispose()
    assert tables and rows
    return "\n".join(rows).encode()


def redis_values(url: str) -> bytes:
    """Every key and value in the Redis database, whatever its type."""
    import redis

    client = redis.Redis.from_url(url)
    out = []
    for key in client.scan_iter():
        out.append(key)
        kind = client.type(key).decode()
        if kind == "string":
            out.append(client.get(key) or b"")
        elif kind == "list":
            out += client.lrange(key, 0, -1)
        elif kind == "hash":
            for field, value in client.hgetall(key).items():
                out += [field, value]
        elif kind == "set":
            out += list(client.smembers(key))
        elif kind == "zset":
            out += [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
    return b"\n".join(out)


@pytest.fixture
def queue_url(db_url, tmp_path):
    """The job queue: a Huey SQLite file beside a SQLite database, Redis beside PostgreSQL
    (where Redis is reachable; TRAINER_REQUIRE_SERVICES=1 makes its absence a failure)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'queue.db'}"
        return
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        missing_service(f"Redis not reachable at {REDIS_URL}: {exc}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def log_file(tmp_path):
    """Everything logged at DEBUG (SQLAlchemy's SQL with its bound parameters, Huey's task
    log) written to a file, as a deployment would."""
    path = tmp_path / "trainer.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "sqlalchemy.engine", "huey")}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    logging.getLogger("huey").setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    handler.close()
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def write_chats(folder: Path) -> None:
    """The same secrets as a canonical JSON chat, a CSV and a plain-text transcript."""
    folder.mkdir()
    document = {
        "id": "chat-json",
        "agent": "Sam Lee",
        "customer": "Dana Ruiz",
        "turns": [{"speaker": s, "text": t} for s, t in CHAT_TURNS],
    }
    (folder / "chat.json").write_text(json.dumps(document), encoding="utf-8")
    lines = ["conversation_id,speaker,text"]
    lines += [f'chat-csv,{s},"{t}"' for s, t in CHAT_TURNS]
    (folder / "chat.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    plain = "# id: chat-plain\n" + "\n".join(f"{s.title()}: {t}" for s, t in CHAT_TURNS)
    (folder / "chat-plain.txt").write_text(plain + "\n", encoding="utf-8")


def test_secret_grep_no_raw_value_is_stored_logged_or_queued(
    db_url, queue_url, log_file, tmp_path, monkeypatch
):
    from fastapi.testclient import TestClient

    from trainer.api.app import create_api
    from trainer.db.repository import require_conversation
    from trainer.services.auth import issue_api_token
    from trainer.services.corrections import correct_turn
    from trainer.services.roleplay import send_reply, start_attempt
    from trainer.speech import pipeline

    for name in ("TRAINER_REDACT", "TRAINER_STORE_UNREDACTED", "TRAINER_REDACT_NAMES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # the call's playback copy goes under ./var
    monkeypatch.setenv("TRAINER_QUEUE_URL", queue_url)
    monkeypatch.setattr(jobs, "_default", None)
    monkeypatch.setattr(pipeline, "attribute_speakers", spoken_call)
    said: list[bytes] = []  # everything printed or answered

    # 1. chat files through `trainer ingest --score`, plus a call queued for a worker
    write_chats(tmp_path / "in")
    write_wav(tmp_path / "in" / "call-1.wav", seconds=3.0)
    result = runner.invoke(app, ["ingest", str(tmp_path / "in"), "--score", "--background"])
    said.append(result.output.encode())
    assert result.exit_code == 0, result.output
    assert "ingested 4" in result.stdout and "queued 1 call" in result.stdout

    # 2. the worker transcribes the call from the queue
    worker = jobs.build_queue(queue_url)
    task = worker.huey.dequeue()
    assert worker.huey.execute(task) == "scored"

    # 3. the REST API's POST, and a body with a bad field holding a card number
    with session_scope() as session:
        admin = make_user(session, "Alex Admin", "admin")
        make_user(session, "Tina Trainee", "trainee")
        token = issue_api_token(session, Actor.local_admin(), admin)
    client = TestClient(create_api())
    headers = {"Authorization": f"Bearer {token}"}
    posted = {
        "id": "api-1",
        "agent": "Sam Lee",
        "customer": "Ola Berg",
        "turns": [{"speaker": s, "text": t} for s, t in CHAT_TURNS],
    }
    response = client.post("/api/v1/conversations", headers=headers, json=posted)
    said.append(response.content)
    assert response.status_code == 201, response.text
    bad = {"id": "api-bad", "turns": "my card is 4111 1111 1111 1111, IBAN GB29NWBK60161331926819"}
    response = client.post("/api/v1/conversations", headers=headers, json=bad)
    said.append(response.content)
    assert response.status_code == 422

    # 4. a bad file through the CLI: the error names the field, never its value
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(tmp_path / "bad" / "bad.json")])
    said.append(result.output.encode())
    assert result.exit_code != 0

    # 5. a reviewer's transcript correction, and a trainee's role-play reply
    with session_scope() as session:
        actor = Actor.local_admin()
        corrected = correct_turn(session, actor, "chat-json", 3, text=REVIEWER_FIX)
        assert "[CARD]" in corrected["text"]
        tina = Actor.of(require_user_row(session, "Tina Trainee"))
        attempt = start_attempt(session, tina, "double-charge", seed=1)["attempt"]
        view = send_reply(session, tina, attempt, TRAINEE_REPLY)
        said.append(json.dumps(view).encode())

    # what was stored is redacted, with placeholders where the secrets were
    with session_scope() as session:
        call = require_conversation(session, "call-1")
        assert call.status == "scored"
        call_text = " ".join(t.text for t in call.turns)
        assert "[CARD]" in call_text and "[IBAN]" in call_text and "[SSN]" in call_text
        chat = " ".join(t.text for t in require_conversation(session, "chat-json").turns)
        assert chat.count("[CARD]") >= 3 and "[IBAN]" in chat and "[SSN]" in chat

    # the search itself: database, logs, queue, and everything printed or answered
    log = log_file.read_bytes()
    assert b"INSERT INTO" in log  # the SQL log really was written (parameters included)
    if db_url.startswith("sqlite"):
        stored = files_bytes(Path(db_url.removeprefix("sqlite:///")))
        queued = files_bytes(Path(queue_url.removeprefix("sqlite:///")))
    else:
        stored = postgres_rows(db_url)
        queued = redis_values(queue_url)
    assert b"[CARD]" in stored and b"[IBAN]" in stored  # the search reads the real content
    assert found(stored) == [], "raw values in the database"
    assert found(log) == [], "raw values in the log file"
    assert found(queued) == [], "raw values in the job queue"
    assert found(b"\n".join(said)) == [], "raw values printed or answered"


def require_user_row(session, name: str):
    """The stored user with this name."""
    from sqlalchemy import select

    from trainer.db.models import User

    return session.scalar(select(User).where(User.name == name))


def test_secret_grep_names_out_of_transcripts_when_asked(sqlite_url, tmp_path, monkeypatch):
    """TRAINER_REDACT_NAMES=1: the agent's and customer's names leave the stored turn texts,
    word timings and evidence quotes of chats and calls (they stay in the conversation's
    agent/customer fields, which say whose conversation it is), and the name is still scored
    as used."""
    from trainer.db.repository import require_conversation
    from trainer.services.calls import transcribe_stored
    from trainer.services.ingestion import ingest_paths
    from trainer.speech import pipeline

    for name in ("TRAINER_REDACT", "TRAINER_STORE_UNREDACTED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRAINER_REDACT_NAMES", "1")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pipeline, "attribute_speakers", spoken_call)
    write_chats(tmp_path / "in")
    wav = write_wav(tmp_path / "call" / "call-2.wav", seconds=3.0)
    sidecar = {"agent": "Sam Lee", "customer": "Dana Ruiz"}
    (tmp_path / "call" / "call-2.json").write_text(json.dumps(sidecar))
    summary = ingest_paths(Actor.local_admin(), [tmp_path / "in", wav])
    assert summary.ok and len(summary.ingested) == 3 and summary.calls == ["call-2"]
    assert transcribe_stored("call-2") == "scored"
    assert wav.exists()
    engine = create_engine(sqlite_url)
    with engine.connect() as connection:
        stored = "\n".join(
            f"{text_} {words}"
            for text_, words in connection.execute(text("SELECT text, words FROM turns"))
        )
        # Evidence quotes the transcript; explanations may name the customer as the record's
        # customer_name does ("used the customer's name (Dana)"), which is not transcript text.
        explained = "\n".join(
            str(evidence)
            for (evidence,) in connection.execute(text("SELECT evidence FROM criterion_scores"))
        )
        name_used = connection.execute(
            text("SELECT value FROM criterion_scores WHERE detector LIKE 'empathy.uses_name%'")
        ).all()
    engine.dispose()
    assert explained and name_used == [(1.0,)]  # "thank you [NAME]" still counts as a use
    assert "[NAME]" in stored
    for name in ("Sam", "Dana", "Ruiz"):
        assert re.search(rf"\b{name}\b", stored, re.IGNORECASE) is None, name
        assert re.search(rf"\b{name}\b", explained, re.IGNORECASE) is None, name
    with session_scope() as session:
        chat = require_conversation(session, "chat-json")
        assert chat.customer_name == "Dana Ruiz"  # whose conversation it is stays known
