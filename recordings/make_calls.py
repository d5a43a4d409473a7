"""Make the two-voice sample customer-service calls in recordings/calls/.

Each call is written as data in ``recordings/calls/scripts/<id>.yaml`` (names, company, handling
and ordered agent/customer lines). For every call this script:

1. speaks each line with espeak-ng (one voice for the agent, a clearly different one for the
   customer), resamples it to 16 kHz with sox and trims the synthesiser's leading/trailing silence;
2. places the lines on a timeline with natural gaps (0.4-1.0 s, chosen deterministically from the
   call id), or the gap a line asks for (a long hold, or a negative gap for overtalk);
3. writes a stereo call (agent on the LEFT channel, customer on the RIGHT) and a mono mix;
4. compresses them for the repository: ``<id>.stereo.opus`` (Opus in Ogg, 24 kbit/s) and
   ``<id>.mono.mp3`` (24 kbit/s), plus any extra formats the script lists
   (``stereo.m4a``, ``stereo.flac``, ``stereo.wav``, ...);
5. writes the reference transcript ``<id>.stm`` (NIST STM, one line per utterance, channel 1 =
   agent/left, 2 = customer/right) and the sidecar ``<id>.json``.

The output depends only on the scripts and the tool versions: running it twice gives the same
files. Needs espeak-ng, sox and ffmpeg on PATH.

Usage: python recordings/make_calls.py [--out recordings/calls] [--only ID]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

RATE = 16_000
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "calls"
TOOLS = ("espeak-ng", "sox", "ffmpeg")
SPEAKERS = ("agent", "customer")
CHANNEL = {"agent": 0, "customer": 1}  # 0 = left, 1 = right
# espeak-ng voice settings: voice name (+variant), speed in words per minute, optional pitch
# (0-99) and word_gap (units of 10 ms). Note: espeak-ng 1.51 ignores a variant after "en-gb"
# ("en-gb+f3" sounds like plain "en-gb"); write British English as "en+f3" instead.
DEFAULT_VOICES = {
    "agent": {"voice": "en-us+m3", "speed": 160, "word_gap": 2},
    "customer": {"voice": "en-us+f2", "speed": 150, "pitch": 40, "word_gap": 2},
}
GAP_RANGE = (0.4, 1.0)  # seconds of silence between turns unless a line says otherwise
LEAD_IN = 1.0  # silence before the first line (ASR tends to clip a call's very first word)
LEAD_OUT = 0.5  # silence after the last line
LINE_PEAK = 0.5  # each line is scaled to this peak, so the mono sum of two lines cannot clip
TRIM_THRESHOLD = 0.01  # fraction of full scale that counts as speech when trimming
TRIM_MARGIN = 0.03  # seconds kept either side of the trimmed speech
BITEXACT = ["-fflags", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"]
ENCODERS = {
    "opus": ["-c:a", "libopus", "-b:a", "24k", "-application", "voip"],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "24k"],
    "m4a": ["-c:a", "aac", "-b:a", "32k"],
    "flac": ["-c:a", "flac", "-compression_level", "8"],
}
STANDARD_FORMATS = ("stereo.opus", "mono.mp3")


class CallScriptError(ValueError):
    """A call script is missing something or has a value the generator cannot use."""


@dataclass(frozen=True)
class Line:
    """One utterance: who says it, what they say, and the silence before it (None = natural)."""

    speaker: str
    text: str
    gap: float | None = None


@dataclass(frozen=True)
class CallScript:
    """A whole call as written in its YAML file."""

    id: str
    company: str
    agent: str
    customer: str
    handling: str
    notes: str
    voices: dict
    formats: tuple[str, ...]
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Placed:
    """A line placed on the call's timeline, with its 16 kHz samples."""

    line: Line
    start: float
    samples: np.ndarray

    @property
    def end(self) -> float:
        """When the line stops, in seconds from the start of the call."""
        return self.start + len(self.samples) / RATE


def check_tools() -> None:
    """Exit with an install hint when espeak-ng, sox or ffmpeg is not on PATH."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        sys.exit(
            f"make_calls: missing {', '.join(missing)}. "
            "Install them with: apt-get install espeak-ng sox ffmpeg"
        )


def load_script(path: Path) -> CallScript:
    """Read and validate one call script."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("id", "company", "agent", "customer", "handling", "lines"):
        if not data.get(key):
            raise CallScriptError(f"{path.name}: missing {key!r}")
    if data["handling"] not in ("good", "poor"):
        raise CallScriptError(f"{path.name}: handling must be good or poor")
    lines = []
    for number, raw in enumerate(data["lines"], start=1):
        if raw.get("speaker") not in SPEAKERS or not str(raw.get("text", "")).strip():
            raise CallScriptError(f"{path.name}: line {number} needs a speaker and text")
        gap = raw.get("gap")
        lines.append(Line(raw["speaker"], " ".join(str(raw["text"]).split()), gap))
    # A voice given in the script replaces the default whole (no pitch leaks in from the default).
    voices = {who: (data.get("voices") or {}).get(who) or DEFAULT_VOICES[who] for who in SPEAKERS}
    for who, voice in voices.items():
        if not isinstance(voice, dict) or not voice.get("voice") or not voice.get("speed"):
            raise CallScriptError(f"{path.name}: the {who} voice needs 'voice' and 'speed'")
    formats = tuple(dict.fromkeys([*STANDARD_FORMATS, *data.get("formats", [])]))
    for fmt in formats:
        layout, _, ext = fmt.partition(".")
        if layout not in ("stereo", "mono") or ext not in (*ENCODERS, "wav"):
            raise CallScriptError(f"{path.name}: unknown format {fmt!r}")
    return CallScript(
        id=data["id"],
        company=data["company"],
        agent=data["agent"],
        customer=data["customer"],
        handling=data["handling"],
        notes=" ".join(str(data.get("notes", "")).split()),
        voices=voices,
        formats=formats,
        lines=tuple(lines),
    )


def load_scripts(folder: Path) -> list[CallScript]:
    """All call scripts in a folder, sorted by id; ids must match their file names."""
    scripts = []
    for path in sorted(folder.glob("*.yaml")):
        script = load_script(path)
        if script.id != path.stem:
            raise CallScriptError(f"{path.name}: id {script.id!r} does not match the file name")
        scripts.append(script)
    return scripts


def read_wav(path: Path) -> np.ndarray:
    """A 16-bit mono wav as float32 samples in [-1, 1]."""
    with wave.open(str(path), "rb") as handle:
        frames = handle.readframes(handle.getnframes())
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0


def write_wav(path: Path, channels: list[np.ndarray]) -> None:
    """Write float channels (same length) as a 16 kHz 16-bit wav."""
    stacked = np.stack(channels, axis=1)
    pcm = np.clip(np.round(stacked * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(len(channels))
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(pcm.tobytes())


def trim(samples: np.ndarray) -> np.ndarray:
    """Cut the synthesiser's silence at both ends, keeping a short margin."""
    loud = np.flatnonzero(np.abs(samples) > TRIM_THRESHOLD)
    if loud.size == 0:
        return samples
    margin = int(TRIM_MARGIN * RATE)
    return samples[max(loud[0] - margin, 0) : loud[-1] + margin + 1]


def speak(text: str, voice: dict, workdir: Path) -> np.ndarray:
    """Speak one line with espeak-ng and return it at 16 kHz, trimmed and peak-normalised."""
    raw, resampled = workdir / "line.wav", workdir / "line16k.wav"
    command = ["espeak-ng", "-v", voice["voice"], "-s", str(voice["speed"]), "-w", str(raw)]
    if "pitch" in voice:
        command += ["-p", str(voice["pitch"])]
    if "word_gap" in voice:
        command += ["-g", str(voice["word_gap"])]
    subprocess.run(command, input=text.encode("utf-8"), check=True)
    # -D: no dither, so the same input gives the same samples every time; -G: no clipping.
    subprocess.run(
        ["sox", "-D", "-G", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(resampled)],
        check=True,
    )
    samples = trim(read_wav(resampled))
    peak = float(np.abs(samples).max()) or 1.0
    return samples * (LINE_PEAK / peak)


def natural_gaps(call_id: str, count: int) -> list[float]:
    """Deterministic pauses between turns, different per call (seeded by the call id)."""
    rng = random.Random(call_id)
    return [round(rng.uniform(*GAP_RANGE), 2) for _ in range(count)]


def place_lines(script: CallScript, workdir: Path) -> list[Placed]:
    """Speak every line and give it a start time on the call's timeline."""
    placed: list[Placed] = []
    cursor = LEAD_IN
    for line, natural in zip(script.lines, natural_gaps(script.id, len(script.lines)), strict=True):
        samples = speak(line.text, script.voices[line.speaker], workdir)
        if placed:
            cursor = placed[-1].end + (natural if line.gap is None else line.gap)
        placed.append(Placed(line, round(cursor * RATE) / RATE, samples))
    return placed


def mix(placed: list[Placed]) -> tuple[np.ndarray, np.ndarray]:
    """The left (agent) and right (customer) channels of the whole call."""
    length = round((max(p.end for p in placed) + LEAD_OUT) * RATE)
    channels = np.zeros((2, length), dtype=np.float32)
    for item in placed:
        start = round(item.start * RATE)
        channels[CHANNEL[item.line.speaker], start : start + len(item.samples)] += item.samples
    return channels[0], channels[1]


def encode(source: Path, target: Path) -> None:
    """Compress a wav with ffmpeg into the format named by the target's extension."""
    ext = target.suffix.lstrip(".")
    if ext == "wav":
        shutil.copyfile(source, target)
        return
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(source),
            *ENCODERS[ext],
            *BITEXACT,
            str(target),
        ],
        check=True,
    )


def stm_lines(script: CallScript, placed: list[Placed]) -> list[str]:
    """NIST STM reference lines, sorted by start time."""
    rows = sorted(placed, key=lambda p: (p.start, CHANNEL[p.line.speaker]))
    return [
        f"{script.id} {CHANNEL[p.line.speaker] + 1} {p.line.speaker} "
        f"{p.start:.2f} {p.end:.2f} {p.line.text}"
        for p in rows
    ]


def sidecar(script: CallScript) -> dict:
    """The call's metadata, as the app reads it next to the audio."""
    return {
        "id": script.id,
        "agent": script.agent,
        "customer": script.customer,
        "company": script.company,
        "channel": "call",
        "agent_channel": "left",
        "handling": script.handling,
        "notes": script.notes,
    }


def make_call(script: CallScript, out: Path) -> tuple[float, list[Path]]:
    """Build one call's audio, transcript and sidecar; returns its duration and the files."""
    with tempfile.TemporaryDirectory(prefix="make_calls_") as tmp:
        workdir = Path(tmp)
        placed = place_lines(script, workdir)
        left, right = mix(placed)
        wavs = {"stereo": workdir / "stereo.wav", "mono": workdir / "mono.wav"}
        write_wav(wavs["stereo"], [left, right])
        write_wav(wavs["mono"], [np.clip(left + right, -1.0, 1.0)])
        written = []
        for fmt in script.formats:
            target = out / f"{script.id}.{fmt}"
            encode(wavs[fmt.partition(".")[0]], target)
            written.append(target)
    stm = out / f"{script.id}.stm"
    stm.write_text("\n".join(stm_lines(script, placed)) + "\n", encoding="utf-8")
    meta = out / f"{script.id}.json"
    meta.write_text(json.dumps(sidecar(script), indent=2) + "\n", encoding="utf-8")
    return len(left) / RATE, [*written, stm, meta]


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, make the calls and print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--scripts",
        type=Path,
        default=DEFAULT_OUT / "scripts",
        help="folder of call scripts (*.yaml)",
    )
    parser.add_argument("--only", metavar="ID", help="make just this call")
    args = parser.parse_args(argv)
    check_tools()
    scripts = load_scripts(args.scripts)
    if args.only:
        scripts = [s for s in scripts if s.id == args.only]
        if not scripts:
            known = ", ".join(s.id for s in load_scripts(args.scripts))
            parser.error(f"no call script with id {args.only!r} (known: {known})")
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for script in scripts:
        duration, files = make_call(script, args.out)
        print(f"{script.id}: {duration:.2f} s, {len(script.lines)} lines, {script.handling}")
        for path in files:
            size = path.stat().st_size
            total += size
            print(f"  {path.name:<42} {size / 1024:8.1f} KiB")
    print(f"{len(scripts)} call(s), {total / 1024:.1f} KiB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
