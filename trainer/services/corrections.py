"""A reviewer corrects a transcript turn: its text (a mis-heard word) or its speaker (a turn
given to the wrong side). The first version is kept on the turn, the change is audited, and
the conversation is re-scored with the rubric of its automatic evaluation, so the machine's
scores follow the corrected words (human reviews are untouched: they are their own rows)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from trainer.access import Action, Actor
from trainer.db.repository import latest_evaluation
from trainer.errors import ReviewError
from trainer.scoring.rubric import parse_rubric
from trainer.services.audit import record_event
from trainer.services.scoring import score_stored
from trainer.services.views import visible_conversation

SPEAKERS = ("agent", "customer", "system")
MAX_TEXT = 20_000


def correct_turn(
    session: Session,
    actor: Actor,
    external_id: str,
    position: int,
    *,
    text: str | None = None,
    speaker: str | None = None,
) -> dict:
    """Correct one turn (0-based `position`) of a conversation and re-score it. Returns the
    turn with its original text and speaker and the new automatic score."""
    record = visible_conversation(session, actor, external_id, Action.CORRECT_TRANSCRIPT)
    where = f"{external_id} turn {position}"
    if record.status in {"queued", "processing"}:
        raise ReviewError("the conversation is still being transcribed", where=where)
    turns = record.turns
    if not 0 <= position < len(turns):
        raise ReviewError(
            "no such turn", where=where, fix=f"give a turn from 0 to {len(turns) - 1}"
        )
    if text is None and speaker is None:
        raise ReviewError("nothing to correct", where=where, fix="give a new text or speaker")
    if text is not None:
        text = text.strip()
        if not text:
            raise ReviewError("a turn cannot be empty", where=where)
        if len(text) > MAX_TEXT:
            raise ReviewError(f"the text is longer than {MAX_TEXT} characters", where=where)
    if speaker is not None and speaker not in SPEAKERS:
        raise ReviewError(
            f"unknown speaker {speaker!r}", where=where, fix=f"use one of {', '.join(SPEAKERS)}"
        )
    turn = turns[position]
    if text is not None:
        text = _redacted(text, turns[position - 1].text if position else None)
    before = {"speaker": turn.speaker, "text": turn.text}
    if turn.original_text is None:  # keep the first version through later corrections
        turn.original_text, turn.original_speaker = turn.text, turn.speaker
    if text is not None and text != turn.text:
        turn.text = text
        turn.words = None  # the word timings belonged to the old words
    if speaker is not None:
        turn.speaker = speaker
    turn.corrected_by_id, turn.corrected_at = actor.id, datetime.now(UTC)
    session.flush()
    record_event(
        session,
        actor,
        "transcript.correct",
        object_type="conversation",
        object_id=external_id,
        before={"turn": position, **before},
        after={"turn": position, "speaker": turn.speaker, "text": turn.text},
    )
    auto = latest_evaluation(session, record)
    score = None
    if auto is not None:
        rubric = parse_rubric(auto.rubric.definition, source=auto.rubric.ref)
        summary = score_stored(session, [external_id], rubric)
        score = summary.scored[0][1] if summary.scored else None
    return {
        "position": position,
        "speaker": turn.speaker,
        "text": turn.text,
        "original_speaker": turn.original_speaker,
        "original_text": turn.original_text,
        "score": score,
    }


def _redacted(text: str, context: str | None) -> str:
    """A reviewer's words are redacted like ingested ones before they are stored or audited
    (a corrected mis-hearing may spell out the card number ASR garbled), unless
    TRAINER_STORE_UNREDACTED=1."""
    from trainer.privacy import Redactor, store_unredacted_allowed

    if store_unredacted_allowed():
        return text
    return Redactor().redact(text, context=context).text
