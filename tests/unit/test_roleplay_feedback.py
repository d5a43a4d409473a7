"""Feedback tied to turns, with a better-reply example for every missed criterion."""

import pytest

from trainer.roleplay.attempt import run_script
from trainer.roleplay.feedback import MISSED_BELOW
from trainer.roleplay.loader import find_scenario


@pytest.fixture(scope="module")
def dana():
    return find_scenario("double-charge")


def test_roleplay_feedback_names_the_turn_the_customer_was_not_acknowledged(dana):
    result = run_script(
        dana,
        [
            "Hi, this is Sam. Could I have your full name and the order number?",
            "Thanks. I can see the duplicate charge and I've refunded it.",
        ],
    )
    messages = [f.message for f in result.feedback]
    assert any(
        m.startswith("turn 1: the customer said she was furious; your reply did not acknowledge it")
        for m in messages
    ), messages


def test_roleplay_feedback_gives_a_better_reply_for_each_missed_criterion(dana):
    result = run_script(dana, ["Hello. What's the order number?", "It's processing. Bye."])
    missed = {
        c.criterion_id
        for c in result.evaluation.criteria
        if c.score.status == "scored" and c.score.value < MISSED_BELOW
    }
    items = {f.criterion: f for f in result.feedback if f.kind == "criterion"}
    assert missed == set(items)
    for criterion, item in items.items():
        assert item.better_reply and "{" not in item.better_reply, criterion
        assert item.title
    assert "Dana" in items["acknowledged-frustration"].better_reply


def test_roleplay_feedback_reports_inflaming_moments_with_the_mood_change(dana):
    result = run_script(dana, ["I'm sorry, Dana, that's frustrating.", "You should have checked."])
    blame = [f for f in result.feedback if f.kind == "reaction"]
    assert blame and blame[0].turn == 4
    assert "Dana's mood went from" in blame[0].message and blame[0].better_reply


def test_roleplay_feedback_says_how_the_attempt_ended(dana):
    left = run_script(dana, ["Calm down.", "Calm down, I said."])
    assert left.feedback[-1].kind != "outcome"  # items without a turn come last
    outcome = next(f for f in left.feedback if f.kind == "outcome")
    assert (
        outcome.turn == len(left.conversation.turns) and "left the conversation" in outcome.message
    )
    unresolved = run_script(dana, ["Hi Dana, I'm so sorry, that's frustrating."])
    outcome = next(f for f in unresolved.feedback if f.kind == "outcome")
    assert "still to do: verified her identity" in outcome.message


def test_roleplay_feedback_is_json_ready(dana):
    result = run_script(dana, ["Calm down."])
    data = result.as_json()
    assert set(data) >= {"scenario", "outcome", "score", "passed", "turns", "mood", "feedback"}
    assert data["turns"] == len(data["transcript"]) == 3
    assert data["mood"] == [7, 9]
    assert {"turn", "kind", "criterion", "title", "message", "better_reply"} == set(
        data["feedback"][0]
    )
