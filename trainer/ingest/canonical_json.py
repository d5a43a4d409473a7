"""Trainer's own chat JSON: one conversation object, or a list of them.

    {"id": "c-001", "channel": "chat", "started_at": "2026-03-01T10:00:00Z",
     "agent": "Sam Lee", "customer": "Dana Ruiz", "customer_id": "C-1042",
     "turns": [{"speaker": "agent", "text": "...", "start": 0.0, "end": 2.1}]}

Only `turns` (and each turn's `speaker` and `text`) is required. `customer_id` or
`customer_email` (optional) tell who the customer is for repeat-contact FCR. Unknown fields are
refused, so a misspelt `strat` is reported rather than silently dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from trainer.conversation import CHANNELS, Conversation, Turn, customer_ref
from trainer.ingest.locate import located
from trainer.ingest.registry import reader
from trainer.ingest.sample import Sample
from trainer.ingest.schema_errors import Invalid, raise_invalid
from trainer.ingest.shown import quoted, seconds
from trainer.ingest.speakers import SpeakerAliases
from trainer.ingest.validate import require_unique_ids


class TurnIn(BaseModel):
    """One turn as written in the file."""

    model_config = ConfigDict(extra="forbid")

    speaker: str
    text: str
    start: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    end: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if not value.strip():
            raise Invalid("empty text", fix="give the turn its text or remove the turn")
        return value.strip()

    @field_validator("end")
    @classmethod
    def _end(cls, value: float | None, info: ValidationInfo) -> float | None:
        start = info.data.get("start")
        if value is not None and start is not None and value < start:
            raise Invalid(
                f"end {seconds(value)} is before start {seconds(start)}",
                fix="end must be >= start",
            )
        return value


class ConversationIn(BaseModel):
    """One conversation as written in the file."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    id: str | None = None
    channel: str = "chat"
    started_at: datetime | None = None
    agent: str | None = None
    customer: str | None = None
    customer_id: str | None = None
    customer_email: str | None = None
    turns: list[TurnIn]
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise Invalid("empty id", fix="give the conversation an id or leave the field out")
        return value.strip() if value is not None else None

    @field_validator("customer_id", "customer_email")
    @classmethod
    def _customer_ref(cls, value: str | None) -> str | None:
        # An empty cell in an export means "not known", not a customer called "".
        return value.strip() or None if value is not None else None

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if value.strip().lower() not in CHANNELS:
            raise Invalid(
                f"unknown channel {quoted(value)}", fix=f"use one of {', '.join(CHANNELS)}"
            )
        return value.strip().lower()

    @field_validator("turns")
    @classmethod
    def _turns(cls, value: list[TurnIn]) -> list[TurnIn]:
        if not value:
            raise Invalid("empty conversation (no turns)", fix="add its turns or remove it")
        return value


_MANY = TypeAdapter(list[ConversationIn])


@reader("canonical_json", priority=10, description="Trainer JSON (objects with turns)")
class CanonicalJson:
    """Trainer JSON: an object with a `turns` list, or a list of such objects."""

    def sniff(self, sample: Sample) -> bool:
        """True for a JSON object with `turns`, or a list holding at least one such object."""
        data = sample.json
        if isinstance(data, dict):
            return "turns" in data
        return isinstance(data, list) and any(isinstance(x, dict) and "turns" in x for x in data)

    def read(self, sample: Sample, aliases: SpeakerAliases) -> list[Conversation]:
        """Validate the file and build its conversations; raises IngestError at the field."""
        many = isinstance(sample.json, list)
        try:
            items = (
                _MANY.validate_python(sample.json)
                if many
                else [ConversationIn.model_validate(sample.json)]
            )
        except ValidationError as exc:
            raise_invalid(exc, sample)
        conversations = []
        for i, item in enumerate(items):
            prefix = f"[{i}]." if many else ""
            fallback = f"{sample.stem}-{i}" if many else sample.stem
            conversations.append(_build(item, fallback, prefix, sample, aliases))
        require_unique_ids(
            (c.external_id, sample.at_field(f"[{i}].id" if many else "id"))
            for i, c in enumerate(conversations)
        )
        return conversations


def _build(
    item: ConversationIn, fallback_id: str, prefix: str, sample: Sample, aliases: SpeakerAliases
) -> Conversation:
    turns = []
    for t, turn in enumerate(item.turns):
        with located(sample.at_field(f"{prefix}turns.{t}.speaker")):
            speaker = aliases.resolve(turn.speaker, item.agent, item.customer)
        turns.append(Turn(speaker, turn.text, turn.start, turn.end))
    return Conversation(
        external_id=item.id or fallback_id,
        turns=turns,
        channel=item.channel,
        agent=item.agent,
        customer=item.customer,
        started_at=item.started_at,
        metadata=dict(item.metadata),
        customer_ref=customer_ref(item.customer_id, item.customer_email),
    )
