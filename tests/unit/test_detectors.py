"""Each rule detector on small conversations: positive, negative, N/A, evidence."""

import pytest

from trainer.scoring.context import ScoringContext
from trainer.scoring.registry import registry

from ..conftest import GOOD_CHAT, POOR_CHAT, make_conversation


def run(name, turns, params=None, **conv):
    ctx = ScoringContext(make_conversation(turns, **conv))
    return registry.get(name)(ctx, params or {})


def quotes(score):
    return [e.quote for e in score.evidence]


def test_detectors_registry_lists_versioned_names():
    names = {spec.name for spec in registry}
    for family in ("empathy", "clarity", "resolution", "follow_up", "call_handling"):
        assert any(n.startswith(family + ".") for n in names)
    assert all(n.rsplit(".", 1)[1].startswith("v") for n in names)


def test_detectors_good_chat_scores_full_on_every_criterion():
    for name in [
        "empathy.acknowledgement.v1",
        "empathy.apology.v1",
        "empathy.no_dismissive_language.v1",
        "clarity.readability.v1",
        "clarity.jargon.v1",
        "clarity.filler_words.v1",
        "clarity.checks_understanding.v1",
        "clarity.next_steps.v1",
        "resolution.confirmed.v1",
        "resolution.no_deflection.v1",
        "resolution.ending.v1",
        "follow_up.commitment.v1",
        "follow_up.reference_number.v1",
        "follow_up.recap.v1",
        "follow_up.further_help.v1",
        "call_handling.greeting.v1",
        "call_handling.verification.v1",
        "call_handling.closing.v1",
    ]:
        score = run(name, GOOD_CHAT, customer="Dana Ruiz")
        assert score.value == 1.0, (name, score.explanation)


def test_detectors_acknowledgement_needs_the_reply_right_after_the_emotion():
    turns = [
        ("agent", "Sorry for the wait. How can I help?"),
        ("customer", "I'm furious, my parcel never arrived."),
        ("agent", "What is the order number?"),
        ("customer", "It's 12345."),
        ("agent", "I understand how frustrating that must be."),
    ]
    score = run("empathy.acknowledgement.v1", turns)
    assert score.value == 0.0
    assert "turn 2" in score.explanation and "furious" in score.explanation
    assert quotes(score) == ["furious"]
    wider = run("empathy.acknowledgement.v1", turns, {"within_turns": 2})
    assert wider.value == 1.0


def test_detectors_acknowledgement_counts_each_moment():
    turns = [
        ("customer", "This is ridiculous, it broke again."),
        ("agent", "I can see why you're upset. Let me look."),
        ("customer", "I'm so stressed, I need it for work."),
        ("agent", "Okay. Restart it."),
    ]
    score = run("empathy.acknowledgement.v1", turns)
    assert score.value == 0.5
    assert score.metadata["moments"] == 2


def test_detectors_acknowledgement_na_without_emotion():
    score = run(
        "empathy.acknowledgement.v1", [("customer", "What are your hours?"), ("agent", "9 to 5.")]
    )
    assert score.na and score.value is None


def test_detectors_apology_must_follow_the_problem():
    before_only = [
        ("agent", "Sorry, you are in a queue."),
        ("customer", "My order arrived damaged."),
        ("agent", "Send a photo."),
    ]
    assert run("empathy.apology.v1", before_only).value == 0.0
    after = before_only + [("agent", "My apologies for that.")]
    assert run("empathy.apology.v1", after).value == 1.0


def test_detectors_uses_name_from_metadata_or_self_introduction():
    turns = [
        ("customer", "Hi, my name is Priya and my card is blocked."),
        ("agent", "Thanks Priya."),
    ]
    assert run("empathy.uses_name.v1", turns).value == 1.0
    assert (
        run(
            "empathy.uses_name.v1", [("customer", "hi"), ("agent", "hello")], customer="Ann Lo"
        ).value
        == 0.0
    )
    assert run("empathy.uses_name.v1", [("customer", "hi"), ("agent", "hello")]).na


def test_detectors_dismissive_language_found_with_evidence():
    score = run("empathy.no_dismissive_language.v1", POOR_CHAT)
    assert score.value == 0.0
    assert {"Calm down", "not my department"} <= set(quotes(score))
    spans = {(e.turn, e.start, e.end) for e in score.evidence}
    assert (2, 0, 9) in spans


def test_detectors_readability_penalises_long_sentences():
    long = " ".join(["the provisioning configuration of the account subsystem"] * 8) + "."
    score = run("clarity.readability.v1", [("agent", long), ("customer", "what")])
    assert score.value < 0.5
    short = run("clarity.readability.v1", [("agent", "Your refund is done. It takes three days.")])
    assert short.value == 1.0


def test_detectors_jargon_unexplained_versus_explained():
    raw = run("clarity.jargon.v1", [("agent", "I raised an RMA and the ACH is pending.")])
    assert raw.value < 1.0 and {"RMA", "ACH"} <= set(raw.metadata["terms"])
    explained = run(
        "clarity.jargon.v1",
        [
            (
                "agent",
                "I raised an RMA, which means a return authorisation, so you can send it back.",
            )
        ],
    )
    assert explained.value == 1.0
    allowed = run("clarity.jargon.v1", [("agent", "Your RMA is ready.")], {"allowed": ["RMA"]})
    assert allowed.value == 1.0


def test_detectors_filler_words_rate():
    score = run("clarity.filler_words.v1", POOR_CHAT)
    assert score.value < 1.0
    assert {"Basically", "um", "you know"} <= set(quotes(score))


def test_detectors_resolution_stated_but_unconfirmed_is_half():
    turns = [
        ("customer", "Reset my password"),
        ("agent", "I've reset your password."),
        ("customer", "ok"),
    ]
    assert run("resolution.confirmed.v1", turns).value == 0.5
    assert run("resolution.confirmed.v1", POOR_CHAT).value == 0.0


def test_detectors_resolution_confirmation_undone_by_later_complaint():
    turns = [
        ("agent", "I've reset your password."),
        ("customer", "Great, thanks"),
        ("customer", "Wait, it's still not working."),
    ]
    assert run("resolution.confirmed.v1", turns).value == 0.5


def test_detectors_deflection_transfer_and_call_back():
    score = run("resolution.no_deflection.v1", POOR_CHAT)
    assert score.value == 0.0
    assert {"call back later", "I'll transfer"} <= set(quotes(score))


def test_detectors_escalation_ignored_when_resolved_unless_configured():
    turns = [
        ("agent", "My supervisor approved it: I've refunded the charge."),
        ("customer", "Perfect, thanks!"),
    ]
    assert run("resolution.no_deflection.v1", turns).value == 1.0
    strict = run("resolution.no_deflection.v1", turns, {"escalation_counts_when_resolved": True})
    assert strict.value == 0.0


def test_detectors_ending_open_settled_or_undecided():
    assert run("resolution.ending.v1", POOR_CHAT).value == 0.0
    assert run("resolution.ending.v1", GOOD_CHAT).value == 1.0
    undecided = run(
        "resolution.ending.v1", [("customer", "My bill is wrong."), ("agent", "Noted.")]
    )
    assert undecided.status == "unscored" and "reviewer" in undecided.explanation


def test_detectors_commitment_needs_a_time_frame_for_full_marks():
    framed = run(
        "follow_up.commitment.v1", [("agent", "I'll email you the label within 24 hours.")]
    )
    assert framed.value == 1.0
    vague = run(
        "follow_up.commitment.v1", [("agent", "Someone will get back to you at some point.")]
    )
    assert vague.value == 0.5
    none = run("follow_up.commitment.v1", [("agent", "Okay.")])
    assert none.value == 0.0


def test_detectors_reference_number_needs_an_actual_number():
    assert (
        run("follow_up.reference_number.v1", [("agent", "Your ticket number is T-99812.")]).value
        == 1.0
    )
    assert (
        run("follow_up.reference_number.v1", [("agent", "I'll make a ticket number.")]).value == 0.0
    )


def test_detectors_greeting_full_half_none():
    assert (
        run(
            "call_handling.greeting.v1", [("agent", "Hello, you're chatting with Omar at Zest.")]
        ).value
        == 1.0
    )
    assert run("call_handling.greeting.v1", [("agent", "Hello, how can I help?")]).value == 0.5
    assert run("call_handling.greeting.v1", [("agent", "What's the problem?")]).value == 0.0


def test_detectors_greeting_does_not_take_im_sorry_as_a_name():
    assert run("call_handling.greeting.v1", [("agent", "Hi, i'm sorry for the wait.")]).value == 0.5


def test_detectors_verification_only_when_account_data_is_touched():
    assert run(
        "call_handling.verification.v1",
        [("customer", "What time do you open?"), ("agent", "Nine.")],
    ).na
    unverified = run(
        "call_handling.verification.v1",
        [("customer", "Change my address please."), ("agent", "I've updated it.")],
    )
    assert unverified.value == 0.0
    late = run(
        "call_handling.verification.v1",
        [
            ("customer", "Refund my order."),
            ("agent", "I've refunded it."),
            ("agent", "Can you confirm your email for the record?"),
        ],
    )
    assert late.value == 0.5


def test_detectors_closing_in_the_last_turns():
    assert run("call_handling.closing.v1", GOOD_CHAT).value == 1.0
    assert run("call_handling.closing.v1", POOR_CHAT).value == 0.0


@pytest.mark.parametrize(
    "name",
    [
        "empathy.no_dismissive_language.v1",
        "clarity.jargon.v1",
        "clarity.readability.v1",
        "call_handling.greeting.v1",
    ],
)
def test_detectors_without_agent_turns_are_unscored_not_made_up(name):
    score = run(name, [("customer", "hello?")])
    assert score.status == "unscored" and score.value is None
