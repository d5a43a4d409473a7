"""Checks every reader shares: no empty conversations, no empty turns, no duplicate ids.

Readers call the small checks with the precise location they know (a line, a field path); the file
reader then runs `check_conversations` over the result as a net, so a reader that forgets a check
still cannot hand on a conversation the scoring engine would choke on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from trainer.conversation import CHANNELS, SPEAKERS, Conversation, Turn
from trainer.errors import IngestError


def require_text(text: str, where: str | None = None) -> str:
    """The text, trimmed; raises IngestError at `where` when it is empty or only whitespace."""
    stripped = text.strip()
    if not stripped:
        raise IngestError("empty text", where=where, fix="give the message its text or remove it")
    return stripped


def require_turns(turns: Sequence[Turn], where: str | None = None) -> None:
    """Raise IngestError at `where` for a conversation without a single turn."""
    if not turns:
        raise IngestError(
            "empty conversation (no turns)", where=where, fix="add its messages or remove it"
        )


def require_channel(channel: str, where: str | None = None) -> str:
    """The channel, normalized; raises IngestError at `where` unless it is a known channel."""
    key = channel.strip().lower()
    if key not in CHANNELS:
        raise IngestError(
            f"unknown channel {channel.strip()!r}",
            where=where,
            fix=f"use one of {', '.join(CHANNELS)}",
        )
    return key


def require_unique_ids(ids: Iterable[tuple[str, str]]) -> None:
    """Raise IngestError for the second of two conversations with one id; takes (id, where)."""
    seen: dict[str, str] = {}
    for external_id, where in ids:
        if external_id in seen:
            raise IngestError(
                f"duplicate conversation id {external_id!r} (also at {seen[external_id]})",
                where=where,
                fix="give every conversation in the file its own id",
            )
        seen[external_id] = where


def check_conversations(conversations: Sequence[Conversation], name: str) -> None:
    """The shared net over one file's conversations; `name` is the file, for `where`."""
    if not conversations:
        raise IngestError("no conversations in file", where=name)
    require_unique_ids(
        (c.external_id, f"{name}: conversation {i}") for i, c in enumerate(conversations)
    )
    for i, conversation in enumerate(conversations):
        where = f"{name}: conversation {i} ({conversation.external_id})"
        if not conversation.external_id.strip():
            raise IngestError("empty conversation id", where=where)
        require_channel(conversation.channel, where)
        require_turns(conversation.turns, where)
        for t, turn in enumerate(conversation.turns):
            _check_turn(turn, f"{where} turn {t}")


def _check_turn(turn: Turn, where: str) -> None:
    if turn.speaker not in SPEAKERS:
        raise IngestError(f"unknown speaker role {turn.speaker!r}", where=where)
    require_text(turn.text, where)
    for value in (turn.start, turn.end):
        if value is not None and value < 0:
            raise IngestError(f"negative time {value}", where=where)
    if turn.start is not None and turn.end is not None and turn.end < turn.start:
        raise IngestError(f"end {turn.end} is before start {turn.start}", where=where)
