"""`trainer eval politeness`: does the tone detector rank requests as people rated their
politeness?

The data is in the Stanford politeness corpus format (Danescu-Niculescu-Mizil et al., ACL 2013):
a CSV with a `Request` column (one or two sentences asking something of another person) and a
`Normalized Score` (five raters' politeness judgements, standardised; higher is more polite),
plus an `Id`, which names the fixed tune/holdout split (else the request's text does).

Each request becomes an agent turn scored by the tone detector (default `tone.politeness.v1`),
and the report gives Spearman's rho of its score with the human score, beside a length-only
baseline and a TF-IDF ridge regression (trained on the tune split for `--split holdout`, else
cross-validated).
"""

from __future__ import annotations

import csv
import io
import math
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

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
    spearman,
    split_of,
    text_regression_baseline,
)

TEXT_COLUMN = "Request"
SCORE_COLUMN = "Normalized Score"
ID_COLUMN = "Id"
DEFAULT_DETECTOR = "tone.politeness.v1"
FORMAT_FIX = f"a politeness CSV has the columns {TEXT_COLUMN!r} and {SCORE_COLUMN!r}"
WIDTH = 78


@dataclass(frozen=True)
class RatedRequest:
    """One request: its line in the file, its text and the human politeness score."""

    line: int
    key: str
    text: str
    score: float

    @property
    def split(self) -> str:
        """Which fixed half the request falls in, by a hash of its id (else its text)."""
        return split_of(self.key)


def read_politeness(path: Path) -> list[RatedRequest]:
    """The rated requests of a politeness CSV; DatasetError naming the file, line and column."""
    where = str(path)
    reader = csv.reader(io.StringIO(read_text(path, "a politeness CSV", "--data"), newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in (TEXT_COLUMN, SCORE_COLUMN) if c not in header]
        if missing:
            raise DatasetError(
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                where=f"{where}:1",
                fix=FORMAT_FIX,
            )
        text_at, score_at = header.index(TEXT_COLUMN), header.index(SCORE_COLUMN)
        id_at = header.index(ID_COLUMN) if ID_COLUMN in header else None
        requests = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            line = reader.line_num
            text = cells[text_at].strip() if text_at < len(cells) else ""
            raw = cells[score_at].strip() if score_at < len(cells) else ""
            try:
                score = float(raw)
            except ValueError:
                score = math.nan
            if not math.isfinite(score):
                raise DatasetError(
                    f"the score {raw[:20]!r} is not a finite number",
                    where=f"{where}:{line}: column {SCORE_COLUMN!r}",
                    fix=FORMAT_FIX,
                )
            if not text:
                raise DatasetError("empty request", where=f"{where}:{line}: column {TEXT_COLUMN!r}")
            key = cells[id_at].strip() if id_at is not None and id_at < len(cells) else ""
            requests.append(RatedRequest(line, key or text, text, score))
    except csv.Error as exc:
        raise DatasetError(f"malformed CSV: {exc}", where=f"{where}:{reader.line_num}") from None
    if not requests:
        raise DatasetError("the file has a header but no rows", where=where, fix=FORMAT_FIX)
    return requests


@dataclass
class PolitenessReport:
    """What `trainer eval politeness` prints."""

    data: str
    split: str
    detector: str
    requests: int
    detector_correlation: Correlation
    length_correlation: Correlation
    text_correlation: Correlation | None
    baseline: str
    requests_per_second: float
    flagged_impolite: int  # requests where the detector found an impolite marker

    def as_json(self) -> dict:
        """`{spearman, n, ci95, ..., baselines}`."""
        return {
            "detector": self.detector,
            **self.detector_correlation.as_json(),
            "data": self.data,
            "split": self.split,
            "requests": self.requests,
            "baselines": {
                "length": self.length_correlation.as_json(),
                "tfidf_ridge": None
                if self.text_correlation is None
                else self.text_correlation.as_json(),
            },  # fmt: skip
            "baseline": self.baseline,
            "requests_per_second": self.requests_per_second,
            "flagged_impolite": self.flagged_impolite,
        }


def evaluate_politeness(
    data: Path, split: str = "all", detector: str = DEFAULT_DETECTOR, bootstrap: int = 1000
) -> PolitenessReport:
    """Score every request with the tone detector and correlate with the human score."""
    from trainer.nlp.pipeline import load_nlp
    from trainer.scoring.context import ScoringContext
    from trainer.scoring.registry import registry

    check_split(split)
    require_detector(detector)
    every = read_politeness(Path(data))
    tested = [r for r in every if in_split(r.split, split)]
    if len(tested) < 3:
        raise DatasetError(
            f"{len(tested)} request(s) in the {split} split: too few to correlate",
            where=str(data),
        )
    spec, nlp = registry.get(detector), load_nlp()
    started = time.perf_counter()
    values, impolite = [], 0
    for request in tested:
        conversation = Conversation(f"request-{request.line}", [Turn("agent", request.text)])
        score = spec(ScoringContext(conversation, nlp))
        values.append(score.value)
        impolite += bool(score.metadata.get("impolite"))
    seconds = time.perf_counter() - started
    truth = [r.score for r in tested]
    train = None
    if split == "holdout":
        tune = [r for r in every if r.split == "tune"]
        train = ([r.text for r in tune], [r.score for r in tune])
    predicted, how = text_regression_baseline([r.text for r in tested], truth, train)
    return PolitenessReport(
        data=str(data),
        split=split,
        detector=detector,
        requests=len(tested),
        detector_correlation=spearman(values, truth, bootstrap=bootstrap),
        length_correlation=spearman(
            [len(r.text.split()) for r in tested], truth, bootstrap=bootstrap
        ),
        text_correlation=None if predicted is None else spearman(predicted, truth,
                                                                 bootstrap=bootstrap),
        baseline=f"{RIDGE_NAME} of the request, {how}",
        requests_per_second=round(len(tested) / seconds, 1) if seconds > 0 else 0.0,
        flagged_impolite=impolite,
    )  # fmt: skip


def render_politeness(report: PolitenessReport) -> str:
    """The readable report: the detector's rho beside the two baselines."""
    lines = [
        *textwrap.wrap(f"politeness (Stanford politeness format): {report.data}", WIDTH),
        f"split: {report.split}, {report.requests} rated requests",
        "",
        CORRELATION_HEADER,
    ]
    rows = [(report.detector, report.detector_correlation),
            ("words (length baseline)", report.length_correlation)]  # fmt: skip
    if report.text_correlation is not None:
        rows.append(("TF-IDF ridge (text baseline)", report.text_correlation))
    lines += [correlation_row(name, c) for name, c in rows]
    lines += [
        "",
        *textwrap.wrap(f"text baseline: {report.baseline}", WIDTH, subsequent_indent="    "),
        f"impolite marker found in {report.flagged_impolite} of {report.requests} requests",
        *textwrap.wrap(
            f"throughput: {report.requests_per_second:,.0f} requests/s (pipeline loaded once "
            "and not timed); markers and weights are checked on the tune half only, --split "
            "holdout reports the other half",
            WIDTH,
        ),
    ]
    return "\n".join(lines)
