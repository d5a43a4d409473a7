"""Contact reasons: train and evaluate the organisation's classifier on its labelled CSV, and
classify stored conversations into `ConversationRecord.contact_reason` (repeat-contact FCR then
counts a repeat only when both contacts share a reason).

Training, evaluating and applying are settings of the organisation: admins only (Action.
ADMINISTER), each in the audit log. Scoring a conversation classifies it too when a model exists
and its reason is still unknown (`classify_stored`, called by trainer/services/scoring.py).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from trainer.access import Action, Actor, authorize
from trainer.db.models import ConversationRecord
from trainer.db.repository import find_conversation, to_conversation
from trainer.errors import DatasetError, ModelError
from trainer.nlp.reason_labels import LabelledRow, read_labelled
from trainer.nlp.reasons import (
    ReasonModel,
    ReasonReport,
    conversation_text,
    evaluate_reasons,
    load_model,
    model_path,
    save_model,
    train_reasons,
)
from trainer.services.audit import record_event

_cache: dict[tuple[str, float], ReasonModel] = {}


def _texts(session: Session, rows: list[LabelledRow], name: str) -> tuple[list[str], list[str]]:
    """The texts and reasons of labelled rows; a row naming a conversation reads its stored
    customer turns. DatasetError naming the line of an unknown conversation."""
    texts, labels = [], []
    for row in rows:
        text = row.text
        if text is None:
            record = find_conversation(session, row.conversation_id or "")
            if record is None:
                raise DatasetError(
                    f"no stored conversation {row.conversation_id!r}",
                    where=f"{name}:{row.line}: column 'conversation_id'",
                    fix="ingest it first, or give its text in a 'text' column",
                )
            text = conversation_text(to_conversation(record))
        texts.append(text)
        labels.append(row.reason)
    return texts, labels


def train_from_csv(
    session: Session, actor: Actor, data: bytes, name: str, path: Path | None = None
) -> dict:
    """Train the contact-reason model on a labelled CSV and save it (replacing the earlier one
    only once the new one is trained). Returns `examples`, `reasons` (count each) and `path`."""
    authorize(actor, Action.ADMINISTER)
    texts, labels = _texts(session, read_labelled(data, name), name)
    model = train_reasons(texts, labels)
    saved = save_model(model, path)
    _cache.clear()
    summary = {"examples": len(texts), "reasons": model.meta["counts"], "path": str(saved)}
    record_event(
        session,
        actor,
        "reasons.train",
        object_type="model",
        object_id=saved.name,
        after={"file": name, "examples": len(texts), "reasons": len(model.labels)},
    )
    return summary


def require_model(path: Path | None = None) -> ReasonModel:
    """The saved model; ModelError saying how to train one when there is none."""
    model = load_model(path)
    if model is None:
        raise ModelError(
            "no contact-reason model has been trained",
            where=str((path or model_path()).name),
            fix="train one on your labelled conversations: trainer reasons train FILE.csv",
        )
    return model


def evaluate_csv(
    session: Session, actor: Actor, data: bytes, name: str, path: Path | None = None
) -> ReasonReport:
    """Accuracy, macro-F1 and a per-reason report of the saved model on a labelled CSV (use
    conversations it was not trained on)."""
    authorize(actor, Action.ADMINISTER)
    model = require_model(path)
    texts, labels = _texts(session, read_labelled(data, name), name)
    return evaluate_reasons(model, texts, labels)


def cached_model(path: Path | None = None) -> ReasonModel | None:
    """The saved model, loaded once per file version (None without one)."""
    path = path or model_path()
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError:
        return None
    if key not in _cache:
        _cache.clear()
        model = load_model(path)
        if model is None:
            return None
        _cache[key] = model
    return _cache[key]


def classify_stored(session: Session, record: ConversationRecord) -> str | None:
    """Set a conversation's unknown contact reason from the saved model (none: left unknown);
    role-play practice is not a contact. A machine step with no actor (scoring calls it)."""
    if record.contact_reason is not None or record.channel == "roleplay":
        return record.contact_reason
    model = cached_model()
    if model is None:
        return None
    [(reason, _)] = model.predict([conversation_text(to_conversation(record))])
    record.contact_reason = reason
    return reason


def classify_many(records: list[ConversationRecord], conversations: list) -> None:
    """`classify_stored` for a batch (each record with the Conversation it holds): one model
    call for those whose reason is still unknown."""
    pending = [
        (record, conversation)
        for record, conversation in zip(records, conversations, strict=True)
        if record.contact_reason is None and record.channel != "roleplay"
    ]
    model = cached_model() if pending else None
    if model is None:
        return
    predictions = model.predict([conversation_text(c) for _, c in pending])
    for (record, _), (reason, _confidence) in zip(pending, predictions, strict=True):
        record.contact_reason = reason


def apply_reasons(
    session: Session,
    actor: Actor,
    *,
    only_unknown: bool = False,
    min_confidence: float = 0.0,
    path: Path | None = None,
) -> dict:
    """Classify every stored contact (or those with no reason yet) with the saved model. A
    prediction below `min_confidence` leaves the reason unknown, so FCR counts any repeat
    rather than trusting a guess. Returns `classified`, `unknown`, `reasons` (count each)."""
    authorize(actor, Action.ADMINISTER)
    if not 0.0 <= min_confidence <= 1.0:
        raise ModelError(
            f"confidence {min_confidence} is outside 0..1", where="--min-confidence", fix="0..1"
        )
    model = require_model(path)
    query = (
        select(ConversationRecord)
        .where(ConversationRecord.channel != "roleplay")
        .options(selectinload(ConversationRecord.turns), selectinload(ConversationRecord.agent))
        .order_by(ConversationRecord.id)
    )
    if only_unknown:
        query = query.where(ConversationRecord.contact_reason.is_(None))
    records = session.scalars(query).all()
    predictions = model.predict([conversation_text(to_conversation(r)) for r in records])
    counts: Counter[str] = Counter()
    unknown = 0
    for record, (reason, confidence) in zip(records, predictions, strict=True):
        keep = confidence >= min_confidence
        record.contact_reason = reason if keep else None
        if keep:
            counts[reason] += 1
        else:
            unknown += 1
    summary = {
        "classified": sum(counts.values()),
        "unknown": unknown,
        "reasons": dict(sorted(counts.items())),
    }
    record_event(session, actor, "reasons.apply", object_type="conversation", after=summary)
    return summary
