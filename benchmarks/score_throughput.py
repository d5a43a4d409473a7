"""Benchmark: score N generated chats with the rule detectors; print conversations per second and
peak memory at checkpoints (memory should stay flat as N grows).

    .venv/bin/python benchmarks/score_throughput.py [--n 2000] [--seed 7] [--workers 2]

`--workers 2` also scores with one process per core (the way a bulk re-score uses both cores)
and prints that rate beside the single-process one.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time

from trainer.conversation import Conversation, Turn
from trainer.nlp.pipeline import load_nlp, pipeline_name
from trainer.scoring.engine import score_conversation
from trainer.scoring.rubric import find_rubric

GREETINGS = [
    "Hi, thanks for contacting Northwind, this is {agent}.",
    "Hello, how can I help?",
    "Good morning, you're chatting with {agent} at Acme.",
    "yeah?",
]
PROBLEMS = [
    "I was charged twice for my order and I'm really frustrated.",
    "My parcel hasn't arrived and it's been two weeks.",
    "The app keeps crashing when I log in.",
    "I want to cancel my subscription, this is the third time I've asked.",
    "My internet is down again, this is ridiculous.",
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
]
CUSTOMER = [
    "Okay.",
    "Perfect, thank you so much!",
    "So it's still not fixed?",
    "That didn't help.",
    "dana@example.com, order 3348917502",
    "Great, thanks.",
]
CLOSINGS = ["Is there anything else I can help with? Have a great day!", "Bye.", "Take care."]


def generate(rng: random.Random, index: int) -> Conversation:
    """One synthetic chat of 8-16 turns mixing good and poor handling."""
    agent, customer = rng.choice(["Sam Lee", "Priya Shah", "Leo Fischer"]), "Dana Ruiz"
    turns = [
        Turn("agent", rng.choice(GREETINGS).format(agent=agent.split()[0])),
        Turn("customer", rng.choice(PROBLEMS)),
    ]
    for _ in range(rng.randint(3, 7)):
        reply = rng.choice(REPLIES).format(customer="Dana", number=rng.randint(10000, 99999))
        turns += [Turn("agent", reply), Turn("customer", rng.choice(CUSTOMER))]
    turns.append(Turn("agent", rng.choice(CLOSINGS)))
    return Conversation(f"bench-{index}", turns, agent=agent, customer=customer)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _score_slice(args: tuple[int, int, int]) -> int:
    """Worker: generate and score conversations start..stop of the seeded stream."""
    seed, start, stop = args
    rubric = find_rubric("customer_service")
    nlp = load_nlp()
    rng = random.Random(seed)
    conversations = [generate(rng, i) for i in range(stop)][start:]
    for conversation in conversations:
        score_conversation(conversation, rubric, nlp)
    return len(conversations)


def parallel_rate(n: int, seed: int, workers: int) -> float:
    """Conversations per second scoring with `workers` processes (pipelines loaded up front)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_score_slice, [(seed, 0, 1)] * workers))  # load models in every worker
        bounds = [n * w // workers for w in range(workers + 1)]
        started = time.perf_counter()
        slices = [(seed, a, b) for a, b in zip(bounds, bounds[1:], strict=False)]
        done = sum(pool.map(_score_slice, slices))
        return done / (time.perf_counter() - started)


def main() -> None:
    """Run the benchmark and print its figures (text, then one JSON line)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    rubric = find_rubric("customer_service")
    nlp = load_nlp()
    score_conversation(generate(random.Random(0), -1), rubric, nlp)  # warm caches and matchers
    rng = random.Random(args.seed)
    checkpoints = {max(1, args.n // 4), max(1, args.n // 2), args.n}
    memory, turns = [], 0
    started = time.perf_counter()
    for i in range(1, args.n + 1):
        conversation = generate(rng, i)
        turns += len(conversation.turns)
        score_conversation(conversation, rubric, nlp)
        if i in checkpoints:
            memory.append((i, round(peak_rss_mb(), 1)))
    elapsed = time.perf_counter() - started
    rate = args.n / elapsed
    print(f"pipeline            {pipeline_name(nlp)}")
    print(f"conversations       {args.n} ({turns} turns)")
    print(f"elapsed             {elapsed:.2f} s")
    print(f"conversations/s     {rate:.0f}")
    print(f"turns/s             {turns / elapsed:.0f}")
    print("peak RSS (MiB)      " + ", ".join(f"{n}: {mb}" for n, mb in memory))
    summary = {
        "n": args.n,
        "conversations_per_second": round(rate, 1),
        "peak_rss_mb": memory,
        "elapsed_s": round(elapsed, 2),
    }
    if args.workers > 1:
        parallel = parallel_rate(args.n, args.seed, args.workers)
        summary["parallel_conversations_per_second"] = round(parallel, 1)
        print(f"with {args.workers} processes   {parallel:.0f} conversations/s")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
