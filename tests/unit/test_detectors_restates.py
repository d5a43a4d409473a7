"""clarity.restates.v1: the agent restating the customer's problem to check it."""

import pytest

from trainer.conversation import Conversation, Turn
from trainer.scoring.context import ScoringContext
from trainer.scoring.registry import registry

RESTATES = "clarity.restates.v1"


def chat(*agent_turns):
    turns = [Turn("customer", "I was charged twice for my March bill.")]
    turns += [Turn("agent", text) for text in agent_turns]
    return Conversation("r-1", turns)


def run(conversation, params=None):
    return registry.get(RESTATES)(ScoringContext(conversation), params or {"min_agent_turns": 1})


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("So you were charged twice in March?", "So you"),
        ("Okay. So, your March bill shows two charges.", "So, your"),
        ("It sounds like the payment went through twice.", "It sounds like"),
        ("Two charges on the March bill, is that right?", "is that right"),
        ("Just so I understand: both charges are for March?", "Just so I understand"),
    ],
)
def test_restatements_are_found_and_quoted(text, quoted):
    score = run(chat(text))
    assert score.value == 1.0
    assert quoted in score.explanation
    assert any(e.quote == quoted for e in score.evidence)


@pytest.mark.parametrize(
    "text",
    [
        "I will refund one of the charges today.",
        "so sorry about that, I will fix it.",  # "so" as an intensifier, not a summary
        "Thank you for waiting.",
    ],
)
def test_other_replies_are_not_restatements(text):
    score = run(chat(text))
    assert score.value == 0.0 and not score.evidence


def test_counts_every_restatement_and_honours_min_agent_turns():
    conversation = chat("So you were charged twice?", "Okay.", "In other words, one refund.")
    score = run(conversation)
    assert score.metadata["restatements"] == 2
    assert [e.turn for e in score.evidence] == [1, 3]
    assert run(chat("So you were charged twice?"), {"min_agent_turns": 3}).na
