"""Benchmark: how long the simulated customer takes to answer one reply (and to score an attempt).

Plays every shipped scenario's golden and poor scripts (tests/fixtures/roleplay/) with several
seeds, times each customer turn, and prints p50 / p95 / max in milliseconds. The target is p95
under 50 ms a turn.

    .venv/bin/python benchmarks/roleplay_latency.py [--rounds 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from trainer.nlp.pipeline import load_nlp, pipeline_name
from trainer.roleplay.attempt import Attempt, read_script
from trainer.roleplay.loader import list_scenarios

SCRIPTS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "roleplay"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest-rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def run(rounds: int) -> dict:
    """Play every script `rounds` times (seeds 0..rounds-1); per-turn and per-finish timings."""
    nlp = load_nlp()
    scenarios = list_scenarios()
    scripts = [
        (scenario, read_script(path.read_text(encoding="utf-8")))
        for scenario in scenarios
        for path in sorted(SCRIPTS.glob(f"{scenario.id}.*.txt"))
    ]
    Attempt(scenarios[0], nlp=nlp).reply("Hello, how can I help?")  # warm-up
    turns: list[float] = []
    finishes: list[float] = []
    for seed in range(rounds):
        for scenario, replies in scripts:
            attempt = Attempt(scenario, seed=seed, nlp=nlp)
            for reply in replies:
                if attempt.ended:
                    break
                start = time.perf_counter()
                attempt.reply(reply)
                turns.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            attempt.finish()
            finishes.append((time.perf_counter() - start) * 1000)
    return {
        "pipeline": pipeline_name(nlp),
        "scenarios": len(scenarios),
        "scripts": len(scripts),
        "turns": len(turns),
        "turn_ms": _summary(turns),
        "finish_ms": _summary(finishes),
    }


def _summary(values: list[float]) -> dict:
    return {
        "p50": round(statistics.median(values), 2),
        "p95": round(percentile(values, 95), 2),
        "max": round(max(values), 2),
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="seeds per script")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    report = run(args.rounds)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    t, f = report["turn_ms"], report["finish_ms"]
    print(
        f"{report['turns']} customer turns over {report['scripts']} scripts "
        f"({report['scenarios']} scenarios, {report['pipeline']})"
    )
    print(f"per turn:   p50 {t['p50']:.2f} ms  p95 {t['p95']:.2f} ms  max {t['max']:.2f} ms")
    print(f"per finish: p50 {f['p50']:.2f} ms  p95 {f['p95']:.2f} ms  max {f['max']:.2f} ms")
    print("target: p95 under 50 ms a turn:", "met" if t["p95"] < 50 else "NOT met")


if __name__ == "__main__":
    main()
