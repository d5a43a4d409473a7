"""Digit runs: numbers as a transcript writes them, numeric, spoken or mixed.

A card number, phone number or code read aloud reaches us in many shapes: "4111 1111 1111 1111",
"4111, 111, 111", "four one one one, 1111", "double four", "oh" for zero, "forty one eleven", and
the homophones ASR writes for lone digits inside a readout ("for two for two"). This
module finds every run of such tokens joined only by separators (spaces, commas, dots, dashes,
slashes, brackets, fillers like "um"), and reports its digits, its groups (the chunks the speaker
paused between) and its character span in the original text. Recognizers then decide what a run
is from its length, grouping, checksum and the words before it.

Amounts of money, clock times, percentages, written dates ("03/03/1951", card expiry "04/27")
and numbers glued to letters ("CS-48213", "8am", "3rd",
"A1234") never join a run.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from trainer.privacy.patterns import (
    DIGIT_WORDS,
    FILLER_WORDS,
    HOMOPHONE_DIGITS,
    REPEAT_WORDS,
    TEEN_WORDS,
    TENS_WORDS,
)


def alternation(words) -> str:
    """A regex alternation of literal words, longest first (so "fourteen" wins over "four")."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_ONES_NONZERO = alternation(w for w, d in DIGIT_WORDS.items() if d != "0")
_TOKEN = re.compile(
    rf"""
    (?P<num>(?<![\w#$£€@])(?<![A-Za-z]-)\d+(?![\w%$£€]))
    | \b(?P<tens>(?:{alternation(TENS_WORDS)})(?:[\s-]+(?:{_ONES_NONZERO}))?)\b
    | \b(?P<teen>{alternation(TEEN_WORDS)})\b
    | \b(?P<digit>{alternation(DIGIT_WORDS)})\b(?!')
    | \b(?P<homophone>{alternation(HOMOPHONE_DIGITS)})\b(?!')
    | \b(?P<repeat>{alternation(REPEAT_WORDS)})\b
    | \b(?P<hundred>hundred)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_MASK = re.compile(
    r"""
    [$£€]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|bn|million|billion))?
    | (?<![\d,])\b\d[\d,]*+(?:\.\d+)?\s?
      (?:dollars?|bucks|pounds?|quid|euros?|cents?|pence|usd|gbp|eur)\b
    | \b\d{1,2}(?::\d{2})?\s?(?:a\.?m\.?|p\.?m\.?)(?!\w)
    | \b\d{1,2}:\d{2}(?::\d{2})?\b
    | \b\d+(?:\.\d+)?\s?%
    | \b\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})\b
    | \b\d{4}-\d{2}-\d{2}\b
    | \b(?:0?[1-9]|1[0-2])/(?:\d{4}|\d{2})\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_FILLERS = alternation(FILLER_WORDS)
# What may sit between two tokens of one run.
_GAP = re.compile(rf"^(?:[\s,.;/()\-–—]|\b(?:{_FILLERS})\b)*$", re.IGNORECASE)
_WEAK_GAP = re.compile(r"^[ \t]+$")
_MAX_GAP = 16


@dataclass(frozen=True, slots=True)
class DigitToken:
    """One number-bearing token and the digits it stands for."""

    start: int
    end: int
    digits: str
    spoken: bool
    homophone: bool = False  # "for", "to", "free": a digit only inside a readout

    @property
    def single(self) -> bool:
        """A lone digit ("four", "4"), which reads on into its neighbours without a pause."""
        return len(self.digits) == 1


@dataclass(frozen=True, slots=True)
class DigitRun:
    """Consecutive number tokens joined only by separators, with the digits they spell."""

    start: int
    end: int
    tokens: tuple[DigitToken, ...]
    groups: tuple[str, ...]

    @property
    def digits(self) -> str:
        return "".join(self.groups)

    @property
    def spoken(self) -> bool:
        """True when any part was said in words."""
        return any(t.spoken for t in self.tokens)

    @property
    def guessed(self) -> bool:
        """True when homophones ("for", "to") were read as digits to make this run."""
        return any(t.homophone for t in self.tokens)

    @property
    def grouping(self) -> tuple[int, ...]:
        return tuple(len(g) for g in self.groups)

    def window(self, first: int, last: int) -> tuple[int, int, str]:
        """Span and digits of tokens first..last (inclusive)."""
        tokens = self.tokens[first : last + 1]
        return tokens[0].start, tokens[-1].end, "".join(t.digits for t in tokens)


def _masked(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _MASK.finditer(text)]


def _tokens(text: str) -> list[DigitToken]:
    masks = _masked(text)
    raw: list[tuple[str, re.Match]] = [(m.lastgroup or "", m) for m in _TOKEN.finditer(text)]
    tokens: list[DigitToken] = []
    i = 0
    mask = 0  # masks and tokens both come in text order: one walk, not a search per token
    while i < len(raw):
        kind, m = raw[i]
        start, end = m.span()
        while mask < len(masks) and masks[mask][1] <= start:
            mask += 1
        if mask < len(masks) and masks[mask][0] <= start:
            i += 1
            continue
        word = m.group().lower()
        if kind == "num":
            tokens.append(DigitToken(start, end, m.group(), False))
        elif kind == "digit":
            tokens.append(DigitToken(start, end, DIGIT_WORDS[word], True))
        elif kind == "homophone":
            tokens.append(DigitToken(start, end, HOMOPHONE_DIGITS[word], True, homophone=True))
        elif kind == "teen":
            tokens.append(DigitToken(start, end, TEEN_WORDS[word], True))
        elif kind == "tens":
            parts = re.split(r"[\s-]+", word)
            ones = DIGIT_WORDS[parts[1]] if len(parts) > 1 else "0"
            tokens.append(DigitToken(start, end, TENS_WORDS[parts[0]] + ones, True))
        elif kind == "repeat" and i + 1 < len(raw):
            # "double four" / "triple 1": repeat the next lone digit.
            next_kind, nxt = raw[i + 1]
            gap = text[end : nxt.start()]
            if next_kind in ("digit", "num") and _WEAK_GAP.match(gap or " "):
                digit = DIGIT_WORDS.get(nxt.group().lower(), nxt.group())
                if len(digit) == 1:
                    tokens.append(DigitToken(start, nxt.end(), digit * REPEAT_WORDS[word], True))
                    i += 2
                    continue
        elif kind == "hundred" and tokens and tokens[-1].end >= start - 2 and tokens[-1].single:
            # "eight hundred" = 800 (as in 1-800 numbers).
            last = tokens.pop()
            tokens.append(DigitToken(last.start, end, last.digits + "00", True))
        i += 1
    return tokens


def _joined(text: str, left: DigitToken, right: DigitToken) -> bool:
    """True when only separators (spaces, punctuation, fillers) lie between two tokens."""
    gap = text[left.end : right.start]
    return len(gap) <= _MAX_GAP and bool(_GAP.match(gap))


def _readout_homophones(text: str, tokens: list[DigitToken]) -> list[DigitToken]:
    """Keep "for", "to", "free"... only where they are digits of a readout.

    A homophone stays when a chain of joined tokens after it reaches a real digit, and either a
    kept token joins it from before or the next token is a lone digit said right after it. So
    "for two for two" is 4242 while "three to five days" is 325 (harmless: too short to be
    anything), "0147 to confirm" keeps its trailing "to" out, and "send it to 555 0147" does not
    put a 2 in front of a phone number.
    """
    if not any(t.homophone for t in tokens):
        return tokens
    count = len(tokens)
    reaches = [False] * count  # a chain of joined tokens from here ends in a real digit
    for i in range(count - 1, -1, -1):
        if not tokens[i].homophone:
            reaches[i] = True
        elif i + 1 < count and _joined(text, tokens[i], tokens[i + 1]):
            reaches[i] = reaches[i + 1]
    kept: list[bool] = [False] * count
    for i, token in enumerate(tokens):
        if not token.homophone:
            kept[i] = True
            continue
        if not reaches[i]:
            continue
        after = tokens[i + 1]
        from_before = i > 0 and kept[i - 1] and _joined(text, tokens[i - 1], token)
        digit_next = after.single and bool(_WEAK_GAP.match(text[token.end : after.start]))
        kept[i] = from_before or digit_next
    return [t for t, keep in zip(tokens, kept, strict=True) if keep]


@lru_cache(maxsize=64)
def digit_runs(text: str) -> tuple[DigitRun, ...]:
    """Every run of number tokens in `text`, in order (cached: each recognizer asks).

    Where homophones ("for", "to") read as digits change a run, both readings are returned: the
    run with them (a card read as "for two for two ...") and the runs without them (a security
    code "free to free, four five six" is still 456), so no recognizer loses what it found before.
    """
    tokens = _tokens(text)
    plain = _runs(text, [t for t in tokens if not t.homophone])
    if not any(t.homophone for t in tokens):
        return plain
    seen = {(r.start, r.end, r.digits) for r in plain}
    extra = [
        r
        for r in _runs(text, _readout_homophones(text, tokens))
        if (r.start, r.end, r.digits) not in seen and r.guessed
    ]
    return tuple(sorted([*plain, *extra], key=lambda r: (r.start, r.end)))


def _runs(text: str, tokens: list[DigitToken]) -> tuple[DigitRun, ...]:
    runs: list[DigitRun] = []
    current: list[DigitToken] = []
    groups: list[str] = []

    def close() -> None:
        if current:
            start = current[0].start
            # Take in an opening bracket when the run closes it: "(415) 555-0148".
            if start and text[start - 1] == "(" and ")" in text[start : current[-1].end]:
                start -= 1
            runs.append(DigitRun(start, current[-1].end, tuple(current), tuple(groups)))

    for token in tokens:
        if current:
            if _joined(text, current[-1], token):
                gap = text[current[-1].end : token.start]
                last = current[-1]
                weak = bool(_WEAK_GAP.match(gap)) or gap == ""
                if gap == "-" and last.single and token.single:
                    weak = True  # typed digit by digit: "4-1-1-1"
                if weak and (last.single and token.single or last.spoken and token.spoken):
                    groups[-1] += token.digits
                else:
                    groups.append(token.digits)
                current.append(token)
                continue
            close()
        current, groups = [token], [token.digits]
    close()
    return tuple(runs)


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) checksum every payment card number satisfies."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_window(run: DigitRun, low: int = 13, high: int = 19) -> tuple[int, int] | None:
    """The longest token-aligned stretch of `run` that is a Luhn-valid card-length number
    (the earliest one among equally long stretches).

    Linear in the run: Luhn doubles every second digit counted from the right, so with two
    prefix sums (one doubling the even places, one the odd) any stretch's checksum is one
    subtraction, and only stretches of `low` to `high` digits are tried.
    """
    tokens = run.tokens
    bounds = [0]  # where each token's digits start in the run's digits, and the end
    sums = ([0], [0])  # prefix sums doubling digits at even / at odd places
    for token in tokens:
        for ch in token.digits:
            place, value = len(sums[0]) - 1, int(ch)
            doubled = value * 2 - 9 if value > 4 else value * 2
            sums[0].append(sums[0][-1] + (doubled if place % 2 == 0 else value))
            sums[1].append(sums[1][-1] + (value if place % 2 == 0 else doubled))
        bounds.append(len(sums[0]) - 1)
    best: tuple[int, int, int] | None = None  # (length, -first, last)
    for last in range(len(tokens)):
        end = bounds[last + 1]
        # The rightmost digit is never doubled: double the places of the other parity.
        prefix = sums[1] if (end - 1) % 2 == 0 else sums[0]
        for first in range(bisect_left(bounds, end - high), last + 1):
            start = bounds[first]
            if end - start < low:
                break
            if (prefix[end] - prefix[start]) % 10 or not tokens[first].digits.strip("0"):
                continue  # a leading "oh" never changes the checksum; leave it out
            if best is None or (end - start, -first) > best[:2]:
                best = (end - start, -first, last)
            break  # the longest for this last token
    if best is None:
        return None
    return tokens[-best[1]].start, tokens[best[2]].end


def card_window(run: DigitRun) -> tuple[int, int] | None:
    """Where `run` holds a Luhn-valid card-length number. A run that needs homophones must
    pass as a whole: any stretch of a long guessed run passes the checksum one time in ten."""
    if run.guessed:
        return (
            (run.start, run.end) if 13 <= len(run.digits) <= 19 and luhn_valid(run.digits) else None
        )
    return luhn_window(run)
