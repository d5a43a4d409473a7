"""Learning-path progress from role-play attempts: each step's status per person, the path's
overall status, the scores a certificate records, and a cohort's funnel.

Pure functions over plain values (no database): the service hands in a path's step rules, the
person's finished attempts, when the path was assigned and when it is due.

The rules, in order:
- only attempts finished after the path was assigned count (practice before it is practice);
- a step unlocks when the one before it is passed, and only attempts finished after that moment
  count for it (playing ahead does not skip the queue);
- an attempt passes a step when the customer's issue was resolved and its score reaches the
  step's pass mark; a step is passed at its `min_passes`-th passing attempt;
- with `max_attempts`, only the first that many attempts count: when they are used up without
  the step passed, the step did not pass (and later steps stay locked);
- a step not passed when the due date has gone by is past due.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
PASSED = "passed"
PAST_DUE = "past_due"
DID_NOT_PASS = "did_not_pass"
#: Every status a step (or a whole path) can have, in funnel order.
STATUSES: tuple[str, ...] = (NOT_STARTED, IN_PROGRESS, PASSED, PAST_DUE, DID_NOT_PASS)
RESOLVED = "resolved"


@dataclass(frozen=True)
class StepRule:
    """What a step asks: its id (the scenario), pass mark, passes needed, attempt limit."""

    step: str
    pass_mark: float
    min_passes: int = 1
    max_attempts: int | None = None


@dataclass(frozen=True)
class AttemptRow:
    """A finished role-play attempt as progress needs it."""

    scenario: str
    finished_at: datetime
    score: float | None
    outcome: str | None


@dataclass(frozen=True)
class StepProgress:
    """One person's standing on one step."""

    step: str
    status: str
    locked: bool
    attempts: int = 0
    passes: int = 0
    best: float | None = None
    passed_at: datetime | None = None
    scores: tuple[float, ...] = field(default=())

    def as_dict(self) -> dict:
        """JSON-ready: step, status, locked, attempts, passes, best score, when passed."""
        return {
            "step": self.step,
            "status": self.status,
            "locked": self.locked,
            "attempts": self.attempts,
            "passes": self.passes,
            "best": self.best,
            "passed_at": self.passed_at.isoformat() if self.passed_at else None,
        }


def aware(moment: datetime) -> datetime:
    """A datetime in UTC (SQLite hands back naive ones; they were stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def passes_step(attempt: AttemptRow, rule: StepRule) -> bool:
    """True when the attempt resolved the customer's issue at or above the step's pass mark."""
    return (
        attempt.outcome == RESOLVED
        and attempt.score is not None
        and attempt.score >= rule.pass_mark
    )


def _status(rule: StepRule, counted: int, passed: bool, due_on: date | None, today: date) -> str:
    if passed:
        return PASSED
    if rule.max_attempts is not None and counted >= rule.max_attempts:
        return DID_NOT_PASS
    if due_on is not None and today > due_on:
        return PAST_DUE
    return IN_PROGRESS if counted else NOT_STARTED


def step_progress(
    rules: Sequence[StepRule],
    attempts: Iterable[AttemptRow],
    *,
    today: date,
    since: datetime | None = None,
    due_on: date | None = None,
) -> list[StepProgress]:
    """Each step's progress, in path order (see the module's rules). `since`: when the path was
    assigned (None counts every attempt); `due_on`: the last day to finish it."""
    ordered = sorted(attempts, key=lambda a: aware(a.finished_at))
    opens_at = aware(since) if since is not None else None
    unlocked = True
    result = []
    for rule in rules:
        if not unlocked:
            result.append(
                StepProgress(rule.step, _status(rule, 0, False, due_on, today), locked=True)
            )
            continue
        counted = [
            a
            for a in ordered
            if a.scenario == rule.step and (opens_at is None or aware(a.finished_at) >= opens_at)
        ]
        if rule.max_attempts is not None:
            counted = counted[: rule.max_attempts]
        passing = [a for a in counted if passes_step(a, rule)]
        passed = len(passing) >= rule.min_passes
        if passed:
            # The next step opens when this one was passed; attempts of this step after that
            # moment still count toward its best score.
            opens_at = aware(passing[rule.min_passes - 1].finished_at)
        else:
            unlocked = False
        scores = [a.score for a in counted if a.score is not None]
        result.append(
            StepProgress(
                rule.step,
                _status(rule, len(counted), passed, due_on, today),
                locked=False,
                attempts=len(counted),
                passes=len(passing),
                best=max(scores) if scores else None,
                passed_at=opens_at if passed else None,
                scores=tuple(a.score for a in passing if a.score is not None),
            )
        )
    return result


def path_status(steps: Sequence[StepProgress]) -> str:
    """The whole path's status: passed when every step is, else the worst of the rest (did not
    pass, past due), else in progress once anything was attempted, else not started."""
    statuses = {s.status for s in steps}
    if steps and statuses == {PASSED}:
        return PASSED
    for status in (DID_NOT_PASS, PAST_DUE):
        if status in statuses:
            return status
    if PASSED in statuses or any(s.attempts for s in steps):
        return IN_PROGRESS
    return NOT_STARTED


def current_step(steps: Sequence[StepProgress]) -> str | None:
    """Where the person is (or is stuck): the first step not passed; None when all are."""
    return next((s.step for s in steps if s.status != PASSED), None)


def certificate_scores(steps: Sequence[StepProgress]) -> dict[str, float] | None:
    """The scores a certificate records (each step's best passing score), or None while some
    step is not passed."""
    if not steps or any(s.status != PASSED for s in steps):
        return None
    return {s.step: round(max(s.scores), 1) if s.scores else 0.0 for s in steps}


def funnel(step_ids: Sequence[str], people: Iterable[Sequence[StepProgress]]) -> list[dict]:
    """Per step, how many people have each status (and how many still wait behind a lock)."""
    counts = {step: dict.fromkeys(STATUSES, 0) for step in step_ids}
    locked = dict.fromkeys(step_ids, 0)
    for steps in people:
        for progress in steps:
            if progress.step in counts:
                counts[progress.step][progress.status] += 1
                locked[progress.step] += int(progress.locked)
    return [{"step": step, **counts[step], "locked": locked[step]} for step in step_ids]
