"""redact_conversation: a redacted copy of the conversation plus per-turn spans."""

from __future__ import annotations

import pytest

from trainer.conversation import Conversation, Turn
from trainer.privacy import ENV_KINDS, Redactor, TurnRedaction, redact_conversation


@pytest.fixture(autouse=True)
def _default_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_KINDS, raising=False)


def call() -> Conversation:
    return Conversation(
        external_id="call-9",
        channel="call",
        agent="Sam Lee",
        customer="Dana Ruiz",
        metadata={"queue": "billing"},
        turns=[
            Turn(
                "agent", "Thanks for calling, this is Sam. Can I take your date of birth?", 0.0, 3.1
            ),
            Turn("customer", "Sure, third of March nineteen fifty one.", 3.4, 6.0),
            Turn(
                "agent", "Thanks. Can you read me the long number on the front of the card?", 6.2, 9
            ),
            Turn("customer", "Four one one one, 1111, 111, um, 111.", 9.5, 15.0),
            Turn("agent", "And the security code on the back?", 15.2, 17.0),
            Turn("customer", "Seven four two.", 17.3, 18.4),
            Turn(
                "agent", "I've refunded the $94.00, you'll see it in 3-5 business days.", 18.6, 22
            ),
            Turn(
                "customer", "Great. My email is dana at example dot com if you need it.", 22.2, 26
            ),
        ],
    )


def test_turns_are_redacted_and_the_rest_is_kept():
    original = call()
    clean, per_turn = redact_conversation(original)
    assert [t.text for t in clean.turns] == [
        "Thanks for calling, this is Sam. Can I take your date of birth?",
        "Sure, [DOB].",
        "Thanks. Can you read me the long number on the front of the card?",
        "[CARD].",
        "And the security code on the back?",
        "[CVV].",
        "I've refunded the $94.00, you'll see it in 3-5 business days.",
        "Great. My email is [EMAIL] if you need it.",
    ]
    assert [(t.speaker, t.start, t.end) for t in clean.turns] == [
        (t.speaker, t.start, t.end) for t in original.turns
    ]
    assert (clean.external_id, clean.channel, clean.agent) == ("call-9", "call", "Sam Lee")
    assert clean.metadata["queue"] == "billing"
    assert clean.metadata["redacted_kinds"] == sorted(Redactor().kinds)
    # the input is untouched
    assert original.turns[3].text == "Four one one one, 1111, 111, um, 111."
    assert "redacted_kinds" not in original.metadata
    assert clean.content_hash() != original.content_hash()


def test_per_turn_spans_point_into_each_original_turn():
    original = call()
    _, per_turn = redact_conversation(original)
    assert [t.turn for t in per_turn] == list(range(len(original.turns)))
    assert all(isinstance(t, TurnRedaction) for t in per_turn)
    found = {
        t.turn: [(original.turns[t.turn].text[s:e], k) for s, e, k in t.spans] for t in per_turn
    }
    assert found[1] == [("third of March nineteen fifty one", "dob")]
    assert found[3] == [("Four one one one, 1111, 111, um, 111", "card")]
    assert found[5] == [("Seven four two", "cvv")]
    assert found[7] == [("dana at example dot com", "email")]
    assert found[0] == found[2] == found[4] == found[6] == []


def test_kinds_choose_what_is_redacted():
    clean, per_turn = redact_conversation(call(), Redactor({"card"}))
    assert clean.turns[3].text == "[CARD]."
    assert clean.turns[7].text.endswith("dana at example dot com if you need it.")
    assert clean.turns[1].text == "Sure, third of March nineteen fifty one."
    assert {k for t in per_turn for *_, k in t.spans} == {"card"}


def test_redacting_the_redacted_conversation_changes_nothing():
    clean, _ = redact_conversation(call())
    again, per_turn = redact_conversation(clean)
    assert [t.text for t in again.turns] == [t.text for t in clean.turns]
    assert all(t.spans == [] for t in per_turn)


def test_empty_conversation():
    clean, per_turn = redact_conversation(Conversation("empty", []))
    assert clean.turns == [] and per_turn == []
