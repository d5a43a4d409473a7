"""What every `trainer eval` command shares: checked input files, the fixed tune/holdout split,
rank correlation with a bootstrap interval, and binary precision/recall.

The split is by a hash of each item's own key, so it never depends on the order of the file or
on which other rows it holds: an item stays in its half when the file grows. Detectors and
patterns are tuned on the `tune` half only; `--split holdout` reports figures on the other.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trainer.errors import DatasetError

SPLITS = ("all", "tune", "holdout")
CV_FOLDS = 5
RIDGE_NAME = "TF-IDF (word 1-2-grams) + ridge regression (alpha 1)"
BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 0  # a fixed seed: the same file prints the same interval every time


def split_of(*key: str) -> str:
    """`tune` or `holdout`: a fixed half, by the first byte of sha256 of the key parts joined
    with ':' (EPITOME's rows are keyed by `sp_id:rp_id`)."""
    digest = hashlib.sha256(":".join(key).encode()).digest()
    return "tune" if digest[0] < 128 else "holdout"


def check_split(split: str) -> str:
    """The split name, or DatasetError listing the valid ones."""
    if split not in SPLITS:
        raise DatasetError(f"unknown split {split!r}", fix="use one of " + ", ".join(SPLITS))
    return split


def in_split(key_split: str, split: str) -> bool:
    """Whether an item in `key_split` belongs to the evaluated `split` (`all` keeps all)."""
    return split == "all" or key_split == split


def read_text(path: Path, what: str, option: str) -> str:
    """A dataset file's text (UTF-8, a BOM allowed); DatasetError naming the file otherwise."""
    path = Path(path)
    where = str(path)
    if not path.exists():
        fix = f"pass the path of {what} with {option}"
        raise DatasetError("no such file", where=where, fix=fix)
    if not path.is_file():
        raise DatasetError("not a file", where=where, fix=f"pass {what}, not a folder")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read the file: {exc.strerror}", where=where) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DatasetError(
            "not UTF-8 text", where=f"{where}:{line}", fix="save the file as UTF-8"
        ) from None
    if not text.strip():
        raise DatasetError("the file is empty", where=where)
    return text


def rounded(value: float | None, places: int = 4) -> float | None:
    """A figure for the report: rounded, or None when it could not be computed."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), places)


# --- rank correlation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Correlation:
    """Spearman's rho between a measure and the human rating, over the n items it applies to,
    with a 95% bootstrap interval (percentile method). rho is None when it cannot be computed:
    fewer than 3 items, or a measure that is the same on every item."""

    n: int
    rho: float | None
    low: float | None = None
    high: float | None = None

    def as_json(self) -> dict:
        """`{n, spearman, ci95: [low, high]}`."""
        return {
            "n": self.n,
            "spearman": rounded(self.rho),
            "ci95": [rounded(self.low), rounded(self.high)],
        }


def _ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks along the last axis (ties share their mean rank), as Spearman needs."""
    from scipy.stats import rankdata

    return rankdata(values, axis=-1)


def _pearson_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a - a.mean(axis=-1, keepdims=True)
    b = b - b.mean(axis=-1, keepdims=True)
    denominator = np.sqrt((a * a).sum(axis=-1) * (b * b).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (a * b).sum(axis=-1) / denominator, np.nan)


def spearman(
    measure: Sequence[float | None], truth: Sequence[float], *, bootstrap: int = BOOTSTRAP_SAMPLES
) -> Correlation:
    """Spearman's rho of `measure` with `truth` over the items where the measure is not None."""
    pairs = [(m, t) for m, t in zip(measure, truth, strict=True) if m is not None]
    n = len(pairs)
    if n < 3:
        return Correlation(n, None)
    x = np.array([p[0] for p in pairs], dtype=float)
    y = np.array([p[1] for p in pairs], dtype=float)
    rho = float(_pearson_rows(_ranks(x), _ranks(y)))
    if math.isnan(rho):
        return Correlation(n, None)
    if bootstrap <= 0:
        return Correlation(n, rho)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    picks = rng.integers(0, n, size=(bootstrap, n))
    # resampled items are ranked again within each sample, as a fresh Spearman would
    samples = _pearson_rows(_ranks(x[picks]), _ranks(y[picks]))
    samples = samples[~np.isnan(samples)]
    if samples.size == 0:
        return Correlation(n, rho)
    low, high = np.percentile(samples, [2.5, 97.5])
    return Correlation(n, rho, float(low), float(high))


CORRELATION_HEADER = f"{'measure':<40}{'n':>6}{'Spearman':>10}{'95% interval':>20}"


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.3f}"


def correlation_row(label: str, c: Correlation) -> str:
    """One line of a correlation table under CORRELATION_HEADER: label, n, rho, interval."""
    interval = f"[{_signed(c.low)}, {_signed(c.high)}]" if c.low is not None else ""
    return f"{label[:39]:<40}{c.n:>6}{_signed(c.rho):>10}{interval:>20}"


def require_detector(name: str, option: str = "--detector") -> str:
    """The name of a registered detector, or DatasetError suggesting the closest one."""
    from trainer.scoring.registry import registry

    if name not in registry:
        close = registry.suggest(name)
        raise DatasetError(
            f"no detector named {name!r}",
            where=option,
            fix=f"did you mean {close}?" if close else "see 'trainer detectors'",
        )
    return name


# --- binary detection -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    """How well a yes/no detector finds a labelled property: counts, precision, recall, F1."""

    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int

    @property
    def precision(self) -> float | None:
        """Of the items the detector flagged, the share the humans labelled (None: none flagged)."""
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        """Of the items the humans labelled, the share flagged (None: none labelled)."""
        labelled = self.true_positive + self.false_negative
        return self.true_positive / labelled if labelled else None

    @property
    def f1(self) -> float | None:
        """The harmonic mean of precision and recall (None when either is undefined)."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_json(self) -> dict:
        """`{precision, recall, f1, tp, fp, fn, tn}`."""
        return {
            "precision": rounded(self.precision),
            "recall": rounded(self.recall),
            "f1": rounded(self.f1),
            "tp": self.true_positive,
            "fp": self.false_positive,
            "fn": self.false_negative,
            "tn": self.true_negative,
        }


def detection(flagged: Iterable[bool], labelled: Iterable[bool]) -> Detection:
    """Count a detector's flags against the human labels, item by item."""
    tp = fp = fn = tn = 0
    for f, t in zip(flagged, labelled, strict=True):
        if f and t:
            tp += 1
        elif f:
            fp += 1
        elif t:
            fn += 1
        else:
            tn += 1
    return Detection(tp, fp, fn, tn)


# --- the text baseline ----------------------------------------------------------------------------


def _ridge():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), Ridge(alpha=1.0))


def text_regression_baseline(
    texts: list[str], values: list[float], train: tuple[list[str], list[float]] | None = None
) -> tuple[list[float] | None, str]:
    """A plain TF-IDF ridge regression's predictions for `texts`, and how it was trained.

    Fitted on `train` (texts, values) when given, else out-of-fold by k-fold cross-validation
    on `texts` itself, so no text is ever predicted by a model that saw it. An ordinary,
    untuned configuration: the bar a rule has to clear to mean something."""
    if train is not None:
        train_texts, train_values = train
        if len(train_texts) < 2:
            return None, "not run: fewer than 2 rows in the tune split"
        model = _ridge().fit(train_texts, train_values)
        how = f"trained on the tune split ({len(train_texts)})"
        return [float(p) for p in model.predict(texts)], how
    folds = min(CV_FOLDS, len(texts))
    if folds < 2:
        return None, "not run: too few rows to cross-validate"
    from sklearn.model_selection import KFold

    predicted = [0.0] * len(texts)
    for fit, test in KFold(folds, shuffle=True, random_state=0).split(texts):
        model = _ridge().fit([texts[i] for i in fit], [values[i] for i in fit])
        for i, value in zip(test, model.predict([texts[i] for i in test]), strict=True):
            predicted[i] = float(value)
    return predicted, f"{folds}-fold cross-validation on the evaluated rows"
