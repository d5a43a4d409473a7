"""Ingest files and folders of conversations into the database, one transaction per file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.errors import IngestError, TrainerError
from trainer.ingest import UnrecognizedFormat, find_files, read_file
from trainer.ingest.files import read_bytes
from trainer.ingest.speakers import SpeakerAliases
from trainer.services.audit import record_event
from trainer.services.calls import is_call_file, register_call


@dataclass
class IngestSummary:
    """Counts and reasons: what was ingested, unchanged, skipped and failed."""

    ingested: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)  # registered, waiting to be transcribed

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed


def ingest_paths(
    actor: Actor,
    paths: Iterable[str | Path],
    aliases: SpeakerAliases | None = None,
    *,
    replace: bool = False,
    url: str | None = None,
    call_id: str | None = None,
    progress: Callable[[Path], None] | None = None,
) -> IngestSummary:
    """Read every file under `paths` and store its conversations.

    A file is stored whole or not at all, so one bad file never leaves half a conversation and
    never stops the rest. Audio files are registered as calls (status 'queued') for
    `trainer.services.calls.transcribe_stored`; `call_id` names a single call given directly.
    A file nobody named that is not a conversation (a README in the folder) is skipped.
    Only admins ingest (API tokens included); the run is one row of the audit log.
    """
    authorize(actor, Action.INGEST)
    aliases = aliases or SpeakerAliases.from_env()
    summary = IngestSummary()
    for path, named in find_files([Path(p) for p in paths]):
        if is_call_file(path):
            _register_call(path, summary, url, call_id if named else None)
            if progress:
                progress(path)
            continue
        try:
            read = read_file(path, aliases)
            conversations = [_redacted(c) for c in read.conversations]
            with session_scope(url) as session:
                outcomes = [store_conversation(session, c, replace=replace) for c in conversations]
            for outcome in outcomes:
                bucket = {"created": summary.ingested, "replaced": summary.replaced}.get(
                    outcome.action, summary.unchanged
                )
                bucket.append(outcome.record.external_id)
        except UnrecognizedFormat as exc:
            (summary.failed if named else summary.skipped).append((str(path), exc.format()))
        except TrainerError as exc:
            message = exc.format() if str(path) in exc.format() else f"{path}: {exc.format()}"
            summary.failed.append((str(path), message))
        if progress:
            progress(path)
    with session_scope(url) as session:
        record_event(
            session,
            actor,
            "conversations.ingest",
            after={
                "ingested": len(summary.ingested),
                "replaced": len(summary.replaced),
                "unchanged": len(summary.unchanged),
                "calls": len(summary.calls),
                "failed": len(summary.failed),
            },
        )
    return summary


def ingest_document(
    session: Session,
    actor: Actor,
    raw: bytes,
    *,
    name: str = "request",
    replace: bool = False,
    score: bool = True,
) -> dict:
    """Ingest one canonical-JSON conversation given as bytes (the API's POST), redact it, store
    it and score it with the default rubric. Returns {conversation, action, score}; raises
    IngestError naming the field for anything wrong, and stores nothing then."""
    from trainer.services.scoring import score_stored

    authorize(actor, Action.INGEST)
    read = read_bytes(name, raw, format="canonical_json")
    if len(read.conversations) != 1:
        raise IngestError(
            f"{len(read.conversations)} conversations in one request",
            where=name,
            fix="send one conversation object per request",
        )
    conversation = _redacted(read.conversations[0])
    outcome = store_conversation(session, conversation, replace=replace)
    value = None
    if score and outcome.action != "unchanged":
        summary = score_stored(session, [outcome.record.external_id])
        value = summary.scored[0][1] if summary.scored else None
    record_event(
        session,
        actor,
        "conversations.ingest",
        object_type="conversation",
        object_id=outcome.record.external_id,
        after={"action": outcome.action, "via": name},
    )
    return {"conversation": outcome.record.external_id, "action": outcome.action, "score": value}


def _register_call(
    path: Path, summary: IngestSummary, url: str | None, call_id: str | None
) -> None:
    try:
        with session_scope(url) as session:
            intake = register_call(session, path, call_id)
    except TrainerError as exc:
        summary.failed.append((str(path), exc.format()))
        return
    if intake.action == "unchanged":
        summary.unchanged.append(intake.external_id)
    else:
        summary.calls.append(intake.external_id)


def _redacted(conversation):
    """Personal data out before anything is stored (unless TRAINER_STORE_UNREDACTED=1)."""
    from trainer.privacy import redact_conversation, store_unredacted_allowed

    if store_unredacted_allowed():
        return conversation
    clean, _ = redact_conversation(conversation)
    return clean
