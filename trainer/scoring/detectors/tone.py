"""Tone detectors: how politely the agent words what they say.

`tone.politeness.v1` counts politeness markers in each agent sentence, after the strategies of
Danescu-Niculescu-Mizil et al. (ACL 2013): gratitude, deference, greetings, apologies, please
inside a sentence, indirect and counterfactual ("could you") requests and hedges raise it;
sentences that open with "please", a challenging question ("Why did you ...?"), "so"/"but" or
"you", insistence ("actually", "as I said") and insults lower it. Each marker's weight is a
param. A turn's net is the sum of its markers' weights; the score is the logistic of the mean net
over the agent's turns, so 0.5 is a neutral agent and every marker moves it.

The weights are set by hand from the direction of each strategy's effect in that paper, then
checked on the tune half of the Stanford politeness corpus (`trainer eval politeness`); the
holdout half is for reporting only.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, field_validator
from spacy.tokens import Doc

from trainer.scoring.context import ScoringContext
from trainer.scoring.helpers import plural, quote, sentence_spans, spans_evidence
from trainer.scoring.registry import detector
from trainer.scoring.result import Score, not_applicable, scored

# Pattern sets of trainer/nlp/patterns/tone.yaml, by the marker name their weight goes under.
PATTERN_MARKERS = {
    "gratitude": "polite_gratitude",
    "deference": "polite_deference",
    "greeting": "polite_greeting",
    "apology": "polite_apology",
    "indirect": "polite_indirect",
    "counterfactual": "polite_counterfactual",
    "hedge": "polite_hedge",
    "indicative": "indicative_modal",
    "factuality": "impolite_factuality",
    "negative": "impolite_negative",
}
# "why ...?" reads as a challenge; "what"/"how" questions are mostly neutral requests for facts
CHALLENGE_WORDS = frozenset({"why", "who"})
DIRECT_OPENERS = frozenset({"so", "then", "and", "but", "or"})
SECOND_PERSON = frozenset({"you", "your", "u", "ur", "yours"})
FIRST_PERSON = frozenset({"i", "my", "me", "mine", "i'm", "i'd", "i've"})
DEFAULT_WEIGHTS: dict[str, float] = {
    "gratitude": 1.2,
    "deference": 1.0,
    "greeting": 0.5,
    "apology": 0.8,
    "indirect": 0.6,
    "counterfactual": 0.8,
    "hedge": 0.2,
    "indicative": 0.2,
    "please": 0.6,  # "please" inside a sentence
    "first_person_start": 0.2,
    "please_start": -0.3,  # a sentence that opens with "please": a softened order
    "direct_question": -0.7,  # a sentence opening with why or who that ends with "?"
    "direct_start": -0.5,  # a sentence opening with so/then/and/but/or
    "second_person_start": -0.4,  # a sentence opening with "you"
    "factuality": -0.6,
    "negative": -1.5,
}


class PolitenessParams(BaseModel):
    """Weights of the politeness markers (any left out keep their default)."""

    model_config = ConfigDict(extra="forbid")
    weights: dict[str, float] = Field(default_factory=dict)

    @field_validator("weights")
    @classmethod
    def _known_finite(cls, weights: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(weights) - set(DEFAULT_WEIGHTS))
        if unknown:
            raise ValueError(
                f"unknown marker {unknown[0]!r}; markers: {', '.join(sorted(DEFAULT_WEIGHTS))}"
            )
        bad = next((k for k, v in weights.items() if not math.isfinite(v)), None)
        if bad is not None:
            raise ValueError(f"the weight of {bad!r} must be a finite number")
        return weights


def _position_markers(doc: Doc) -> list[tuple[str, int, int]]:
    """(marker, first token, end) of the markers that depend on where words sit in a sentence."""
    found = []
    for start, end in sentence_spans(doc):
        words = [t for t in doc[start:end] if not (t.is_punct or t.is_space)]
        if not words:
            continue
        first = words[0].lower_
        ends_with_question = "?" in doc[end - 1].text
        if first == "please":
            found.append(("please_start", words[0].i, words[0].i + 1))
        elif first in CHALLENGE_WORDS and ends_with_question:
            found.append(("direct_question", words[0].i, words[0].i + 1))
        elif first in DIRECT_OPENERS:
            found.append(("direct_start", words[0].i, words[0].i + 1))
        elif first in SECOND_PERSON:
            found.append(("second_person_start", words[0].i, words[0].i + 1))
        elif first in FIRST_PERSON:
            found.append(("first_person_start", words[0].i, words[0].i + 1))
        found.extend(("please", t.i, t.i + 1) for t in words[1:] if t.lower_ == "please")
    return found


def turn_markers(ctx: ScoringContext, index: int) -> list[tuple[str, object]]:
    """(marker, spaCy span) of every politeness marker in turn `index`, in text order."""
    doc = ctx.docs[index]
    hits = [(marker, span) for marker, label in PATTERN_MARKERS.items()
            for span in ctx.find(index, label)]  # fmt: skip
    hits += [(marker, doc[start:end]) for marker, start, end in _position_markers(doc)]
    return sorted(hits, key=lambda h: (h[1].start, h[0]))


@detector("tone.politeness.v1", params=PolitenessParams)
def politeness(ctx: ScoringContext, params: PolitenessParams) -> Score:
    """The agent words requests and answers politely (thanks, could you, hedges; no insults)."""
    weights = {**DEFAULT_WEIGHTS, **params.weights}
    turns = [i for i in ctx.indices("agent") if ctx.turns[i].text.strip()]
    if not turns:
        return not_applicable("the agent said nothing")
    nets, polite, impolite, worst = [], [], [], []
    for index in turns:
        markers = turn_markers(ctx, index)
        nets.append(sum(weights[m] for m, _ in markers))
        for marker, span in markers:
            if weights[marker] > 0:
                polite.append((index, span))
            elif weights[marker] < 0:
                impolite.append((index, span))
                worst.append((weights[marker], index, span.start, span))
    mean_net = sum(nets) / len(nets)
    value = 1.0 / (1.0 + math.exp(-mean_net))
    parts = [f"{plural(len(polite), 'polite marker')}", f"{len(impolite)} impolite"]
    if worst:
        _, index, _, span = min(worst, key=lambda w: w[:3])  # the strongest, then the first
        parts.append(f"turn {index + 1}: {quote(span.text)}")
    elif polite:
        index, span = polite[0]
        parts.append(f"e.g. {quote(span.text)}")
    evidence = spans_evidence(ctx, impolite + polite[:3])
    return scored(
        value,
        "; ".join(parts),
        evidence,
        net=round(mean_net, 3),
        polite=len(polite),
        impolite=len(impolite),
    )
