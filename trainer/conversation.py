"""The one shape everything scored takes: a Conversation of Turns, plus Evidence into it.

Plain dataclasses with no I/O, so every layer (ingest, speech, scoring, role-play, db) can
share them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Speaker = Literal["agent", "customer", "system"]
SPEAKERS: tuple[str, ...] = ("agent", "customer", "system")
CHANNELS: tuple[str, ...] = ("chat", "call", "email", "roleplay")


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance: who spoke, what they said, and optionally when (seconds from the start)."""

    speaker: Speaker
    text: str
    start: float | None = None
    end: float | None = None
    words: tuple[tuple[str, float, float], ...] = ()  # (word, start, end) for transcribed calls


@dataclass(slots=True)
class Conversation:
    """A chat log, a transcribed call or a role-play attempt, ready to be scored."""

    external_id: str
    turns: list[Turn]
    channel: str = "chat"
    agent: str | None = None
    customer: str | None = None
    started_at: datetime | None = None
    source: str | None = None
    metadata: dict = field(default_factory=dict)
    # Who the customer is beyond a name (the source's customer id or email), for repeat-contact
    # FCR. Not part of content_hash: learning it later fills it in without a re-score.
    customer_ref: str | None = None

    def content_hash(self) -> str:
        """A stable hash of what was said (and by whom, and when), for idempotent ingestion."""
        payload = {
            "id": self.external_id,
            "channel": self.channel,
            "agent": self.agent,
            "customer": self.customer,
            "turns": [[t.speaker, t.text, t.start, t.end] for t in self.turns],
        }
        raw = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(raw).hexdigest()

    def turns_by(self, speaker: str) -> list[tuple[int, Turn]]:
        """The turns one speaker said, with their indices in the conversation."""
        return [(i, t) for i, t in enumerate(self.turns) if t.speaker == speaker]


def customer_ref(customer_id: str | None, customer_email: str | None) -> str | None:
    """The customer reference a source gives: its customer id, else its email (lower-cased:
    addresses differ in case between systems), else None."""
    if customer_id and customer_id.strip():
        return customer_id.strip()
    if customer_email and customer_email.strip():
        return customer_email.strip().lower()
    return None


@dataclass(frozen=True, slots=True)
class Evidence:
    """A character span inside one turn that backs a score."""

    turn: int
    start: int
    end: int
    quote: str = ""

    def as_dict(self) -> dict:
        """The JSON shape stored in the database and printed by `trainer show`."""
        return {"turn": self.turn, "start": self.start, "end": self.end, "quote": self.quote}

    @classmethod
    def from_dict(cls, data: dict) -> Evidence:
        """Rebuild evidence from its stored JSON shape."""
        return cls(int(data["turn"]), int(data["start"]), int(data["end"]), data.get("quote", ""))
