"""Hypothesis over the audio intake: bytes behind every container's magic number decode or are
refused with a coded AudioError naming the file; the length limit holds on what decodes."""

from __future__ import annotations

import dataclasses
import math
import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.harness import attempt, fuzz
from trainer.errors import AudioError

MAGIC = [
    b"RIFF\x24\x00\x00\x00WAVEfmt ",
    b"ID3\x03\x00\x00\x00\x00\x00\x0a",
    b"\xff\xfb\x90\x64",
    b"OggS\x00\x02",
    b"fLaC",
    b"\x00\x00\x00\x20ftypM4A ",
    b"\x1a\x45\xdf\xa3",
    b"",
]


def _wav(seconds: float, rate: int = 16000) -> bytes:
    n = int(seconds * rate)
    body = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(n)
    )
    header = (
        b"RIFF"
        + struct.pack("<I", 36 + len(body))
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data"
        + struct.pack("<I", len(body))
    )
    return header + body


GOOD_WAV = _wav(1.0)


@fuzz(40)
@given(
    magic=st.sampled_from(MAGIC),
    tail=st.binary(max_size=600),
    extension=st.sampled_from([".wav", ".mp3", ".opus", ".m4a", ".flac", ".ogg", ".webm"]),
)
def test_fuzz_audio_bytes_behind_a_magic_number(magic, tail, extension):
    from trainer.speech.audio import decode

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{extension}"
        path.write_bytes(magic + tail)
        outcome = attempt(lambda: decode(path), str(path), codes=(AudioError,), seconds=15)
        if not isinstance(outcome, AudioError):
            assert outcome.duration >= 0.5


@fuzz(25)
@given(cut=st.integers(0, len(GOOD_WAV)), flip=st.lists(st.integers(0, 43), max_size=4))
def test_fuzz_wav_truncated_or_with_a_corrupt_header(cut, flip):
    from trainer.speech.audio import decode

    data = bytearray(GOOD_WAV[:cut])
    for index in flip:
        if index < len(data):
            data[index] ^= 0xFF
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cut.wav"
        path.write_bytes(bytes(data))
        attempt(lambda: decode(path), str(path), codes=(AudioError,), seconds=15)


def test_audio_limit_holds_on_what_decodes_not_only_on_the_header(tmp_path, monkeypatch):
    from trainer.speech.audio import decode, probe

    path = tmp_path / "long.wav"
    path.write_bytes(_wav(3.0))
    monkeypatch.setenv("TRAINER_MAX_AUDIO_MINUTES", "0.04")  # 2.4 s
    with pytest.raises(AudioError, match="over the 0.04 min limit") as info:
        probe(path)
    assert "TRAINER_MAX_AUDIO_MINUTES" in info.value.format()
    # A header that claims 1 s while 3 s follow: the decoded length is what counts.
    monkeypatch.setenv("TRAINER_MAX_AUDIO_MINUTES", "1")
    lying = dataclasses.replace(probe(path), duration=1.0)
    monkeypatch.setenv("TRAINER_MAX_AUDIO_MINUTES", "0.04")
    with pytest.raises(AudioError, match="decodes to more than") as info:
        decode(path, lying)
    assert str(path) in info.value.format()


def test_audio_limit_keeps_the_older_variable_and_ignores_nonsense(monkeypatch):
    from trainer.ingest.limits import max_audio_seconds

    monkeypatch.delenv("TRAINER_MAX_AUDIO_MINUTES", raising=False)
    monkeypatch.delenv("TRAINER_MAX_CALL_HOURS", raising=False)
    assert max_audio_seconds() == 240 * 60
    monkeypatch.setenv("TRAINER_MAX_CALL_HOURS", "2")
    assert max_audio_seconds() == 2 * 3600
    monkeypatch.setenv("TRAINER_MAX_AUDIO_MINUTES", "30")
    assert max_audio_seconds() == 30 * 60
    for nonsense in ("inf", "nan", "-5", "lots"):
        monkeypatch.setenv("TRAINER_MAX_AUDIO_MINUTES", nonsense)
        monkeypatch.delenv("TRAINER_MAX_CALL_HOURS")
        assert max_audio_seconds() == 240 * 60
        monkeypatch.setenv("TRAINER_MAX_CALL_HOURS", "2")
