"""Ingest files and folders of conversations into the database, one transaction per file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize
from trainer.batch_gc import batch_gc
from trainer.db.repository import store_conversation
from trainer.db.session import transaction
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
    workers: int = 1,
) -> IngestSummary:
    """Read every file under `paths` and store its conversations.

    A file is stored whole or not at all, so one bad file never leaves half a conversation and
    never stops the rest. Audio files are registered as calls (status 'queued') for
    `trainer.services.calls.transcribe_stored`; `call_id` names a single call given directly.
    A file nobody named that is not a conversation (a README in the folder) is skipped.
    Only admins ingest (API tokens included); the run is one row of the audit log.
    With `workers` > 1, chat files are read, redacted and stored by that many processes.
    """
    authorize(actor, Action.INGEST)
    aliases = aliases or SpeakerAliases.from_env()
    summary = IngestSummary()
    chats = []
    for path, named in find_files([Path(p) for p in paths]):
        if is_call_file(path):
            _register_call(path, summary, url, call_id if named else None, replace)
            if progress:
                progress(path)
        else:
            chats.append((path, named))
    if len(chats) > 1:
        _warm_up_redaction()  # loaded before the collector freezes what is long-lived
    with batch_gc():
        if workers > 1 and len(chats) > 1:
            _ingest_in_workers(chats, aliases, replace, url, workers, summary, progress)
        else:
            for path, named in chats:
                _ingest_chat_file(path, named, aliases, replace, url, summary)
                if progress:
                    progress(path)
    _audit_ingest(actor, summary, url)
    return summary


def _ingest_in_workers(chats, aliases, replace, url, workers, summary, progress) -> None:
    """Chat files shared among `workers` forked processes, in slices of about 50 files."""
    from trainer.services.workers import run_forked

    size = max(1, min(50, len(chats) // (workers * 4) or 1))
    jobs = [(chats[i : i + size], aliases, replace, url) for i in range(0, len(chats), size)]
    for part, done in run_forked(_ingest_slice, jobs, workers):
        for name in ("ingested", "replaced", "unchanged", "skipped", "failed"):
            getattr(summary, name).extend(getattr(part, name))
        if progress:
            for path in done:
                progress(path)


def _warm_up_redaction() -> None:
    """Load the redaction analyzer now: once for this process and the workers it forks."""
    from trainer.conversation import Conversation, Turn

    _redacted(Conversation("warm-up", [Turn("customer", "hello")]))


def _ingest_slice(job: tuple) -> tuple[IngestSummary, list[Path]]:
    """A worker's slice of chat files: each file stored as `ingest_paths` does."""
    chats, aliases, replace, url = job
    part = IngestSummary()
    for path, named in chats:
        _ingest_chat_file(path, named, aliases, replace, url, part)
    return part, [path for path, _ in chats]


def _ingest_chat_file(path, named, aliases, replace, url, summary: IngestSummary) -> None:
    """Read, redact and store one chat file in its own transaction (whole or not at all)."""
    for attempt in (1, 2):
        try:
            _store_chat_file(path, named, aliases, replace, url, summary)
            return
        except IntegrityError:
            # Another process stored the same conversation id a moment ago: once more, and
            # this file then sees it (unchanged, or refused as other content).
            if attempt == 2:
                raise


def _store_chat_file(path, named, aliases, replace, url, summary: IngestSummary) -> None:
    try:
        read = read_file(path, aliases)
        conversations = [_redacted(c) for c in read.conversations]
        # Retried from the start when another process holds SQLite's write lock.
        outcomes = transaction(
            lambda session, batch=conversations: [
                store_conversation(session, c, replace=replace) for c in batch
            ],
            url,
        )
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


def _audit_ingest(actor: Actor, summary: IngestSummary, url: str | None) -> None:
    """The run's one audit row."""
    transaction(
        lambda session: record_event(
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
        ),
        url,
    )


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
    path: Path, summary: IngestSummary, url: str | None, call_id: str | None, replace: bool
) -> None:
    try:
        intake = transaction(lambda s: register_call(s, path, call_id, replace=replace), url)
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
