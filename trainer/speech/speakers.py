"""Who spoke: stereo calls split by channel, mono calls by voice embeddings and clustering,
then roles (agent / customer) from what each speaker says."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from trainer.speech.engines.base import SAMPLE_RATE, Transcript, Word

# A pause this long inside one speaker's speech splits it into separate pieces for embedding.
_SPLIT_GAP = 0.35
_MIN_EMBED_SECONDS = 0.4


@dataclass
class SpeakerTurn:
    """Consecutive words by one speaker."""

    speaker: str  # a label ("left", "S0") until roles are assigned, then agent|customer
    words: list[Word] = field(default_factory=list)

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


@lru_cache(maxsize=1)
def _voice_encoder():
    import torch
    from resemblyzer import VoiceEncoder

    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    return VoiceEncoder("cpu", verbose=False)


def _pieces(words: list[Word]) -> list[list[Word]]:
    pieces: list[list[Word]] = []
    for word in words:
        last = pieces[-1][-1] if pieces else None
        # Whisper stretches a word's end over the pause after it, so a sentence end is also a
        # place where the other voice may start.
        if last and word.start - last.end < _SPLIT_GAP and not last.text.endswith((".", "?", "!")):
            pieces[-1].append(word)
        else:
            pieces.append([word])
    return pieces


def _cluster_two(embeddings: np.ndarray) -> np.ndarray:
    """Two clusters by cosine similarity (agglomerative, average linkage)."""
    from sklearn.cluster import AgglomerativeClustering

    if len(embeddings) < 2:
        return np.zeros(len(embeddings), dtype=int)
    model = AgglomerativeClustering(n_clusters=2, metric="cosine", linkage="average")
    return model.fit_predict(embeddings)


def mono_turns(samples: np.ndarray, transcript: Transcript) -> list[SpeakerTurn]:
    """Turns of a mono call: embed each stretch of speech, cluster into two voices."""
    if not words_of(transcript):
        return []
    # Whisper's segments often end where the other voice starts: never embed across them.
    pieces = [
        piece
        for segment in transcript.segments
        for piece in _pieces([w for w in segment.words if w.text.strip()])
    ]
    long_enough = [i for i, p in enumerate(pieces) if p[-1].end - p[0].start >= _MIN_EMBED_SECONDS]
    encoder = _voice_encoder()
    embeddings = []
    for i in long_enough:
        start = int(pieces[i][0].start * SAMPLE_RATE)
        end = int(pieces[i][-1].end * SAMPLE_RATE)
        embeddings.append(encoder.embed_utterance(samples[start:end]))
    labels: dict[int, int] = {}
    if embeddings:
        for i, label in zip(long_enough, _cluster_two(np.stack(embeddings)), strict=True):
            labels[i] = int(label)
    # Short pieces ("yes", "okay") take the voice of the nearest embedded piece in time.
    embedded = sorted(labels)
    labelled: list[tuple[str, Word]] = []
    for i, piece in enumerate(pieces):
        if i in labels:
            label = labels[i]
        elif embedded:
            label = labels[min(embedded, key=lambda j: _gap(pieces[i], pieces[j]))]
        else:
            label = 0
        labelled.extend((f"S{label}", w) for w in piece)
    return group_turns(labelled)


def _gap(a: list[Word], b: list[Word]) -> float:
    """Seconds between two pieces of speech (0 when they touch or overlap)."""
    return max(0.0, b[0].start - a[-1].end, a[0].start - b[-1].end)


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
