"""`trainer eval reasons`: the contact-reason classifier trained and tested on labelled files.

The classifier is the one `trainer reasons train` fits on an organisation's labels
(`trainer.nlp.reasons`); here it is fitted on a labelled file (BANKING77's format, `text` and
`category`, or any of the column names `trainer reasons train` takes) and scored on rows it never
saw: the `--test` file (rows also in the training file are dropped from training), or else the
fixed holdout half of `--data` with the model trained on its tune half. Nothing is stored: no
model file is written and the database is not opened.

Beside it, a majority baseline (always the most common training reason), so accuracy on a file
with one dominant reason is not mistaken for skill.
"""

from __future__ import annotations

import textwrap
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from trainer.errors import DatasetError
from trainer.evaluation.common import read_text, rounded, split_of
from trainer.nlp.reason_labels import LabelledRow, read_labelled
from trainer.nlp.reasons import DEFAULT_C, ReasonReport, evaluate_reasons, train_reasons

WORST_SHOWN = 10
WIDTH = 78


def _rows(path: Path, option: str) -> list[LabelledRow]:
    text = read_text(path, "a labelled CSV (text and reason columns)", option)
    rows = read_labelled(text.encode("utf-8"), str(path))
    by_id = next((r for r in rows if r.text is None), None)
    if by_id is not None:
        raise DatasetError(
            "a row names a stored conversation instead of giving its text",
            where=f"{path}:{by_id.line}",
            fix="give each row's text: 'trainer reasons eval' reads stored conversations",
        )
    return rows


@dataclass
class ReasonsEvalReport:
    """What `trainer eval reasons` prints."""

    data: str
    tested_on: str  # the --test file, or "holdout half of --data"
    trained: int
    reasons: int
    report: ReasonReport
    majority_reason: str
    majority_accuracy: float
    train_seconds: float
    texts_per_second: float
    c: float

    def as_json(self) -> dict:
        """`{accuracy, macro_f1, examples, ..., per_class}` (the figures first)."""
        figures = self.report.as_json()
        return {
            "accuracy": figures["accuracy"],
            "macro_f1": figures["macro_f1"],
            "examples": figures["examples"],
            "trained_on": self.trained,
            "reasons": self.reasons,
            "data": self.data,
            "tested_on": self.tested_on,
            "majority_baseline": {
                "reason": self.majority_reason,
                "accuracy": rounded(self.majority_accuracy),
            },
            "train_seconds": self.train_seconds,
            "texts_per_second": self.texts_per_second,
            "c": self.c,
            "per_class": figures["per_class"],
            "unknown_reasons": figures["unknown_reasons"],
        }


def evaluate_reason_files(
    data: Path, test: Path | None = None, c: float = DEFAULT_C
) -> ReasonsEvalReport:
    """Train on `data` (its tune half without `test`) and score on `test` (else the holdout)."""
    if not c > 0:
        raise DatasetError(f"C must be a positive number, not {c}", where="--c")
    rows = _rows(Path(data), "--data")
    if test is not None:
        tested = _rows(Path(test), "--test")
        seen = {r.text for r in tested}
        train = [r for r in rows if r.text not in seen]
        tested_on = str(test)
    else:
        train = [r for r in rows if split_of(r.text or "") == "tune"]
        tested = [r for r in rows if split_of(r.text or "") == "holdout"]
        tested_on = "the holdout half of --data"
    if not train or not tested:
        raise DatasetError(
            "nothing left to train on" if not train else "nothing left to test on",
            where=str(data),
            fix="give more rows, or a --test file with other rows than --data",
        )
    started = time.perf_counter()
    model = train_reasons([r.text for r in train], [r.reason for r in train], c=c)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    report = evaluate_reasons(model, [r.text for r in tested], [r.reason for r in tested])
    predict_seconds = time.perf_counter() - started
    majority, _ = Counter(r.reason for r in train).most_common(1)[0]
    return ReasonsEvalReport(
        data=str(data),
        tested_on=tested_on,
        trained=len(train),
        reasons=len(model.labels),
        report=report,
        majority_reason=majority,
        majority_accuracy=sum(r.reason == majority for r in tested) / len(tested),
        train_seconds=round(train_seconds, 2),
        texts_per_second=round(len(tested) / predict_seconds, 1) if predict_seconds else 0.0,
        c=c,
    )


def render_reasons(report: ReasonsEvalReport, worst: int = WORST_SHOWN) -> str:
    """The readable report: headline figures, the baseline, and the reasons it finds hardest."""
    r = report.report
    lines = [
        *textwrap.wrap(f"contact reasons: trained on {report.data}", WIDTH),
        *textwrap.wrap(
            f"{report.trained} training rows, {report.reasons} reasons; tested on "
            f"{report.tested_on} ({r.examples} rows)",
            WIDTH,
        ),
        "",
        f"accuracy {r.accuracy:.3f}, macro-F1 {r.macro_f1:.3f}",
        f"majority baseline ('{report.majority_reason}'): accuracy {report.majority_accuracy:.3f}",
        f"trained in {report.train_seconds:.1f} s (C={report.c:g}); "
        f"{report.texts_per_second:,.0f} texts/s classified",
    ]
    hardest = sorted(
        ((name, row) for name, row in r.per_class.items() if row["support"]),
        key=lambda item: (item[1]["f1"], item[0]),
    )[:worst]
    if hardest:
        lines += ["", f"{'hardest reasons':<40}{'precision':>10}{'recall':>9}{'F1':>8}{'n':>6}"]
        for name, row in hardest:
            lines.append(
                f"{name[:39]:<40}{row['precision']:>10.3f}{row['recall']:>9.3f}"
                f"{row['f1']:>8.3f}{row['support']:>6}"
            )
    if r.unknown_reasons:
        lines += textwrap.wrap(
            "reasons never seen in training: " + ", ".join(r.unknown_reasons), WIDTH
        )
    return "\n".join(lines)
