"""Speed work on the scoring engine must not change one score: every result (value, status,
explanation, evidence, metadata), the formula's totals and the follow-up promises found are
compared with golden digests recorded before the engine was optimised.

Regenerate only when a change to scores is intended (a new detector version, a new pattern):
    .venv/bin/python tests/unit/test_engine_equivalence.py --write
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if __name__ == "__main__":  # run as a script to write the golden file
    sys.path.insert(0, str(ROOT))

from trainer.analytics.promises import find_promises  # noqa: E402
from trainer.conversation import Conversation, Turn  # noqa: E402
from trainer.ingest import read_file  # noqa: E402
from trainer.nlp.pipeline import load_nlp  # noqa: E402
from trainer.scoring.context import ScoringContext  # noqa: E402
from trainer.scoring.engine import score_conversation  # noqa: E402
from trainer.scoring.registry import registry  # noqa: E402
from trainer.scoring.rubric import find_rubric  # noqa: E402

GOLDEN = ROOT / "tests" / "fixtures" / "engine_golden.json"
HOLDOUT = ROOT / "tests" / "fixtures" / "holdout_chats"
GENERATED = 300  # the golden file holds this many; the test scores the first CHECKED
CHECKED = 120  # enough for every generated shape, and the test stays a few seconds

GREETINGS = [
    "Hi, thanks for contacting Northwind, this is {agent}.",
    "Hello, how can I help?",
    "Good morning, you're chatting with {agent} at Acme.",
    "yeah?",
    "Thank you for calling, my name is {agent}, may I have your name please?",
]
PROBLEMS = [
    "I was charged twice for my order and I'm really frustrated.",
    "My parcel hasn't arrived and it's been two weeks.",
    "The app keeps crashing when I log in.",
    "I want to cancel my subscription, this is the third time I've asked.",
    "My internet is down again, this is ridiculous.",
    "Hi, my name is Dana and I'm worried, my card was declined and I can't pay rent.",
]
REPLIES = [
    "I'm sorry you've had to deal with this, {customer}. That sounds really frustrating.",
    "Can you confirm the email on the account and the order number?",
    "Calm down, that's not my department.",
    "Basically, um, the ACH batch is pending, you know.",
    "I've refunded the duplicate charge and you'll see it within 3-5 business days.",
    "I'll transfer you to billing.",
    "Your case number is CS-{number}.",
    "Here's what happens next: you'll get an email confirmation today. Does that make sense?",
    "You'll need to call back later.",
    "To recap: the refund is issued and the case is open.",
    "I'll call you back by Friday with an update.",
    "We will email you within 24 hours once the engineer has checked the line.",
    "Let me put you on a brief hold while I check that. Thanks for holding.",
    "I understand how stressful that must be. What would help most right now?",
    "It sounds like you feel let down, and that makes sense after two weeks of waiting.",
    "Per policy the SLA for RMA escalations is 72h, you have to wait.",
    "I'll get back to you tomorrow by 5pm, I promise.",
    "Unfortunately there's nothing I can do. It's your fault for not reading the terms.",
]
CUSTOMER = [
    "Okay.",
    "Perfect, thank you so much!",
    "So it's still not fixed?",
    "That didn't help.",
    "dana@example.com, order 3348917502",
    "Great, thanks.",
    "I'm really upset, this is the worst service I've ever had.",
    "Wait, what do you mean?",
]
CLOSINGS = [
    "Is there anything else I can help with? Have a great day!",
    "Bye.",
    "Take care.",
    "Thanks for your patience, Dana. Goodbye.",
]


def generate(rng: random.Random, index: int) -> Conversation:
    """One synthetic conversation of 6-18 turns; every fifth one a call with timings."""
    agent = rng.choice(["Sam Lee", "Priya Shah", "Leo Fischer"])
    turns = [
        Turn("agent", rng.choice(GREETINGS).format(agent=agent.split()[0])),
        Turn("customer", rng.choice(PROBLEMS)),
    ]
    for _ in range(rng.randint(2, 8)):
        reply = rng.choice(REPLIES).format(customer="Dana", number=rng.randint(10000, 99999))
        if rng.random() < 0.3:
            reply += " " + rng.choice(REPLIES).format(customer="Dana", number=rng.randint(1, 9))
        turns += [Turn("agent", reply), Turn("customer", rng.choice(CUSTOMER))]
    turns.append(Turn("agent", rng.choice(CLOSINGS)))
    customer = rng.choice(["Dana Ruiz", None, "Customer"])
    if index % 5:
        return Conversation(f"gen-{index}", turns, agent=agent, customer=customer)
    clock, timed = 0.0, []
    for turn in turns:
        clock += rng.choice([0.3, 1.0, 2.5, 12.0])
        length = len(turn.text.split()) / rng.choice([2.0, 2.5, 3.2])
        timed.append(Turn(turn.speaker, turn.text, round(clock, 2), round(clock + length, 2)))
        clock += length
    return Conversation(f"gen-{index}", timed, channel="call", agent=agent, customer=customer)


def conversations(generated: int = GENERATED) -> list[Conversation]:
    """The holdout chats, then the first `generated` generated ones (a fixed seed)."""
    found = []
    for path in sorted(HOLDOUT.glob("*.json")):
        found.extend(read_file(path).conversations)
    rng = random.Random(20261202)
    found.extend(generate(rng, i) for i in range(generated))
    return found


def _plain(value: object) -> object:
    """JSON-ready form of results (dataclasses, tuples, floats) that keeps every detail."""
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    return value


def snapshot(conversation: Conversation) -> dict:
    """Everything scoring says about one conversation: the rubric's evaluation, every registered
    detector run with its default parameters, and the follow-up promises found."""
    nlp = load_nlp()
    rubric = find_rubric("customer_service")
    result = score_conversation(conversation, rubric, nlp)
    ctx = ScoringContext(conversation, nlp)
    detectors = {}
    for spec in registry:
        try:
            detectors[spec.name] = _plain(spec(ctx, {}))
        except Exception as exc:  # noqa: BLE001 - a detector that needs params: record that
            detectors[spec.name] = f"error: {type(exc).__name__}"
    promises = _plain(find_promises(conversation, ScoringContext(conversation, nlp)))
    return {"evaluation": _plain(result), "detectors": detectors, "promises": promises}


def digest(conversation: Conversation) -> dict:
    """The evaluation score and a digest of the whole snapshot."""
    snap = snapshot(conversation)
    text = json.dumps(snap, sort_keys=True, ensure_ascii=True)
    return {
        "score": snap["evaluation"]["formula"]["score"],
        "sha256": hashlib.sha256(text.encode()).hexdigest()[:24],
    }


def test_engine_equivalence_every_result_matches_the_golden_digests() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    items = conversations(CHECKED)
    assert len(items) >= CHECKED + 12
    assert all(c.external_id in golden for c in items)
    differ = []
    for conversation in items:
        got, want = digest(conversation), golden[conversation.external_id]
        if got != want:
            differ.append(f"{conversation.external_id}: {got} != {want}")
    assert not differ, f"{len(differ)} conversations score differently:\n" + "\n".join(differ[:10])


def test_engine_equivalence_golden_covers_varied_results() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    # A golden file of identical digests would prove nothing about the detectors.
    assert len({g["sha256"] for g in golden.values()}) > 0.9 * len(golden)
    assert len({g["score"] for g in golden.values()}) > 20


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit(__doc__)
    data = {c.external_id: digest(c) for c in conversations()}
    GOLDEN.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(data)} digests to {GOLDEN}")
