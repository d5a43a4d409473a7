"""The agreement table's rows: the service's figures as text, a tone and a verdict per criterion.

Thresholds are Krippendorff's (alpha >= 0.800 reliable, >= 0.667 tentative), applied to Cohen's
kappa too: the same reading for "can the machine stand in for a reviewer on this criterion" and
"do the reviewers themselves agree"."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

RELIABLE, TENTATIVE = 0.8, 0.667
TOO_LITTLE = "too little data"
#: Kappa is undefined when both raters used one score level only (e.g. all 1.0).
ONE_LEVEL = "n/a (one level)"
EXPLANATION = (
    "Auto vs human compares the automatic score with the final human review of every reviewed "
    "conversation: exact is the share of identical scores, MAD the mean absolute difference "
    "(0-1), kappa Cohen's chance-corrected agreement over the score levels. Between reviewers "
    "is Krippendorff's alpha (interval) where several people reviewed the same conversation. "
    "Read 0.80 or more as agreement you can rely on: where auto-vs-human kappa is that high, "
    "the automatic score can stand in for a reviewer on conversations nobody reviews; 0.67-0.80 "
    "use with care; below, keep reviewing that criterion by hand. If reviewers disagree among "
    "themselves (low alpha), calibrate them before judging the machine."
)


@dataclasses.dataclass
class AgreementRow:
    """One criterion: auto vs human (n, exact, MAD, kappa) and between reviewers (n, alpha),
    as text; the tones of kappa and alpha; what the figures say; the row's test ids."""

    criterion: str = ""
    pair_n: str = ""
    exact: str = ""
    mad: str = ""
    kappa: str = ""
    kappa_tone: str = "gray"
    between_n: str = ""
    alpha: str = ""
    alpha_tone: str = "gray"
    verdict: str = ""
    row_id: str = ""
    kappa_id: str = ""
    alpha_id: str = ""


def number(value: float | int | None, digits: int = 2) -> str:
    """A figure as shown: "0.87", "12", or "—" when missing."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def tone(value: float | None) -> str:
    """green (reliable), amber (tentative), red (not reliable), gray (no figure)."""
    if value is None:
        return "gray"
    if value >= RELIABLE:
        return "green"
    return "amber" if value >= TENTATIVE else "red"


def verdict(pair: dict | None) -> str:
    """What auto-vs-human says about trusting the machine on this criterion."""
    if pair is None:
        return TOO_LITTLE
    kappa = pair.get("kappa")
    if kappa is None:  # one level only: exact agreement is all there is to read
        return "agrees on every item" if pair.get("exact") == 1.0 else "compare exact and MAD"
    return {"green": "trust auto-QA", "amber": "use with care", "red": "review by hand"}[
        tone(kappa)
    ]


def agreement_row(row: dict) -> AgreementRow:
    """One object of `agreement_report` shaped for the table."""
    cid = row["criterion"]
    pair, between = row.get("auto_vs_human"), row.get("between_reviewers")
    if pair is None:
        pair_n = exact = mad = "—"
        kappa = TOO_LITTLE
    else:
        pair_n, exact, mad = number(pair["n"]), number(pair["exact"]), number(pair["mad"])
        kappa = ONE_LEVEL if pair.get("kappa") is None else number(pair["kappa"])
    return AgreementRow(
        criterion=cid,
        pair_n=pair_n,
        exact=exact,
        mad=mad,
        kappa=kappa,
        kappa_tone=tone(pair.get("kappa") if pair else None),
        between_n=number(between["n"]) if between else "—",
        alpha=number(between["alpha"]) if between else TOO_LITTLE,
        alpha_tone=tone(between["alpha"] if between else None),
        verdict=verdict(pair),
        row_id=f"agreement-row-{cid}",
        kappa_id=f"agreement-kappa-{cid}",
        alpha_id=f"agreement-alpha-{cid}",
    )


def agreement_rows(report: list[dict]) -> list[AgreementRow]:
    """Every criterion of the report, in its order."""
    return [agreement_row(r) for r in report]


def parse_since(text: str) -> datetime | None:
    """The since filter typed as YYYY-MM-DD (UTC midnight); None when blank; ValueError when it
    is not a date."""
    text = (text or "").strip()
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC) if text else None


def summary(rows: list[AgreementRow]) -> str:
    """One line over the table: how many criteria have figures of each kind."""
    if not rows:
        return "No submitted reviews to compare."
    pairs = sum(1 for r in rows if r.pair_n != "—")
    between = sum(1 for r in rows if r.between_n != "—")
    return (
        f"{len(rows)} criteria: {pairs} with auto-vs-human figures, "
        f"{between} with between-reviewer figures."
    )
