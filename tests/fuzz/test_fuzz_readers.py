"""Hypothesis over every chat-log reader: any bytes, any JSON shape, hostile CSV and transcripts
are either read into conversations a database can store, or refused with a coded IngestError
that names the file; never a traceback, never a hang."""

from __future__ import annotations

import csv
import io
import json
import math

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.harness import CARD, attempt, fuzz
from trainer.conversation import CHANNELS, SPEAKERS
from trainer.errors import IngestError
from trainer.ingest import read_bytes
from trainer.ingest.limits import max_turn_chars, max_turns

EXTENSIONS = [".json", ".txt", ".csv", ".tsv", ".log", ""]
# Text that goes wrong in interesting ways: surrogates, NUL, BOMs, formula cells, labels, stamps,
# delimiters, quotes, a card number, long runs of spaces, right-to-left marks.
NASTY = st.sampled_from(
    [
        "\ud800",
        "\udfff",
        "\x00",
        "\ufeff",
        "\u202e",
        "=SUM(A1)",
        "+cmd|' /C calc'!A0",
        "@x",
        "Agent:",
        "Customer: ",
        "[00:12]",
        "[99:99]",
        ",",
        ";",
        "\t",
        '"',
        "\n",
        "\r\n",
        CARD,
        " " * 200,
        "# id: x",
        "https://x.example",
        "é",
        "😀",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=20), NASTY), max_size=8).map("".join)
# Ordinary text (no surrogates: hypothesis leaves them out), so that many examples are valid and
# the reading path is exercised as much as the refusals.
SAFE = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    str.strip
)
MOSTLY = st.one_of(SAFE, SAFE, TEXT)
NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
)
SCALAR = st.one_of(st.none(), st.booleans(), NUMBER, TEXT)
JSON_VALUE = st.recursive(
    SCALAR,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(TEXT, children, max_size=4)
    ),
    max_leaves=20,
)


def turn_strategy():
    """A turn object with each field right, wrong, missing or hostile."""
    return st.fixed_dictionaries(
        {},
        optional={
            "speaker": st.one_of(st.sampled_from([*SPEAKERS, "Agent", "rep", "bot"]), SCALAR),
            "text": st.one_of(TEXT, SCALAR),
            "start": st.one_of(NUMBER, SCALAR),
            "end": st.one_of(NUMBER, SCALAR),
            "extra": SCALAR,
        },
    )


VALID_TURN = st.one_of(
    st.fixed_dictionaries({"speaker": st.sampled_from(SPEAKERS), "text": SAFE}),
    st.builds(
        lambda speaker, text, start, length: {
            "speaker": speaker,
            "text": text,
            "start": start,
            "end": start + length,
        },
        st.sampled_from(SPEAKERS),
        SAFE,
        st.floats(0, 1e6),
        st.floats(0, 600),
    ),
)
TURN = st.one_of(VALID_TURN, VALID_TURN, turn_strategy())
CONVERSATION = st.fixed_dictionaries(
    {"turns": st.one_of(st.lists(TURN, min_size=1, max_size=6), JSON_VALUE)},
    optional={
        "id": st.one_of(SAFE, TEXT, SCALAR),
        "channel": st.one_of(st.sampled_from(CHANNELS), TEXT),
        "started_at": st.one_of(st.just("2026-03-01T10:00:00Z"), TEXT, SCALAR),
        "agent": st.one_of(TEXT, SCALAR),
        "customer": st.one_of(TEXT, SCALAR),
        "customer_id": st.one_of(TEXT, SCALAR),
        "customer_email": st.one_of(TEXT, SCALAR),
        "metadata": JSON_VALUE,
        "strat": SCALAR,
    },
)
PAIR = st.tuples(st.sampled_from(["agent", "customer", "action"]), SAFE).map(list)
ABCD = st.fixed_dictionaries(
    {
        "convo_id": st.one_of(st.integers(0, 10**6), SAFE, SCALAR),
        "original": st.one_of(
            st.lists(PAIR, min_size=1, max_size=5),
            st.lists(st.one_of(PAIR, st.lists(st.one_of(SAFE, TEXT), max_size=3)), max_size=5),
            JSON_VALUE,
        ),
    },
    optional={"scenario": st.one_of(JSON_VALUE, st.just({"personal": {"customer_name": "Di"}}))},
)


def check_read(name: str, raw: bytes) -> None:
    """Read `raw` as the file `name`: storable conversations, or a coded error naming it."""
    outcome = attempt(lambda: read_bytes(name, raw), name, codes=(IngestError,))
    if isinstance(outcome, IngestError):
        return
    assert outcome.conversations
    for conversation in outcome.conversations:
        assert conversation.channel in CHANNELS
        assert 0 < len(conversation.turns) <= max_turns()
        conversation.content_hash()  # encodes every string as UTF-8: no lone surrogate left
        json.dumps(conversation.metadata, allow_nan=False)  # what the JSON column stores
        for field in (conversation.external_id, conversation.agent, conversation.customer):
            assert field is None or "\x00" not in field
        for turn in conversation.turns:
            assert turn.speaker in SPEAKERS
            assert turn.text.strip() and "\x00" not in turn.text
            assert len(turn.text) <= max_turn_chars()
            for time in (turn.start, turn.end):
                assert time is None or (math.isfinite(time) and time >= 0)


@fuzz(80)
@given(raw=st.binary(max_size=400), extension=st.sampled_from(EXTENSIONS))
def test_fuzz_any_bytes_are_read_or_refused(raw, extension):
    check_read(f"fuzz{extension}", raw)


@fuzz(40)
@given(
    text=MOSTLY,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "utf-16-be"]),
    extension=st.sampled_from(EXTENSIONS),
)
def test_fuzz_any_text_in_any_unicode_encoding(text, encoding, extension):
    raw = text.encode(encoding, errors="surrogatepass")
    check_read(f"fuzz{extension}", raw)


VALID_CONVERSATION = st.fixed_dictionaries(
    {"turns": st.lists(VALID_TURN, min_size=1, max_size=6)},
    optional={
        "id": SAFE,
        "channel": st.sampled_from(CHANNELS),
        "started_at": st.just("2026-03-01T10:00:00Z"),
        "agent": SAFE,
        "customer": SAFE,
        "customer_id": SAFE,
        "metadata": st.dictionaries(SAFE, st.one_of(SAFE, st.integers()), max_size=3),
    },
)


@st.composite
def one_field_wrong(draw) -> dict:
    """A valid conversation with at most one field (or one turn's field) made hostile."""
    data = draw(VALID_CONVERSATION)
    if draw(st.booleans()):
        return data
    hostile = draw(st.one_of(SCALAR, JSON_VALUE, NASTY))
    if draw(st.booleans()):
        key = draw(st.sampled_from(["id", "channel", "started_at", "agent", "turns", "metadata"]))
        return {**data, key: hostile}
    turns = [dict(t) for t in data["turns"]]
    index = draw(st.integers(0, len(turns) - 1))
    turns[index][draw(st.sampled_from(["speaker", "text", "start", "end"]))] = hostile
    return {**data, "turns": turns}


@fuzz(100)
@given(
    data=st.one_of(
        one_field_wrong(),
        st.lists(one_field_wrong(), min_size=1, max_size=3),
        CONVERSATION,
        JSON_VALUE,
    )
)
def test_fuzz_canonical_json_shapes(data):
    # allow_nan: NaN and Infinity tokens, which Python's reader accepts, must be refused too.
    raw = json.dumps(data, allow_nan=True).encode("utf-8", errors="surrogatepass")
    check_read("fuzz.json", raw)


@fuzz(40)
@given(
    data=st.one_of(
        st.lists(ABCD, max_size=3),
        st.dictionaries(st.sampled_from(["train", "dev", "test"]), st.lists(ABCD, max_size=2)),
    )
)
def test_fuzz_abcd_json_shapes(data):
    raw = json.dumps(data, allow_nan=True).encode("utf-8", errors="surrogatepass")
    check_read("fuzz.json", raw)


HEADERS = ["conversation_id", "speaker", "text", "timestamp", "agent", "customer", "channel"]


ROW = st.tuples(st.sampled_from(["c1", "c2"]), st.sampled_from(["agent", "customer"]), MOSTLY)


@fuzz(70)
@given(
    header=st.one_of(
        st.just(HEADERS[:3]),
        st.lists(st.one_of(st.sampled_from(HEADERS), TEXT), min_size=1, max_size=7),
    ),
    rows=st.lists(
        st.one_of(
            ROW.map(list),
            st.lists(st.one_of(st.sampled_from(["c1", "agent", "customer", ""]), TEXT), max_size=8),
        ),
        max_size=6,
    ),
    delimiter=st.sampled_from([",", ";", "\t"]),
    raw_lines=st.lists(TEXT, max_size=2),
)
def test_fuzz_csv_messages(header, rows, delimiter, raw_lines):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue() + "\n".join(raw_lines)  # and some lines that are not CSV at all
    check_read("fuzz.csv", text.encode("utf-8", errors="surrogatepass"))


LABELS = st.sampled_from(
    ["Agent", "Customer", "Agent", "Customer", "System", "Sam", "Dana", "Bob", "Note", "A B"]
)


@fuzz(60)
@given(
    header=st.lists(
        st.tuples(st.sampled_from(["id", "agent", "customer", "channel", "started_at", "x"]), TEXT),
        max_size=4,
    ),
    lines=st.lists(
        st.tuples(
            st.one_of(st.none(), st.sampled_from(["[00:01]", "[01:02:03]", "[9:99]", "[00:00.5]"])),
            st.one_of(LABELS, LABELS, st.none()),
            MOSTLY,
        ),
        max_size=8,
    ),
)
def test_fuzz_plain_text(header, lines):
    parts = [f"# {key}: {value}" for key, value in header]
    for stamp, label, text in lines:
        parts.append(" ".join(p for p in (stamp, f"{label}:" if label else None, text) if p))
    raw = "\n".join(parts).encode("utf-8", errors="surrogatepass")
    check_read("fuzz.txt", raw)


def test_fuzz_long_lines_read_in_linear_time():
    # A long run of spaces inside one long line made the transcript line pattern quadratic.
    for body in (
        "a" + " " * 400_000 + "b",
        "Agent: a" + " " * 400_000 + "b",
        "# id" + " " * 400_000,
    ):
        check_read("long.txt", f"Agent: hi\n{body}\nCustomer: ok\n".encode())
