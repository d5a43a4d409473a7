"""Scoring and ingest at scale: chunked bulk scoring gives the scores one-at-a-time scoring
gives, re-scoring is idempotent and leaves human reviews alone, one failing conversation in a
chunk fails alone, and several worker processes score (and ingest) everything exactly once, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.cli.common import set_acting
from trainer.db.models import (
    AuditEvent,
    ConversationRecord,
    CriterionScore,
    Evaluation,
    FollowUpPromise,
    User,
)
from trainer.db.repository import (
    save_evaluation,
    store_conversation,
    store_rubric,
    to_conversation,
)
from trainer.db.session import session_scope
from trainer.scoring.engine import score_conversation
from trainer.services import scoring
from trainer.services.ingestion import ingest_paths
from trainer.services.scoring import resolve_rubric, score_in_workers, score_stored

from ..conftest import GOOD_CHAT, POOR_CHAT, make_conversation

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PROMISE = [
    ("customer", "My refund still hasn't shown up."),
    ("agent", "I'm sorry. I'll call you back within 48 hours with an update."),
]
CHATS = (GOOD_CHAT, POOR_CHAT, PROMISE)


def _store_chats(n: int) -> list[str]:
    """n stored chats (good, poor and promising ones in turn); their ids."""
    ids = [f"scale-{i:03d}" for i in range(n)]
    with session_scope() as session:
        for i, cid in enumerate(ids):
            conversation = make_conversation(
                CHATS[i % 3],
                external_id=cid,
                agent="Sam Lee",
                customer="Dana Ruiz",
                started_at=START + timedelta(hours=i),
            )
            store_conversation(session, conversation)
    return ids


def _rows(session) -> dict[str, tuple]:
    """Every automatic evaluation, by conversation, as comparable values (no ids, no times)."""
    found = {}
    for evaluation in session.scalars(select(Evaluation).where(Evaluation.kind == "auto")):
        criteria = tuple(
            sorted(
                (
                    c.criterion_id,
                    c.section_id,
                    c.status,
                    c.value,
                    c.explanation,
                    json.dumps(c.evidence),
                    c.detector,
                )  # fmt: skip
                for c in evaluation.criterion_scores
            )
        )
        key = evaluation.conversation.external_id
        assert key not in found, f"two automatic evaluations of {key}"
        found[key] = (evaluation.status, evaluation.score, evaluation.sections, criteria)
    return found


def test_scale_bulk_scores_equal_one_at_a_time_and_rescoring_is_idempotent(sqlite_url):
    ids = _store_chats(5)
    rubric = resolve_rubric(None)
    with session_scope() as session:
        rubric_row = store_rubric(session, rubric)
        for cid in ids:
            record = session.scalar(
                select(ConversationRecord).where(ConversationRecord.external_id == cid)
            )
            save_evaluation(
                session, record, rubric_row, score_conversation(to_conversation(record), rubric)
            )
    with session_scope() as session:
        one_at_a_time = _rows(session)
    with session_scope() as session:
        summary = score_stored(session, None, chunk_size=2)
    assert [cid for cid, _ in summary.scored] == ids and not summary.failed
    with session_scope() as session:
        bulk = _rows(session)
    assert bulk == one_at_a_time
    assert len({row[1] for row in bulk.values()}) > 1  # good and poor chats score differently
    with session_scope() as session:
        score_stored(session, ids[::-1], chunk_size=3)
    with session_scope() as session:
        assert _rows(session) == bulk
        statuses = session.scalars(select(ConversationRecord.status)).all()
    assert set(statuses) == {"scored"}


def test_scale_rescoring_never_touches_human_reviews(sqlite_url):
    [cid] = _store_chats(1)
    with session_scope() as session:
        score_stored(session, None)
    with session_scope() as session:
        record = session.scalar(select(ConversationRecord))
        reviewer = User(name="Rita Reviewer", email="rita@example.com", role="reviewer")
        session.add(reviewer)
        session.flush()
        auto = session.scalar(select(Evaluation).where(Evaluation.kind == "auto"))
        for kind, status in (("human", "submitted"), ("calibration", "submitted")):
            session.add(
                Evaluation(
                    conversation_id=record.id,
                    rubric_id=auto.rubric_id,
                    kind=kind,
                    status=status,
                    score=42.0,
                    sections={"s": 42.0},
                    reviewer_id=reviewer.id,
                    comment=f"{kind} says 42",
                    criterion_scores=[
                        CriterionScore(
                            section_id="s",
                            criterion_id="c",
                            status="scored",
                            value=0.42,
                            explanation="by hand",
                        )
                    ],
                )
            )
    with session_scope() as session:
        before = [
            (e.id, e.kind, e.score, e.comment, [(c.id, c.value) for c in e.criterion_scores])
            for e in session.scalars(select(Evaluation).where(Evaluation.kind != "auto"))
        ]
    with session_scope() as session:
        score_stored(session, [cid])
        score_stored(session, None)
    with session_scope() as session:
        after = [
            (e.id, e.kind, e.score, e.comment, [(c.id, c.value) for c in e.criterion_scores])
            for e in session.scalars(select(Evaluation).where(Evaluation.kind != "auto"))
        ]
        autos = session.scalar(select(func.count()).where(Evaluation.kind == "auto"))
    assert len(before) == 2 and after == before
    assert autos == 1


def test_scale_a_failing_conversation_in_a_chunk_fails_alone(sqlite_url, monkeypatch):
    ids = _store_chats(6)
    real_score, real_save = scoring.score_conversation, scoring.save_evaluations

    def score_or_fail(conversation, *args, **kwargs):
        if conversation.external_id == ids[1]:
            raise ValueError("detector blew up")
        return real_score(conversation, *args, **kwargs)

    with session_scope() as session:
        bad_store = session.scalar(
            select(ConversationRecord.id).where(ConversationRecord.external_id == ids[4])
        )

    def save_or_fail(session, rubric_id, results):
        if any(conversation_id == bad_store for conversation_id, _ in results):
            raise RuntimeError("cannot store this one")
        return real_save(session, rubric_id, results)

    monkeypatch.setattr(scoring, "score_conversation", score_or_fail)
    monkeypatch.setattr(scoring, "save_evaluations", save_or_fail)
    with session_scope() as session:
        summary = score_stored(session, None, chunk_size=3)
    assert sorted(cid for cid, _ in summary.failed) == [ids[1], ids[4]]
    assert sorted(cid for cid, _ in summary.scored) == [ids[0], ids[2], ids[3], ids[5]]
    with session_scope() as session:
        status = dict(
            session.execute(
                select(ConversationRecord.external_id, ConversationRecord.status_reason)
            ).all()
        )
        scored = set(
            session.scalars(
                select(ConversationRecord.external_id)
                .join(Evaluation)
                .where(Evaluation.kind == "auto")
            )
        )
    assert "detector blew up" in status[ids[1]] and "cannot store" in status[ids[4]]
    assert scored == {ids[0], ids[2], ids[3], ids[5]}


def test_scale_unknown_id_scores_nothing(sqlite_url):
    _store_chats(2)
    from trainer.errors import NotFoundError

    with session_scope() as session, pytest.raises(NotFoundError, match="nope"):
        score_stored(session, ["scale-000", "nope"])
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Evaluation)) == 0


def test_scale_workers_score_everything_exactly_once(db_url):
    ids = _store_chats(9)
    for _ in range(2):
        summary = score_in_workers(None, None, workers=2, chunk_size=2)
        assert sorted(cid for cid, _ in summary.scored) == ids and not summary.failed
    runner = CliRunner()
    set_acting(None)
    result = runner.invoke(app, ["score", "--all", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "scored 9" in result.output
    with session_scope() as session:
        per_conversation = session.execute(
            select(Evaluation.conversation_id, func.count())
            .where(Evaluation.kind == "auto")
            .group_by(Evaluation.conversation_id)
        ).all()
        criteria = session.scalar(select(func.count()).select_from(CriterionScore))
        promises = session.scalar(select(func.count()).select_from(FollowUpPromise))
    assert len(per_conversation) == 9 and {n for _, n in per_conversation} == {1}
    assert criteria == 9 * len(list(resolve_rubric(None).criteria()))
    assert promises == 3  # one per promising chat, stored once however often re-scored


def test_scale_ingest_workers_store_every_file_once(db_url, tmp_path):
    folder = tmp_path / "chats"
    folder.mkdir()
    for i in range(8):
        turns = [{"speaker": s, "text": t} for s, t in CHATS[i % 3]]
        doc = {"id": f"file-{i}", "agent": "Sam Lee", "turns": turns}
        (folder / f"file-{i}.json").write_text(json.dumps(doc))
    # the same conversation twice, in files likely to land in different workers
    (folder / "zz-again.json").write_text((folder / "file-0.json").read_text())
    summary = ingest_paths(Actor.local_admin(), [folder], workers=2)
    assert sorted(summary.ingested) == [f"file-{i}" for i in range(8)]
    assert summary.unchanged == ["file-0"] and not summary.failed
    with session_scope() as session:
        stored = session.scalars(select(ConversationRecord.external_id)).all()
        audits = session.scalar(
            select(func.count()).where(AuditEvent.action == "conversations.ingest")
        )
    assert sorted(stored) == [f"file-{i}" for i in range(8)]
    assert audits == 1


def test_scale_records_the_caller_holds_stay_usable_after_scoring(sqlite_url):
    # Each chunk lets go of the records it loaded; one the caller already held is kept attached.
    ids = _store_chats(3)
    with session_scope() as session:
        held = session.scalar(
            select(ConversationRecord).where(ConversationRecord.external_id == ids[0])
        )
        score_stored(session, ids, chunk_size=2)
        assert held in session
        assert held.status == "scored" and len(held.turns) == len(CHATS[0])
        others = session.scalars(
            select(ConversationRecord).where(ConversationRecord.external_id.in_(ids[1:]))
        ).all()
        assert [r.status for r in others] == ["scored", "scored"]
        assert session.scalar(select(func.count(Evaluation.id))) == 3


def _chunk_job(ids: list[str]) -> tuple:
    """A worker's job for these conversations (as score_in_workers cuts them)."""
    rubric = resolve_rubric(None)
    with session_scope() as session:
        rubric_id = store_rubric(session, rubric).id
        pks = list(
            session.scalars(
                select(ConversationRecord.id).where(ConversationRecord.external_id.in_(ids))
            )
        )
    return (None, pks, rubric, rubric_id)


def test_scale_a_locked_write_is_retried_without_scoring_again(sqlite_url, monkeypatch):
    # Another worker's commit can make SQLite refuse this one's write: only writing is redone.
    import sqlite3

    from sqlalchemy.exc import OperationalError

    ids = _store_chats(3)
    calls = {"scored": 0, "writes": 0}
    score_records, write_scored = scoring._score_records, scoring._write_scored

    def counted_score(*args):
        calls["scored"] += 1
        return score_records(*args)

    def locked_once(*args):
        calls["writes"] += 1
        if calls["writes"] == 1:
            raise OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))
        return write_scored(*args)

    monkeypatch.setattr(scoring, "_score_records", counted_score)
    monkeypatch.setattr(scoring, "_write_scored", locked_once)
    monkeypatch.setattr("trainer.db.retry.backoff", lambda attempt: 0)
    part = scoring._score_chunk_job(_chunk_job(ids))
    assert calls == {"scored": 1, "writes": 2}
    assert sorted(external_id for external_id, _ in part.scored) == ids and not part.failed
    with session_scope() as session:
        assert session.scalar(select(func.count(Evaluation.id))) == 3
        statuses = session.scalars(select(ConversationRecord.status)).all()
        assert statuses == ["scored"] * 3


def test_scale_a_conversation_deleted_while_scored_is_reported_and_not_written(
    sqlite_url, monkeypatch
):
    ids = _store_chats(3)
    score_records = scoring._score_records

    def then_deleted(records, rubric):
        found = score_records(records, rubric)
        with session_scope() as other:  # someone erases it meanwhile
            other.delete(
                other.scalar(
                    select(ConversationRecord).where(ConversationRecord.external_id == ids[1])
                )
            )
        return found

    monkeypatch.setattr(scoring, "_score_records", then_deleted)
    part = scoring._score_chunk_job(_chunk_job(ids))
    assert part.failed == [(ids[1], "deleted while it was being scored")]
    assert sorted(external_id for external_id, _ in part.scored) == [ids[0], ids[2]]
    with session_scope() as session:
        kept = session.scalars(select(Evaluation.conversation_id)).all()
        assert len(kept) == 2
        assert session.scalar(select(func.count(ConversationRecord.id))) == 2


@pytest.mark.parametrize(
    ("n", "size", "workers"), [(3000, 200, 2), (7, 3, 2), (5, 200, 4), (9, 2, 3)]
)
def test_scale_balanced_chunks_keep_every_id_once_in_a_multiple_of_the_workers(n, size, workers):
    ids = list(range(n))
    chunks = [ids[i : i + size] for i in range(0, n, size)]
    out = scoring.balanced(chunks, workers)
    assert [i for chunk in out for i in chunk] == ids  # every id once, in order
    assert max(len(c) for c in out) - min(len(c) for c in out) <= 1
    assert max(len(c) for c in out) <= size
    assert len(out) % workers == 0 or len(out) == n  # fewer ids than workers: one each
