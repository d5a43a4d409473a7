"""Checks every reader shares: no empty conversations, no empty turns, no duplicate ids.

Readers call the small checks with the precise location they know (a line, a field path); the file
reader then runs `check_conversations` over the result as a net, so a reader that forgets a check
still cannot hand on a conversation the scoring engine would choke on.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from trainer.conversation import CHANNELS, SPEAKERS, Conversation, Turn
from trainer.errors import IngestError
from trainer.ingest.clean import dotted, first_problem, text_problem
from trainer.ingest.limits import TURN_CHARS_VAR, TURNS_VAR, max_turn_chars, max_turns
from trainer.ingest.shown import quoted, seconds


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
            f"unknown channel {quoted(channel.strip())}",
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
                f"duplicate conversation id {quoted(external_id)} (also at {seen[external_id]})",
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
    turns_limit, chars_limit = max_turns(), max_turn_chars()
    for i, conversation in enumerate(conversations):
        where = f"{name}: conversation {i}"
        _check_fields(conversation, where)
        where = f"{where} ({_bare(quoted(conversation.external_id))})"
        if not conversation.external_id.strip():
            raise IngestError("empty conversation id", where=where)
        require_channel(conversation.channel, where)
        require_turns(conversation.turns, where)
        if len(conversation.turns) > turns_limit:
            raise IngestError(
                f"{len(conversation.turns):,} turns, over the limit of {turns_limit:,}",
                where=where,
                fix=f"split the conversation, or raise {TURNS_VAR}",
            )
        for t, turn in enumerate(conversation.turns):
            _check_turn(turn, f"{where} turn {t}", chars_limit)


# The widths of the database columns these fields go to (trainer.db.models): a longer value
# would make PostgreSQL refuse the whole file at commit time with a DataError.
_FIELD_CHARS = {"id": 200, "agent": 200, "customer": 200, "customer_ref": 320}


def _bare(shown: str) -> str:
    # An id that may be shown goes in without its quotes, as before; otherwise its shape.
    return shown[1:-1] if shown[:1] in {"'", '"'} else shown


def _check_fields(conversation: Conversation, where: str) -> None:
    """Strings and metadata a database cannot store (lone surrogates, NUL, NaN), by field."""
    fields = {
        "id": conversation.external_id,
        "agent": conversation.agent,
        "customer": conversation.customer,
        "customer_ref": conversation.customer_ref,
        "metadata": conversation.metadata,
    }
    problem = first_problem(fields)
    if problem is not None:
        raise IngestError(problem.message, where=f"{where} {dotted(problem.path)}", fix=problem.fix)
    for name, most in _FIELD_CHARS.items():
        value = fields[name]
        if value is not None and len(value) > most:
            raise IngestError(
                f"{name} has {len(value):,} characters, over the {most} the database keeps",
                where=f"{where} {name}",
                fix=f"shorten the {name}",
            )


def _check_turn(turn: Turn, where: str, chars_limit: int) -> None:
    if turn.speaker not in SPEAKERS:
        raise IngestError(f"unknown speaker role {quoted(turn.speaker)}", where=where)
    if len(turn.text) > chars_limit:
        raise IngestError(
            f"the turn has {len(turn.text):,} characters, over the limit of {chars_limit:,}",
            where=where,
            fix=f"split the turn, or raise {TURN_CHARS_VAR}",
        )
    problem = text_problem(turn.text)
    if problem is not None:
        raise IngestError(problem[0], where=where, fix=problem[1])
    require_text(turn.text, where)
    for value in (turn.start, turn.end):
        if value is not None and not math.isfinite(value):
            raise IngestError("a time that is not a finite number (NaN or infinity)", where=where)
        if value is not None and value < 0:
            raise IngestError(f"negative time {seconds(value)}", where=where)
    if turn.start is not None and turn.end is not None and turn.end < turn.start:
        raise IngestError(
            f"end {seconds(turn.end)} is before start {seconds(turn.start)}", where=where
        )
