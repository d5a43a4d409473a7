"""Retention: purge conversations (or only their audio) older than a period, and erase one data
subject's conversations on request. Admins only; each run is one audit row.

Deleting a conversation deletes what was derived from it with it (turns, evaluations and their
criterion rows, reviews, disputes, review assignments, follow-up promises, calibration links:
the database cascades), takes it off coaching sessions, and removes the audio files Trainer
keeps for it (the redacted playback copy, and the source when it was uploaded to Trainer or
lies under its `var/` folder; a source file elsewhere is the organisation's own and is only
counted). Role-play
transcripts are trainees' practice, not customers' data, and are left alone. The audit log is
append-only (database triggers refuse deletes): rows about erased conversations stay, and the
erasure's own row holds a hash of the address, never the address.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize
from trainer.db.models import AuditEvent, CoachingSession, ConversationRecord
from trainer.errors import RetentionError
from trainer.services.audit import record_event
from trainer.services.call_uploads import upload_dir

# Files Trainer itself wrote (playback copies, API uploads) live here or in the upload folder
# ($TRAINER_UPLOAD_DIR); anything else is the organisation's own file.
DATA_DIR = Path("var")
CUSTOMER_CHANNELS = ("chat", "call", "email")
_AGE = re.compile(r"^\s*(\d{1,5})\s*([dwmy])\s*$", re.IGNORECASE)
_CHUNK = 500


def parse_age(text: str) -> tuple[int, str]:
    """`365d`, `12w`, `6m` (calendar months) or `2y` as (count, unit); a coded error else."""
    match = _AGE.match(text or "")
    if not match or int(match.group(1)) == 0:
        raise RetentionError(
            f"{text!r} is not a retention period",
            where="--older-than",
            fix="a positive number and a unit: 365d, 12w, 6m (months) or 2y",
        )
    return int(match.group(1)), match.group(2).lower()


def cutoff_for(text: str, now: datetime | None = None) -> datetime:
    """The moment `text` (see parse_age) before `now`: what started before it is older."""
    count, unit = parse_age(text)
    now = now or datetime.now(UTC)
    if unit == "d":
        return now - timedelta(days=count)
    if unit == "w":
        return now - timedelta(weeks=count)
    months = count * (12 if unit == "y" else 1)
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    month += 1
    # The 31st of a month that has no 31st becomes that month's last day.
    next_month = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=now.tzinfo)
    last_day = (next_month - timedelta(days=1)).day
    return now.replace(year=year, month=month, day=min(now.day, last_day))


def email_hash(email: str) -> str:
    """What the audit log keeps of an erased customer's address: `sha256:` + hex of the
    lower-cased address (who asked can be matched later; the address cannot be read back)."""
    return "sha256:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


@dataclass
class RetentionResult:
    """What a purge or erasure did (or, in a dry run, would do)."""

    conversations: list[str] = field(default_factory=list)
    audio_files: int = 0
    sources_kept: int = 0  # source audio outside var/ (the organisation's own files)
    audit_rows_kept: int = 0  # audit rows about these conversations (append-only)
    dry_run: bool = False

    def as_dict(self) -> dict:
        """Counts for the audit row and the CLI's output."""
        return {
            "conversations": len(self.conversations),
            "audio_files": self.audio_files,
            "sources_kept": self.sources_kept,
            "audit_rows_kept": self.audit_rows_kept,
        }


def purge(
    session: Session,
    actor: Actor,
    older_than: str,
    *,
    audio_only: bool = False,
    dry_run: bool = False,
    now: datetime | None = None,
) -> RetentionResult:
    """Delete customer conversations that started (or, without a start time, were stored)
    before `older_than` ago, with everything derived from them; `audio_only` keeps them and
    their transcripts and scores, removes their audio files and marks them."""
    authorize(actor, Action.ADMINISTER)
    cutoff = cutoff_for(older_than, now)
    moment = func.coalesce(ConversationRecord.started_at, ConversationRecord.created_at)
    query = select(ConversationRecord).where(
        ConversationRecord.channel.in_(CUSTOMER_CHANNELS), moment < cutoff
    )
    if audio_only:
        query = query.where(ConversationRecord.channel == "call")
    records = session.scalars(query.order_by(ConversationRecord.id)).all()
    if audio_only:
        records = [r for r in records if not (r.extra or {}).get("audio_purged_at")]
    result = RetentionResult(dry_run=dry_run)
    if audio_only:
        _remove_audio(session, records, result, dry_run=dry_run, mark=True)
    else:
        _delete(session, records, result, dry_run=dry_run)
    if not dry_run:
        record_event(
            session,
            actor,
            "retention.purge",
            object_type="conversations",
            after={
                "older_than": older_than,
                "cutoff": cutoff.isoformat(),
                "audio_only": audio_only,
                **result.as_dict(),
            },
        )
    return result


def erase_customer(
    session: Session, actor: Actor, email: str, *, dry_run: bool = False
) -> RetentionResult:
    """Delete every conversation of the customer with this address (their `customer_ref`),
    with its audio and derived rows. The audit row holds the address's hash only."""
    authorize(actor, Action.ADMINISTER)
    address = (email or "").strip().lower()
    if "@" not in address or len(address) > 320:
        raise RetentionError(
            "not an email address", where="--customer", fix="give the customer's email address"
        )
    records = session.scalars(
        select(ConversationRecord)
        .where(func.lower(ConversationRecord.customer_ref) == address)
        .order_by(ConversationRecord.id)
    ).all()
    result = RetentionResult(dry_run=dry_run)
    _delete(session, records, result, dry_run=dry_run)
    if not dry_run:
        record_event(
            session,
            actor,
            "retention.erase",
            object_type="customer",
            object_id=email_hash(address),
            after=result.as_dict(),
        )
    return result


def _delete(
    session: Session, records: list[ConversationRecord], result: RetentionResult, *, dry_run: bool
) -> None:
    """Delete the conversations in chunks, the database cascading to their derived rows."""
    result.conversations = [r.external_id for r in records]
    result.audit_rows_kept = _audit_rows_about(session, result.conversations)
    _remove_audio(session, records, result, dry_run=dry_run, mark=False)
    if dry_run or not records:
        return
    _unlink_from_coaching(session, set(result.conversations))
    ids = [r.id for r in records]
    for record in records:
        session.expunge(record)  # bulk-deleted below; the identity map must not flush them
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(
            delete(ConversationRecord).where(ConversationRecord.id.in_(chunk)),
            execution_options={"synchronize_session": False},
        )
    session.flush()


def _audit_rows_about(session: Session, external_ids: list[str]) -> int:
    total = 0
    for start in range(0, len(external_ids), _CHUNK):
        chunk = external_ids[start : start + _CHUNK]
        total += session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_type == "conversation", AuditEvent.object_id.in_(chunk))
        )
    return total


def _unlink_from_coaching(session: Session, external_ids: set[str]) -> None:
    """Coaching sessions keep their notes but no longer point at deleted conversations."""
    for row in session.scalars(select(CoachingSession)):
        linked = list(row.conversation_ids or [])
        kept = [cid for cid in linked if cid not in external_ids]
        if kept != linked:
            row.conversation_ids = kept


def _audio_files(record: ConversationRecord) -> tuple[list[Path], bool]:
    """(files Trainer wrote for this call, whether its source lies outside Trainer's folder)."""
    if record.channel != "call":
        return [], False
    files: list[Path] = []
    playback = ((record.extra or {}).get("audio") or {}).get("playback")
    if playback:
        files.append(Path(playback))
    outside = False
    if record.source and record.source_format == "audio":
        source = Path(record.source)
        if _inside(source, DATA_DIR) or _inside(source, upload_dir()):
            files.append(source)
        else:
            outside = source.exists()
    return files, outside


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _shared_digests(session: Session, records: Iterable[ConversationRecord]) -> set[str]:
    """Content hashes other conversations (outside `records`) share: their files stay."""
    ids = {r.id for r in records}
    digests = {r.content_hash for r in records if r.channel == "call"}
    shared: set[str] = set()
    for digest in digests:
        others = session.scalars(
            select(ConversationRecord.id).where(ConversationRecord.content_hash == digest)
        ).all()
        if set(others) - ids:
            shared.add(digest)
    return shared


def _remove_audio(
    session: Session,
    records: list[ConversationRecord],
    result: RetentionResult,
    *,
    dry_run: bool,
    mark: bool,
) -> None:
    """Remove the calls' audio files (counting them); `mark` records it on each call."""
    shared = _shared_digests(session, records)
    stamp = datetime.now(UTC).isoformat()
    for record in records:
        files, outside = _audio_files(record)
        result.sources_kept += int(outside)
        if record.content_hash in shared:
            files = []  # the same audio belongs to another conversation too
        for path in files:
            if path.is_file():
                result.audio_files += 1
                if not dry_run:
                    path.unlink()
        if mark:
            result.conversations.append(record.external_id)
            if not dry_run:
                extra = dict(record.extra or {})
                extra["audio"] = {**(extra.get("audio") or {}), "playback": None}
                extra["audio_purged_at"] = stamp
                record.extra = extra
    if mark:
        session.flush()
