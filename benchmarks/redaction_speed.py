"""Benchmark: redact N generated 15-turn conversations (chat and call style, with and without
personal data); print the one-off engine build time, turns per second and milliseconds per
conversation.

    .venv/bin/python benchmarks/redaction_speed.py [--n 200] [--turns 15] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import time

from trainer.conversation import Conversation, Turn
from trainer.privacy import Redactor, redact_conversation
from trainer.privacy.engine import get_analyzer, model_name

AGENT = [
    "Hi, thanks for calling Northwind, this is Sam. How can I help today?",
    "I'm sorry you've had to deal with this. Can I take your date of birth?",
    "Can you read me the long number on the front of the card?",
    "And the three digit security code on the back?",
    "What's the best number to reach you on?",
    "I've refunded the duplicate charge and you'll see it within 3-5 business days.",
    "Your case number is CS-48213.",
    "Can you confirm the email on the account and the order number?",
    "Here's what happens next: you'll get an email confirmation today. Does that make sense?",
    "To recap: the refund of $94.00 is issued and the case is open.",
    "Is there anything else I can help with? Have a great day!",
]
CUSTOMER = [
    "I was charged twice for my order and I'm really frustrated.",
    "Sure, it's the third of March nineteen fifty one.",
    "Four one one one, one one one one, one one one one, one one one one.",
    "It's 4111, 111, 111 and then, um, 1111.",
    "One two three.",
    "Call me on five five five, zero one four eight.",
    "dana at example dot com, order 3348917502",
    "I live at 14 Birch Road, Leeds LS6 2AB.",
    "My social is 123-45-6789.",
    "Okay.",
    "Perfect, thank you so much!",
    "So it's still not fixed? It's been two weeks.",
]


def generate(rng: random.Random, index: int, turns: int) -> Conversation:
    """One conversation alternating agent and customer lines."""
    lines = [
        Turn("agent" if i % 2 == 0 else "customer", rng.choice(AGENT if i % 2 == 0 else CUSTOMER))
        for i in range(turns)
    ]
    return Conversation(external_id=f"bench-{index}", turns=lines, channel="call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="conversations to redact")
    parser.add_argument("--turns", type=int, default=15, help="turns per conversation")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    get_analyzer()
    build_s = time.perf_counter() - started
    redactor = Redactor()
    rng = random.Random(args.seed)
    conversations = [generate(rng, i, args.turns) for i in range(args.n)]
    redact_conversation(conversations[0], redactor)  # warm caches outside the timing

    started = time.perf_counter()
    spans = 0
    for conversation in conversations:
        _, per_turn = redact_conversation(conversation, redactor)
        spans += sum(len(t.spans) for t in per_turn)
    elapsed = time.perf_counter() - started
    turns = args.n * args.turns
    print(f"pipeline: {model_name()}; engine built once in {build_s:.2f}s")
    print(f"kinds: {', '.join(sorted(redactor.kinds))}")
    print(
        f"{args.n} conversations x {args.turns} turns: {turns / elapsed:,.0f} turns/s, "
        f"{1000 * elapsed / args.n:.1f} ms per conversation, {spans} spans redacted"
    )


if __name__ == "__main__":
    main()
