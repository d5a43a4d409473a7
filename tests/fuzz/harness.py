"""What every fuzz test checks about one input: it is read, or refused with a coded TrainerError
that names the file; never another exception, never a hang. Counts what was tried.

`examples(n)` is the number of hypothesis examples a test runs: `n`, or $TRAINER_FUZZ_EXAMPLES
for a long run (`make fuzz`).
"""

from __future__ import annotations

import os
import re
import signal
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from trainer.errors import TrainerError

CARD = "4111 1111 1111 1111"
CARD_PARTS = ("4111 1111", "1111 1111", "41111111")
HANG_SECONDS = 20.0
COUNTS: Counter = Counter()  # inputs tried, read, refused; tracebacks and hangs fail the test
_CODE = re.compile(r"^\[E\d{3}\] ")
# Eight or more digits in a row (spaces or dashes between them allowed): part of a card number,
# a national id or an account number. Limits in messages are written with commas (1,000,000).
_DIGITS = re.compile(r"\d(?:[ -]?\d){7,}")


def examples(n: int) -> int:
    """Examples for one hypothesis test: `n`, or $TRAINER_FUZZ_EXAMPLES when it is set."""
    raw = os.environ.get("TRAINER_FUZZ_EXAMPLES", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else n


def fuzz(n: int) -> settings:
    """Hypothesis settings for a fuzz test of `n` examples: no deadline (the machine is shared;
    hangs are caught by `guard`), no example database written into the tree.

    The short run in `make test` is derandomized, so CI passes or fails the same way on the same
    code; the long run (`make fuzz`, $TRAINER_FUZZ_EXAMPLES) draws fresh inputs every time."""
    return settings(
        max_examples=examples(n),
        derandomize=not os.environ.get("TRAINER_FUZZ_EXAMPLES", "").strip(),
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
    )


class Hang(Exception):
    """An input took longer than the guard allows."""


@contextmanager
def guard(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Raise Hang inside the block if it runs longer than `seconds` (SIGALRM, main thread)."""

    def alarm(signum, frame):
        raise Hang(f"no answer after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def attempt(
    run: Callable[[], Any],
    name: str,
    *,
    codes: tuple[type[TrainerError], ...] = (TrainerError,),
    seconds: float = HANG_SECONDS,
) -> Any:
    """Run `run()` on one input called `name`: its result, or the coded error it raised.

    Fails the test for any other exception (a traceback), a hang, an error of another class than
    `codes`, an error that does not name `name`, or one that echoes a card number.
    """
    COUNTS["inputs"] += 1
    try:
        with guard(seconds):
            result = run()
    except Hang as exc:
        COUNTS["hangs"] += 1
        pytest.fail(f"hang on {name}: {exc}", pytrace=False)
    except TrainerError as exc:
        check_error(exc, name, codes)
        COUNTS["refused"] += 1
        return exc
    except Exception as exc:  # noqa: BLE001 - what the test is about
        COUNTS["tracebacks"] += 1
        pytest.fail(
            f"traceback on {name}: {type(exc).__name__}: {exc}\n{traceback.format_exc()}",
            pytrace=False,
        )
    COUNTS["read"] += 1
    return result


def check_error(exc: TrainerError, name: str, codes: tuple[type[TrainerError], ...]) -> None:
    """A refusal is coded, of the expected class, names the input and hides card numbers."""
    text = exc.format()
    assert isinstance(exc, codes), f"{name}: {type(exc).__name__} is not one of {codes}: {text}"
    assert _CODE.match(text), f"{name}: no code: {text}"
    assert exc.where and name in exc.where, f"{name}: the error does not name it: {text}"
    # The message and the place: the fix is Trainer's own text (it may show an example date).
    shown = f"{exc.where} {exc.message}"
    assert not _DIGITS.search(shown), f"{name}: the error echoes a card number: {text}"
    text.encode("utf-8")  # printable: no lone surrogate made it into the message
