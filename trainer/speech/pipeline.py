"""A recorded call end to end: decode, transcribe, attribute speakers, redact, measure.

The result is a Conversation (`channel: call`) whose turns carry word timestamps, with speech
analytics and the time ranges of redacted personal data in its metadata. Nothing unredacted
leaves this module unless TRAINER_STORE_UNREDACTED=1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from trainer.conversation import Conversation, Turn
from trainer.speech.audio import AudioInfo, DecodedAudio, as_float, decode, probe
from trainer.speech.engines.base import (
    SAMPLE_RATE,
    Engine,
    Segment,
    Transcript,
    Word,
    load_engine,
)
from trainer.speech.loops import LoopRepair, recover_loops
from trainer.speech.metrics import measure
from trainer.speech.speakers import (
    SpeakerTurn,
    agent_channel,
    assign_roles,
    mono_turns,
    stereo_turns,
)

Progress = Callable[[float, str], None]
DEFAULT_ENGINE = "faster-whisper"


@dataclass
class CallResult:
    """What processing a call produced."""

    conversation: Conversation
    info: AudioInfo
    speaker_mode: str  # stereo | mono
    redactions: list[dict]


def _is_true_stereo(audio: DecodedAudio) -> bool:
    """Two channels that actually differ (a mono call saved as stereo has identical channels)."""
    if audio.samples.shape[0] < 2:
        return False
    # A minute at a time: int32 copies of a whole two-hour call would cost about 1 GB.
    difference, peak, count = 0.0, 1, audio.samples.shape[1]
    for first in range(0, count, 60 * SAMPLE_RATE):
        block = audio.samples[:2, first : first + 60 * SAMPLE_RATE].astype(np.int32)
        difference += float(np.abs(block[0] - block[1]).sum())
        peak = max(peak, int(np.abs(block).max()))
    return difference / count / peak > 0.01


def _scaled(progress: Progress | None, low: float, high: float, label: str):
    if progress is None:
        return None
    return lambda fraction: progress(low + (high - low) * min(1.0, max(0.0, fraction)), label)


CHUNK_SECONDS = 600.0  # long calls are transcribed in windows so memory stays flat


def _cut_points(samples: np.ndarray, chunk: float = CHUNK_SECONDS) -> list[int]:
    """Sample indices to cut a long recording at: the quietest 100 ms near each window's end."""
    rate = SAMPLE_RATE
    cuts, start = [0], 0
    while len(samples) - start > chunk * rate * 1.25:
        window_end = start + int(chunk * rate)
        search = samples[window_end - 15 * rate : window_end].astype(np.float32)
        frames = search[: len(search) // 1600 * 1600].reshape(-1, 1600)
        quietest = int(np.argmin(np.abs(frames).mean(axis=1)))
        start = window_end - 15 * rate + quietest * 1600 + 800
        cuts.append(start)
    return cuts


def transcribe_long(engine: Engine, samples: np.ndarray, progress=None) -> Transcript:
    """Transcribe any length of audio (int16 or float32) in windows, shifting each window's
    timestamps; only the window being transcribed is ever converted to float."""
    cuts = _cut_points(samples)
    if len(cuts) == 1:
        return engine.transcribe(as_float(samples), progress)
    bounds = [*cuts, len(samples)]
    segments: list[Segment] = []
    model = engine.model_name
    for index, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        offset = a / SAMPLE_RATE

        def sub(fraction, i=index):
            if progress:
                progress((i + fraction) / (len(bounds) - 1))

        part = engine.transcribe(as_float(samples[a:b]), sub)
        segments += [s.shifted(offset) for s in part.segments]
        model = part.model
    return Transcript(tuple(segments), len(samples) / SAMPLE_RATE, engine.name, model)


OPENING_MIN_SPEECH = 0.5  # seconds of voice activity before the first word worth a second look
OPENING_MIN_PROBABILITY = 0.4  # mean word probability a recovered opening must reach


def recover_opening(engine: Engine, samples: np.ndarray, transcript: Transcript) -> Transcript:
    """Transcribe again, on its own, speech that comes before the first recognised word.

    Whisper sometimes skips a call's opening line (seen on 2 of 80 unseen mono calls: the
    greeting, so the rubric missed it and the customer was taken for the agent). When voice
    activity shows speech there, that stretch is transcribed alone and its words, if the model
    is reasonably sure of them, are put in front.
    """
    from trainer.speech.diarization import FRAME, regions, speech_frames

    first = min((s.start for s in transcript.segments), default=transcript.duration)
    head = samples[: int(max(0.0, first - 0.2) * SAMPLE_RATE)]
    if len(head) < OPENING_MIN_SPEECH * SAMPLE_RATE:
        return transcript
    spans = regions(speech_frames(head))
    if sum(b - a for a, b in spans) * FRAME < OPENING_MIN_SPEECH:
        return transcript
    start = max(0, int((spans[0][0] * FRAME - 0.3) * SAMPLE_RATE))
    clip = engine.transcribe(as_float(head[start:]))
    offset = start / SAMPLE_RATE
    recovered = [
        replace(shifted, end=min(first, shifted.end))
        for shifted in (s.shifted(offset) for s in clip.segments if s.words)
        if shifted.start < first
    ]
    words = [w for s in recovered for w in s.words]
    if not words or sum(w.probability for w in words) / len(words) < OPENING_MIN_PROBABILITY:
        return transcript
    return replace(transcript, segments=(*recovered, *transcript.segments))


def fit_words_to_voice(
    samples: np.ndarray,
    transcript: Transcript,
    slack: float = 0.3,
    voiced: np.ndarray | None = None,
) -> Transcript:
    """Words held to where the channel has voice: words in silence removed, stretched ends cut.

    Whisper stretches a word over the pause after it ("it." from 13.6 s to 16.7 s while the
    other party already talks from 14.8 s), and openai-whisper, which has no voice-activity
    filter, writes words into a stereo channel's silent stretches. Either way those times land
    in the other speaker's turn. A word is kept when voice activity is found within `slack`
    seconds of it, and trimmed to the voiced frames it covers (50 ms margin). `voiced` is the
    channel's `speech_frames`, when the caller has them already.
    """
    from trainer.speech.diarization import FRAME, speech_frames

    voiced = speech_frames(samples) if voiced is None else voiced
    if not voiced.any():
        return transcript
    near = np.convolve(voiced, np.ones(2 * int(slack / FRAME) + 1), mode="same") > 0
    margin = 0.05

    def fitted(word: Word) -> Word | None:
        a = max(0, int(word.start / FRAME))
        b = min(len(near), max(a + 1, int(np.ceil(word.end / FRAME))))
        if not near[a:b].any():
            return None
        inside = np.flatnonzero(voiced[a:b])
        if inside.size == 0:
            return word
        start = max(word.start, (a + inside[0]) * FRAME - margin)
        end = min(word.end, (a + inside[-1] + 1) * FRAME + margin)
        return replace(word, start=start, end=max(end, start + 0.01))

    segments = []
    for segment in transcript.segments:
        if not segment.words:
            segments.append(segment)
            continue
        kept = tuple(w for w in map(fitted, segment.words) if w is not None)
        if kept:
            text = (
                segment.text if len(kept) == len(segment.words) else " ".join(w.text for w in kept)
            )
            segments.append(Segment(text, kept[0].start, kept[-1].end, kept))
    return replace(transcript, segments=tuple(segments))


def read_channel(
    engine: Engine,
    samples: np.ndarray,
    progress=None,
    repairs: list[LoopRepair] | None = None,
    voiced: np.ndarray | None = None,
) -> Transcript:
    """One channel (or a mono call) transcribed as ingestion stores it: in windows, its skipped
    opening recovered, its repetition loops read again (what was mended is added to `repairs`),
    and its words held to where the channel has voice (`voiced`: its speech frames, if known)."""
    transcript = transcribe_long(engine, samples, progress)
    transcript = recover_opening(engine, samples, transcript)
    transcript, found = recover_loops(engine, samples, transcript)
    if repairs is not None:
        repairs += found
    return fit_words_to_voice(samples, transcript, voiced=voiced)


def attribute_speakers(
    audio: DecodedAudio,
    engine: Engine,
    agent_side: str,
    progress: Progress | None = None,
    repairs: list[LoopRepair] | None = None,
) -> tuple[list[SpeakerTurn], str]:
    """Transcribe and attribute turns: by channel on true stereo, by voice on mono. Stretches
    whose repetition loops were read again are added to `repairs` (with the channel's side)."""
    if _is_true_stereo(audio):
        sides = []
        for index, (side, low, high) in enumerate((("left", 0.0, 0.45), ("right", 0.45, 0.9))):
            found: list[LoopRepair] = []
            channel = audio.samples[index]
            sides.append(
                read_channel(
                    engine, channel, _scaled(progress, low, high, f"{side} channel"), found
                )
            )
            if repairs is not None:
                repairs += [replace(r, side=side) for r in found]
        return assign_roles(stereo_turns(*sides), stereo_agent=agent_side), "stereo"
    from trainer.speech.diarization import speech_frames

    samples = audio.mono_pcm()
    voiced = speech_frames(samples)  # once: fitting the words and telling voices apart share it
    transcript = read_channel(
        engine, samples, _scaled(progress, 0.0, 0.8, "transcribing"), repairs, voiced
    )
    if progress:
        progress(0.85, "telling voices apart")
    return assign_roles(mono_turns(samples, transcript, voiced)), "mono"


def redact_turns(
    turns: list[SpeakerTurn], names: tuple[str | None, ...] = ()
) -> tuple[list[Turn], list[dict]]:
    """Turn texts and words with personal data replaced by typed placeholders. `names`: the
    call's agent and customer, redacted wherever said when TRAINER_REDACT_NAMES=1."""
    from trainer.privacy import Redactor, store_unredacted_allowed

    redactor = Redactor()
    keep_original = store_unredacted_allowed()
    out: list[Turn] = []
    ranges: list[dict] = []
    laid_out = [_lay_out(turn) for turn in turns]
    texts = [text for _, _, text in laid_out]
    # Each turn is read with the previous one as context ("what's the security code?" -> digits).
    redactions = redactor.redact_many(
        texts, contexts=[None, *texts[:-1]][: len(texts)], names=names
    )
    for index, (turn, (words, offsets, text), redaction) in enumerate(
        zip(turns, laid_out, redactions, strict=True)
    ):
        stored_words: list[tuple[str, float, float]] = []
        covered: dict[int, tuple[int, str]] = {}
        for span_index, span in enumerate(redaction.spans):
            start, end, kind = span
            hit = [i for i, (a, b) in enumerate(offsets) if a < end and b > start]
            for i in hit:
                covered[i] = (span_index, span.placeholder)
            if hit:
                ranges.append(
                    {
                        "turn": index,
                        "kind": kind,
                        "start": words[hit[0]].start,
                        "end": words[hit[-1]].end,
                    }
                )
        last_span = None
        for i, word in enumerate(words):
            if i in covered and not keep_original:
                span_index, placeholder = covered[i]
                if span_index == last_span:
                    text_, start, _ = stored_words[-1]
                    stored_words[-1] = (text_, start, word.end)
                else:
                    stored_words.append((placeholder, word.start, word.end))
                last_span = span_index
            else:
                stored_words.append((word.text.strip(), word.start, word.end))
                last_span = None
        out.append(
            Turn(
                turn.speaker,  # type: ignore[arg-type]
                text if keep_original else redaction.text,
                round(turn.start, 2),
                round(turn.end, 2),
                tuple((w, round(a, 2), round(b, 2)) for w, a, b in stored_words),
            )
        )
    return out, ranges


def _lay_out(turn: SpeakerTurn) -> tuple[list[Word], list[tuple[int, int]], str]:
    """A turn's words, each word's character range, and the text they join into."""
    words = [w for w in turn.words if w.text.strip()]
    offsets, text = [], ""
    for word in words:
        if text:
            text += " "
        offsets.append((len(text), len(text) + len(word.text.strip())))
        text += word.text.strip()
    return words, offsets, text


def process_call(
    path: str,
    *,
    external_id: str,
    engine_name: str | None = None,
    model: str | None = None,
    agent_side: str | None = None,
    metadata: dict | None = None,
    progress: Progress | None = None,
) -> CallResult:
    """Turn an audio file into a redacted, measured call Conversation (AudioError on bad audio)."""
    info = probe(path)
    if progress:
        progress(0.0, "decoding")
    audio = decode(path, info)
    engine = load_engine(engine_name or DEFAULT_ENGINE, model)
    repairs: list[LoopRepair] = []
    speaker_turns, mode = attribute_speakers(
        audio, engine, agent_side or agent_channel(), progress, repairs
    )
    if progress:
        progress(0.92, "redacting personal data")
    known = (metadata or {}).get("agent"), (metadata or {}).get("customer")
    turns, redactions = redact_turns(speaker_turns, names=known)
    # Measured on the stored (redacted) words, so a later recompute (a role swap) agrees exactly.
    metrics = measure(stored_speaker_turns(turns), audio.duration)
    meta = dict(metadata or {})
    meta.update(
        {
            "format": f"audio/{info.format}",
            "audio": {
                "sha256": info.sha256,
                "format": info.format,
                "codec": info.codec,
                "channels": info.channels,
                "sample_rate": info.sample_rate,
            },
            "speaker_mode": mode,
            "asr": {
                "engine": engine.name,
                "model": engine.model_name,
                "loops_mended": [r.as_dict() for r in repairs],
            },
            "speech": metrics.as_dict(),
            "redactions": redactions,
            "speaker_checks": speaker_checks(speaker_turns),
        }
    )
    conversation = Conversation(
        external_id=external_id,
        turns=turns,
        channel="call",
        agent=meta.pop("agent", None),
        customer=meta.pop("customer", None),
        source=str(path),
        metadata=meta,
    )
    if progress:
        progress(1.0, "done")
    return CallResult(conversation, info, mode, redactions)


def speaker_checks(turns: list[SpeakerTurn]) -> list[dict]:
    """Turns a reviewer should check the speaker of (mono calls): index, and how many of its
    words the audio does not clearly give to that speaker."""
    return [
        {"turn": i, "uncertain_words": t.uncertain, "words": len(t.words)}
        for i, t in enumerate(turns)
        if t.uncertain
    ]


def words_from(turn: Turn) -> list[Word]:
    """A stored turn's words as Word objects."""
    return [Word(text, start, end) for text, start, end in turn.words]


def stored_speaker_turns(turns: list[Turn]) -> list[SpeakerTurn]:
    """Timed turns rebuilt from stored words (what speech analytics are measured on)."""
    return [SpeakerTurn(t.speaker, words_from(t)) for t in turns if t.words]
