"""Satisfaction detectors: refusals with or without an alternative, requests asked again."""

import pytest

from trainer.conversation import Conversation, Turn
from trainer.scoring.context import ScoringContext
from trainer.scoring.registry import registry

REFUSAL = "satisfaction.refusal_alternative.v1"
REPEAT = "satisfaction.repeated_request.v1"


def talk(*turns):
    return Conversation("s-1", [Turn(s, t) for s, t in turns])


def run(name, conversation, params=None):
    return registry.get(name)(ScoringContext(conversation), params or {})


def test_refusal_with_an_alternative_scores_full():
    conversation = talk(
        ("customer", "Can I get a refund for the missing items?"),
        ("agent", "I can't refund a partial box, but what I can do is send the items tomorrow."),
    )
    score = run(REFUSAL, conversation)
    assert score.value == 1.0 and "offered" in score.explanation
    assert score.metadata == {"refusals": 1}
    next_turn = talk(
        ("agent", "Unfortunately I can't change the plan today."),
        ("customer", "Oh."),
        ("agent", "Would you like me to schedule the change for Monday?"),
    )
    assert run(REFUSAL, next_turn).value == 1.0
    assert run(REFUSAL, next_turn, {"within_agent_turns": 0}).value == 0.0


def test_refusal_without_an_alternative_is_a_miss_with_evidence():
    conversation = talk(
        ("customer", "Can I get a credit?"),
        ("agent", "I can't do credits from here."),
        ("customer", "So what now?"),
        ("agent", "There's nothing I can do, sorry."),
    )
    score = run(REFUSAL, conversation)
    assert score.value == 0.0 and score.metadata == {"refusals": 2}
    assert "turn 2: refused" in score.explanation and "with no alternative" in score.explanation
    assert {e.turn for e in score.evidence} == {1, 3}
    assert run(REFUSAL, talk(("agent", "Done, your refund is on its way."))).na


def test_a_request_asked_again_is_found_by_words_or_by_saying_so():
    conversation = talk(
        ("customer", "I need the invoice for my March order sent to my email."),
        ("agent", "Let me look at your account settings."),
        ("customer", "Please just send the March order invoice to my email."),
        ("agent", "One moment."),
        ("customer", "As I said, I only want the invoice."),
    )
    score = run(REPEAT, conversation)
    assert score.metadata == {"repeats": 2} and score.value == 0.0
    assert "turn 3 (repeats turn 1)" in score.explanation
    assert "turn 5 ('As I said')" in score.explanation
    assert {e.turn for e in score.evidence} == {0, 2, 4}
    fine = talk(
        ("customer", "My parcel is late."),
        ("agent", "Sorry, it arrives tomorrow."),
        ("customer", "Great, thank you very much for checking that."),
    )
    assert run(REPEAT, fine).value == 1.0
    assert run(REPEAT, talk(("agent", "Hello?"))).status == "unscored"


QUESTIONS = "satisfaction.unanswered_questions.v1"


def test_questions_taken_up_or_answered_directly_count_as_answered():
    conversation = talk(
        ("customer", "My parcel is late. When will the parcel arrive?"),
        ("agent", "Your parcel arrives tomorrow morning."),
        ("customer", "Can you leave it with a neighbour?"),
        ("agent", "Yes, I've added that note."),
    )
    score = run(QUESTIONS, conversation)
    assert score.value == 1.0 and "2 questions" in score.explanation


def test_a_question_the_agent_never_takes_up_is_unanswered_with_evidence():
    conversation = talk(
        ("customer", "Why was I charged twice for the subscription?"),
        ("agent", "Please confirm the email on the account."),
        ("customer", "dana@example.com. And can I get a refund?"),
        ("agent", "Thanks, I've updated your address."),
        ("agent", "Anything else today?"),
    )
    score = run(QUESTIONS, conversation)
    assert score.metadata == {"asked": 2, "unanswered": 2} and score.value == 0.0
    assert "turn 1 'Why was I charged twice" in score.explanation
    assert {e.turn for e in score.evidence} == {0, 2}
    # the last question with no agent turn after it is unanswered too
    ended = talk(("agent", "Hi!"), ("customer", "Is the store open on Sunday?"))
    assert run(QUESTIONS, ended).value == 0.0
    assert run(QUESTIONS, talk(("customer", "Thanks."), ("agent", "Bye."))).na


def test_an_answer_opens_with_a_whole_answer_word():
    asked = ("customer", "Is the store open on Sunday?")
    for reply, answered in [
        ("No, it is closed then.", True),
        ("Of course, from ten.", True),
        ("Now, let me see.", False),  # "now" is not "no"
        ("Noted, one moment.", False),
    ]:
        assert run(QUESTIONS, talk(asked, ("agent", reply))).value == float(answered), reply


SENTIMENT = "satisfaction.sentiment_shift.v1"


def test_sentiment_shift_a_customer_who_leaves_happy_scores_high():
    conversation = talk(
        ("customer", "This is terrible, my order is lost and I'm furious."),
        ("agent", "I'm sorry. I've found it: it arrives tomorrow."),
        ("customer", "Oh wonderful, thank you so much, that's great!"),
    )
    score = run(SENTIMENT, conversation)
    assert score.value > 0.75
    assert score.metadata["start"] < -0.5 and score.metadata["end"] > 0.5
    assert score.metadata["shift"] == pytest.approx(score.metadata["end"] - score.metadata["start"])
    assert "rose" in score.explanation and "turn 1" in score.explanation
    assert {e.turn for e in score.evidence} == {0, 2}


def test_sentiment_shift_a_customer_who_leaves_angry_scores_low():
    conversation = talk(
        ("customer", "Hi, thanks, I'd love some help with my order please."),
        ("agent", "Policy says no."),
        ("customer", "This is awful. Useless, terrible service, I hate this."),
    )
    score = run(SENTIMENT, conversation)
    assert score.value < 0.3 and "fell" in score.explanation


def test_sentiment_shift_weights_and_window_are_params():
    conversation = talk(
        ("customer", "This is terrible."),
        ("agent", "Let me fix it."),
        ("customer", "Okay."),
        ("agent", "Done."),
        ("customer", "Great, thanks!"),
    )
    only_shift = run(SENTIMENT, conversation, {"shift_weight": 0.5, "end_weight": 0,
                                                "mean_weight": 0, "window": 1})  # fmt: skip
    meta = only_shift.metadata
    assert only_shift.value == pytest.approx(min(1.0, 0.5 + 0.5 * (meta["end"] - meta["start"])))
    # a window of 2 over 3 customer turns is clamped to 1 turn each side
    assert run(SENTIMENT, conversation, {"window": 2}).metadata["start"] == meta["start"]
    with pytest.raises(ValueError):
        run(SENTIMENT, conversation, {"end_weight": float("nan")})


def test_sentiment_shift_needs_two_customer_turns():
    score = run(SENTIMENT, talk(("customer", "Hello?"), ("agent", "Hi!"), ("customer", " ")))
    assert score.na and "fewer than twice" in score.explanation
