"""Recorded calls: register the audio, transcribe it (inline or on the queue), store, score.

A call's conversation exists from the moment its file is ingested, with a status the web app
shows: queued -> processing (with progress) -> scored, or failed with the reason. A failure never
touches what was stored before; the same audio ingested twice is not transcribed twice.

A transcription holds a lease on its call (trainer.jobs.leases): only the holder may write
progress or the result, and turns, speech analytics, the evaluation and the status are written in
one transaction, so a worker killed at any point leaves the call as it was, ready to be redone.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from trainer.access import Action, Actor
from trainer.db.models import ConversationRecord, TurnRecord
from trainer.db.repository import find_conversation, match_agent
from trainer.db.retry import is_transient
from trainer.db.session import session_scope
from trainer.errors import TrainerError
from trainer.jobs.leases import Lease, is_stale, parse_lease
from trainer.speech.audio import file_sha256, has_text_bom, looks_like_audio

AUDIO_EXTENSIONS = {".wav", ".mp3", ".m4a", ".mp4", ".flac", ".ogg", ".opus", ".oga", ".webm"}
Progress = Callable[[float, str], None]


# Names of text files: one that starts with a UTF-16/32 byte-order mark is (perhaps broken) text,
# even where its first bytes would also pass for an MPEG frame sync (FF FE).
TEXT_EXTENSIONS = {".json", ".txt", ".csv", ".tsv", ".text", ".log"}


def is_call_file(path: Path) -> bool:
    """Audio by its bytes, or a file named like audio (which then fails as audio, clearly)."""
    if path.suffix.lower() in AUDIO_EXTENSIONS:
        return True
    if path.suffix.lower() in TEXT_EXTENSIONS and has_text_bom(path):
        return False
    return looks_like_audio(path)


def call_id_and_sidecar(path: Path) -> tuple[str, dict]:
    """External id and metadata: `<file>.json` beside the audio may give both (`id`, `agent`,
    `customer`, `agent_channel`); `<base>.json` (name before the first dot) may give metadata.
    Without an id, the file name without its extension is the id."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    base = path.name.split(".", 1)[0]
    meta: dict = {}
    for candidate in (path.parent / f"{base}.json", path.parent / f"{stem}.json"):
        if candidate.is_file() and candidate != path:
            try:
                data = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise TrainerError(f"bad sidecar: {exc}", where=str(candidate)) from None
            if isinstance(data, dict):
                if candidate.name != f"{stem}.json":
                    data.pop("id", None)  # a shared sidecar names the call, not this file
                meta.update(data)
    return str(meta.pop("id", None) or stem), meta


@dataclass
class CallIntake:
    """What registering one audio file did: created, unchanged, retried or failed."""

    external_id: str
    action: str
    reason: str | None = None


def register_call(
    session: Session, path: Path, external_id: str | None = None, *, replace: bool = False
) -> CallIntake:
    """Create (or find) the call's conversation with status 'queued'; nothing is transcribed.

    A call stuck 'processing' whose worker died (a stale lease) is queued again, and `replace`
    queues any stored call again (a worker still on it then finds its lease gone and stops)."""
    call_id, meta = call_id_and_sidecar(path)
    call_id = external_id or call_id
    digest = file_sha256(path) if path.is_file() else "missing"
    record = find_conversation(session, call_id)
    if record is not None:
        redo = replace or record.status == "failed" or lease_is_stale(record)
        if record.content_hash == digest and not redo:
            return CallIntake(call_id, "unchanged")
        if record.content_hash != digest and not redo:
            raise TrainerError(
                f"call {call_id!r} is already stored from other audio",
                where=str(path),
                fix="give it another id (a sidecar .json with 'id'), or pass --replace",
            )
        action = "retried"
    else:
        record = ConversationRecord(external_id=call_id, channel="call")
        session.add(record)
        action = "created"
    record.content_hash = digest
    record.source = str(path.resolve())
    record.source_format = "audio"
    record.status, record.status_reason = "queued", None
    record.customer_name = meta.get("customer")
    record.agent_name = str(meta["agent"]).strip() or None if meta.get("agent") else None
    record.agent = match_agent(session, meta.get("agent"))
    record.extra = {"sidecar": meta, "progress": 0.0}
    session.flush()
    return CallIntake(call_id, action)


class LeaseLost(Exception):
    """Another worker (or `ingest --replace`) took the call over: stop without writing."""


# Tokens of the transcriptions running in this process: a lease of this process whose token is
# not here belongs to an attempt that is over (it failed on a lost database connection).
_ACTIVE: set[str] = set()


def lease_is_stale(record: ConversationRecord) -> bool:
    """True when the call is 'processing' but nobody is working on it any more."""
    if record.status != "processing":
        return False
    lease = parse_lease(record.status_reason)
    if lease is None:
        return is_stale(None, None, record.updated_at)
    if lease.pid == os.getpid() and lease.host == socket.gethostname():
        return lease.token not in _ACTIVE
    return is_stale(lease.host, lease.pid, record.updated_at)


def _claim(url: str | None, external_id: str, lease: Lease, engine, model) -> tuple | None:
    """Take the call's lease: (audio path, sidecar), or None when it is done already or another
    live worker holds it. A conditional update, so two workers never both win."""
    with session_scope(url) as session:
        record = find_conversation(session, external_id)
        if record is None:
            raise TrainerError(f"no call {external_id!r} registered")
        if record.status != "queued" and not lease_is_stale(record):
            return None
        extra = dict(record.extra or {})
        extra.update(job={"engine": engine, "model": model}, progress=0.0, stage="starting")
        won = session.execute(
            update(ConversationRecord)
            .where(
                ConversationRecord.id == record.id,
                ConversationRecord.status == record.status,
                _same_reason(record.status_reason),
            )
            .values(
                status="processing",
                status_reason=lease.reason(),
                extra=extra,
                updated_at=datetime.now(UTC),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if not won:
            return None
        return record.source, dict(extra.get("sidecar") or {})


def _same_reason(reason: str | None):
    column = ConversationRecord.status_reason
    return column.is_(None) if reason is None else column == reason


def _held(session: Session, external_id: str, lease: Lease) -> ConversationRecord:
    """The call, locked for this transaction, if this lease still holds it; else LeaseLost."""
    from sqlalchemy import select

    record = session.scalar(
        select(ConversationRecord)
        .where(ConversationRecord.external_id == external_id)
        .with_for_update()
    )
    if record is None or record.status != "processing" or record.status_reason != lease.reason():
        raise LeaseLost(external_id)
    return record


def _set_progress(
    url: str | None, external_id: str, lease: Lease, fraction: float, stage: str
) -> None:
    # Each step is also the lease's heartbeat (updated_at).
    with session_scope(url) as session:
        record = _held(session, external_id, lease)
        record.extra = {**(record.extra or {}), "progress": round(fraction, 3), "stage": stage}
        record.updated_at = datetime.now(UTC)


def transcribe_stored(
    external_id: str,
    *,
    engine: str | None = None,
    model: str | None = None,
    url: str | None = None,
    progress: Progress | None = None,
    score: bool = True,
) -> str:
    """Transcribe a registered call, store its turns and analytics, score it; return the status.

    Any failure leaves the call 'failed' with the reason and everything else as it was; a lost
    database connection is raised (the queue retries the job). A call done already, or held by
    another live worker, is left alone: its current status is returned.
    """
    lease = Lease.mine()
    _ACTIVE.add(lease.token)
    try:
        return _transcribe(external_id, lease, engine, model, url, progress, score)
    except LeaseLost:
        return "superseded"
    finally:
        _ACTIVE.discard(lease.token)


def _transcribe(external_id, lease, engine, model, url, progress, score) -> str:
    from trainer.speech.pipeline import process_call

    claimed = _claim(url, external_id, lease, engine, model)
    if claimed is None:
        with session_scope(url) as session:
            return find_conversation(session, external_id).status
    path, sidecar = claimed
    last = [-1.0]

    def report(fraction: float, stage: str) -> None:
        if progress:
            progress(fraction, stage)
        if fraction - last[0] >= 0.05 or fraction >= 1.0:  # a status the web app can poll
            last[0] = fraction
            _set_progress(url, external_id, lease, fraction, stage)

    agent_side = sidecar.get("agent_channel")
    try:
        result = process_call(
            path,
            external_id=external_id,
            engine_name=engine or os.environ.get("TRAINER_ASR_ENGINE"),
            model=model or os.environ.get("TRAINER_ASR_MODEL"),
            agent_side=agent_side if agent_side in {"left", "right"} else None,
            metadata=sidecar,
            progress=report,
        )
        playback = _write_playback(path, result.redactions, result.info.sha256)
        result.conversation.metadata["audio"]["playback"] = str(playback)
        return _store_result(url, external_id, lease, result, sidecar, score)
    except Exception as exc:  # noqa: BLE001 - any failure becomes the call's status
        if isinstance(exc, LeaseLost) or is_transient(exc):
            raise  # someone else has the call, or the queue retries once the database is back
        reason = exc.format() if isinstance(exc, TrainerError) else f"{type(exc).__name__}: {exc}"
        with session_scope(url) as session:
            record = _held(session, external_id, lease)
            record.status, record.status_reason = "failed", reason
            record.extra = {**(record.extra or {}), "stage": "failed"}
        return "failed"


def _store_result(url, external_id, lease, result, sidecar: dict, score: bool) -> str:
    """One transaction: the turns, the analytics, the evaluation and the status, or nothing."""
    conversation = result.conversation
    with session_scope(url) as session:
        record = _held(session, external_id, lease)
        record.turns.clear()
        session.flush()
        record.turns = [
            TurnRecord(
                position=i,
                speaker=t.speaker,
                text=t.text,
                start=t.start,
                end=t.end,
                words=[list(w) for w in t.words],
            )
            for i, t in enumerate(conversation.turns)
        ]
        record.duration_seconds = conversation.metadata["speech"]["duration"]
        record.extra = {
            **conversation.metadata,
            "sidecar": sidecar,
            "progress": 1.0,
            "stage": "done",
        }
        record.status, record.status_reason = "ingested", None
        if not score:
            return "ingested"
        from trainer.services.scoring import score_stored

        session.flush()
        summary = score_stored(session, [external_id])
    return "scored" if summary.scored else "failed"


PLAYBACK_DIR = Path("var") / "audio"


def _write_playback(source: str, redactions: list[dict], digest: str) -> Path:
    """The copy of the call the web app plays: redacted stretches silenced, 16 kHz WAV."""
    from trainer.speech.export import export_redacted

    target = (PLAYBACK_DIR / f"{digest}.wav").resolve()
    return export_redacted(source, redactions, target)


def playback_path(actor: Actor, external_id: str, url: str | None = None) -> Path | None:
    """The redacted audio file of a call, for playback, or None when there is none. Someone who
    may not listen to it is told there is no such conversation."""
    from trainer.services.views import visible_conversation

    with session_scope(url) as session:
        record = visible_conversation(session, actor, external_id, Action.LISTEN_AUDIO)
        if record.channel != "call":
            return None
        path = ((record.extra or {}).get("audio") or {}).get("playback")
    return Path(path) if path and Path(path).is_file() else None


def swap_roles(actor: Actor, external_id: str, url: str | None = None) -> dict:
    """Swap agent and customer on a call (a reviewer's fix for a wrong mono attribution), then
    recompute its speech analytics and re-score it. Returns the new speech metrics."""
    from trainer.conversation import Turn
    from trainer.services.audit import record_event
    from trainer.services.views import visible_conversation
    from trainer.speech.metrics import measure
    from trainer.speech.pipeline import stored_speaker_turns

    swap = {"agent": "customer", "customer": "agent"}
    with session_scope(url) as session:
        record = visible_conversation(session, actor, external_id, Action.CORRECT_TRANSCRIPT)
        if record.channel != "call":
            raise TrainerError(f"no call {external_id!r}", fix="roles can be swapped on calls only")
        if record.status in {"queued", "processing"}:
            raise TrainerError(f"call {external_id!r} is still being transcribed")
        for turn in record.turns:
            turn.speaker = swap.get(turn.speaker, turn.speaker)
        timed = stored_speaker_turns(
            [
                Turn(t.speaker, t.text, t.start, t.end, tuple(map(tuple, t.words or ())))
                for t in record.turns
            ]
        )
        metrics = measure(timed, record.duration_seconds or 0.0).as_dict()
        swaps = int((record.extra or {}).get("role_swaps", 0)) + 1
        record.extra = {**(record.extra or {}), "speech": metrics, "role_swaps": swaps}
        record_event(
            session,
            actor,
            "speakers.swap",
            object_type="conversation",
            object_id=external_id,
            before={"role_swaps": swaps - 1},
            after={"role_swaps": swaps},
        )
    from trainer.services.scoring import score_stored

    with session_scope(url) as session:
        score_stored(session, [external_id])
    return metrics
