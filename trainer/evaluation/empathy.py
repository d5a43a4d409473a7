"""`trainer eval empathy`: the EPITOME-level detectors against human labels, beside a baseline.

EPITOME (Sharma et al., 2020) labels replies to mental-health support posts on three mechanisms of
empathy, each at level 0, 1 or 2: `emotional_reactions`, `interpretations` and `explorations`. The
CSV has `seeker_post` and `response_post` (plus `sp_id` and `rp_id`, which name the split below).

Each row becomes a two-turn conversation (customer: the seeker's post, agent: the response) scored
by the registered detectors in `trainer.scoring.detectors.empathy_levels`. Beside them, a TF-IDF +
logistic-regression baseline learns each dimension from the response text; it is never trained on
the rows it is tested on.

Tuning honesty: the detectors' pattern lists were tuned only on the "tune" half of the dev file,
a fixed split by a hash of `sp_id` and `rp_id` (`split_of`). `--split holdout` evaluates on the
other half only, with the baseline trained on the tune half, so the figures it prints are on data
neither side was fitted to.
"""

from __future__ import annotations

import re
import textwrap
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline

from trainer.conversation import Conversation, Turn
from trainer.errors import DatasetError
from trainer.evaluation.common import split_of as split_by_key
from trainer.nlp.pipeline import load_nlp, pipeline_name
from trainer.scoring.detectors.empathy_levels import (
    DIMENSIONS,
    empathy_levels,
    empathy_levels_batch,
)

TEXT_COLUMNS = ("seeker_post", "response_post")
REQUIRED_COLUMNS = (*TEXT_COLUMNS, *DIMENSIONS)
SPLITS = ("all", "tune", "holdout")
SPLIT_COLUMN = "_split"  # added by read_epitome
LEVELS = (0, 1, 2)
CV_FOLDS = 5
BASELINE_NAME = (
    "TF-IDF (word 1-2-grams of response_post) + logistic regression (class_weight=balanced)"
)


# --- reading the data -----------------------------------------------------------------------------


def split_of(sp_id: str, rp_id: str) -> str:
    """`tune` or `holdout`: a fixed half of the rows, by the first byte of sha256("sp_id:rp_id")."""
    return split_by_key(sp_id, rp_id)


def read_epitome(path: Path) -> pd.DataFrame:
    """An EPITOME-format CSV, checked: texts as strings, levels as ints 0-2, plus a `_split` column.

    Raises DatasetError naming the file and what is wrong (missing file or columns, bad levels).
    Without `sp_id`/`rp_id` columns the split hashes the two texts instead.
    """
    path = Path(path)
    where = str(path)
    if not path.exists():
        raise DatasetError(
            "no such file", where=where, fix="pass the path of an EPITOME-format CSV with --data"
        )
    if not path.is_file():
        raise DatasetError("not a file", where=where, fix="pass a CSV file, not a folder")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DatasetError("the file is empty", where=where) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatasetError(f"cannot read it as CSV: {message}", where=where) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DatasetError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            where=where,
            fix="an EPITOME-format CSV has the columns " + ", ".join(REQUIRED_COLUMNS),
        )
    if frame.empty:
        raise DatasetError("the file has a header but no rows", where=where)
    for column in DIMENSIONS:
        values = frame[column].str.strip()
        bad = ~values.isin([str(level) for level in LEVELS])
        if bad.any():
            first = int(bad.idxmax())
            value = frame[column][first]
            raise DatasetError(
                f"column {column}, row {first + 1}: level {value!r} is not 0, 1 or 2",
                where=where,
                fix="every row needs a level 0, 1 or 2 in each of " + ", ".join(DIMENSIONS),
            )
        frame[column] = values.astype(int)
    if "sp_id" in frame.columns and "rp_id" in frame.columns:
        keys = zip(frame["sp_id"], frame["rp_id"], strict=True)
    else:
        keys = zip(frame["seeker_post"], frame["response_post"], strict=True)
    frame[SPLIT_COLUMN] = [split_of(a, b) for a, b in keys]
    return frame


def select_split(frame: pd.DataFrame, split: str) -> pd.DataFrame:
    """The rows of one split (`all` keeps every row)."""
    if split not in SPLITS:
        raise DatasetError(f"unknown split {split!r}", fix="use one of " + ", ".join(SPLITS))
    if split == "all":
        return frame.reset_index(drop=True)
    return frame[frame[SPLIT_COLUMN] == split].reset_index(drop=True)


# --- the baseline ---------------------------------------------------------------------------------


def baseline_model() -> Pipeline:
    """The TF-IDF + logistic-regression baseline (a fixed, ordinary configuration, not tuned)."""
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        LogisticRegression(class_weight="balanced", max_iter=2000),
    )


def _fit_predict(train_x: list[str], train_y: list[int], test_x: list[str]) -> list[int]:
    if len(set(train_y)) < 2:  # one class only: a classifier cannot be fitted, predict it
        return [train_y[0]] * len(test_x)
    model = baseline_model().fit(train_x, train_y)
    return [int(p) for p in model.predict(test_x)]


def _cross_val_predict(texts: list[str], labels: list[int], folds: int = CV_FOLDS):
    """Out-of-fold predictions by stratified k-fold (k <= 5); None when there are too few rows."""
    k = min(folds, max(Counter(labels).values()))
    if k < 2:
        return None
    predictions = [0] * len(texts)
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=0)
    with warnings.catch_warnings():  # small classes: sklearn warns that some fold lacks them
        warnings.simplefilter("ignore", UserWarning)
        for train, test in splitter.split(texts, labels):
            fold = _fit_predict(
                [texts[i] for i in train], [labels[i] for i in train], [texts[i] for i in test]
            )
            for i, p in zip(test, fold, strict=True):
                predictions[i] = p
    return predictions


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or a.samefile(b)
    except OSError:
        return False


# --- evidence against the annotators' rationales --------------------------------------------------

RATIONALE_SUFFIX = "_rationales"  # EPITOME's column of each dimension's rationale spans
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class RationaleOverlap:
    """How well the detector's evidence covers the words the annotators marked as the reason
    for their label, on the rows where both the annotators and the detector found the mechanism:
    mean token-level F1 and intersection-over-union of the two word sets (as EPITOME reports)."""

    n: int
    token_f1: float | None
    iou: float | None

    def as_json(self) -> dict:
        """`{n, token_f1, iou}`."""
        return {"n": self.n, "token_f1": _round(self.token_f1), "iou": _round(self.iou)}


def _rationale_chars(response: str, rationale: str) -> set[int]:
    """Character positions of the response that the '|'-separated rationale snippets cover."""
    covered: set[int] = set()
    for snippet in (part.strip() for part in rationale.split("|")):
        if not snippet:
            continue
        at = response.find(snippet)
        if at < 0:
            at = response.lower().find(snippet.lower())
        if at >= 0:
            covered.update(range(at, at + len(snippet)))
    return covered


def _words(response: str, chars: set[int]) -> set[int]:
    """Indices of the response's whitespace-separated words that touch any of `chars`."""
    return {i for i, m in enumerate(_WORD.finditer(response)) if chars & set(range(*m.span()))}


def rationale_overlap(
    rows: pd.DataFrame, column: str, predicted: list[int], nlp
) -> RationaleOverlap | None:
    """Token F1 and IOU between the detector's evidence in the response and the rationales, over
    rows that both the annotators and the detector put above level 0; None without rationales."""
    rationale_column = column + RATIONALE_SUFFIX
    if rationale_column not in rows.columns:
        return None
    from trainer.scoring.context import ScoringContext
    from trainer.scoring.registry import registry

    spec = registry.get(DIMENSIONS[column])
    f1s, ious = [], []
    for row, level in zip(rows.itertuples(index=False), predicted, strict=True):
        human = getattr(row, column)
        rationale = str(getattr(row, rationale_column) or "")
        if level == 0 or human == 0 or not rationale.strip(" |"):
            continue
        response = row.response_post
        gold = _words(response, _rationale_chars(response, rationale))
        if not gold:
            continue  # the snippets are not in the response as written
        conversation = Conversation(
            "rationale", [Turn("customer", row.seeker_post), Turn("agent", response)]
        )
        score = spec(ScoringContext(conversation, nlp))
        chars = {c for e in score.evidence if e.turn == 1 for c in range(e.start, e.end)}
        found = _words(response, chars)
        both = len(gold & found)
        f1s.append(2 * both / (len(gold) + len(found)) if gold or found else 0.0)
        ious.append(both / len(gold | found))
    if not f1s:
        return RationaleOverlap(0, None, None)
    return RationaleOverlap(len(f1s), sum(f1s) / len(f1s), sum(ious) / len(ious))


# --- the report -----------------------------------------------------------------------------------


@dataclass
class DimensionReport:
    """Rule detector and baseline figures for one EPITOME dimension."""

    name: str
    detector: str
    n: int
    accuracy: float
    macro_f1: float
    baseline_accuracy: float | None
    baseline_macro_f1: float | None
    confusion: list[list[int]]  # rows: human level 0-2, columns: detector level 0-2
    level_f1: list[float]  # the detector's F1 on each level 0-2
    rationale: RationaleOverlap | None = None  # None: the file has no rationale column

    def as_json(self) -> dict:
        """The JSON shape: the required three keys first, then the extras."""
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "baseline_macro_f1": self.baseline_macro_f1,
            "baseline_accuracy": self.baseline_accuracy,
            "n": self.n,
            "detector": self.detector,
            "level_f1": self.level_f1,
            "confusion": self.confusion,
            "rationale_overlap": None if self.rationale is None else self.rationale.as_json(),
        }


@dataclass
class EmpathyReport:
    """What `trainer eval empathy` prints."""

    data: str
    split: str
    rows: int
    dimensions: dict[str, DimensionReport]
    responses_per_second: float
    seconds: float
    baseline: str
    pipeline: str

    def as_json(self) -> dict:
        """`{dimension: {accuracy, macro_f1, baseline_macro_f1, ...}, responses_per_second, ..}`."""
        result: dict = {name: dim.as_json() for name, dim in self.dimensions.items()}
        result["responses_per_second"] = self.responses_per_second
        result["split"] = self.split
        result["rows"] = self.rows
        return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _dimension(name: str, truth: list[int], rules: list[int], base: list[int] | None):
    per_level = f1_score(truth, rules, labels=list(LEVELS), average=None, zero_division=0)
    return DimensionReport(
        name=name,
        detector=DIMENSIONS[name],
        n=len(truth),
        accuracy=_round(accuracy_score(truth, rules)),
        macro_f1=_round(f1_score(truth, rules, average="macro", zero_division=0)),
        baseline_accuracy=None if base is None else _round(accuracy_score(truth, base)),
        baseline_macro_f1=(
            None
            if base is None
            else _round(f1_score(truth, base, average="macro", zero_division=0))
        ),
        confusion=confusion_matrix(truth, rules, labels=list(LEVELS)).tolist(),
        level_f1=[_round(v) for v in per_level],
    )


def _baseline_predictions(
    frame: pd.DataFrame, rows: pd.DataFrame, data: Path, baseline_train: Path | None, split: str
) -> tuple[dict[str, list[int] | None], str]:
    """Baseline predictions for `rows`, per dimension, and how the baseline was trained."""
    test_x = rows["response_post"].tolist()
    if baseline_train is not None and not _same_file(Path(baseline_train), Path(data)):
        train = read_epitome(Path(baseline_train))
        # never let the baseline see a row it is tested on, even from another file
        tested = set(zip(rows["seeker_post"], rows["response_post"], strict=True))
        keep = [
            (s, r) not in tested
            for s, r in zip(train["seeker_post"], train["response_post"], strict=True)
        ]
        train = train[keep]
        if train.empty:
            raise DatasetError(
                "every row of the baseline training file is also in --data",
                where=str(baseline_train),
                fix="train the baseline on other rows, or leave --baseline-train out",
            )
        how = f"trained on {baseline_train} ({len(train)} rows not in the evaluated set)"
    elif split == "holdout":
        train = frame[frame[SPLIT_COLUMN] == "tune"]
        how = f"trained on the tune split of --data ({len(train)} rows)"
    else:
        train = None
        how = f"stratified {CV_FOLDS}-fold cross-validation on the evaluated rows"
    predictions: dict[str, list[int] | None] = {}
    for name in DIMENSIONS:
        if train is None:
            predictions[name] = _cross_val_predict(test_x, rows[name].tolist())
        elif train.empty:
            predictions[name] = None
        else:
            predictions[name] = _fit_predict(
                train["response_post"].tolist(), train[name].tolist(), test_x
            )
    if all(p is None for p in predictions.values()):
        how = "not run: too few rows to train it without testing on its training rows"
    return predictions, how


def evaluate_empathy(
    data: Path, baseline_train: Path | None = None, split: str = "all"
) -> EmpathyReport:
    """Score every row of an EPITOME-format CSV with the detectors and the baseline.

    `split` keeps `all` rows, or only the `tune` or `holdout` half (see `split_of`).
    """
    frame = read_epitome(Path(data))
    rows = select_split(frame, split)
    if rows.empty:
        raise DatasetError(
            f"no rows fall in the {split} split", where=str(data), fix="use --split all"
        )
    nlp = load_nlp()
    empathy_levels("warm-up", "warm-up", nlp)  # compile the patterns before timing
    pairs = list(zip(rows["seeker_post"], rows["response_post"], strict=True))
    started = time.perf_counter()
    predicted = empathy_levels_batch(pairs, nlp)
    seconds = time.perf_counter() - started

    baseline, how = _baseline_predictions(frame, rows, Path(data), baseline_train, split)
    dimensions = {
        name: _dimension(name, rows[name].tolist(), [p[name] for p in predicted], baseline[name])
        for name in DIMENSIONS
    }
    for name, dimension in dimensions.items():
        dimension.rationale = rationale_overlap(rows, name, [p[name] for p in predicted], nlp)
    return EmpathyReport(
        data=str(data),
        split=split,
        rows=len(rows),
        dimensions=dimensions,
        responses_per_second=round(len(rows) / seconds, 1) if seconds > 0 else float(len(rows)),
        seconds=round(seconds, 3),
        baseline=f"{BASELINE_NAME}, {how}",
        pipeline=pipeline_name(nlp),
    )


# --- the text report ------------------------------------------------------------------------------

LEVEL_MAPPING = {
    "emotional_reactions": (
        "2 = sympathy aimed at the person (I'm so sorry you ...)",
        "1 = generic concern or encouragement (I hope ..., hang in there)",
        "0 = neither",
    ),
    "interpretations": (
        "2 = specific understanding or own experience (I've been there; 2+ I/me/my)",
        "1 = generic understanding (I understand, I know how you feel)",
        "0 = neither",
    ),
    "explorations": (
        "2 = a question about their feelings or situation (how long have you ...?)",
        "1 = a generic question or invitation (what's wrong?, tell me more)",
        "0 = no question to them",
    ),
}
WIDTH = 80


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "    ")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def render_report(report: EmpathyReport) -> str:
    """The readable report: a table per dimension, the level mapping, throughput and the split."""
    lines = [
        f"EPITOME empathy levels: {report.data}",
        f"split: {report.split}, {report.rows} rows evaluated",
        "",
        f"{'dimension':<22}{'rule acc':>10}{'rule macro-F1':>15}"
        f"{'baseline acc':>14}{'baseline macro-F1':>19}",
    ]
    for name, dim in report.dimensions.items():
        lines.append(
            f"{name:<22}{_fmt(dim.accuracy):>10}{_fmt(dim.macro_f1):>15}"
            f"{_fmt(dim.baseline_accuracy):>14}{_fmt(dim.baseline_macro_f1):>19}"
        )
    lines += [
        "",
        *_wrap(f"baseline: {report.baseline}"),
        *_wrap(
            f"throughput: {report.responses_per_second:,.0f} responses/s ({report.rows} responses "
            f"in {report.seconds:.2f} s; pipeline {report.pipeline}, loaded once and not timed)"
        ),
    ]
    overlaps = [(n, d.rationale) for n, d in report.dimensions.items() if d.rationale]
    if overlaps:
        lines += ["", "evidence vs the annotators' rationales (rows both put above level 0)"]
        lines.append(f"  {'dimension':<22}{'rows':>6}{'token F1':>10}{'IOU':>8}")
        for name, overlap in overlaps:
            lines.append(
                f"  {name:<22}{overlap.n:>6}{_fmt(overlap.token_f1):>10}{_fmt(overlap.iou):>8}"
            )
    if report.split != "holdout":
        lines += _wrap(
            "note: the detectors' patterns were tuned on the tune split of the EPITOME dev file; "
            "--split holdout gives figures on rows they were not tuned on"
        )
    lines += ["", "how the detectors map to the levels (score = level / 2)"]
    for name, dim in report.dimensions.items():
        lines += [
            "",
            f"{name} <- {dim.detector}",
            *(line for item in LEVEL_MAPPING[name] for line in _wrap(item, "  ")),
            f"  {'human / detector':<18}{'0':>7}{'1':>7}{'2':>7}{'F1':>8}",
        ]
        for level, row in enumerate(dim.confusion):
            cells = "".join(f"{count:>7}" for count in row)
            lines.append(f"  {'level ' + str(level):<18}{cells}{_fmt(dim.level_f1[level]):>8}")
    return "\n".join(lines)
