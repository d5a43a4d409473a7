"""The EPITOME-level empathy detectors: emotional reactions, interpretations, explorations."""

import pytest

from trainer.scoring.context import ScoringContext
from trainer.scoring.detectors.empathy_levels import (
    DIMENSIONS,
    EMOTIONAL_REACTION,
    EXPLORATION,
    INTERPRETATION,
    empathy_levels,
    empathy_levels_batch,
)
from trainer.scoring.registry import registry

from ..conftest import make_conversation

CUSTOMER = "My dad passed away last week and now the bank has frozen his account."


def run(name, reply, params=None, customer=CUSTOMER):
    ctx = ScoringContext(make_conversation([("customer", customer), ("agent", reply)]))
    return registry.get(name)(ctx, params or {})


def test_detectors_empathy_levels_are_registered_with_versions():
    names = {spec.name for spec in registry}
    assert {EMOTIONAL_REACTION, INTERPRETATION, EXPLORATION} <= names
    assert set(DIMENSIONS.values()) == {EMOTIONAL_REACTION, INTERPRETATION, EXPLORATION}


def test_detectors_empathy_levels_emotional_reaction_strong_sympathy_is_level_2():
    score = run(EMOTIONAL_REACTION, "I'm so sorry you're going through this. Let me unfreeze it.")
    assert score.status == "scored"
    assert score.metadata["level"] == 2 and score.value == 1.0
    assert "strong" in score.explanation and "turn 2" in score.explanation
    assert score.evidence and all(e.turn == 1 for e in score.evidence)
    assert "sorry" in score.evidence[0].quote.lower()


def test_detectors_empathy_levels_emotional_reaction_generic_hope_is_level_1():
    score = run(EMOTIONAL_REACTION, "The account is open again. I hope the rest goes smoothly.")
    assert score.metadata["level"] == 1 and score.value == 0.5


def test_detectors_empathy_levels_emotional_reaction_unempathetic_reply_is_level_0():
    score = run(
        EMOTIONAL_REACTION, "Send the death certificate to the branch. Processing takes 10 days."
    )
    assert score.metadata["level"] == 0 and score.value == 0.0
    assert score.evidence == ()
    assert "no emotional reaction" in score.explanation


def test_detectors_empathy_levels_not_applicable_without_an_agent_reply():
    for turns in ([("customer", CUSTOMER)], [("agent", "Hello, how can I help?")]):
        ctx = ScoringContext(make_conversation(turns))
        for name in DIMENSIONS.values():
            score = registry.get(name)(ctx, {})
            assert score.na, (name, score)


@pytest.mark.parametrize(
    ("reply", "level"),
    [
        ("I understand how hard this must be for you right now.", 2),
        ("It sounds like you feel nobody is listening to you.", 2),
        ("I've been through something similar when my mother died.", 2),
        ("I understand. The form is on our website.", 1),
        ("The form is on our website.", 0),
    ],
)
def test_detectors_empathy_levels_interpretation_detects_its_phrases(reply, level):
    score = run(INTERPRETATION, reply)
    assert score.metadata["level"] == level, score.explanation
    assert score.value == level / 2


def test_detectors_empathy_levels_interpretation_counts_self_disclosure_not_formulas():
    shared = "When my grandmother died my bank did the same and I had to call them every day."
    assert run(INTERPRETATION, shared).metadata["level"] == 2
    formulas = "I think you should call the branch, and let me know. I hope that helps."
    assert run(INTERPRETATION, formulas).metadata["level"] == 0
    one = run(INTERPRETATION, shared, {"min_disclosures": 10})
    assert one.metadata["level"] == 0


@pytest.mark.parametrize(
    ("reply", "level"),
    [
        ("How are you feeling about handling his affairs?", 2),
        ("What happened after you spoke to the branch?", 2),
        ("How long have you been waiting for them to reply", 2),
        ("Is it still frozen today?", 2),
        ("What's wrong?", 1),
        ("Tell me more.", 1),
        ("Maybe you could try the online form?", 0),
        ("Your refund is on its way.", 0),
    ],
)
def test_detectors_empathy_levels_exploration_detects_questions(reply, level):
    score = run(EXPLORATION, reply)
    assert score.metadata["level"] == level, score.explanation


def test_detectors_empathy_levels_exploration_generic_length_is_a_parameter():
    reply = "Did you close it yourself?"
    assert run(EXPLORATION, reply).metadata["level"] == 2
    assert run(EXPLORATION, reply, {"generic_max_tokens": 8}).metadata["level"] == 1


def test_detectors_empathy_levels_keep_the_best_exchange_and_list_each():
    ctx = ScoringContext(
        make_conversation(
            [
                ("customer", "The app keeps logging me out."),
                ("agent", "Clear the cache and log in again."),
                ("customer", "Still broken, and my rent is due tomorrow. I'm panicking."),
                ("system", "transfer"),
                ("agent", "I'm so sorry, that sounds stressful."),
                ("agent", "Let me pay it manually for you."),
            ]
        )
    )
    score = registry.get(EMOTIONAL_REACTION)(ctx, {})
    assert score.metadata["levels"] == [0, 2] and score.metadata["level"] == 2
    assert score.metadata["replies"] == 2
    assert score.evidence[0].turn == 4


def test_detectors_empathy_levels_pair_function_returns_the_three_levels():
    levels = empathy_levels(
        CUSTOMER, "I'm so sorry. I went through the same with my mum. How are you coping with it?"
    )
    assert levels == {"emotional_reactions": 2, "interpretations": 2, "explorations": 2}
    assert empathy_levels(CUSTOMER, "Fill in form B7.") == dict.fromkeys(DIMENSIONS, 0)


def test_detectors_empathy_levels_batch_matches_one_by_one():
    pairs = [
        (CUSTOMER, "I'm so sorry for your loss. What happened after you called?"),
        (CUSTOMER, "I understand. Fill in form B7."),
        (CUSTOMER, "Same here, my bank froze my dad's account too. I hope it's sorted soon"),
        ("", ""),
        (CUSTOMER, "Hang in there. Why?"),
    ]
    assert empathy_levels_batch(pairs, batch_size=2) == [empathy_levels(s, r) for s, r in pairs]
