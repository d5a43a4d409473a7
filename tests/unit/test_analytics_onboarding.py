"""Learning-path step statuses from attempts: unlock order, passes needed, the attempt limit,
past due, the path's status, certificate scores and a cohort's funnel."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from trainer.analytics.onboarding import (
    AttemptRow,
    StepRule,
    certificate_scores,
    current_step,
    funnel,
    path_status,
    step_progress,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)
RULES = [
    StepRule("double-charge", 75),
    StepRule("late-delivery", 75, min_passes=2),
    StepRule("abusive-customer", 75, max_attempts=2),
]


def attempt(scenario: str, minutes: int, score: float, outcome: str = "resolved") -> AttemptRow:
    return AttemptRow(scenario, T0 + timedelta(minutes=minutes), score, outcome)


def statuses(steps) -> list[str]:
    return [s.status for s in steps]


def test_analytics_onboarding_nothing_played_is_not_started_and_later_steps_locked():
    steps = step_progress(RULES, [], today=TODAY, since=T0, due_on=date(2026, 3, 31))
    assert statuses(steps) == ["not_started"] * 3
    assert [s.locked for s in steps] == [False, True, True]
    assert path_status(steps) == "not_started" and current_step(steps) == "double-charge"


def test_analytics_onboarding_unlock_order_attempts_on_a_locked_step_do_not_count():
    # late-delivery played twice (passing) before double-charge was passed: not counted
    played = [
        attempt("late-delivery", 1, 90),
        attempt("late-delivery", 2, 90),
        attempt("double-charge", 3, 80),
    ]
    steps = step_progress(RULES, played, today=TODAY, since=T0)
    assert statuses(steps) == ["passed", "not_started", "not_started"]
    assert steps[1].locked is False and steps[1].attempts == 0
    assert steps[2].locked is True
    # the same two passes after double-charge was passed do count
    later = [*played, attempt("late-delivery", 4, 88), attempt("late-delivery", 5, 91)]
    steps = step_progress(RULES, later, today=TODAY, since=T0)
    assert statuses(steps)[:2] == ["passed", "passed"] and steps[1].best == 91
    assert steps[2].locked is False


def test_analytics_onboarding_passed_needs_min_passes_resolved_at_the_pass_mark():
    played = [
        attempt("double-charge", 1, 80),
        attempt("late-delivery", 2, 90),
        attempt("late-delivery", 3, 74),  # below the pass mark
        attempt("late-delivery", 4, 95, outcome="customer_left"),  # not resolved
    ]
    steps = step_progress(RULES, played, today=TODAY, since=T0)
    assert statuses(steps) == ["passed", "in_progress", "not_started"]
    assert steps[1].attempts == 3 and steps[1].passes == 1 and steps[1].best == 95
    assert path_status(steps) == "in_progress" and current_step(steps) == "late-delivery"
    steps = step_progress(RULES, [*played, attempt("late-delivery", 5, 76)], today=TODAY, since=T0)
    assert steps[1].status == "passed" and steps[1].passes == 2


def test_analytics_onboarding_attempt_limit_used_is_did_not_pass_and_later_attempts_ignored():
    played = [
        attempt("double-charge", 1, 80),
        attempt("late-delivery", 2, 80),
        attempt("late-delivery", 3, 80),
        attempt("abusive-customer", 4, 40),
        attempt("abusive-customer", 5, 60),
        attempt("abusive-customer", 6, 99),  # a third attempt: over the limit of two
    ]
    steps = step_progress(RULES, played, today=TODAY, since=T0, due_on=date(2026, 3, 1))
    assert steps[2].status == "did_not_pass" and steps[2].attempts == 2 and steps[2].best == 60
    # did not pass outranks past due, for the step and for the path
    assert path_status(steps) == "did_not_pass"
    assert certificate_scores(steps) is None


def test_analytics_onboarding_past_due_only_after_the_due_day_and_not_once_passed():
    played = [attempt("double-charge", 1, 80)]
    due = date(2026, 3, 9)
    on_the_day = step_progress(RULES, played, today=due, since=T0, due_on=due)
    assert statuses(on_the_day) == ["passed", "not_started", "not_started"]
    after = step_progress(RULES, played, today=due + timedelta(days=1), since=T0, due_on=due)
    assert statuses(after) == ["passed", "past_due", "past_due"]
    assert path_status(after) == "past_due" and current_step(after) == "late-delivery"


def test_analytics_onboarding_attempts_before_the_assignment_do_not_count():
    played = [attempt("double-charge", -10, 90)]
    assert step_progress(RULES, played, today=TODAY, since=T0)[0].status == "not_started"
    assert step_progress(RULES, played, today=TODAY, since=None)[0].status == "passed"
    naive = AttemptRow(
        "double-charge", (T0 + timedelta(minutes=1)).replace(tzinfo=None), 90, "resolved"
    )
    assert step_progress(RULES, [naive], today=TODAY, since=T0)[0].status == "passed"


def test_analytics_onboarding_certificate_scores_best_passing_score_per_step():
    played = [
        attempt("double-charge", 1, 80),
        attempt("double-charge", 2, 92.46),
        attempt("late-delivery", 3, 80),
        attempt("late-delivery", 4, 70),
        attempt("late-delivery", 5, 85),
        attempt("abusive-customer", 6, 77),
    ]
    steps = step_progress(RULES, played, today=TODAY, since=T0)
    assert path_status(steps) == "passed" and current_step(steps) is None
    assert certificate_scores(steps) == {
        "double-charge": 92.5,
        "late-delivery": 85.0,
        "abusive-customer": 77.0,
    }


def test_analytics_onboarding_funnel_counts_each_status_per_step():
    ids = [r.step for r in RULES]
    passed_first = step_progress(RULES, [attempt("double-charge", 1, 80)], today=TODAY, since=T0)
    nothing = step_progress(RULES, [], today=TODAY, since=T0)
    trying = step_progress(RULES, [attempt("double-charge", 1, 50)], today=TODAY, since=T0)
    rows = funnel(ids, [passed_first, nothing, trying])
    first = rows[0]
    assert first["step"] == "double-charge"
    assert (first["passed"], first["not_started"], first["in_progress"]) == (1, 1, 1)
    assert rows[1]["not_started"] == 3 and rows[1]["locked"] == 2
    assert sum(rows[2][s] for s in ("not_started", "in_progress", "passed")) == 3
