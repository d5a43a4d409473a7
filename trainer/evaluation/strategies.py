"""`trainer eval strategies`: do the detectors find what emotional-support annotators labelled?

ESConv (Liu et al., "Towards Emotional Support Dialog Systems", ACL 2021) labels each supporter
reply with the strategy it uses. The file has one dialogue window per line, its turns separated
by ` EOS `, each turn

    <number> <speaker 0|1> <turn index> [Strategy] text

(speaker 1, the supporter, carries the strategy in brackets). The window's last turn is the
labelled reply. Each reply is judged as an agent turn answering the seeker's turn before it (the
whole window would let an earlier reply's hit count for this one), and a detector "flags" it when
the detector applies, scores above 0 and quotes the reply as evidence.

Pairings (the strategies a detector should find, per the issue that asked for them):

- reflection of feelings and affirmation ← the empathy detectors;
- restatement or paraphrasing ← checking understanding, restating (and interpretation);
- questions ← exploration.

Precision and recall per pairing, and how often each detector flags each strategy, so a detector
that flags everything is visible as such.
"""

from __future__ import annotations

import re
import textwrap
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from trainer.conversation import Conversation, Turn
from trainer.errors import DatasetError
from trainer.evaluation.common import (
    Detection,
    check_split,
    detection,
    in_split,
    read_text,
    split_of,
)

SEPARATOR = " EOS "
_TURN = re.compile(r"^\s*-?\d+(?:\.\d+)?\s+([01])\s+\d+\s+(?:\[([^\]]+)\]\s*)?(.*)$", re.S)
FORMAT_FIX = (
    "each line is one window of turns separated by ' EOS ', each turn '<number> <speaker 0 or 1> "
    "<index> [Strategy] text', the last turn a supporter's (speaker 1) with its [Strategy]"
)
EMPATHY = ("Reflection of feelings", "Affirmation and Reassurance")
RESTATEMENT = ("Restatement or Paraphrasing",)
QUESTIONS = ("Questions",)


@dataclass(frozen=True)
class Pairing:
    """A detector (with its params) and the strategies it should flag."""

    name: str
    detector: str
    strategies: tuple[str, ...]
    params: dict | None = None


PAIRINGS = (
    Pairing("acknowledgement", "empathy.acknowledgement.v1", EMPATHY, {"within_turns": 1}),
    Pairing("emotional reaction", "empathy.emotional_reaction.v1", EMPATHY),
    Pairing("interpretation", "empathy.interpretation.v1", EMPATHY + RESTATEMENT),
    Pairing(
        "checks understanding",
        "clarity.checks_understanding.v1",
        RESTATEMENT,
        {"min_agent_turns": 1},
    ),  # fmt: skip
    Pairing("restates", "clarity.restates.v1", RESTATEMENT, {"min_agent_turns": 1}),
    Pairing("exploration", "empathy.exploration.v1", QUESTIONS),
)
# Any of the three empathy detectors, against the two empathy strategies.
ANY_EMPATHY = ("acknowledgement", "emotional reaction", "interpretation")


@dataclass(frozen=True)
class LabelledReply:
    """One labelled supporter reply: its line, the seeker's turn before it, its strategy."""

    line: int
    seeker: str
    reply: str
    strategy: str

    @property
    def split(self) -> str:
        """Which fixed half the reply falls in, by a hash of the seeker's turn and the reply."""
        return split_of(self.seeker, self.reply)

    def conversation(self) -> Conversation:
        """The reply as an agent turn answering the seeker's turn (alone when there is none)."""
        turns = [Turn("customer", self.seeker)] if self.seeker else []
        return Conversation(f"esconv-{self.line}", [*turns, Turn("agent", self.reply)])


def _turns(line: str, where: str) -> list[tuple[str, str | None, str]]:
    turns = []
    for segment in line.split(SEPARATOR):
        match = _TURN.match(segment)
        if match is None:
            raise DatasetError(
                f"a turn does not start with '<number> <speaker> <index>' "
                f"(found {segment.strip()[:30]!r})",
                where=where,
                fix=FORMAT_FIX,
            )
        speaker, strategy, text = match.groups()
        turns.append((speaker, strategy, text.strip()))
    return turns


def read_esconv(path: Path) -> list[LabelledReply]:
    """The labelled replies of an ESConv-format file, each once; DatasetError naming the line."""
    text = read_text(path, "an ESConv-format file", "--data")
    replies: dict[tuple[str, str], LabelledReply] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        turns = _turns(line, where)
        speaker, strategy, reply = turns[-1]
        if speaker != "1" or not strategy or not reply:
            raise DatasetError(
                "the last turn is not a supporter's reply with its [Strategy]",
                where=where,
                fix=FORMAT_FIX,
            )
        seeker = next((t for s, _, t in reversed(turns[:-1]) if s == "0"), "")
        replies.setdefault((seeker, reply), LabelledReply(number, seeker, reply, strategy.strip()))
    if not replies:
        raise DatasetError("no labelled replies in the file", where=str(path), fix=FORMAT_FIX)
    return list(replies.values())


# --- the report -----------------------------------------------------------------------------------


@dataclass
class PairingReport:
    """One pairing's figures, and the share of each strategy's replies the detector flagged."""

    pairing: Pairing
    detection: Detection
    flag_rate: dict[str, float]

    def as_json(self) -> dict:
        """`{detector, strategies, precision, recall, f1, tp, ..., flag_rate}`."""
        return {
            "detector": self.pairing.detector,
            "strategies": list(self.pairing.strategies),
            **self.detection.as_json(),
            "flag_rate": {k: round(v, 4) for k, v in self.flag_rate.items()},
        }


@dataclass
class StrategiesReport:
    """What `trainer eval strategies` prints."""

    data: str
    split: str
    replies: int
    strategies: dict[str, int]
    pairings: dict[str, PairingReport]
    replies_per_second: float

    def as_json(self) -> dict:
        """The report as plain data."""
        return {
            "data": self.data,
            "split": self.split,
            "replies": self.replies,
            "strategies": self.strategies,
            "pairings": {name: p.as_json() for name, p in self.pairings.items()},
            "replies_per_second": self.replies_per_second,
        }


def _flags_reply(score, reply_turn: int) -> bool:
    return (
        not score.na
        and score.value is not None
        and score.value > 0
        and any(e.turn == reply_turn for e in score.evidence)
    )


def evaluate_strategies(data: Path, split: str = "all") -> StrategiesReport:
    """Run each paired detector on every labelled reply and count it against the strategy."""
    from trainer.nlp.pipeline import load_nlp
    from trainer.scoring.context import ScoringContext
    from trainer.scoring.registry import registry

    check_split(split)
    replies = [r for r in read_esconv(Path(data)) if in_split(r.split, split)]
    if not replies:
        raise DatasetError(f"no replies in the {split} split", where=str(data))
    nlp = load_nlp()
    specs = {p.name: registry.get(p.detector) for p in PAIRINGS}
    flags: dict[str, list[bool]] = {p.name: [] for p in PAIRINGS}
    started = time.perf_counter()
    for reply in replies:
        conversation = reply.conversation()
        ctx = ScoringContext(conversation, nlp)
        last = len(conversation.turns) - 1
        for pairing in PAIRINGS:
            score = specs[pairing.name](ctx, pairing.params)
            flags[pairing.name].append(_flags_reply(score, last))
    seconds = time.perf_counter() - started
    flags["any empathy detector"] = [
        any(flags[name][i] for name in ANY_EMPATHY) for i in range(len(replies))
    ]
    counts = Counter(r.strategy for r in replies)
    pairings = {p.name: p for p in PAIRINGS}
    pairings["any empathy detector"] = Pairing(
        "any empathy detector", " | ".join(pairings[n].detector for n in ANY_EMPATHY), EMPATHY
    )
    reports = {}
    for name, pairing in pairings.items():
        labelled = [r.strategy in pairing.strategies for r in replies]
        rate = {
            strategy: sum(f for f, r in zip(flags[name], replies, strict=True)
                          if r.strategy == strategy) / count
            for strategy, count in sorted(counts.items())
        }  # fmt: skip
        reports[name] = PairingReport(pairing, detection(flags[name], labelled), rate)
    return StrategiesReport(
        data=str(data),
        split=split,
        replies=len(replies),
        strategies=dict(sorted(counts.items(), key=lambda item: -item[1])),
        pairings=reports,
        replies_per_second=round(len(replies) / seconds, 1) if seconds > 0 else 0.0,
    )


WIDTH = 78
SHORT = {
    "Affirmation and Reassurance": "affirm",
    "Reflection of feelings": "reflect",
    "Restatement or Paraphrasing": "restate",
    "Questions": "question",
}
COLUMN = {  # the flag-rate table's column headings
    "acknowledgement": "ack",
    "emotional reaction": "emo",
    "interpretation": "interp",
    "checks understanding": "checks",
    "restates": "restate",
    "exploration": "explor",
    "any empathy detector": "anyemp",
}


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def render_strategies(report: StrategiesReport) -> str:
    """The readable report: P/R/F1 per pairing, then each detector's flag rate per strategy."""
    lines = [
        *textwrap.wrap(f"emotional-support strategies (ESConv format): {report.data}", WIDTH),
        f"split: {report.split}, {report.replies} labelled replies",
        "",
        f"{'detector':<22}{'should flag':<24}{'precision':>10}{'recall':>8}{'F1':>7}",
    ]
    for name, p in report.pairings.items():
        wanted = "+".join(SHORT.get(s, s) for s in p.pairing.strategies)
        d = p.detection
        lines.append(
            f"{name[:21]:<22}{wanted[:23]:<24}{_fmt(d.precision):>10}{_fmt(d.recall):>8}"
            f"{_fmt(d.f1):>7}"
        )
    names = list(report.pairings)
    lines += ["", "share of each strategy's replies that each detector flagged"]
    lines.append(f"{'strategy':<25}{'n':>5}" + "".join(f"{COLUMN.get(n, n)[:6]:>7}" for n in names))
    for strategy, count in report.strategies.items():
        rates = "".join(f"{report.pairings[n].flag_rate[strategy]:>7.2f}" for n in names)
        lines.append(f"{strategy[:24]:<25}{count:>5}{rates}")
    lines += [
        "",
        *textwrap.wrap(
            f"throughput: {report.replies_per_second:,.0f} replies/s (pipeline loaded once and "
            "not timed); detectors are tuned on the tune half only, --split holdout reports "
            "the other half",
            WIDTH,
        ),
    ]
    return "\n".join(lines)
