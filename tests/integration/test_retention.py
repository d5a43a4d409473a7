"""Retention: `purge --older-than` (whole conversations or only call audio) and `erase
--customer` delete what they should with everything derived from it, leave the rest, and
leave one audit row each (the erased address only as a hash). SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.cli.common import set_acting
from trainer.conversation import Conversation, Turn
from trainer.db.models import (
    AuditEvent,
    CoachingSession,
    ConversationRecord,
    CriterionScore,
    Evaluation,
    FollowUpPromise,
    ReviewDispute,
    TurnRecord,
)
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.errors import ForbiddenError, RetentionError
from trainer.services.retention import cutoff_for, email_hash, erase_customer, parse_age, purge
from trainer.services.scoring import score_stored

from ..call_seed import write_wav
from ..conftest import GOOD_CHAT, make_user

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=400)
RECENT = NOW - timedelta(days=30)
ADMIN = Actor.local_admin()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("365d", (365, "d")), ("12w", (12, "w")), ("6m", (6, "m")), ("2Y", (2, "y"))],
)
def test_retention_parse_age_accepts_days_weeks_months_years(text, expected):
    assert parse_age(text) == expected


@pytest.mark.parametrize("text", ["", "0d", "3x", "-1d", "10 minutes", "365", "d", "999999d"])
def test_retention_parse_age_refuses_anything_else(text):
    with pytest.raises(RetentionError, match="not a retention period") as caught:
        parse_age(text)
    assert caught.value.where == "--older-than"


def test_retention_cutoff_counts_calendar_months_and_clamps_the_day():
    now = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    assert cutoff_for("6m", now) == datetime(2025, 9, 30, 12, 0, tzinfo=UTC)
    assert cutoff_for("1m", now) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert cutoff_for("1y", now) == datetime(2025, 3, 31, 12, 0, tzinfo=UTC)
    assert cutoff_for("12w", now) == now - timedelta(weeks=12)
    assert cutoff_for("365d", now) == now - timedelta(days=365)


def _chat(session, external_id, started_at, email=None):
    conversation = Conversation(
        external_id=external_id,
        turns=[Turn(s, t) for s, t in GOOD_CHAT],  # type: ignore[arg-type]
        agent="Sam Lee",
        customer="Dana Ruiz",
        started_at=started_at,
        customer_ref=email,
    )
    return store_conversation(session, conversation).record


def _call(session, tmp_path, external_id, started_at, email=None):
    """A transcribed call whose playback copy and uploaded source lie under var/."""
    record = _chat(session, external_id, started_at, email)
    record.channel = "call"
    playback = write_wav(tmp_path / "var" / "audio" / f"{external_id}.wav", seconds=0.2)
    source = write_wav(tmp_path / "var" / "uploads" / "calls" / f"{external_id}.wav", seconds=0.3)
    record.source, record.source_format = str(source), "audio"
    record.content_hash = external_id  # each call its own audio
    record.extra = {"audio": {"playback": str(playback)}}
    session.flush()
    return record, playback, source


def _derived_rows(session, record, rubric_id, reviewer, agent):
    """A human review with a dispute, a follow-up promise and a coaching link."""
    review = Evaluation(
        conversation_id=record.id,
        rubric_id=rubric_id,
        kind="human",
        status="submitted",
        reviewer_id=reviewer.id,
    )
    session.add(review)
    session.flush()
    session.add(ReviewDispute(review_id=review.id, agent_id=agent.id, comment="unfair"))
    session.add(FollowUpPromise(conversation_id=record.id, turn=2, text="I'll call you back"))
    session.add(
        CoachingSession(
            agent_id=agent.id, title="Empathy", conversation_ids=[record.external_id, "keep-me"]
        )
    )
    session.flush()


def _count(session, model, conversation_ids=None):
    query = select(func.count()).select_from(model)
    if conversation_ids is not None:
        query = query.where(model.conversation_id.in_(conversation_ids))
    return session.scalar(query)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in tmp_path, so var/ (playback copies, uploads) is the test's own."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_retention_purge_deletes_old_conversations_with_derived_rows(db_url, in_tmp):
    with session_scope() as session:
        agent = make_user(session, "Sam Lee", "agent")
        reviewer = make_user(session, "Rita Reviewer", "reviewer")
        old = _chat(session, "old-chat", OLD)
        _chat(session, "new-chat", RECENT)
        call, playback, source = _call(session, in_tmp, "old-call", OLD)
        keep = _chat(session, "keep-me", RECENT)
        score_stored(session, ["old-chat", "new-chat", "old-call", "keep-me"])
        rubric_id = session.scalar(select(Evaluation.rubric_id).limit(1))
        _derived_rows(session, old, rubric_id, reviewer, agent)
        old_ids = [old.id, call.id]
        keep_turns = _count(session, TurnRecord, [keep.id])
    with session_scope() as session:
        result = purge(session, ADMIN, "365d")
    assert sorted(result.conversations) == ["old-call", "old-chat"]
    assert result.audio_files == 2 and not playback.exists() and not source.exists()
    with session_scope() as session:
        left = set(session.scalars(select(ConversationRecord.external_id)))
        assert left == {"new-chat", "keep-me"}
        for model in (TurnRecord, Evaluation, FollowUpPromise):
            assert _count(session, model, old_ids) == 0, model.__name__
        assert _count(session, ReviewDispute) == 0
        assert session.scalar(select(func.count()).select_from(CriterionScore)) > 0  # others'
        orphan = select(func.count()).select_from(CriterionScore)
        orphan = orphan.where(~CriterionScore.evaluation_id.in_(select(Evaluation.id)))
        assert session.scalar(orphan) == 0
        assert _count(session, TurnRecord, [keep.id]) == keep_turns
        coaching = session.scalar(select(CoachingSession))
        assert coaching.conversation_ids == ["keep-me"]
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.purge"))
        assert event.after["conversations"] == 2 and event.after["older_than"] == "365d"
        assert event.after["audio_only"] is False


def test_retention_purge_audio_only_keeps_transcripts_and_marks_the_call(db_url, in_tmp):
    with session_scope() as session:
        call, playback, source = _call(session, in_tmp, "old-call", OLD)
        _, new_playback, _ = _call(session, in_tmp, "new-call", RECENT)
        _chat(session, "old-chat", OLD)
        score_stored(session, ["old-call", "old-chat"])
        turns = _count(session, TurnRecord, [call.id])
    with session_scope() as session:
        result = purge(session, ADMIN, "12w", audio_only=True)
    assert result.conversations == ["old-call"] and result.audio_files == 2
    assert not playback.exists() and not source.exists() and new_playback.exists()
    with session_scope() as session:
        record = session.scalar(
            select(ConversationRecord).where(ConversationRecord.external_id == "old-call")
        )
        assert record.extra["audio_purged_at"] and record.extra["audio"]["playback"] is None
        assert _count(session, TurnRecord, [record.id]) == turns
        assert _count(session, Evaluation, [record.id]) == 1
        assert session.scalar(select(func.count()).select_from(ConversationRecord)) == 3
    with session_scope() as session:  # a second run finds nothing left to strip
        again = purge(session, ADMIN, "12w", audio_only=True)
    assert again.conversations == [] and again.audio_files == 0


def test_retention_erase_customer_removes_only_their_data_and_hashes_the_address(db_url, in_tmp):
    with session_scope() as session:
        _chat(session, "dana-1", RECENT, "dana@example.com")
        _call(session, in_tmp, "dana-call", RECENT, "dana@example.com")
        _chat(session, "other", RECENT, "lee@example.com")
        score_stored(session, ["dana-1", "dana-call", "other"])
    with session_scope() as session:
        dry = erase_customer(session, ADMIN, "Dana@Example.com ", dry_run=True)
    assert sorted(dry.conversations) == ["dana-1", "dana-call"] and dry.dry_run
    assert (in_tmp / "var" / "audio" / "dana-call.wav").exists()  # a dry run changes nothing
    with session_scope() as session:
        result = erase_customer(session, ADMIN, "Dana@Example.com ")
    assert sorted(result.conversations) == ["dana-1", "dana-call"] and result.audio_files == 2
    assert not list((in_tmp / "var" / "audio").glob("dana-call*"))
    with session_scope() as session:
        assert set(session.scalars(select(ConversationRecord.external_id))) == {"other"}
        assert session.scalar(select(func.count()).select_from(Evaluation)) == 1
        events = session.scalars(select(AuditEvent)).all()
        erase = [e for e in events if e.action == "retention.erase"]
        assert len(erase) == 1
        assert erase[0].object_id == email_hash("dana@example.com")
        assert erase[0].after["conversations"] == 2
        dumped = json.dumps([[e.object_id, e.before, e.after, e.detail] for e in events])
        assert "dana@example.com" not in dumped.lower()


def test_retention_is_for_admins_only(db_url, in_tmp):
    with session_scope() as session:
        lead = Actor.of(make_user(session, "Morgan Reyes", "lead"))
        _chat(session, "old-chat", OLD, "dana@example.com")
    with session_scope() as session, pytest.raises(ForbiddenError):
        purge(session, lead, "365d")
    with session_scope() as session, pytest.raises(ForbiddenError):
        erase_customer(session, lead, "dana@example.com")
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(ConversationRecord)) == 1


def test_retention_erase_refuses_what_is_not_an_address(db_url, in_tmp):
    with session_scope() as session, pytest.raises(RetentionError, match="not an email"):
        erase_customer(session, ADMIN, "dana")


def test_retention_cli_purge_and_erase(sqlite_url, in_tmp):
    set_acting(None)
    with session_scope() as session:
        _chat(session, "old-chat", OLD)
        _chat(session, "dana-1", RECENT, "dana@example.com")
    runner = CliRunner()
    bad = runner.invoke(app, ["purge", "--older-than", "soon"])
    assert bad.exit_code == 2 and "E410" in bad.output
    dry = runner.invoke(app, ["purge", "--older-than", "365d", "--dry-run"])
    assert dry.exit_code == 0 and "would delete 1 conversation" in dry.output
    refused = runner.invoke(app, ["purge", "--older-than", "365d"], input="n\n")
    assert refused.exit_code == 1
    done = runner.invoke(app, ["purge", "--older-than", "365d", "--yes"])
    assert done.exit_code == 0 and "delete 1 conversation" in done.output
    erased = runner.invoke(app, ["erase", "--customer", "dana@example.com", "--yes"])
    assert erased.exit_code == 0 and "delete 1 conversation" in erased.output
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(ConversationRecord)) == 0
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"retention.purge", "retention.erase"} <= actions
