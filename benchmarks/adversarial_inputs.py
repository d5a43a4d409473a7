"""Benchmark: how long redaction (as ingest runs it) and scoring (default rubric) take on the
adversarial inputs of issue 12 and on classic ReDoS shapes; prints each and the slowest.

Each input is the customer turn of a three-turn chat. Times are CPU seconds of this process
(wall seconds beside them: on a shared machine wall time also counts other processes' turns).

    .venv/bin/python benchmarks/adversarial_inputs.py [--only NAME] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import time

from trainer.conversation import Conversation, Turn
from trainer.privacy import redact_conversation
from trainer.scoring.engine import score_conversation
from trainer.scoring.rubric import find_rubric


def inputs(scale: float) -> dict[str, str]:
    """Name -> customer turn. The issue's inputs first, then classic shapes of ~200 KB."""
    n = lambda count: max(1, int(count * scale))  # noqa: E731
    sentence = "The refund for order 12345 went to dana at example dot com, thanks. "
    issue = {
        "1 MB turn (sentences)": (sentence * n(16000))[: n(1_000_000)],
        "40,000 spoken digit words": "one two three four five six seven eight nine zero " * n(4000),
        '100,000 x "1-"': "1-" * n(100_000),
        "50,000-char token": "x" * n(50_000),
        "20,000 apologies": "I'm sorry. " * n(20_000),
        '"four one one one " x 500': "four one one one " * n(500),
        '16 KB of "1-"': "1-" * n(8000),
        "20,000 spaced digits": "4 " * n(20_000),
    }
    shapes = {
        "spaces then x": " " * n(200_000) + "x",
        "a x 200k then !": "a" * n(200_000) + "!",
        "a. x 100k": "a." * n(100_000),
        "1, x 100k": "1," * n(100_000),
        "open parens x 200k": "(" * n(200_000) + "a",
        "a at a dot x 20k": "a at a dot " * n(20_000),
        "one Elm Street x 15k": "one Elm Street " * n(15_000),
        "March the third x 12k": "March the third " * n(12_000),
        "$1, x 50k": "$1," * n(50_000),
    }
    return {**issue, **shapes}


def chat(text: str) -> Conversation:
    """The adversarial text as a customer turn between two ordinary agent turns."""
    return Conversation(
        external_id="adversarial",
        turns=[
            Turn("agent", "Thanks for calling, how can I help?"),
            Turn("customer", text),
            Turn("agent", "I'm sorry about that. I'll call you back by Friday."),
        ],
        channel="chat",
    )


def timed(fn, *args):
    """(result, cpu seconds, wall seconds) of fn(*args)."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn(*args)
    return result, time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only inputs whose name contains this")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every input's size")
    args = parser.parse_args()

    rubric = find_rubric("customer_service")
    _, warm_cpu, _ = timed(
        lambda: score_conversation(redact_conversation(chat("card 4111"))[0], rubric)
    )
    print(f"engines built in {warm_cpu:.1f} s CPU (not counted below)")
    print(
        f"{'input':32} {'chars':>9} {'redact cpu':>10} {'score cpu':>10} {'total cpu':>10}"
        f" {'wall':>7}"
    )
    rows = []
    for name, text in inputs(args.scale).items():
        if args.only and args.only.lower() not in name.lower():
            continue
        (clean, _), redact_cpu, redact_wall = timed(redact_conversation, chat(text))
        _, score_cpu, score_wall = timed(score_conversation, clean, rubric)
        total = redact_cpu + score_cpu
        rows.append((total, name))
        print(
            f"{name:32} {len(text):>9,} {redact_cpu:>10.2f} {score_cpu:>10.2f} {total:>10.2f}"
            f" {redact_wall + score_wall:>7.2f}",
            flush=True,
        )
    if rows:
        total, name = max(rows)
        print(f"slowest: {name}: {total:.2f} s CPU (redaction + scoring)")


if __name__ == "__main__":
    main()
