"""No slow paths: every redaction and scoring regex grows linearly on classic ReDoS shapes, and
the issue's adversarial chats redact and score within generous bounds.

The regexes are found, not listed: every compiled pattern at module level in trainer.privacy,
trainer.scoring and trainer.nlp, Presidio's pattern recognizers as the redaction engine builds
them, the REGEX values of the token patterns in trainer/nlp/patterns/*.yaml and the `regex`
checks of the shipped scenarios. A new pattern is covered without touching this file.

Timing is CPU time of this process (the 2-core test machines are shared), each shape at two
sizes: a ratio well above the 4x a linear pattern shows, when the larger run is long enough to
measure (> 50 ms), fails. Figures for humans: benchmarks/adversarial_inputs.py.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from pathlib import Path

import pytest
import regex
import yaml

import trainer.nlp
import trainer.privacy
import trainer.scoring
from trainer.conversation import Conversation, Turn
from trainer.privacy import redact_conversation
from trainer.scoring.engine import score_conversation
from trainer.scoring.rubric import find_rubric

ROOT = Path(__file__).resolve().parents[2]
SIZE = 1_500  # characters of the small input; the large one is 4x
FLOOR_S = 0.05  # the larger run must take this long before a ratio means anything
MAX_RATIO = 10.0  # linear: about 4; quadratic: about 16

# Classic shapes: one unit repeated. Repeated separators, long tokens, nested-group prefixes,
# spelled and spaced digits, the things the recognizers look for, and what ends them badly.
SHAPES: dict[str, str] = {
    "dash-digits": "1-",
    "comma-digits": "1,",
    "dot-digits": "1.",
    "spaced-digits": "4 ",
    "digits": "1",
    "letters": "a",
    "letter-dots": "a.",
    "letter-dash": "a-",
    "spaces": " ",
    "tabs-newlines": "\t\n",
    "comma-space": ", ",
    "open-parens": "(",
    "at-signs": "a@",
    "spoken-at-dot": "a at a dot ",
    "spelled-digits": "four one one one ",
    "spoken-digits": "one two three four five six seven eight nine zero ",
    "number-words": "twenty one hundred and ",
    "street-words": "one Elm Street ",
    "apostrophes": "x'",
    "apologies": "I'm sorry. ",
    "months": "March the third ",
    "dollar-digits": "$1,",
}
ENDINGS = ("", "!")  # matched to the end, or broken by one last character


def _module_patterns(package) -> dict[str, re.Pattern]:
    found = {}
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found[f"{info.name}.{name}"] = value
    return found


def _presidio_patterns() -> dict[str, object]:
    from trainer.privacy.engine import get_analyzer

    found = {}
    for recognizer in get_analyzer().registry.recognizers:
        for pattern in getattr(recognizer, "patterns", None) or []:
            # Presidio matches with the `regex` package and the recognizer's flags.
            flags = getattr(recognizer, "global_regex_flags", 0) or 0
            found[f"presidio.{recognizer.name}.{pattern.name}"] = regex.compile(
                pattern.regex, flags
            )
    return found


def _yaml_regexes(data, where: str, found: dict[str, re.Pattern]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "REGEX" and isinstance(value, str):
                found[f"{where}:{value}"] = re.compile(value)
            elif key == "regex" and isinstance(value, list):
                for item in value:
                    found[f"{where}:{item}"] = re.compile(item, re.IGNORECASE)
            else:
                _yaml_regexes(value, where, found)
    elif isinstance(data, list):
        for item in data:
            _yaml_regexes(item, where, found)


def all_patterns() -> dict[str, object]:
    """Every regex redaction and scoring run, by a name that says where it lives."""
    found: dict[str, object] = {}
    for package in (trainer.privacy, trainer.scoring, trainer.nlp):
        found.update(_module_patterns(package))
    found.update(_presidio_patterns())
    files = [*(ROOT / "trainer/nlp/patterns").glob("*.yaml"), *(ROOT / "scenarios").glob("*.yaml")]
    for path in sorted(files):
        _yaml_regexes(yaml.safe_load(path.read_text(encoding="utf-8")), path.name, found)
    return found


PATTERNS = all_patterns()


def _cpu(pattern, text: str) -> float:
    started = time.process_time()
    for _ in pattern.finditer(text):
        pass
    return time.process_time() - started


def _growth(pattern, unit: str, ending: str) -> tuple[float, float]:
    repeat = max(1, SIZE // len(unit))
    small, large = unit * repeat + ending, unit * (4 * repeat) + ending
    return _cpu(pattern, small), _cpu(pattern, large)


def test_redos_patterns_are_found():
    names = " ".join(PATTERNS)
    # The ones the issue measured, and one of each source.
    for expected in (
        "address._STREET",
        "email._EMAIL",
        "numbers._TOKEN",
        "context._WORD",
        "presidio.presidio_email",
        "resolution.yaml:",
    ):
        assert expected in names, expected
    assert len(PATTERNS) >= 40


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_redos_pattern_grows_linearly(name):
    pattern = PATTERNS[name]
    slow = []
    for shape, unit in SHAPES.items():
        for ending in ENDINGS:
            small, large = _growth(pattern, unit, ending)
            if large <= FLOOR_S or large <= MAX_RATIO * max(small, 1e-4):
                continue
            # Measure again before blaming the pattern: a busy machine inflates one run.
            small, large = min(
                (_growth(pattern, unit, ending) for _ in range(2)), key=lambda p: p[1]
            )
            if large > FLOOR_S and large > MAX_RATIO * max(small, 1e-4):
                slow.append(f"{shape}{ending!r}: {small:.3f}s -> {large:.3f}s")
    assert not slow, f"{name} grows faster than linearly: {'; '.join(slow)}"


# The inputs: each redacted (as ingest does) and scored with the default rubric.
TARGETS = {
    "one 1 MB turn": ("The refund for order 12345 went to dana at example dot com. " * 17000)[
        :1_000_000
    ],
    "40,000 spoken digit words": "one two three four five six seven eight nine zero " * 4000,
    '100,000 "1-"': "1-" * 100_000,
    "one 50,000-character token": "x" * 50_000,
    "20,000 apologies": "I'm sorry. " * 20_000,
    # spaCy's tokenizer alone took 6 s on 8,000 characters of "!?" (quadratic): see
    # trainer/nlp/tokenizer.py.
    '"!?" x 20,000': "!?" * 20_000,
    '"([{" x 10,000 in words': ("so " + "([{" * 100 + " ") * 100,
}
BOUND_S = 10.0  # generous: the figures are in the benchmark (about 2 s and less on a quiet box)


@pytest.fixture(scope="module")
def rubric():
    # Build the shared engines outside the timing.
    redact_conversation(Conversation(external_id="warm", turns=[Turn("customer", "card 4111")]))
    found = find_rubric("customer_service")
    score_conversation(Conversation(external_id="warm", turns=[Turn("agent", "hi")]), found)
    return found


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_redos_adversarial_chat_redacts_and_scores_in_bounds(name, rubric):
    conversation = Conversation(
        external_id="adversarial",
        turns=[
            Turn("agent", "Thanks for calling, how can I help?"),
            Turn("customer", TARGETS[name]),
            Turn("agent", "I'm sorry about that. I'll call you back by Friday."),
        ],
        channel="chat",
    )
    started = time.process_time()
    clean, _ = redact_conversation(conversation)
    redact_s = time.process_time() - started
    started = time.process_time()
    result = score_conversation(clean, rubric)
    score_s = time.process_time() - started
    assert len(clean.turns) == 3 and result.criteria
    assert redact_s < BOUND_S, f"redaction took {redact_s:.1f}s"
    assert score_s < BOUND_S, f"scoring took {score_s:.1f}s"


def test_redos_long_turn_is_redacted_across_pieces():
    """A text longer than one analysis piece is still redacted everywhere, also where a datum
    straddles a piece boundary."""
    from trainer.privacy import Redactor
    from trainer.privacy.redact import PIECE_CHARS

    filler = "we talked about the weather for a while and then "
    for shift in range(0, 60, 7):
        text = filler * (PIECE_CHARS // len(filler)) + "x" * shift
        text += " my card number is 4111 1111 1111 1111 thanks " + filler * 100
        text += "and call me on five five five, zero one four eight please"
        result = Redactor().redact(text)
        assert "4111" not in result.text
        assert "[CARD]" in result.text
        assert "zero one four eight" not in result.text
