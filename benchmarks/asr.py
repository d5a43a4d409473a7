"""Benchmark both ASR engines on the sample calls in one run: WER, speaker attribution,
real-time factor and peak memory per engine, and their speed ratio.

    .venv/bin/python benchmarks/asr.py [--calls recordings/calls] [--only stereo|mono]
    .venv/bin/python benchmarks/asr.py --long-call 7200   # memory on a synthetic 2-hour call
    .venv/bin/python benchmarks/asr.py --long-call 7200 --long-layout mono --engines faster-whisper
    .venv/bin/python benchmarks/asr.py --long-call 7200 --ingest --engines   # ingestion only

Each transcription runs in its own process (`trainer eval asr --json`), so peak memory is that
engine's alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAINER = [sys.executable, "-m", "trainer.cli"]
ENGINES = ["faster-whisper", "openai-whisper"]


def run_eval(audio: Path, reference: Path, engine: str) -> dict:
    """One `trainer eval asr --json` in a fresh process."""
    command = [
        *TRAINER,
        "eval",
        "asr",
        "--audio",
        str(audio),
        "--reference",
        str(reference),
        "--engine",
        engine,
        "--json",
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{engine} failed on {audio.name}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def sample_calls(folder: Path, only: str | None) -> list[tuple[Path, Path]]:
    """(audio, reference) pairs: every stereo and mono rendering that has an .stm beside it."""
    pairs = []
    for stm in sorted(folder.glob("*.stm")):
        for kind, ext in (("stereo", "opus"), ("mono", "mp3")):
            audio = folder / f"{stm.stem}.{kind}.{ext}"
            if audio.is_file() and only in (None, kind):
                pairs.append((audio, stm))
    return pairs


def long_call(seconds: float, folder: Path, layout: str = "stereo") -> tuple[Path, Path]:
    """A call of `seconds` made by repeating the first sample call (and its reference)."""
    import wave

    from trainer.evaluation.asr import read_stm
    from trainer.speech.audio import SAMPLE_RATE, decode

    stm = sorted((ROOT / "recordings" / "calls").glob("*.stm"))[0]
    audio = decode(stm.with_name(f"{stm.stem}.{layout}.{'opus' if layout == 'stereo' else 'mp3'}"))
    lines = read_stm(stm)
    repeats = int(seconds // audio.duration) + 1
    out = folder / f"long.{layout}.wav"
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(audio.samples.shape[0])
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        block = audio.samples.T.astype("<i2").tobytes()
        for _ in range(repeats):
            handle.writeframes(block)
    ref = folder / "long.stm"
    with ref.open("w") as handle:
        for i in range(repeats):
            offset = i * audio.duration
            for line in lines:
                handle.write(
                    f"long {line.channel} {line.speaker} {line.start + offset:.2f} "
                    f"{line.end + offset:.2f} {line.text}\n"
                )
    return out, ref


def run_ingest(audio: Path, folder: Path) -> dict:
    """`trainer ingest` of one call in a fresh process and database: wall time and peak memory
    of the whole ingestion (transcription, speakers, redaction, analytics, scoring, storage)."""
    import os
    import resource
    import time

    env = {**os.environ, "TRAINER_DATABASE_URL": f"sqlite:///{folder / 'ingest.db'}"}
    started = time.perf_counter()
    done = subprocess.run(
        [*TRAINER, "ingest", str(audio)], capture_output=True, text=True, cwd=ROOT, env=env
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ingest failed on {audio.name}:\n{done.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall_s": round(elapsed, 1), "peak_rss_mb": round(peak, 1)}


def main() -> None:
    """Run the benchmark and print a table and a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=Path, default=ROOT / "recordings" / "calls")
    parser.add_argument("--only", choices=["stereo", "mono"])
    parser.add_argument("--engines", nargs="*", default=ENGINES)
    parser.add_argument("--long-call", type=float, metavar="SECONDS")
    parser.add_argument(
        "--long-layout", choices=["stereo", "mono"], default="stereo", help="for --long-call"
    )
    parser.add_argument(
        "--ingest",
        action="store_true",
        help="with --long-call: also time `trainer ingest` end to end and report its peak memory",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pairs = (
            [long_call(args.long_call, Path(tmp), args.long_layout)]
            if args.long_call
            else sample_calls(args.calls, args.only)
        )
        if not pairs:
            raise SystemExit(f"no sample calls with .stm references in {args.calls}")
        if args.long_call and args.ingest:
            ingest = run_ingest(pairs[0][0], Path(tmp))
            print(f"trainer ingest   {pairs[0][0].name:42} {ingest}", flush=True)
        results: dict[str, list[dict]] = {engine: [] for engine in args.engines}
        for audio, reference in pairs:
            for engine in args.engines:
                result = run_eval(audio, reference, engine)
                results[engine].append(result)
                print(
                    f"{engine:15} {audio.name:42} WER {result['wer']:6.1%}  speakers "
                    f"{result['speaker_accuracy']:6.1%}  RTF {result['real_time_factor']:.3f}  "
                    f"peak {result['peak_rss_mb']:.0f} MiB",
                    flush=True,
                )
    summary = {}
    for engine, rows in results.items():
        if not rows:
            continue
        audio_s = sum(r["audio_seconds"] for r in rows)
        summary[engine] = {
            "calls": len(rows),
            "wer_mean": round(statistics.mean(r["wer"] for r in rows), 4),
            "speaker_accuracy_stereo": _mean(rows, "stereo"),
            "speaker_accuracy_mono": _mean(rows, "mono"),
            "role_accuracy_mono": _mean(rows, "mono", "role_accuracy"),
            "real_time_factor": round(
                sum(r["real_time_factor"] * r["audio_seconds"] for r in rows) / audio_s, 4
            ),
            "peak_rss_mb": round(max(r["peak_rss_mb"] for r in rows), 1),
        }
    print()
    for engine, figures in summary.items():
        print(f"{engine:15} " + "  ".join(f"{k} {v}" for k, v in figures.items()))
    if len(summary) == 2:
        fast, ref = (summary[e]["real_time_factor"] for e in ENGINES)
        summary["speed_ratio_openai_over_faster"] = round(ref / fast, 2) if fast else None
        print(
            f"openai-whisper takes {summary['speed_ratio_openai_over_faster']}x "
            "as long as faster-whisper"
        )
    print(json.dumps(summary))


def _mean(rows: list[dict], mode: str, key: str = "speaker_accuracy") -> float | None:
    values = [r[key] for r in rows if r["speaker_mode"] == mode and r.get(key) is not None]
    return round(statistics.mean(values), 4) if values else None


if __name__ == "__main__":
    main()
