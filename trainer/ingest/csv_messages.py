"""CSV chat exports, one row per message, many conversations per file.

    conversation_id,timestamp,speaker,text,agent,customer,channel
    c-001,2026-03-01T10:00:00Z,agent,"Hi, how can I help?",Sam Lee,Dana Ruiz,chat

`conversation_id`, `speaker` and `text` are required; `timestamp` (ISO-8601, may be empty), `agent`,
`customer`, `channel`, `customer_id` and `customer_email` (who the customer is, for repeat-contact
FCR) are optional. Header names are matched case-insensitively ("Conversation
ID" works). Rows are grouped by conversation in the order each conversation first appears.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from trainer.conversation import Conversation, Turn, customer_ref
from trainer.errors import IngestError
from trainer.ingest.limits import TURN_CHARS_VAR, max_turn_chars
from trainer.ingest.locate import located
from trainer.ingest.registry import reader
from trainer.ingest.sample import Sample
from trainer.ingest.shown import quoted
from trainer.ingest.speakers import SpeakerAliases
from trainer.ingest.times import parse_instant, seconds_between
from trainer.ingest.validate import require_channel, require_text

REQUIRED = ("conversation_id", "speaker", "text")
OPTIONAL = ("timestamp", "agent", "customer", "channel", "customer_id", "customer_email")
COLUMNS_FIX = (
    "name the columns conversation_id, speaker, text "
    "(and optionally timestamp, agent, customer, channel, customer_id, customer_email)"
)
# Conversation-level columns: one value per conversation, taken from whichever row has it.
_PER_CONVERSATION = ("agent", "customer", "channel", "customer_id", "customer_email")


def column_key(name: str) -> str:
    """The form header names are compared in: `" Conversation ID "` -> `conversation_id`."""
    return "_".join(name.strip().lower().replace("-", " ").split())


@dataclass
class _Message:
    line: int
    speaker: str
    text: str
    timestamp: datetime | None


@dataclass
class _Group:
    first_line: int
    messages: list[_Message] = field(default_factory=list)
    # column -> (value, line it came from), for a clear error when two rows disagree.
    values: dict[str, tuple[str, int]] = field(default_factory=dict)


@reader("csv_messages", priority=10, description="CSV with conversation_id, speaker, text columns")
class CsvMessages:
    """CSV with one message per row: conversation_id, timestamp, speaker, text columns."""

    def sniff(self, sample: Sample) -> bool:
        """True when the first line is a CSV header naming two of conversation_id/speaker/text."""
        first = next((line for line in sample.lines if line.strip()), "")
        if not any(d in first for d in (",", ";", "\t")):
            return False
        header = {column_key(c) for c in next(csv.reader([first], delimiter=_delimiter(first)))}
        return len(header & set(REQUIRED)) >= 2

    def read(self, sample: Sample, aliases: SpeakerAliases) -> list[Conversation]:
        """Group the rows into conversations; raises IngestError naming the line and column."""
        rows = _rows(sample)
        header_line, header = next(rows, (1, []))
        columns = _columns(header, sample.at_line(header_line))
        groups: dict[str, _Group] = {}
        for line, row in rows:
            if len(row) > len(header):
                raise IngestError(
                    f"{len(row)} fields but the header has {len(header)} columns",
                    where=sample.at_line(line),
                    fix='put text that contains the delimiter in double quotes: "Hi, Sam"',
                )
            _add_row(groups, columns, row, sample.at_line(line), line)
        if not groups:
            raise IngestError(
                "no messages (the file has only a header)", where=sample.name, fix=COLUMNS_FIX
            )
        return [_build(cid, group, sample, aliases) for cid, group in groups.items()]


def _delimiter(first_line: str) -> str:
    # Spreadsheet exports in some locales use ';' or tabs; the header line tells which.
    return max((",", ";", "\t"), key=first_line.count)


def _rows(sample: Sample):
    """Yield (line number where the record starts, fields), skipping blank lines."""
    first = next((line for line in sample.lines if line.strip()), "")
    # The csv module's own cap (128 KB a field) would refuse turns the turn limit allows; the
    # cap is process-wide, so it is only ever raised, to the largest turn Trainer takes.
    limit = max_turn_chars()
    if csv.field_size_limit() < limit + 1:
        csv.field_size_limit(limit + 1)
    # strict: an unclosed quote is an error, not one cell swallowing the rest of the file.
    parsed = csv.reader(
        io.StringIO(sample.text, newline=""), delimiter=_delimiter(first), strict=True
    )
    line = 1
    try:
        for row in parsed:
            if any(cell.strip() for cell in row):
                yield line, row
            line = parsed.line_num + 1
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise IngestError(
                f"a field of more than {limit:,} characters",
                where=sample.at_line(line),
                fix=f"split the message, or raise {TURN_CHARS_VAR}",
            ) from None
        raise IngestError(f"malformed CSV: {exc}", where=sample.at_line(line)) from None


def _columns(header: list[str], where: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = column_key(name)
        if key in columns and key in REQUIRED + OPTIONAL:
            raise IngestError(f"column {key!r} appears twice", where=where, fix=COLUMNS_FIX)
        columns.setdefault(key, index)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        found = ", ".join(name.strip() for name in header) or "none"
        raise IngestError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(found columns: {found})",
            where=where,
            fix=COLUMNS_FIX,
        )
    return columns


def _add_row(
    groups: dict[str, _Group], columns: dict[str, int], row: list[str], where: str, line: int
) -> None:
    def cell(name: str) -> str:
        index = columns.get(name)
        # Spreadsheets drop trailing empty cells; a short row means those cells are empty.
        return row[index].strip() if index is not None and index < len(row) else ""

    cid = cell("conversation_id")
    if not cid:
        raise IngestError("column 'conversation_id': empty", where=where, fix="fill it in")
    group = groups.setdefault(cid, _Group(line))
    with located(where, "column 'text'"):
        text = require_text(cell("text"))
    timestamp = None
    if cell("timestamp"):
        with located(where, "column 'timestamp'"):
            timestamp = parse_instant(cell("timestamp"))
    for name in _PER_CONVERSATION:
        value = cell(name)
        if not value:
            continue
        if name == "channel":
            with located(where, "column 'channel'"):
                value = require_channel(value)
        earlier = group.values.setdefault(name, (value, line))
        if earlier[0] != value:
            raise IngestError(
                f"column {name!r}: {quoted(value)} differs from {quoted(earlier[0])} "
                f"on line {earlier[1]} "
                f"for conversation {cid!r}",
                where=where,
                fix=f"give every row of a conversation the same {name}",
            )
    group.messages.append(_Message(line, cell("speaker"), text, timestamp))


def _build(cid: str, group: _Group, sample: Sample, aliases: SpeakerAliases) -> Conversation:
    agent = group.values.get("agent", (None, 0))[0]
    customer = group.values.get("customer", (None, 0))[0]
    started = next((m.timestamp for m in group.messages if m.timestamp is not None), None)
    turns = []
    for message in group.messages:
        where = sample.at_line(message.line)
        with located(where, "column 'speaker'"):
            speaker = aliases.resolve(message.speaker, agent, customer)
        start = None
        if message.timestamp is not None and started is not None:
            with located(where, "column 'timestamp'"):
                start = seconds_between(started, message.timestamp)
            if start < 0:
                raise IngestError(
                    f"column 'timestamp': {message.timestamp.isoformat()} is before the "
                    f"conversation's first message ({started.isoformat()})",
                    where=where,
                    fix="sort each conversation's rows by time",
                )
        turns.append(Turn(speaker, message.text, start))
    return Conversation(
        external_id=cid,
        turns=turns,
        channel=group.values.get("channel", ("chat", 0))[0],
        agent=agent,
        customer=customer,
        started_at=started,
        customer_ref=customer_ref(
            group.values.get("customer_id", (None, 0))[0],
            group.values.get("customer_email", (None, 0))[0],
        ),
    )
