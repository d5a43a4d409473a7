"""`trainer eval satisfaction`: do the rubric's scores rank dialogues as their users rated them?

The data is in the USS format (Sun et al., "Simulating User Satisfaction for the Evaluation of
Task-oriented Dialogue Systems", SIGIR 2021): one dialogue per block of lines, blocks separated by
a blank line, each line tab-separated

    USER    I'd like to check out a film.    INFORM_INTENT    3,4,3
    SYSTEM  Where would you like to see one?  REQUEST
    ...
    USER    OVERALL                                            4,3,4

with each rater's 1-5 satisfaction after a user turn, and the last line their overall rating of
the dialogue. A dialogue's human rating is the mean of its OVERALL ratings.

Each dialogue becomes a chat (USER: the customer, SYSTEM: the agent), scored by the rubric like
any stored chat. The report gives Spearman's rho of the overall score, of each section and of each
criterion with the human rating, beside two baselines: the dialogue's length alone, and a TF-IDF
ridge regression on the agent's words (trained on the tune split for `--split holdout`, else
cross-validated), so a figure means something only where it beats them. Detectors outside the
rubric (by default the `satisfaction.*` family) are reported too, as candidates for it.
"""

from __future__ import annotations

import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from trainer.conversation import Conversation, Turn
from trainer.errors import DatasetError
from trainer.evaluation.common import (
    CORRELATION_HEADER,
    RIDGE_NAME,
    Correlation,
    check_split,
    correlation_row,
    in_split,
    read_text,
    require_detector,
    rounded,
    spearman,
    split_of,
    text_regression_baseline,
)
from trainer.scoring.registry import registry
from trainer.scoring.rubric import Rubric

ROLES = {"USER": "customer", "SYSTEM": "agent"}
OVERALL = "OVERALL"
RATING_RANGE = (1, 5)
EXTRA_FAMILY = "satisfaction"
FORMAT_FIX = (
    "each line is ROLE<TAB>text<TAB>act<TAB>ratings (ROLE USER or SYSTEM), dialogues are "
    "separated by a blank line and end with USER<TAB>OVERALL<TAB><TAB>ratings"
)
BASELINE_NAME = f"{RIDGE_NAME} of the agent's turns"


@dataclass(frozen=True)
class RatedDialogue:
    """One dialogue of the file: where it starts, its chat, and the raters' overall ratings."""

    line: int
    conversation: Conversation
    ratings: tuple[int, ...]

    @property
    def rating(self) -> float:
        """The human rating: the mean of the raters' overall satisfaction, 1-5."""
        return sum(self.ratings) / len(self.ratings)

    @property
    def split(self) -> str:
        """Which fixed half the dialogue falls in, by a hash of what was said."""
        return split_of(*(f"{t.speaker}|{t.text}" for t in self.conversation.turns))


# --- reading the data -----------------------------------------------------------------------------


def _ratings(cell: str, where: str) -> tuple[int, ...]:
    parts = [p.strip() for p in cell.split(",") if p.strip()]
    low, high = RATING_RANGE
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        values = ()
    if not values or any(not low <= v <= high for v in values):
        raise DatasetError(
            f"ratings {cell.strip()[:40]!r} are not comma-separated whole numbers {low}-{high}",
            where=where,
            fix=FORMAT_FIX,
        )
    return values


def _dialogue(lines: list[tuple[int, str]], path: str, index: int) -> RatedDialogue:
    start = lines[0][0]
    turns: list[Turn] = []
    ratings: tuple[int, ...] | None = None
    for number, line in lines:
        where = f"{path}:{number}"
        cells = line.split("\t")
        role = cells[0].strip().upper()
        if role not in ROLES or len(cells) < 2:
            raise DatasetError(
                f"line does not start with USER or SYSTEM and a tab (found {cells[0][:20]!r})",
                where=where,
                fix=FORMAT_FIX,
            )
        if ratings is not None:
            raise DatasetError(
                "a line after the dialogue's OVERALL rating", where=where, fix=FORMAT_FIX
            )
        text = cells[1].strip()
        if role == "USER" and text == OVERALL:
            ratings = _ratings(cells[3] if len(cells) > 3 else "", where)
        elif text:
            turns.append(Turn(ROLES[role], text))
    if ratings is None:
        raise DatasetError(
            f"the dialogue starting here has no {OVERALL} line", where=f"{path}:{start}",
            fix=FORMAT_FIX,
        )  # fmt: skip
    if not turns:
        raise DatasetError("the dialogue has no turns", where=f"{path}:{start}", fix=FORMAT_FIX)
    return RatedDialogue(start, Conversation(f"uss-{index}", turns, channel="chat"), ratings)


def read_uss(path: Path) -> list[RatedDialogue]:
    """The rated dialogues of a USS-format file; DatasetError naming the file and line."""
    where = str(path)
    text = read_text(path, "a USS-format TSV", "--data")
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            blocks[-1].append((number, line))
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    if not blocks:
        raise DatasetError("no dialogues in the file", where=where, fix=FORMAT_FIX)
    return [_dialogue(block, where, index) for index, block in enumerate(blocks, start=1)]


# --- the baselines --------------------------------------------------------------------------------


def _agent_text(dialogue: RatedDialogue) -> str:
    return "\n".join(t.text for t in dialogue.conversation.turns if t.speaker == "agent")


def _text_baseline(
    tested: list[RatedDialogue], train: list[RatedDialogue] | None
) -> tuple[list[float] | None, str]:
    """Ridge predictions for the tested dialogues: fitted on `train`, or out-of-fold."""
    return text_regression_baseline(
        [_agent_text(d) for d in tested],
        [d.rating for d in tested],
        None if train is None else ([_agent_text(d) for d in train], [d.rating for d in train]),
    )


# --- the report -----------------------------------------------------------------------------------


@dataclass
class Measure:
    """One row of the report: what is correlated with the human rating, and how well."""

    name: str
    kind: str  # overall, section, criterion, detector, baseline
    correlation: Correlation
    detector: str | None = None

    def as_json(self) -> dict:
        """`{name, kind, n, spearman, ci95, detector?}`."""
        result = {"name": self.name, "kind": self.kind, **self.correlation.as_json()}
        if self.detector:
            result["detector"] = self.detector
        return result


@dataclass
class SatisfactionReport:
    """What `trainer eval satisfaction` prints."""

    data: str
    split: str
    rubric: str
    dialogues: int
    mean_rating: float
    measures: list[Measure]
    baseline: str
    dialogues_per_second: float
    seconds: float
    notes: list[str] = field(default_factory=list)

    def measure(self, name: str) -> Measure:
        """The row named `name` (KeyError when absent)."""
        for m in self.measures:
            if m.name == name:
                return m
        raise KeyError(name)

    def as_json(self) -> dict:
        """The report as plain data: the overall figure first, then every row."""
        return {
            "data": self.data,
            "split": self.split,
            "rubric": self.rubric,
            "dialogues": self.dialogues,
            "mean_rating": rounded(self.mean_rating),
            "overall": self.measure("overall score").correlation.as_json(),
            "measures": [m.as_json() for m in self.measures],
            "baseline": self.baseline,
            "dialogues_per_second": self.dialogues_per_second,
            "seconds": self.seconds,
            "notes": self.notes,
        }


def _extra_detectors(rubric: Rubric, names: list[str] | None) -> list[str]:
    in_rubric = {c.detector.name for _, c in rubric.criteria() if c.detector}
    if names is None:
        names = [spec.name for spec in registry if spec.family == EXTRA_FAMILY]
    for name in names:
        require_detector(name)
    return [n for n in names if n not in in_rubric]


def evaluate_satisfaction(
    data: Path,
    rubric: Rubric,
    split: str = "all",
    detectors: list[str] | None = None,
    bootstrap: int = 1000,
) -> SatisfactionReport:
    """Score every dialogue of a USS-format file and correlate the scores with its ratings.

    `detectors` names registered detectors to report beside the rubric's (default: the
    `satisfaction.*` family); `bootstrap` is the number of resamples for the 95% intervals."""
    from trainer.nlp.pipeline import load_nlp
    from trainer.scoring.context import ScoringContext
    from trainer.scoring.engine import score_conversation

    check_split(split)
    every = read_uss(Path(data))
    tested = [d for d in every if in_split(d.split, split)]
    if len(tested) < 3:
        raise DatasetError(
            f"{len(tested)} dialogue(s) in the {split} split: too few to correlate",
            where=str(data),
            fix="use a file with more dialogues, or --split all",
        )
    extras = _extra_detectors(rubric, detectors)
    nlp = load_nlp()
    started = time.perf_counter()
    results, extra_values = [], {name: [] for name in extras}
    for dialogue in tested:
        ctx = ScoringContext(dialogue.conversation, nlp)
        results.append(score_conversation(dialogue.conversation, rubric, nlp, ctx))
        for name in extras:
            score = registry.get(name)(ctx)
            extra_values[name].append(score.value)
    seconds = time.perf_counter() - started
    truth = [d.rating for d in tested]

    def row(name: str, kind: str, values: list, detector: str | None = None) -> Measure:
        return Measure(name, kind, spearman(values, truth, bootstrap=bootstrap), detector)

    values_by_criterion = [{c.criterion_id: c.score.value for c in r.criteria} for r in results]
    measures = [row("overall score", "overall", [r.score for r in results])]
    for section in rubric.sections:
        measures.append(row(section.id, "section", [r.sections.get(section.id) for r in results]))
        for criterion in section.criteria:
            values = [values_by_criterion[i][criterion.id] for i in range(len(results))]
            ref = criterion.detector.name if criterion.detector else None
            measures.append(row(f"{section.id}/{criterion.id}", "criterion", values, ref))
    for name in extras:
        measures.append(row(name, "detector", extra_values[name], name))
    measures.append(row("turns (length baseline)", "baseline", [len(d.conversation.turns)
                                                                for d in tested]))  # fmt: skip
    train = [d for d in every if d.split == "tune"] if split == "holdout" else None
    predicted, how = _text_baseline(tested, train)
    if predicted is not None:
        measures.append(row("TF-IDF ridge (text baseline)", "baseline", predicted))
    notes = []
    if split != "holdout":
        notes.append(
            "detectors are tuned on the tune half of this corpus only; --split holdout reports "
            "the other half, with the text baseline trained on the tune half"
        )
    return SatisfactionReport(
        data=str(data),
        split=split,
        rubric=rubric.ref,
        dialogues=len(tested),
        mean_rating=float(np.mean(truth)),
        measures=measures,
        baseline=f"{BASELINE_NAME}, {how}",
        dialogues_per_second=round(len(tested) / seconds, 1) if seconds > 0 else 0.0,
        seconds=round(seconds, 3),
        notes=notes,
    )


# --- the text report ------------------------------------------------------------------------------

WIDTH = 78


def render_satisfaction(report: SatisfactionReport, criteria: bool = False) -> str:
    """The readable report: one row per measure (criteria only with `criteria`), then notes."""
    lines = [
        *textwrap.wrap(f"user satisfaction (USS format): {report.data}", WIDTH),
        *textwrap.wrap(
            f"split: {report.split}, {report.dialogues} dialogues, mean overall rating "
            f"{report.mean_rating:.2f} of 5; rubric {report.rubric}",
            WIDTH,
        ),
        "",
        CORRELATION_HEADER,
    ]
    for m in report.measures:
        if m.kind == "criterion" and not criteria:
            continue
        label = ("  " if m.kind in ("section", "criterion") else "") + m.name
        lines.append(correlation_row(label, m.correlation))
    lines.append("")
    lines += textwrap.wrap(f"text baseline: {report.baseline}", WIDTH, subsequent_indent="    ")
    lines += textwrap.wrap(
        f"throughput: {report.dialogues_per_second:,.0f} dialogues/s scored "
        f"({report.seconds:.2f} s; pipeline loaded once and not timed)",
        WIDTH,
    )
    if not criteria:
        lines.append("criteria and their detectors: --criteria")
    for note in report.notes:
        lines += textwrap.wrap(f"note: {note}", WIDTH, subsequent_indent="    ")
    return "\n".join(lines)
