"""tone.politeness.v1: politeness markers in the agent's wording, with evidence."""

import pytest

from trainer.conversation import Conversation, Turn
from trainer.scoring.context import ScoringContext
from trainer.scoring.detectors.tone import DEFAULT_WEIGHTS
from trainer.scoring.registry import registry

POLITENESS = "tone.politeness.v1"


def agent_says(*texts, customer="My order never arrived."):
    turns = [Turn("customer", customer)] + [Turn("agent", t) for t in texts]
    return Conversation("t-1", turns)


def run(conversation, params=None):
    return registry.get(POLITENESS)(ScoringContext(conversation), params or {})


def test_polite_wording_scores_above_neutral_and_rude_below():
    polite = run(agent_says("Thanks for waiting. Could you please confirm the order number?"))
    neutral = run(agent_says("The order number is on the receipt."))
    rude = run(agent_says("Why didn't you read the receipt? That is a stupid question."))
    assert polite.value > 0.8
    assert neutral.value == pytest.approx(0.5)
    assert rude.value < 0.2
    assert polite.metadata["polite"] == 3 and polite.metadata["impolite"] == 0
    assert rude.metadata["impolite"] == 2 and rude.metadata["net"] < -2


def test_the_explanation_quotes_the_strongest_impolite_marker_as_evidence():
    conversation = agent_says("So, what now. Actually that is ridiculous.")
    score = run(conversation)
    assert "'ridiculous'" in score.explanation  # weight -1.5: stronger than "so" or "actually"
    quotes = {e.quote for e in score.evidence}
    assert {"So", "Actually", "ridiculous"} <= quotes
    assert all(e.turn == 1 for e in score.evidence)


@pytest.mark.parametrize(
    ("text", "markers"),
    [
        ("Please send the form.", ["please_start"]),
        ("Can you please send the form?", ["indicative", "please"]),
        ("Why did you send the form?", ["direct_question"]),
        ("You need to send the form.", ["second_person_start"]),
        ("But the form is late.", ["direct_start"]),
        ("I sent the form.", ["first_person_start"]),
    ],
)
def test_markers_that_depend_on_where_a_word_sits(text, markers):
    net = run(agent_says(text)).metadata["net"]
    assert net == pytest.approx(sum(DEFAULT_WEIGHTS[m] for m in markers))


def test_what_and_how_questions_are_not_challenges():
    assert run(agent_says("What is your order number?")).value == pytest.approx(0.5)
    assert run(agent_says("Why is your order late?")).value < 0.5


def test_the_mean_over_agent_turns_and_only_agent_turns():
    one_rude_turn = run(agent_says("Thank you.", "You are wrong."))
    assert one_rude_turn.metadata["net"] == pytest.approx((1.2 - 0.4) / 2)
    customer_rude = run(agent_says("Thank you.", customer="This is stupid, you idiots."))
    assert customer_rude.metadata["impolite"] == 0


def test_weights_are_params_and_checked():
    text = agent_says("Thanks.")
    assert run(text, {"weights": {"gratitude": 3.0}}).metadata["net"] == pytest.approx(3.0)
    with pytest.raises(ValueError, match="unknown marker 'gratitud'"):
        run(text, {"weights": {"gratitud": 1.0}})
    with pytest.raises(ValueError, match="finite"):
        run(text, {"weights": {"gratitude": float("inf")}})


def test_not_applicable_without_agent_words():
    score = run(Conversation("t-2", [Turn("customer", "Hello?"), Turn("agent", "  ")]))
    assert score.na and "said nothing" in score.explanation
