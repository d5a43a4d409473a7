"""Write the hand-made broken files of `tests/fuzz/corpus/` (run once; the files are kept in git).

    .venv/bin/python tests/fuzz/make_corpus.py

`chat/` holds conversation files, `yaml/` rubric, scenario, path and pattern files, `audio/` calls.
A name starting with `ok_` is an odd but valid file that must be read; every other file must be
refused with a coded error naming it. Files are small: the biggest cases (a 10 MB turn, 20,000
turns) are built by the tests themselves.
"""

from __future__ import annotations

import codecs
import json
import random
import struct
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
CARD = "4111 1111 1111 1111"
TURNS = [
    {"speaker": "agent", "text": "Hello, how can I help?"},
    {"speaker": "customer", "text": "I was charged twice."},
]


def conversation(**extra) -> dict:
    """A valid canonical conversation, with fields replaced or added."""
    return {"id": "c-fuzz", "turns": TURNS, **extra}


def chat_files() -> dict[str, bytes]:
    """Conversation files: name -> bytes."""
    good = json.dumps(conversation(id="ok-utf16")).encode("utf-16")  # with a BOM
    text = "Agent: Hello, how can I help?\nCustomer: My parcel is late.\n"
    rng = random.Random(12)
    binary = bytes(rng.randrange(256) for _ in range(600))
    deep_meta = {"turns": TURNS}
    node = deep_meta.setdefault("metadata", {})
    for _ in range(150):
        node = node.setdefault("a", {})
    return {
        "truncated.json": b'{"id": "c1", "turns": [{"speaker": "agent", "text": "Hel',
        "trailing_comma.json": b'{"turns": [{"speaker": "agent", "text": "Hi"},]}',
        "unclosed_list.json": b'[{"turns": []}',
        "turns_is_card_string.json": json.dumps({"turns": f"card {CARD} exp 12/29"}).encode(),
        "text_is_number.json": json.dumps({"turns": [{"speaker": "agent", "text": 42}]}).encode(),
        "text_is_list.json": json.dumps({"turns": [{"speaker": "agent", "text": [CARD]}]}).encode(),
        "speaker_missing.json": json.dumps({"turns": [{"text": "Hi"}]}).encode(),
        "speaker_is_card.json": json.dumps({"turns": [{"speaker": CARD, "text": "Hi"}]}).encode(),
        "extra_field.json": json.dumps(conversation(strat="x")).encode(),
        "empty_turns.json": json.dumps(conversation(turns=[])).encode(),
        "channel_is_card.json": json.dumps(conversation(channel=CARD)).encode(),
        "started_at_is_card.json": json.dumps(conversation(started_at=CARD)).encode(),
        "id_is_object.json": json.dumps(conversation(id={"a": 1})).encode(),
        "top_level_number.json": b"42",
        "top_level_string.json": b'"turns"',
        "null.json": b"null",
        "invalid_utf8.json": b'{"turns": [{"speaker": "agent", "text": "caf\xc3\x28"}]}',
        "invalid_utf8.txt": b"Agent: caf\xe9 au lait\nCustomer: yes\n",
        "nul_bytes.json": b'{"turns": [{"speaker": "agent", "text": "a\x00b"}]}',
        "nul_bytes.csv": b"conversation_id,speaker,text\nc1,agent,a\x00b\n",
        "escaped_nul.json": json.dumps(
            conversation(turns=[{"speaker": "agent", "text": "a\x00b"}])
        ).encode(),
        "lone_surrogate.json": b'{"turns": [{"speaker": "agent", "text": "bad \\ud800 here"}]}',
        "lone_surrogate_in_id.json": b'{"id": "c\\udfff", "turns": [{"speaker": "agent", '
        b'"text": "Hi"}]}',
        "lone_surrogate_in_key.json": b'{"turns": [{"speaker": "agent", "text": "Hi"}], '
        b'"metadata": {"\\ud800": 1}}',
        "nan_start.json": b'{"turns": [{"speaker": "agent", "text": "Hi", "start": NaN}]}',
        "infinity_end.json": b'{"turns": [{"speaker": "agent", "text": "Hi", "start": 0, '
        b'"end": Infinity}]}',
        "overflow_start.json": b'{"turns": [{"speaker": "agent", "text": "Hi", "start": 1e999}]}',
        "nan_in_metadata.json": b'{"turns": [{"speaker": "agent", "text": "Hi"}], '
        b'"metadata": {"score": NaN}}',
        "huge_integer_id.json": b'{"id": ' + b"9" * 5000 + b', "turns": []}',
        "deep_nesting.json": b"[" * 50_000 + b"]" * 50_000,
        "deep_metadata.json": json.dumps(deep_meta).encode(),
        "binary.json": binary,
        "binary.txt": binary,
        "binary.csv": binary,
        "png_named.json": b"\x89PNG\r\n\x1a\n" + binary[:200],
        "zip_named.csv": b"PK\x03\x04" + binary[:200],
        "utf16_broken.json": codecs.BOM_UTF16_LE + b"\x00\xd8\x41\x00",  # lone surrogate
        "utf16_nul.txt": "Agent: a\x00b\n".encode("utf-16"),
        "csv_unclosed_quote.csv": b'conversation_id,speaker,text\nc1,agent,"Hi there\n',
        "csv_missing_column.csv": b"conversation_id,text\nc1,Hi\n",
        "csv_extra_fields.csv": b"conversation_id,speaker,text\nc1,agent,Hi,there,you\n",
        "csv_only_header.csv": b"conversation_id,speaker,text\n",
        "csv_unknown_speaker_card.csv": f"conversation_id,speaker,text\nc1,{CARD},Hi\n".encode(),
        "csv_bad_timestamp_card.csv": (
            f"conversation_id,timestamp,speaker,text\nc1,{CARD},agent,Hi\n".encode()
        ),
        "plain_bad_stamp.txt": b"[00:99] Agent: Hello\nCustomer: Hi\n",
        "plain_text_before_label.txt": b"hello there\nAgent: Hi\n",
        "plain_stamp_without_label.txt": b"Agent: Hi\n[00:10] just text\n",
        "abcd_bad_original.json": json.dumps([{"convo_id": 1, "original": [["agent"]]}]).encode(),
        "abcd_empty_original.json": json.dumps([{"convo_id": 1, "original": []}]).encode(),
        "zero_byte.json": b"",
        "zero_byte.txt": b"",
        "whitespace_only.csv": b"  \n\n\t\n",
        # Odd but valid: these must be read (and stored, in a batch).
        "ok_utf16_bom.json": good,
        "ok_utf16_be_bom.txt": codecs.BOM_UTF16_BE
        + text.replace("late", "lost").encode("utf-16-be"),
        "ok_utf16_bom.txt": text.encode("utf-16"),
        "ok_utf32_bom.txt": text.replace("late", "early").encode("utf-32"),
        "ok_utf8_bom.json": codecs.BOM_UTF8 + json.dumps(conversation(id="ok-utf8bom")).encode(),
        "ok_formula_cells.csv": (
            b"conversation_id,speaker,text\n"
            b'ok-formula,agent,"=HYPERLINK(""http://x.example"",""click"")"\n'
            b"ok-formula,customer,+cmd|' /C calc'!A0\n"
            b"ok-formula,agent,@SUM(1+1)\n"
            b"ok-formula,customer,-2+3\n"
        ),
        "ok_surrogate_pair.json": b'{"id": "ok-emoji", "turns": [{"speaker": "agent", '
        b'"text": "thanks \\ud83d\\ude00"}]}',
    }


def yaml_files() -> dict[str, bytes]:
    """YAML files every schema loader must refuse."""
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        prev = chr(ord(level) - 1)
        bomb.append(f"{level}: &{level} [" + ",".join([f"*{prev}"] * 9) + "]")
    return {
        "unsafe_python_tag.yaml": b'!!python/object/apply:os.system ["echo pwned"]\n',
        "unsafe_python_name.yaml": b"id: !!python/name:os.system\n",
        "alias_bomb.yaml": ("\n".join(bomb) + "\n").encode(),
        "deep_flow.yaml": b"x: " + b"[" * 5000 + b"]" * 5000 + b"\n",
        "deep_block.yaml": "".join(f"{'  ' * i}k{i}:\n" for i in range(400)).encode()
        + b"  " * 400
        + b"end: 1\n",
        "truncated.yaml": b"id: x\nsections: [ {id: a, criteria: [\n",
        "tab_indent.yaml": b"id: x\n\tversion: 1\n",
        "utf16.yaml": "id: x\nversion: 1\n".encode("utf-16"),
        "invalid_utf8.yaml": b"id: caf\xe9\n",
        "nul_bytes.yaml": b"id: a\x00b\n",
        "binary.yaml": bytes(random.Random(3).randrange(256) for _ in range(300)),
        "lone_surrogate.yaml": b'id: "bad \\ud800"\nversion: 1\n',
        "empty.yaml": b"",
        "list_not_mapping.yaml": b"- 1\n- 2\n",
        "rubric_weight_inf.yaml": _rubric("weight: .inf"),
        "rubric_weight_nan.yaml": _rubric("weight: .nan"),
        "rubric_weight_neg_inf.yaml": _rubric("weight: -.inf"),
        "rubric_section_weight_inf.yaml": _rubric("", section="weight: .inf"),
        "rubric_pass_mark_nan.yaml": _rubric("", top="pass_mark: .nan"),
        "rubric_param_inf.yaml": _rubric(
            "detector: {name: empathy.acknowledges_feelings.v1, params: {min_hits: .inf}}"
        ),
        "scenario_weight_inf.yaml": b"id: s\ntitle: T\nscoring:\n  pass_mark: 70\n"
        b"  criteria:\n    - {id: c, section: empathy, weight: .inf}\n",
        "path_pass_mark_nan.yaml": b"id: p\nversion: 1\ntitle: P\nsteps:\n"
        b"  - {scenario: double-charge, pass_mark: .nan}\n",
    }


def _rubric(criterion_extra: str, section: str = "", top: str = "") -> bytes:
    lines = ["id: fuzz", "version: 1", "title: Fuzz"]
    if top:
        lines.append(top)
    lines += ["sections:", "  - id: s", "    title: S"]
    if section:
        lines.append(f"    {section}")
    lines += ["    criteria:", "      - id: c", "        title: C", "        guidance: G"]
    if criterion_extra:
        lines.append(f"        {criterion_extra}")
    return ("\n".join(lines) + "\n").encode()


def _wav_header(data_bytes: int, rate: int = 16000, channels: int = 1) -> bytes:
    block = channels * 2
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def _tone(seconds: float, rate: int = 16000) -> bytes:
    import math

    n = int(seconds * rate)
    return b"".join(
        struct.pack("<h", int(9000 * math.sin(2 * math.pi * 220 * i / rate))) for i in range(n)
    )


def audio_files() -> dict[str, bytes]:
    """Audio files the intake must refuse (at registration or at transcription). Each has its
    own stem: the stem is the call's id."""
    one_second = _tone(1.0)
    return {
        "zero_wav.wav": b"",
        "zero_mp3.mp3": b"",
        "zero_opus.opus": b"",
        "header_only.wav": _wav_header(0),
        "truncated_wav.wav": _wav_header(len(one_second))[:30],
        "truncated_mp3.mp3": b"ID3\x03\x00\x00\x00\x00\x00\x0a"
        + b"\xff\xfb\x90\x64"
        + b"\x00" * 40,
        "truncated_opus.opus": b"OggS\x00\x02" + b"\x00" * 20 + b"OpusHead\x01\x01",
        # Says 1 h, holds 1 s: FFmpeg goes by the file size, so it decodes as the 1 s it holds.
        "ok_lies_long.wav": _wav_header(16000 * 2 * 3600) + one_second,
        "lies_short.wav": _wav_header(3200) + one_second * 3,  # says 0.1 s, holds 3 s
        "text_named.opus": b"Agent: Hello\nCustomer: this is not audio\n",
        "text_named.wav": b"RIFF is a word in this text file, WAVE too\n",
        "utf16_named.mp3": "Agent: Hi\n".encode("utf-16"),
    }


def main() -> None:
    """(Re)write every corpus file."""
    for folder, files in (("chat", chat_files()), ("yaml", yaml_files()), ("audio", audio_files())):
        target = CORPUS / folder
        target.mkdir(parents=True, exist_ok=True)
        for old in target.iterdir():
            old.unlink()
        for name, data in files.items():
            (target / name).write_bytes(data)
    print(f"wrote {sum(1 for _ in CORPUS.rglob('*') if _.is_file())} files under {CORPUS}")


if __name__ == "__main__":
    main()
