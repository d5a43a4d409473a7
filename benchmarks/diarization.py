"""Speaker attribution on calls nobody has heard: the sample call scripts spoken again by other
espeak-ng voice pairs, ingested as mono (and optionally stereo), measured against their STM.

    .venv/bin/python benchmarks/diarization.py                 # every pair, every script
    .venv/bin/python benchmarks/diarization.py --set holdout   # only the pairs never tuned on
    .venv/bin/python benchmarks/diarization.py --stereo --scripts call-001 call-003

Voice pairs come in two sets. `dev` pairs were used while choosing how mono calls are
diarized; `holdout` pairs were fixed before that work and never looked at until the end, so
their figures are the honest ones. Same-gender pairs with nearly the same pitch are the hard
case. Per call it prints WER, speaker accuracy (best label mapping), roles as named (the agent
taken for the agent), real-time factor, and what redaction left in the turns as they would be
stored: card numbers (any Luhn-valid 13-19 digit stretch) and the longest digit run; then means
and minimums per pair and per set.

Needs espeak-ng, sox and ffmpeg (what recordings/make_calls.py needs).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trainer.evaluation.asr import (  # noqa: E402
    read_stm,
    role_accuracy,
    speaker_accuracy,
    word_error_rate,
)
from trainer.privacy.numbers import card_window, digit_runs  # noqa: E402
from trainer.speech.audio import decode, probe  # noqa: E402
from trainer.speech.engines.base import load_engine  # noqa: E402
from trainer.speech.pipeline import DEFAULT_ENGINE, attribute_speakers, redact_turns  # noqa: E402


def _voice(name: str, speed: int, **extra) -> dict:
    return {"voice": name, "speed": speed, "word_gap": 2, **extra}


# (agent voice, customer voice) per pair.
PAIRS = {
    "dev": {
        "f3-m4": (_voice("en-us+f3", 155), _voice("en-us+m4", 145)),
        "m2-f4": (_voice("en+m2", 165), _voice("en-us+f4", 150)),
        "david-linda": (_voice("en-us+david", 160), _voice("en-us+linda", 150)),
        "m7-m3 (same gender)": (_voice("en-us+m7", 160), _voice("en+m3", 150)),
        "f5-f2 (same gender)": (_voice("en-us+f5", 150), _voice("en+f2", 160)),
    },
    "holdout": {
        "m6-f1": (_voice("en+m6", 150), _voice("en-us+f1", 160)),
        "annie-andy": (_voice("en-us+Annie", 155), _voice("en-us+Andy", 150)),
        "m1-m5 (same gender)": (_voice("en-us+m1", 165), _voice("en+m5", 145, pitch=60)),
        "f4-f1 (same gender)": (_voice("en+f4", 150), _voice("en-us+f1", 150, pitch=35)),
        "klatt-steph": (_voice("en-us+klatt", 160), _voice("en+steph", 150)),
    },
}


def make_calls_module():
    spec = importlib.util.spec_from_file_location("make_calls", ROOT / "recordings/make_calls.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_calls"] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def main() -> None:
    """Make the calls, evaluate each, print a line per call and a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["dev", "holdout", "all"], default="all")
    parser.add_argument("--scripts", nargs="*", help="script ids (or prefixes); default all")
    parser.add_argument("--stereo", action="store_true", help="also evaluate the stereo version")
    parser.add_argument("--engine", default=None)
    parser.add_argument("--keep", type=Path, help="keep the generated calls in this folder")
    args = parser.parse_args()
    make_calls = make_calls_module()
    make_calls.check_tools()
    scripts = make_calls.load_scripts(ROOT / "recordings" / "calls" / "scripts")
    if args.scripts:
        scripts = [s for s in scripts if any(s.id.startswith(p) for p in args.scripts)]
    sets = ["dev", "holdout"] if args.set == "all" else [args.set]
    layouts = ["mono", "stereo"] if args.stereo else ["mono"]
    rows: list[dict] = []
    engine = load_engine(args.engine or DEFAULT_ENGINE)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        for which in sets:
            for pair, (agent, customer) in PAIRS[which].items():
                slug = pair.split()[0]
                for script in scripts:
                    call = dataclasses.replace(
                        script,
                        id=f"{script.id}-{slug}",
                        voices={"agent": agent, "customer": customer},
                        formats=("mono.mp3", "stereo.opus"),
                    )
                    make_calls.make_call(call, out)
                    for layout in layouts:
                        ext = "mp3" if layout == "mono" else "opus"
                        row = evaluate(engine, out / f"{call.id}.{layout}.{ext}", out / call.id)
                        row.update(set=which, pair=pair, call=call.id)
                        rows.append(row)
                        print(
                            f"{which:7} {pair:20} {script.id:28} {layout:6} "
                            f"WER {row['wer']:6.1%}  speakers {row['speaker_accuracy']:6.1%}  "
                            f"roles {row['role_accuracy']:6.1%}  RTF {row['real_time_factor']:.3f}"
                            f"  cards left {row['cards_left']}  longest digits "
                            f"{row['longest_digit_run']}",
                            flush=True,
                        )
    print()
    summary = {}
    for which in sets:
        for layout in layouts:
            chosen = [r for r in rows if r["set"] == which and r["speaker_mode"] == layout]
            if not chosen:
                continue
            for pair in PAIRS[which]:
                mine = [r for r in chosen if r["pair"] == pair]
                print(f"{which:7} {layout:6} {pair:20} " + _figures(mine))
            print(f"{which:7} {layout:6} {'ALL':20} " + _figures(chosen))
            summary[f"{which}_{layout}"] = _stats(chosen)
    print(json.dumps(summary))


def evaluate(engine, audio: Path, stem: Path) -> dict:
    """Transcribe, attribute and redact one call as ingestion does; measure it against its STM."""
    reference = read_stm(stem.with_suffix(".stm"))
    started = time.perf_counter()
    decoded = decode(audio, probe(audio))
    turns, mode = attribute_speakers(decoded, engine, "left")
    elapsed = time.perf_counter() - started
    words = [(t.speaker, w.start, w.end) for t in turns for w in t.words]
    stored, _ = redact_turns(turns)
    runs = [run for turn in stored for run in digit_runs(turn.text)]
    return {
        "speaker_mode": mode,
        "wer": word_error_rate(
            " ".join(x.text for x in reference), " ".join(t.text for t in turns)
        ),
        "speaker_accuracy": speaker_accuracy(reference, words),
        "role_accuracy": role_accuracy(reference, words),
        "real_time_factor": elapsed / decoded.duration,
        "cards_left": sum(card_window(run) is not None for run in runs),
        "longest_digit_run": max((len(run.digits) for run in runs), default=0),
    }


def _stats(rows: list[dict]) -> dict:
    speakers = [r["speaker_accuracy"] for r in rows]
    return {
        "calls": len(rows),
        "wer_mean": round(statistics.mean(r["wer"] for r in rows), 4),
        "speaker_accuracy_mean": round(statistics.mean(speakers), 4),
        "speaker_accuracy_min": round(min(speakers), 4),
        "calls_at_or_over_90": sum(s >= 0.9 for s in speakers),
        "role_accuracy_mean": round(statistics.mean(r["role_accuracy"] for r in rows), 4),
        "cards_left": sum(r["cards_left"] for r in rows),
        "real_time_factor_mean": round(statistics.mean(r["real_time_factor"] for r in rows), 4),
    }


def _figures(rows: list[dict]) -> str:
    stats = _stats(rows)
    return (
        f"calls {stats['calls']:3}  WER {stats['wer_mean']:6.1%}  speakers mean "
        f"{stats['speaker_accuracy_mean']:6.1%} min {stats['speaker_accuracy_min']:6.1%}  "
        f">=90%: {stats['calls_at_or_over_90']}/{stats['calls']}  "
        f"roles {stats['role_accuracy_mean']:6.1%}  cards left {stats['cards_left']}"
    )


if __name__ == "__main__":
    main()
