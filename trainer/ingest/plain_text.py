"""Plain-text transcripts: one conversation per file, a speaker label at the start of each turn.

    # id: c-101
    # agent: Sam Lee
    # customer: Dana Ruiz
    # channel: chat
    # started_at: 2026-03-01T10:00:00Z
    [00:00] Agent: Hi, this is Sam. How can I help?
    [00:04] Customer: I was charged twice.
      It happened on the 1st.              <- no label: continues the turn above
    Sam: Let me look into that.            <- the agent's own name works as a label

Labels are any speaker alias or the header's agent/customer name (full or first). A `[mm:ss]` or
`[hh:mm:ss]` stamp becomes the turn's start, and the next stamped turn's start its end. Inside a
turn, an unknown `Word:` is just text ("Note: ..." being an alias is the one catch); before the
first turn, or after a stamp, it is an error, since it can only be a speaker nobody mapped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from trainer.conversation import Conversation, Turn
from trainer.errors import IngestError
from trainer.ingest.locate import located
from trainer.ingest.registry import reader
from trainer.ingest.sample import Sample
from trainer.ingest.speakers import SpeakerAliases
from trainer.ingest.times import parse_instant, parse_offset
from trainer.ingest.validate import require_channel, require_text

# `[mm:ss]`, `[hh:mm:ss]`, seconds may carry a fraction; minutes may run past 59 without hours.
_STAMP = r"\[(?P<stamp>(?:\d{1,2}:)?\d{1,3}:\d{2}(?:\.\d+)?)\]"
# A label: starts with a letter, up to 40 word characters, spaces, dots, apostrophes or hyphens,
# then a colon that is not the start of a URL ("https://").
_LABEL = r"(?P<label>[^\W\d_][\w .'-]{0,39}?)\s*:(?!//)"
# The text runs to the end of the line and is stripped in Python: a lazy `.*?` before `\s*$` is
# quadratic on a long line with a long run of spaces inside it.
_LINE = re.compile(rf"^\s*(?:{_STAMP}\s*)?(?:{_LABEL})?\s*(?P<text>.*)$")
_HEADER = re.compile(r"^\s*#\s*(?P<key>[A-Za-z][\w -]{0,40}?)\s*:(?P<value>.*)$")
HEADER_KEYS = ("id", "agent", "customer", "channel", "started_at")


@dataclass
class _Turn:
    line: int
    label: str
    start: float | None
    text: list[str] = field(default_factory=list)


@dataclass
class _Parsed:
    header: dict[str, tuple[str, int]]
    turns: list[_Turn]


def _header_key(key: str) -> str:
    return "_".join(key.lower().replace("-", " ").split())


def _read_header(lines: list[str]) -> tuple[dict[str, tuple[str, int]], int]:
    """The `# key: value` lines before the first turn, and the index of the first other line."""
    header: dict[str, tuple[str, int]] = {}
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if not line.lstrip().startswith("#"):
            return header, index
        match = _HEADER.match(line)
        # Other comment lines ("# Call with Dana") are just comments.
        value = match["value"].strip() if match else ""
        if match and _header_key(match["key"]) in HEADER_KEYS and value:
            header.setdefault(_header_key(match["key"]), (value, index + 1))
    return header, len(lines)


def _name(header: dict[str, tuple[str, int]], key: str) -> str | None:
    return header[key][0] if key in header else None


@reader("plain_text", priority=0, description="plain text with 'Agent:' / 'Customer:' lines")
class PlainText:
    """Plain text with `Agent:` / `Customer:` labels, `[mm:ss]` stamps and a `# key:` header."""

    def sniff(self, sample: Sample) -> bool:
        """True when the first line after the header is labelled and some label is a known one."""
        header, first = _read_header(sample.lines)
        if first >= len(sample.lines):
            return False
        opening = _LINE.match(sample.lines[first])
        if not opening or not opening["label"]:
            return False
        agent, customer = _name(header, "agent"), _name(header, "customer")
        for line in sample.lines[first:]:
            match = _LINE.match(line)
            if match and match["label"] and sample.aliases.lookup(match["label"], agent, customer):
                return True
        return False

    def read(self, sample: Sample, aliases: SpeakerAliases) -> list[Conversation]:
        """Read the one conversation in the file; raises IngestError naming the line."""
        parsed = _parse(sample, aliases)
        header = parsed.header
        agent, customer = _name(header, "agent"), _name(header, "customer")
        channel, started_at = "chat", None
        if "channel" in header:
            with located(sample.at_line(header["channel"][1]), "channel"):
                channel = require_channel(header["channel"][0])
        if "started_at" in header:
            with located(sample.at_line(header["started_at"][1]), "started_at"):
                started_at = parse_instant(header["started_at"][0])
        if not parsed.turns:
            raise IngestError(
                "empty conversation (no turns)", where=sample.name, fix="add 'Agent: ...' lines"
            )
        return [
            Conversation(
                external_id=_name(header, "id") or sample.stem,
                turns=_turns(parsed.turns, sample, aliases, agent, customer),
                channel=channel,
                agent=agent,
                customer=customer,
                started_at=started_at,
            )
        ]


def _parse(sample: Sample, aliases: SpeakerAliases) -> _Parsed:
    header, first = _read_header(sample.lines)
    agent, customer = _name(header, "agent"), _name(header, "customer")
    turns: list[_Turn] = []
    for index in range(first, len(sample.lines)):
        line = sample.lines[index]
        if not line.strip():
            continue
        number = index + 1
        match = _LINE.match(line)
        label, stamp = match["label"], match["stamp"]
        known = bool(label) and aliases.lookup(label, agent, customer) is not None
        # An unknown label only starts a turn where nothing else can be meant (see module doc);
        # resolving it then raises "unknown speaker" with this line's number.
        if label and (known or stamp or not turns):
            start = None
            if stamp:
                with located(sample.at_line(number)):
                    start = parse_offset(stamp)
            text = match["text"].rstrip()
            turns.append(_Turn(number, label, start, [text] if text else []))
        elif stamp:
            raise IngestError(
                f"time stamp [{stamp}] without a speaker label",
                where=sample.at_line(number),
                fix="write it as '[mm:ss] Agent: text'",
            )
        elif not turns:
            raise IngestError(
                "text before the first speaker label",
                where=sample.at_line(number),
                fix="start the transcript with a labelled line, e.g. 'Agent: Hello'",
            )
        else:
            turns[-1].text.append(line.strip())
    return _Parsed(header, turns)


def _turns(
    parsed: list[_Turn],
    sample: Sample,
    aliases: SpeakerAliases,
    agent: str | None,
    customer: str | None,
) -> list[Turn]:
    turns = []
    latest: _Turn | None = None  # the last turn with a stamp, to catch stamps going backwards
    for i, turn in enumerate(parsed):
        where = sample.at_line(turn.line)
        with located(where):
            speaker = aliases.resolve(turn.label, agent, customer)
            text = require_text("\n".join(turn.text))
        if turn.start is not None:
            if latest is not None and turn.start < latest.start:
                raise IngestError(
                    f"time stamp goes backwards ({turn.start:g}s, after {latest.start:g}s "
                    f"on line {latest.line})",
                    where=where,
                    fix="keep the turns in time order",
                )
            latest = turn
        following = parsed[i + 1].start if i + 1 < len(parsed) else None
        end = following if turn.start is not None else None
        turns.append(Turn(speaker, text, turn.start, end))
    return turns
