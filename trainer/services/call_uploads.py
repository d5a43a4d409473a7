"""Calls sent as bytes (the API's POST /api/v1/calls): the audio is kept under Trainer's upload
folder by its content hash, registered as a queued call, and handed to `trainer worker` for
transcription and scoring. The same audio sent twice is neither stored nor transcribed twice."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from trainer.access import Action, Actor, authorize
from trainer.conversation import customer_ref
from trainer.db.repository import find_conversation, match_agent
from trainer.db.session import session_scope
from trainer.errors import AudioError, IngestError
from trainer.services.audit import record_event
from trainer.services.calls import register_call
from trainer.speech.audio import sniff_format

CALL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$")


def upload_dir() -> Path:
    """$TRAINER_UPLOAD_DIR, else var/uploads: where uploaded recordings are kept (retention
    deletes files here with their conversations)."""
    return Path(os.environ.get("TRAINER_UPLOAD_DIR") or Path("var") / "uploads")


@dataclass(frozen=True)
class CallMeta:
    """What a client may say about an uploaded call."""

    external_id: str | None = None
    agent: str | None = None
    customer: str | None = None
    customer_email: str | None = None
    customer_id: str | None = None
    agent_channel: str | None = None  # "left" or "right" for stereo calls


@dataclass(frozen=True)
class Uploaded:
    """The call's id, what happened (created, retried, unchanged) and whether a transcription
    job was queued."""

    conversation: str
    action: str
    queued: bool


def _keep(data: bytes, fmt: str, digest: str) -> Path:
    folder = upload_dir() / "calls"
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / f"{digest}.{fmt}").resolve()
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(path)  # atomic: a worker never reads half a file
    return path


def upload_call(actor: Actor, data: bytes, meta: CallMeta, url: str | None = None) -> Uploaded:
    """Keep the audio, register the call (status 'queued') and queue its transcription after
    the registration is committed. Admins and API tokens of admins only."""
    authorize(actor, Action.INGEST)
    fmt = sniff_format(data[:512])
    if fmt is None:
        raise AudioError(
            "not an audio recording", where="request body", fix="send wav, flac, ogg, mp3 or m4a"
        )
    if meta.external_id is not None and not CALL_ID.match(meta.external_id):
        raise IngestError(
            "a call id is 1-200 letters, digits and . _ : @ -", where="id", fix="choose another id"
        )
    if meta.agent_channel not in (None, "left", "right"):
        raise IngestError("must be 'left' or 'right'", where="agent_channel")
    digest = hashlib.sha256(data).hexdigest()
    path = _keep(data, fmt, digest)
    external_id = meta.external_id or f"call-{digest[:16]}"
    with session_scope(url) as session:
        intake = register_call(session, path, external_id)
        record = find_conversation(session, external_id)
        if intake.action != "unchanged":
            sidecar = {
                k: v
                for k, v in (
                    ("agent", meta.agent),
                    ("customer", meta.customer),
                    ("agent_channel", meta.agent_channel),
                )
                if v
            }
            record.extra = {**(record.extra or {}), "sidecar": sidecar}
            record.customer_name = meta.customer
            record.agent_name = (meta.agent or "").strip() or None
            record.agent = match_agent(session, meta.agent)
            record.customer_ref = customer_ref(meta.customer_id, meta.customer_email)
        record_event(
            session,
            actor,
            "calls.upload",
            object_type="conversation",
            object_id=external_id,
            after={"action": intake.action, "format": fmt, "bytes": len(data)},
        )
    queued = intake.action != "unchanged"
    if queued:
        from trainer.jobs.queue import default_queue

        default_queue().transcribe(external_id)
    return Uploaded(external_id, intake.action, queued)
