"""Role-play detectors: scenario statements (roleplay.said.v1) and de-escalation."""

from trainer.scoring.context import ScoringContext
from trainer.scoring.registry import registry

from ..conftest import make_conversation

REFUND = {"phrases": ["refund", "refunded"]}
DONE = {"sets": ["resolution_stated"]}


def run(name: str, turns, params=None, **kwargs):
    ctx = ScoringContext(make_conversation(turns, **kwargs))
    return registry.get(name)(ctx, params or {})


def test_roleplay_detectors_said_needs_every_check_in_one_turn():
    turns = [
        ("customer", "Charged twice!"),
        ("agent", "I'll look at a refund."),
        ("agent", "Done."),
    ]
    score = run("roleplay.said.v1", turns, {"all": [REFUND, DONE], "what": "refunded it"})
    assert score.value == 0.0 and "closest: turn 2" in score.explanation
    turns.append(("agent", "I've refunded the duplicate charge."))
    score = run("roleplay.said.v1", turns, {"all": [REFUND, DONE], "what": "refunded it"})
    assert score.value == 1.0 and score.explanation == "turn 4: refunded it"
    assert {e.turn for e in score.evidence} == {3}


def test_roleplay_detectors_said_across_turns_gives_partial_credit():
    turns = [("agent", "Can I have your name?"), ("customer", "Dana Ruiz.")]
    params = {
        "all": [{"sets": ["rp_ask_name"]}, {"sets": ["rp_ask_order", "rp_ask_email"]}],
        "same_turn": False,
        "asked": True,
        "what": "verified her",
    }
    assert run("roleplay.said.v1", turns, params).value == 0.5
    turns.append(("agent", "And the email on the account, please?"))
    assert run("roleplay.said.v1", turns, params).value == 1.0


def test_roleplay_detectors_said_asked_only_counts_requests():
    params = {"all": [{"sets": ["rp_ask_order"]}], "asked": True}
    statement = [("agent", "Your order number is on the invoice.")]
    assert run("roleplay.said.v1", statement, params).value == 0.0
    question = [("agent", "What's the order number?")]
    assert run("roleplay.said.v1", question, params).value == 1.0


def test_roleplay_detectors_said_validates_params():
    spec = registry.get("roleplay.said.v1")
    for bad in ({"all": []}, {"all": [{}]}, {"all": [{"regex": ["("]}]}, {"all": [REFUND], "x": 1}):
        try:
            spec.validate_params(bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad}")


def _roleplay(mood, outcome="resolved"):
    turns = []
    for k in range(len(mood)):
        if k:
            turns.append(("agent", f"reply {k}"))
        turns.append(("customer", f"line {k}"))
    meta = {
        "roleplay": {
            "mood": mood,
            "mood_turns": [2 * k for k in range(len(mood))],
            "outcome": outcome,
        }
    }
    return turns, meta


def test_roleplay_detectors_de_escalation_reads_the_mood_curve():
    turns, meta = _roleplay([7, 4, 2])
    score = run("roleplay.de_escalation.v1", turns, metadata=meta)
    assert score.value == 1.0 and score.evidence[0].turn == 1  # the reply that calmed most
    turns, meta = _roleplay([7, 6, 5])
    assert run("roleplay.de_escalation.v1", turns, metadata=meta).value == 0.5
    turns, meta = _roleplay([7, 9, 10], outcome="customer_left")
    score = run("roleplay.de_escalation.v1", turns, metadata=meta)
    assert score.value == 0.0 and "left" in score.explanation


def test_roleplay_detectors_de_escalation_is_na_outside_role_plays():
    score = run("roleplay.de_escalation.v1", [("customer", "hi"), ("agent", "hello")])
    assert score.status == "na"
