"""ASR evaluation against an NIST STM reference: WER after Whisper-style normalisation, the share
of reference words attributed to the right speaker (after the best mapping of labels), and the
real-time factor."""

from __future__ import annotations

import itertools
import re
import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from trainer.errors import DatasetError
from trainer.speech.audio import decode, probe
from trainer.speech.engines.base import load_engine
from trainer.speech.pipeline import DEFAULT_ENGINE, attribute_speakers
from trainer.speech.speakers import agent_channel


@dataclass(frozen=True)
class StmLine:
    """One reference utterance."""

    file: str
    channel: str
    speaker: str
    start: float
    end: float
    text: str


def read_stm(path: str | Path) -> list[StmLine]:
    """Parse `<file> <channel> <speaker> <start> <end> <text>` lines (`;;` comments skipped)."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError("reference file not found", where=str(path))
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith(";;"):
            continue
        parts = raw.split(maxsplit=5)
        if len(parts) < 5:
            raise DatasetError(
                "expected '<file> <channel> <speaker> <start> <end> <text>'",
                where=f"{path}:{number}",
            )
        try:
            start, end = float(parts[3]), float(parts[4])
        except ValueError:
            raise DatasetError("start and end must be seconds", where=f"{path}:{number}") from None
        text = re.sub(r"<[^>]*>", " ", parts[5] if len(parts) > 5 else "").strip()
        lines.append(StmLine(parts[0], parts[1], parts[2], start, end, text))
    if not lines:
        raise DatasetError("the reference has no utterances", where=str(path))
    return sorted(lines, key=lambda line: line.start)


def normalizer():
    """Whisper's English normaliser when openai-whisper is installed, else a plain one."""
    try:
        from whisper.normalizers import EnglishTextNormalizer

        return EnglishTextNormalizer()
    except ImportError:
        return lambda text: " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


def word_error_rate(reference: str, hypothesis: str) -> float:
    """WER after normalising both sides the same way."""
    import jiwer

    norm = normalizer()
    ref, hyp = norm(reference), norm(hypothesis)
    if not ref.strip():
        raise DatasetError("the reference is empty after normalisation")
    return float(jiwer.wer(ref, hyp if hyp.strip() else "<empty>"))


def _found_and_truth(
    reference: list[StmLine], hyp_words: list[tuple[str, float, float]]
) -> tuple[list[str], list[str]]:
    """Per reference word (spread evenly over its line), the hypothesis speaker nearest in time
    and the reference speaker."""
    points = []
    for line in reference:
        words = line.text.split()
        step = (line.end - line.start) / max(1, len(words))
        points += [(line.speaker, line.start + step * (i + 0.5)) for i in range(len(words))]
    found = [min(hyp_words, key=lambda w: _distance(t, w[1], w[2]))[0] for _, t in points]
    return found, [speaker for speaker, _ in points]


def speaker_accuracy(reference: list[StmLine], hyp_words: list[tuple[str, float, float]]) -> float:
    """Share of reference words whose nearest hypothesis word (by time) has the right speaker,
    under the best one-to-one mapping of hypothesis labels onto reference speakers."""
    if not hyp_words:
        return 0.0
    found, truth = _found_and_truth(reference, hyp_words)
    ref_labels = sorted(set(truth))
    hyp_labels = sorted(set(found))
    best = 0
    for perm in itertools.permutations(ref_labels, min(len(ref_labels), len(hyp_labels))):
        mapping = dict(zip(hyp_labels, perm, strict=False))
        best = max(best, sum(mapping.get(h) == r for h, r in zip(found, truth, strict=True)))
    return best / len(truth)


def role_accuracy(
    reference: list[StmLine], hyp_words: list[tuple[str, float, float]]
) -> float | None:
    """Share of reference words attributed to the right role as named (agent / customer), with
    no relabelling: this also checks which speaker was taken for the agent. None when the
    reference does not name its speakers agent and customer."""
    if not {line.speaker for line in reference} <= {"agent", "customer"}:
        return None
    if not hyp_words:
        return 0.0
    found, truth = _found_and_truth(reference, hyp_words)
    return sum(f == t for f, t in zip(found, truth, strict=True)) / len(truth)


def _distance(t: float, start: float, end: float) -> float:
    return 0.0 if start <= t <= end else min(abs(t - start), abs(t - end))


@dataclass
class AsrReport:
    """The figures `trainer eval asr` prints."""

    wer: float
    speaker_accuracy: float
    real_time_factor: float
    engine: str
    model: str
    audio_seconds: float
    speaker_mode: str
    peak_rss_mb: float
    role_accuracy: float | None = None
    loops_mended: int = 0

    def as_json(self) -> dict:
        """The JSON shape (required keys first)."""
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def evaluate_asr(
    audio: str | Path, reference: str | Path, engine: str | None = None, model: str | None = None
) -> AsrReport:
    """Transcribe and attribute `audio`, then compare with the STM `reference`."""
    lines = read_stm(reference)
    info = probe(audio)
    asr = load_engine(engine or DEFAULT_ENGINE, model)
    started = time.perf_counter()
    samples = decode(audio, info)
    repairs: list = []
    turns, mode = attribute_speakers(samples, asr, agent_channel(), None, repairs)
    elapsed = time.perf_counter() - started
    hyp_words = [(t.speaker, w.start, w.end) for t in turns for w in t.words]
    hypothesis = " ".join(t.text for t in turns)
    return AsrReport(
        wer=word_error_rate(" ".join(line.text for line in lines), hypothesis),
        speaker_accuracy=speaker_accuracy(lines, hyp_words),
        real_time_factor=elapsed / samples.duration,
        engine=asr.name,
        model=asr.model_name,
        audio_seconds=samples.duration,
        speaker_mode=mode,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        role_accuracy=role_accuracy(lines, hyp_words),
        loops_mended=len(repairs),
    )


def render_asr(report: AsrReport) -> str:
    """A short text report."""
    lines = [
        f"engine             {report.engine} ({report.model})",
        f"audio              {report.audio_seconds:.1f} s, {report.speaker_mode}",
        f"WER                {report.wer:.1%}",
        f"speaker accuracy   {report.speaker_accuracy:.1%} of reference words",
    ]
    if report.role_accuracy is not None:
        lines.append(f"roles as named     {report.role_accuracy:.1%} (agent taken for the agent)")
    lines += [
        f"loops mended       {report.loops_mended}",
        f"real-time factor   {report.real_time_factor:.3f}",
        f"peak memory        {report.peak_rss_mb:.0f} MiB",
    ]
    return "\n".join(lines)


AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".flac", ".ogg", ".opus")


def reference_of(audio: Path) -> Path | None:
    """The STM beside `audio`: `<name>.stm` for `<name>.wav`, or for `<name>.mono.mp3` (the
    layout benchmarks/diarization.py --keep writes) `<name>.stm`; None when there is none."""
    name = audio.name
    while "." in name:
        name = name.rsplit(".", 1)[0]
        candidate = audio.with_name(f"{name}.stm")
        if candidate.is_file():
            return candidate
    return None


@dataclass
class AsrFolderReport:
    """`trainer eval asr --folder`: one AsrReport per call and the distribution over them."""

    calls: list[tuple[str, AsrReport]]

    def summary(self) -> dict:
        """Means, the median and 10th percentile of speaker accuracy (the issue's targets are on
        those, not on one call), calls at or over 90%, and the loops mended."""
        import numpy as np

        reports = [r for _, r in self.calls]
        speakers = np.array([r.speaker_accuracy for r in reports])
        roles = [r.role_accuracy for r in reports if r.role_accuracy is not None]
        return {
            "calls": len(reports),
            "wer_mean": round(float(np.mean([r.wer for r in reports])), 4),
            "speaker_accuracy_median": round(float(np.median(speakers)), 4),
            "speaker_accuracy_p10": round(float(np.percentile(speakers, 10)), 4),
            "speaker_accuracy_min": round(float(speakers.min()), 4),
            "calls_at_or_over_90": int((speakers >= 0.9).sum()),
            "role_accuracy_mean": round(float(np.mean(roles)), 4) if roles else None,
            "loops_mended": sum(r.loops_mended for r in reports),
            "real_time_factor_mean": round(
                float(np.mean([r.real_time_factor for r in reports])), 4
            ),
        }

    def as_json(self) -> dict:
        """The summary and each call's figures."""
        return {
            "summary": self.summary(),
            "calls": [{"audio": name, **report.as_json()} for name, report in self.calls],
        }


def evaluate_asr_folder(
    folder: str | Path, engine: str | None = None, model: str | None = None
) -> AsrFolderReport:
    """`evaluate_asr` on every recording in `folder` that has an STM reference beside it (many
    voices, many calls: e.g. what benchmarks/diarization.py --keep leaves). DatasetError when the
    folder holds none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError("not a folder", where=str(folder))
    pairs = [
        (audio, reference)
        for audio in sorted(folder.iterdir())
        if audio.suffix.lower() in AUDIO_SUFFIXES and (reference := reference_of(audio))
    ]
    if not pairs:
        raise DatasetError(
            "no recording with an STM reference beside it",
            where=str(folder),
            fix="put <call>.stm next to each <call>.wav (or .mp3, .opus, ...)",
        )
    return AsrFolderReport(
        [(audio.name, evaluate_asr(audio, reference, engine, model)) for audio, reference in pairs]
    )


def render_asr_folder(report: AsrFolderReport) -> str:
    """One line per call, then the distribution."""
    lines = [
        f"{name:40} WER {r.wer:6.1%}  speakers {r.speaker_accuracy:6.1%}  "
        f"{r.speaker_mode:6} loops mended {r.loops_mended}  RTF {r.real_time_factor:.3f}"
        for name, r in report.calls
    ]
    s = report.summary()
    lines += [
        "",
        f"calls              {s['calls']}",
        f"WER                {s['wer_mean']:.1%} mean",
        f"speaker accuracy   median {s['speaker_accuracy_median']:.1%}, 10th percentile "
        f"{s['speaker_accuracy_p10']:.1%}, lowest {s['speaker_accuracy_min']:.1%}; "
        f"{s['calls_at_or_over_90']} of {s['calls']} at or over 90%",
        f"loops mended       {s['loops_mended']}",
        f"real-time factor   {s['real_time_factor_mean']:.3f} mean",
    ]
    return "\n".join(lines)
