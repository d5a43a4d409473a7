"""Responsiveness detectors: first response and longest wait on timed chats, holds on calls."""

import pytest

from trainer.conversation import Conversation, Turn
from trainer.scoring.context import ScoringContext
from trainer.scoring.registry import registry

FIRST = "responsiveness.first_response.v1"
LONGEST = "responsiveness.longest_wait.v1"
HOLDS = "responsiveness.holds.v1"


def chat(*timed, channel="chat", metadata=None):
    """A conversation from (speaker, seconds, text) triples (seconds may be None)."""
    turns = [Turn(speaker, text, start) for speaker, start, text in timed]
    return Conversation("r-1", turns, channel=channel, metadata=metadata or {})


def run(name, conversation, params=None):
    return registry.get(name)(ScoringContext(conversation), params or {})


TIMED = chat(
    ("agent", 0, "Hi, this is Sam, how can I help?"),
    ("customer", 10, "My parcel is late."),
    ("customer", 20, "Order 12345."),
    ("agent", 100, "Sorry about that, let me check."),  # 90 s after the first of the two
    ("customer", 110, "Thanks."),
    ("agent", 500, "It arrives tomorrow."),  # 390 s
    ("customer", 520, "Great, bye."),  # never answered: the chat ended, not a wait
)


def test_first_response_measures_from_the_customers_first_message():
    score = run(FIRST, TIMED)
    assert score.status == "scored" and score.metadata["seconds"] == 90.0
    assert score.value == pytest.approx(1 - 30 / 240)  # 60 s target, 300 s scores 0
    assert "turn 4" in score.explanation and "turn 2" in score.explanation
    assert [e.turn for e in score.evidence] == [1, 3]
    assert run(FIRST, TIMED, {"target_seconds": 120, "max_seconds": 600}).value == 1.0


def test_longest_wait_finds_the_worst_gap_and_counts_those_over_target():
    score = run(LONGEST, TIMED)
    assert score.metadata == {"seconds": 390.0, "waits_over_target": 1}
    assert score.value == pytest.approx(1 - (390 - 120) / 480)
    assert [e.turn for e in score.evidence] == [4, 5]
    slow = run(LONGEST, TIMED, {"target_seconds": 30, "max_seconds": 60})
    assert slow.value == 0.0 and slow.metadata["waits_over_target"] == 2


def test_waits_need_times_and_a_chat():
    untimed = chat(("customer", None, "Hello?"), ("agent", None, "Hi!"))
    partly = chat(("customer", 0, "Hello?"), ("agent", None, "Hi!"))
    for conversation in (untimed, partly):
        for name in (FIRST, LONGEST):
            score = run(name, conversation)
            assert score.na and "no times" in score.explanation
    call = chat(("customer", 0, "Hello?"), ("agent", 3, "Hi!"), channel="call")
    assert run(FIRST, call).na and "calls" in run(FIRST, call).explanation
    unanswered = chat(("agent", 0, "Hi!"), ("customer", 5, "Hello?"))
    assert run(LONGEST, unanswered).na


def test_holds_score_the_longest_announced_hold_of_a_call():
    speech = {
        "holds": [
            {"start": 30.0, "end": 70.0, "seconds": 40.0, "after_turn": 1},
            {"start": 100.0, "end": 220.0, "seconds": 120.0, "after_turn": 2},
        ]
    }
    call = chat(
        ("customer", 0, "My card was declined."),
        ("agent", 20, "Let me check, please hold."),
        ("agent", 90, "Bear with me one moment."),
        ("agent", 225, "Thanks for holding."),
        channel="call",
        metadata={"speech": speech},
    )
    score = run(HOLDS, call)
    assert score.value == pytest.approx(1 - 60 / 120)
    assert score.metadata == {"holds": 2, "hold_seconds": 160.0, "longest_seconds": 120.0}
    assert [e.turn for e in score.evidence] == [2] and "2 holds" in score.explanation
    assert run(HOLDS, chat(("agent", 0, "Hi"), channel="call", metadata={"speech": {}})).na
    assert run(HOLDS, TIMED).na


def test_wait_thresholds_are_checked():
    spec = registry.get(FIRST)
    for bad in ({"target_seconds": 60, "max_seconds": 60}, {"target_seconds": 0},
                {"max_seconds": float("inf")}, {"target": 5}):  # fmt: skip
        with pytest.raises(ValueError, match="seconds|target|inf|finite"):
            spec.validate_params(bad)


def test_demo_chats_show_a_prompt_and_a_slow_agent():
    from pathlib import Path

    from trainer.ingest import read_file
    from trainer.scoring.engine import score_conversation
    from trainer.scoring.rubric import find_rubric

    chats = Path(__file__).resolve().parents[2] / "recordings" / "chats"
    rubric = find_rubric("customer_service")
    values = {}
    for name in ("c-002-late-delivery.json", "c-010-subscription-confusion.json"):
        (conversation,) = read_file(chats / name).conversations
        result = score_conversation(conversation, rubric)
        values[name[:5]] = {c.criterion_id: c.score.value for c in result.criteria}
    assert values["c-002"]["first-response"] == values["c-002"]["no-long-waits"] == 1.0
    assert values["c-010"]["first-response"] == 0.25  # 4 minutes: 60 s target, 5 min is 0
    assert values["c-010"]["no-long-waits"] < 0.5  # 7 minutes once


TRANSFER = "responsiveness.transfer_handoff.v1"


def talk(*turns, channel="chat"):
    return Conversation("t-1", [Turn(s, t) for s, t in turns], channel=channel)


def test_transfer_with_the_context_passed_on_is_warm():
    conversation = talk(
        ("customer", "My refund never arrived."),
        ("agent", "Billing can issue it. I've explained your case to them, so you won't have to "
                  "repeat anything. I'll transfer you now."),
        ("customer", "Okay."),
        ("agent", "Transferring you now."),
    )  # fmt: skip
    score = run(TRANSFER, conversation)
    assert score.value == 1.0 and score.metadata == {"transfers": 1, "warm": 1}
    assert "turn 2: warm transfer" in score.explanation
    assert {e.turn for e in score.evidence} == {1}


def test_cold_and_repeated_transfers_score_low():
    cold = talk(("customer", "My refund?"), ("agent", "Let me transfer you to billing."))
    score = run(TRANSFER, cold)
    assert score.value == 0.0 and "cold transfer" in score.explanation
    twice = talk(
        ("customer", "My refund?"),
        ("agent", "I'll let them know the details. Let me transfer you to billing."),
        ("system", "Chat transferred to Billing."),
        ("customer", "Hello? Still my refund."),
        ("agent", "That is another department, I'll transfer you again."),
        ("customer", "Unbelievable."),
        ("agent", "They will have your details."),
    )
    score = run(TRANSFER, twice)
    # both warm, yet the customer was moved twice: capped
    assert score.metadata == {"transfers": 2, "warm": 2}
    assert score.value == 0.5 and "transferred 2 times" in score.explanation
    assert run(TRANSFER, twice, {"repeated_cap": 0.2}).value == 0.2


def test_no_transfer_is_not_applicable():
    score = run(TRANSFER, talk(("customer", "Hi"), ("agent", "Hello, how can I help?")))
    assert score.na and "not transferred" in score.explanation


def test_a_chat_transferred_to_the_agent_is_not_their_transfer():
    incoming = talk(
        ("system", "Chat transferred from Sales queue"),
        ("agent", "Hi, Marcus here, how can I help?"),
        ("customer", "I want to cancel."),
    )
    assert run(TRANSFER, incoming).na
