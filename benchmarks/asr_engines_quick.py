"""Quick ASR engine check: real-time factor and WER of each engine on espeak-ng speech.

    .venv/bin/python benchmarks/asr_engines_quick.py [--threads 2] [--runs 3]

Synthesises a ~30 s agent monologue (clean) and a ~60 s "one channel of a stereo call" clip (the
same speech with long silences between sentences, where the other party would talk), then times
each engine setting. RTF = wall seconds / audio seconds (best of --runs, model already loaded);
cpu/s = CPU seconds per audio second (robust when other work shares the machine). Needs espeak-ng.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trainer.speech.engines.base import SAMPLE_RATE, Transcript  # noqa: E402

SENTENCES = [
    "Thank you for calling Bluebird Bank, this is Sam. How can I help you today?",
    "I'm sorry to hear that you were charged twice for the same order.",
    "Let me pull up your account. Could you please confirm your email address for me?",
    "Thank you. I can see the duplicate payment of ninety four dollars on the statement.",
    "I have issued a refund, and you should see it within three to five business days.",
    "Your case number is four eight two one three, in case you need to call us back.",
    "Is there anything else I can help you with today? Have a great afternoon.",
]


def synthesize(text: str, folder: Path, name: str) -> np.ndarray:
    """espeak-ng speech as 16 kHz mono float32."""
    from faster_whisper import decode_audio

    wav = folder / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(wav), text], check=True)
    return decode_audio(str(wav), sampling_rate=SAMPLE_RATE)


def normalize(text: str) -> str:
    try:
        from whisper.normalizers import EnglishTextNormalizer

        return EnglishTextNormalizer()(text)
    except ImportError:
        return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).strip()


def wer(reference: str, transcript: Transcript) -> float:
    import jiwer

    hypothesis = " ".join(segment.text for segment in transcript.segments)
    return jiwer.wer(normalize(reference), normalize(hypothesis) or "<empty>")


def measure(engine, audio: np.ndarray, runs: int) -> tuple[float, float, Transcript]:
    best_wall, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = engine.transcribe(audio)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    duration = len(audio) / SAMPLE_RATE
    assert result is not None
    return best_wall / duration, best_cpu / duration, result


def make_clips() -> dict[str, np.ndarray]:
    """The clean monologue, and the same sentences with 5 s silences (one side of a call)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clean = synthesize(" ".join(SENTENCES), folder, "clean")
        pieces = [synthesize(s, folder, f"s{i}") for i, s in enumerate(SENTENCES)]
    gap = np.zeros(int(5 * SAMPLE_RATE), dtype=np.float32)
    channel = np.concatenate([p for piece in pieces for p in (piece, gap)])
    return {"clean": clean, "channel": channel}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default="faster-whisper,openai-whisper")
    parser.add_argument("--clips", type=Path, help="read clean.npy/channel.npy from this folder")
    parser.add_argument("--save-clips", type=Path, help="write the clips here as .npy and stop")
    args = parser.parse_args()
    os.environ["TRAINER_ASR_THREADS"] = str(args.threads)

    if args.clips:
        clips = {name: np.load(args.clips / f"{name}.npy") for name in ("clean", "channel")}
    else:
        if not shutil.which("espeak-ng"):
            print("espeak-ng is not installed (apt-get install espeak-ng)", file=sys.stderr)
            return 2
        clips = make_clips()
    if args.save_clips:
        args.save_clips.mkdir(parents=True, exist_ok=True)
        for name, audio in clips.items():
            np.save(args.save_clips / f"{name}.npy", audio)
        return 0
    clean = clips["clean"]
    reference = " ".join(SENTENCES)

    rows = []
    if "faster-whisper" in args.engines:
        from trainer.speech.engines.faster_whisper import FasterWhisperEngine

        for beam, vad in ((1, False), (1, True), (5, False), (5, True), (5, "auto")):
            engine = FasterWhisperEngine(beam_size=beam, vad=vad)
            engine.transcribe(clean[: 5 * SAMPLE_RATE])  # warm-up
            switch = {True: "on", False: "off"}.get(vad, vad)
            rows.append((f"faster-whisper beam={beam} vad={switch}", engine))
    if "openai-whisper" in args.engines:
        from trainer.speech.engines.openai_whisper import OpenAIWhisperEngine

        for beam in (1, 5):
            engine = OpenAIWhisperEngine(beam_size=beam)
            engine.transcribe(clean[: 5 * SAMPLE_RATE])  # warm-up (numba compiles the DTW)
            rows.append((f"openai-whisper beam={beam}", engine))

    durations = ", ".join(f"{k} {len(v) / SAMPLE_RATE:.1f} s" for k, v in clips.items())
    print(f"threads={args.threads}, best of {args.runs}; clips: {durations}")
    print(f"{'engine':<34} {'clip':<8} {'RTF':>6} {'cpu/s':>6} {'WER':>6}")
    for label, engine in rows:
        for clip, audio in clips.items():
            rtf, cpu, transcript = measure(engine, audio, args.runs)
            print(f"{label:<34} {clip:<8} {rtf:6.3f} {cpu:6.3f} {wer(reference, transcript):6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
