"""Who spoke: stereo calls split by channel, mono calls by voice embeddings and clustering,
then roles (agent / customer) from what each speaker says."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from trainer.speech.engines.base import Transcript, Word


@dataclass
class SpeakerTurn:
    """Consecutive words by one speaker."""

    speaker: str  # a label ("left", "S0") until roles are assigned, then agent|customer
    words: list[Word] = field(default_factory=list)
    uncertain: int = 0  # mono: words whose voice the audio does not make clear

    @property
    def start(self) -> float:
        """When the turn starts, seconds."""
        return self.words[0].start

    @property
    def end(self) -> float:
        """When the turn ends, seconds."""
        return self.words[-1].end

    @property
    def text(self) -> str:
        """The words joined as text."""
        return " ".join(w.text.strip() for w in self.words).strip()


def agent_channel() -> str:
    """Which stereo channel carries the agent: $TRAINER_AGENT_CHANNEL, default left."""
    value = os.environ.get("TRAINER_AGENT_CHANNEL", "left").lower()
    return value if value in {"left", "right"} else "left"


def words_of(transcript: Transcript) -> list[Word]:
    """Every word of a transcript in time order (segments without word times become one word)."""
    words: list[Word] = []
    for segment in transcript.segments:
        if segment.words:
            words.extend(w for w in segment.words if w.text.strip())
        elif segment.text.strip():
            words.append(Word(segment.text.strip(), segment.start, segment.end))
    return sorted(words, key=lambda w: (w.start, w.end))


def group_turns(labelled: list[tuple[str, Word]], max_gap: float = 2.0) -> list[SpeakerTurn]:
    """Group time-ordered (label, word) pairs into turns; a long pause also starts a new turn."""
    turns: list[SpeakerTurn] = []
    for label, word in sorted(labelled, key=lambda p: (p[1].start, p[1].end)):
        current = turns[-1] if turns else None
        if current and current.speaker == label and word.start - current.end <= max_gap:
            current.words.append(word)
        else:
            turns.append(SpeakerTurn(label, [word]))
    return turns


def stereo_turns(left: Transcript, right: Transcript) -> list[SpeakerTurn]:
    """Turns of a stereo call: one speaker per channel, ordered by word timestamps."""
    labelled = [("left", w) for w in words_of(left)] + [("right", w) for w in words_of(right)]
    return group_turns(labelled)


def mono_turns(
    samples: np.ndarray, transcript: Transcript, speech: np.ndarray | None = None
) -> list[SpeakerTurn]:
    """Turns of a mono call: each word takes the voice heard under it (see diarization.py).
    `speech` is the call's `speech_frames`, when the caller has them already."""
    from trainer.speech.diarization import UNCERTAIN, voice_labels

    words = words_of(transcript)
    if not words:
        return []
    voices = voice_labels(samples, words, speech)
    turns = group_turns([(f"S{voices.label_word(w)}", w) for w in words])
    for turn in turns:
        turn.uncertain = sum(voices.confidence(w) < UNCERTAIN for w in turn.words)
    return turns


def assign_roles(turns: list[SpeakerTurn], stereo_agent: str | None = None) -> list[SpeakerTurn]:
    """Name the speakers: the configured channel on stereo; on mono, the speaker who greets with a
    company or own name, else the first speaker."""
    labels = list(dict.fromkeys(t.speaker for t in turns))
    if stereo_agent is not None:
        agent = stereo_agent
    else:
        agent = _greeter(turns) or (labels[0] if labels else "S0")
    for turn in turns:
        turn.speaker = "agent" if turn.speaker == agent else "customer"
    return turns


def _greeter(turns: list[SpeakerTurn]) -> str | None:
    from trainer.nlp.patterns import load_patterns
    from trainer.nlp.pipeline import load_nlp

    nlp = load_nlp()
    bank = load_patterns(nlp)
    seen: set[str] = set()
    for turn in turns:
        if turn.speaker in seen:
            continue
        seen.add(turn.speaker)
        found = bank.match(nlp(turn.text))
        intro = [s for s in found.get("agent_introduction", []) if _followed_by_name(s)]
        if intro and found.get("greeting"):
            return turn.speaker
    return None


def _followed_by_name(span) -> bool:
    following = span.doc[span.end : span.end + 3]
    return any(t.is_title for t in following if not t.is_punct)
