"""Whisper repetition loops: found per segment, transcribed again, and trimmed if they persist.

Over a read-out number Whisper (tiny.en above all) falls into a loop: "4-1-1-1-..." written some
35 times for a 16-digit card, running on over the next sentence ("Okay, thank you so much. That
is a relief." stored as "-1 -1 -1 ... a relief."). Three signs give a loop away:

- more words per second than anyone speaks (a digit said is one word: "4111" is four);
- one word or phrase repeated back to back further than a person would (a card number is at
  most 19 digits; a phrase said five times over is a loop);
- text that compresses like a loop (Whisper's own test, ratio above 2.4), leaving digits aside,
  which repeat honestly ("one one one one").

A segment that shows a sign, holds a long number, or has characters written one by one with
dashes ("4 -1 -1 -L": where loops start, and digits get miscounted even without one) is
transcribed again over its own stretch of audio (a loop Whisper cut into pieces with no pause
between them is judged, and read again, as one): numbers spelled out (no digit tokens to loop
on) and no preceding text as a prompt. A loop-free second reading replaces a looping first one,
or a loop-free first one the model is less sure of. Where the second reading loops too, the loop
is cut back to what the segment's time allows, so nothing in the stored turn runs past the
speech it came from.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, replace

import numpy as np

from trainer.privacy.numbers import digit_runs
from trainer.speech.audio import as_float
from trainer.speech.engines.base import SAMPLE_RATE, Decoding, Engine, Segment, Transcript

MAX_WORDS_PER_SECOND = 6.0  # fast speech is about 4; digits read out about 3
MAX_REPEATED_DIGITS = 20  # the longest card number is 19 digits
MAX_PHRASE_REPEATS = 5  # "thank you" said five times running is already a loop
MAX_COMPRESSION_RATIO = 2.4  # Whisper's own threshold
MIN_COMPRESSIBLE_CHARS = 60  # shorter text compresses too little to tell
LONG_NUMBER_DIGITS = 8  # a number this long read out is worth a second, spelled reading
JOIN_GAP_S = 1.0  # segments closer than this may hold one loop between them
JOIN_SEGMENTS = 3  # ... up to this many
MAX_SPAN_S = 30.0  # Whisper's window: a second reading never covers more
PAD_S = 0.2
# A loop-free first reading is replaced by a second one the model is nearly as sure of: digits
# and dashes ("4 -1 -1 -L") come out confident and wrong, spelled readings a little less sure.
SURER_MARGIN = 0.1
# A second reading must account for the speech it replaces: words within COVER_SLACK_S of at
# least this share of the span's voiced audio (Whisper sometimes stops halfway through a number,
# which would leave the rest unheard and part of a card number stored below the card length).
MIN_COVERAGE = 0.8
COVER_SLACK_S = 0.3
MAX_WORD_S = 1.0  # a word covers at most this much: Whisper stretches the last one it gave up on

SECOND_READING = Decoding(spell_numbers=True, condition_on_previous_text=False)
_WORD = re.compile(r"[\w']+")
# Characters read out one by one and written with dashes ("4 -1 -1 -L", "R-U-I-Z"): Whisper's
# digit and letter tokens, where its loops begin.
_DASHED_READOUT = re.compile(r"(?<![\w-])\w(?:\s*-\s*\w){2,}(?![\w])")


@dataclass(frozen=True, slots=True)
class LoopRepair:
    """One stretch of a channel read again: where, why, and what was done."""

    start: float
    end: float
    reason: str
    action: str  # "reread" (the second reading kept) | "trimmed" (the loop cut back)
    side: str = ""  # the stereo channel ("left" | "right"); empty on a mono call

    def as_dict(self) -> dict:
        """The repair as stored in a call's metadata."""
        stored = {
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "reason": self.reason,
            "action": self.action,
        }
        return {**stored, "side": self.side} if self.side else stored


def spoken_units(text: str) -> list[str]:
    """The words of `text` as said: a number counts one unit per digit ("4-1-1" is 4, 1, 1)."""
    units: list[str] = []
    cursor = 0
    for run in digit_runs(text):
        if run.start < cursor or run.guessed:
            continue  # overlapping homophone readings: the plain one was taken
        units += [w.lower() for w in _WORD.findall(text[cursor : run.start])]
        units += list(run.digits)
        cursor = run.end
    units += [w.lower() for w in _WORD.findall(text[cursor:])]
    return units


def longest_repeat(units: list[str], longest_phrase: int = 4) -> tuple[tuple[str, ...], int]:
    """The phrase (1 to `longest_phrase` units) repeated back to back the most, and how often.

    A phrase of several units wins only where it repeats over more units than a shorter one
    does ("thank you" × 5 beats "thank" × 1); ties go to the shorter phrase.
    """
    best: tuple[tuple[str, ...], int] = ((), 0)
    best_span = 0
    for size in range(1, longest_phrase + 1):
        i = 0
        while i + size <= len(units):
            phrase = tuple(units[i : i + size])
            count = 1
            while tuple(units[i + count * size : i + (count + 1) * size]) == phrase:
                count += 1
            if count * size > best_span and count > 1:
                best, best_span = (phrase, count), count * size
            i += size * count if count > 1 else 1
    return best


def compression_ratio(text: str) -> float:
    """Bytes of `text` over bytes of it compressed (Whisper's loop test)."""
    raw = text.encode("utf-8")
    return len(raw) / max(1, len(zlib.compress(raw)))


def loop_reason(segment: Segment) -> str | None:
    """Why `segment` reads as a repetition loop, or None when it reads as speech."""
    units = spoken_units(segment.text)
    if not units:
        return None
    duration = max(segment.end - segment.start, 0.5)
    rate = len(units) / duration
    if rate > MAX_WORDS_PER_SECOND:
        return f"{len(units)} words in {duration:.1f} s ({rate:.1f} a second)"
    phrase, count = longest_repeat(units)
    if phrase:
        is_digit = len(phrase) == 1 and phrase[0].isdigit()
        # The reasons are stored unredacted beside the call: they name no digit or word of it.
        if is_digit and count > MAX_REPEATED_DIGITS:
            return f"one digit {count} times running"
        if not is_digit and count * len(phrase) > 1 and count > MAX_PHRASE_REPEATS:
            words = "one word" if len(phrase) == 1 else f"a {len(phrase)}-word phrase"
            return f"{words} {count} times running"
    words = " ".join(u for u in units if not u.isdigit())
    if len(words) >= MIN_COMPRESSIBLE_CHARS:
        ratio = compression_ratio(words)
        if ratio > MAX_COMPRESSION_RATIO:
            return f"compresses like a loop (ratio {ratio:.1f})"
    return None


def needs_second_look(segment: Segment) -> str | None:
    """Why `segment` should be transcribed again (a loop, or a long number read out), or None."""
    reason = loop_reason(segment)
    if reason:
        return reason
    digits = sum(len(run.digits) for run in digit_runs(segment.text) if not run.guessed)
    if digits >= LONG_NUMBER_DIGITS:
        return f"a number of {digits} digits read out"
    if _DASHED_READOUT.search(segment.text):
        return "characters read out one by one"
    return None


def _joined(span: tuple[Segment, ...]) -> Segment:
    """The segments of a passage as one."""
    return Segment(
        " ".join(s.text for s in span),
        span[0].start,
        span[-1].end,
        tuple(w for s in span for w in s.words),
    )


def _suspect(segments: tuple[Segment, ...], first: int) -> tuple[int, str | None]:
    """Where the stretch to read again from segment `first` ends (an index), and why, or None.

    A segment that needs a second look is read again alone (its time covers the speech its loop
    ran over). A loop that Whisper cut into segments without a pause is found by joining the
    following ones, up to JOIN_SEGMENTS and MAX_SPAN_S.
    """
    reason = needs_second_look(segments[first])
    if reason:
        return first + 1, reason
    last = first
    while (
        last + 1 < len(segments)
        and last + 1 - first < JOIN_SEGMENTS
        and segments[last + 1].start - segments[last].end < JOIN_GAP_S
        and segments[last + 1].end - segments[first].start <= MAX_SPAN_S
    ):
        last += 1
        reason = loop_reason(_joined(segments[first : last + 1]))
        if reason:
            return last + 1, reason
    return first + 1, None


def _within(segment: Segment, start: float, end: float) -> Segment | None:
    """`segment` with its words held inside [start, end]; None when nothing is left."""
    words = tuple(
        replace(w, start=max(start, w.start), end=min(end, max(w.end, w.start)))
        for w in segment.words
        if w.start < end and w.end > start
    )
    if segment.words and not words:
        return None
    seg_start = max(start, words[0].start if words else segment.start)
    seg_end = min(end, words[-1].end if words else segment.end)
    if seg_end <= seg_start:
        return None
    text = segment.text if len(words) == len(segment.words) else " ".join(w.text for w in words)
    return Segment(text, seg_start, seg_end, words)


def _first_digits(text: str, count: int) -> str:
    """`text` cut just after its `count`-th digit."""
    seen = 0
    for index, char in enumerate(text):
        seen += char.isdigit()
        if seen == count:
            return text[: index + 1]
    return text


def trim_loop(segment: Segment) -> Segment:
    """`segment` cut back to what its duration allows: no more words than MAX_WORDS_PER_SECOND
    over it, and no word repeated back to back further than a person would say it.

    Without word timestamps the first words are kept in proportion.
    """
    allowed = max(1, int(max(segment.end - segment.start, 0.5) * MAX_WORDS_PER_SECOND))
    if not segment.words:
        return replace(segment, text=" ".join(segment.text.split()[:allowed]))
    kept: list = []
    said, previous, running = 0, None, 0
    for word in segment.words:
        key = word.text.lower().strip(",.;:!?-")
        running = running + 1 if key == previous else 1
        previous = key
        cap = MAX_REPEATED_DIGITS if key.isdigit() else MAX_PHRASE_REPEATS
        units = len(spoken_units(word.text)) or 1
        if units > MAX_REPEATED_DIGITS:  # one "word" holding the loop: "4-1-1-1-1-...-1"
            word = replace(word, text=_first_digits(word.text, MAX_REPEATED_DIGITS))
            units = MAX_REPEATED_DIGITS
        if running > cap or said + units > allowed:
            continue
        said += units
        kept.append(word)
    if not kept:
        return replace(segment, text="", words=())
    # The segment keeps its time: a loop's words are squeezed together, the speech was not.
    return Segment(" ".join(w.text for w in kept), segment.start, segment.end, tuple(kept))


def coverage(segments: list[Segment], clip: np.ndarray, offset: float) -> float:
    """The share of `clip`'s voiced 10 ms frames (it starts at `offset` seconds) that lie within
    COVER_SLACK_S of a word of `segments` (each word taken as at most MAX_WORD_S long); 1.0 when
    the clip has no voice."""
    from trainer.speech.diarization import FRAME, speech_frames

    voiced = speech_frames(clip)
    if not voiced.any():
        return 1.0
    heard = np.zeros_like(voiced)
    for word in (w for s in segments for w in s.words):
        end = min(word.end, word.start + MAX_WORD_S)
        a = max(0, int((word.start - offset - COVER_SLACK_S) / FRAME))
        b = min(len(heard), int(np.ceil((end - offset + COVER_SLACK_S) / FRAME)))
        heard[a:b] = True
    return float((voiced & heard).sum() / voiced.sum())


def _acceptable(reading: list[Segment], clip: np.ndarray, low: float) -> bool:
    """A second reading may replace the first: it has words, none loops, and they account for
    the speech (MIN_COVERAGE of the voiced audio)."""
    return (
        bool(reading)
        and not any(loop_reason(s) for s in reading)
        and coverage(reading, clip, low) >= MIN_COVERAGE
    )


def _mean_probability(segments) -> float:
    """The mean word probability of `segments`, rounded so that near-ties go to the first."""
    words = [w for s in segments for w in s.words]
    return round(sum(w.probability for w in words) / len(words), 6) if words else 0.0


def recover_loops(
    engine: Engine, samples: np.ndarray, transcript: Transcript
) -> tuple[Transcript, list[LoopRepair]]:
    """`transcript` of `samples` with its loops (and long read-out numbers) read again.

    Returns the mended transcript and one LoopRepair per stretch whose reading was replaced. A
    loop-free second reading replaces a looping first one, and a loop-free first one where the
    model is about as sure of it (SURER_MARGIN); its words stay inside the audio it was made
    from and clear of the segments around it. A loop that the second reading repeats is trimmed.
    """
    segments = transcript.segments
    mended: list[Segment] = []
    repairs: list[LoopRepair] = []
    i = 0
    while i < len(segments):
        end, reason = _suspect(segments, i)
        if reason is None:
            mended.append(segments[i])
            i += 1
            continue
        span = segments[i:end]
        low = max(span[0].start - PAD_S, mended[-1].end if mended else 0.0, 0.0)
        high = min(
            span[-1].end + PAD_S,
            segments[end].start if end < len(segments) else transcript.duration,
            len(samples) / SAMPLE_RATE,
        )
        a, b = int(low * SAMPLE_RATE), int(high * SAMPLE_RATE)
        clip = samples[a:b]
        reading = engine.transcribe(as_float(clip), None, SECOND_READING)
        second = [
            kept
            for s in reading.segments
            if (kept := _within(s.shifted(a / SAMPLE_RATE), low, high)) is not None
        ]
        where = (span[0].start, span[-1].end)
        passage = _joined(span)
        looping = loop_reason(passage) is not None
        clean = _acceptable(second, clip, low)
        surer = _mean_probability(second) >= _mean_probability(span) - SURER_MARGIN
        if clean and (looping or surer):
            mended += second
            repairs.append(LoopRepair(*where, reason, "reread"))
        elif looping:
            trimmed = trim_loop(passage)
            mended += [trimmed] if trimmed.text else []
            repairs.append(LoopRepair(*where, reason, "trimmed"))
        else:
            mended += span
        i = end
    return replace(transcript, segments=tuple(mended)), repairs
