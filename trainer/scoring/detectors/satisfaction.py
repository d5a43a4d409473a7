"""Satisfaction detectors: what customers call bad service that the QA rubric's rules miss. The
agent refusing without offering another way, the customer having to ask again, and questions
left unanswered. Each gives its evidence; none is in the default rubric yet (a rubric names them
to use them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from trainer.scoring.context import ScoringContext
from trainer.scoring.helpers import plural, quote, spans_evidence
from trainer.scoring.registry import detector
from trainer.scoring.result import Score, not_applicable, scored, unscored


class RefusalParams(BaseModel):
    """How many agent turns after a refusal may still offer the alternative."""

    model_config = ConfigDict(extra="forbid")
    within_agent_turns: int = Field(default=1, ge=0)


@detector("satisfaction.refusal_alternative.v1", params=RefusalParams)
def refusal_alternative(ctx: ScoringContext, params: RefusalParams) -> Score:
    """When the agent cannot or will not do something, they offer another way."""
    refusals = sorted(
        ctx.find_all("cannot_resolve", "agent") + ctx.find_all("refusal", "agent"),
        key=lambda h: (h[0], h[1].start),
    )
    if not refusals:
        return not_applicable("the agent refused nothing")
    agent_turns = ctx.indices("agent")
    offers = ctx.find_all("alternative_offered", "agent")
    outcomes = []  # (the turn's first refusal, the alternative offered or None), in turn order
    for turn in sorted({i for i, _ in refusals}):
        position = agent_turns.index(turn)
        window = set(agent_turns[position : position + params.within_agent_turns + 1])
        refusal = next(h for h in refusals if h[0] == turn)
        # the same turn counts whichever comes first ("What I can do is..., but I can't...")
        offer = next((o for o in offers if o[0] in window), None)
        outcomes.append((refusal, offer))
    offered = [o for _, o in outcomes if o is not None]
    parts = [
        f"turn {r[0] + 1}: refused ({quote(r[1].text)}) "
        + (f"and offered {quote(o[1].sent.text)}" if o else "with no alternative")
        for r, o in outcomes
    ]
    evidence = spans_evidence(ctx, [r for r, _ in outcomes] + offered)
    return scored(len(offered) / len(outcomes), "; ".join(parts), evidence, refusals=len(outcomes))


class RepeatParams(BaseModel):
    """When a customer turn repeats an earlier one: at least `min_words` content words, of
    which `overlap` (a share) were in one earlier customer turn."""

    model_config = ConfigDict(extra="forbid")
    min_words: int = Field(default=4, ge=1)
    overlap: float = Field(default=0.6, gt=0, le=1, allow_inf_nan=False)


def _content_words(tokens) -> set[str]:
    """The lower-cased words of a doc or sentence that carry its content."""
    return {t.lower_ for t in tokens if t.is_alpha and not t.is_stop and len(t) > 2}


@detector("satisfaction.repeated_request.v1", params=RepeatParams)
def repeated_request(ctx: ScoringContext, params: RepeatParams) -> Score:
    """The customer never has to ask for the same thing twice."""
    customer = ctx.indices("customer")
    if not customer:
        return unscored("the customer said nothing")
    repeats: list[tuple[int, int | None, str]] = []  # (turn, earlier turn, why)
    words = {i: _content_words(ctx.docs[i]) for i in customer}
    for position, turn in enumerate(customer):
        marker = ctx.find(turn, "repeat_marker")
        if marker:
            repeats.append((turn, None, quote(marker[0].text)))
            continue
        mine = words[turn]
        if len(mine) < params.min_words:
            continue
        for earlier in customer[:position]:
            if len(mine & words[earlier]) / len(mine) >= params.overlap:
                repeats.append((turn, earlier, f"repeats turn {earlier + 1}"))
                break
    if not repeats:
        return scored(1.0, "the customer never had to ask again")
    evidence = [ctx.evidence(t) for t, _, _ in repeats]
    evidence += [ctx.evidence(e) for _, e, _ in repeats if e is not None]
    return scored(
        max(0.0, 1 - 0.5 * len(repeats)),
        f"the customer asked again {plural(len(repeats), 'time')}: "
        + "; ".join(f"turn {t + 1} ({why})" for t, _, why in repeats),
        evidence,
        repeats=len(repeats),
    )


class QuestionParams(BaseModel):
    """How many agent turns after a customer's question may hold the answer."""

    model_config = ConfigDict(extra="forbid")
    within_agent_turns: int = Field(default=2, ge=1)


# Words that open a direct answer even when it repeats none of the question's words.
_ANSWER_OPENERS = frozenset(
    {"yes", "yeah", "yep", "no", "nope", "sure", "certainly", "absolutely", "unfortunately",
     "correct", "exactly", "definitely", "of course"}
)  # fmt: skip


def _answers(ctx: ScoringContext, question: set[str], reply: int) -> bool:
    doc = ctx.docs[reply]
    words = [t.lower_ for t in doc[:3] if not t.is_punct]
    # whole words: "no" opens an answer, "now" and "noted" do not
    opens = bool(words) and (words[0] in _ANSWER_OPENERS or " ".join(words[:2]) in _ANSWER_OPENERS)
    return opens or bool(question & _content_words(doc))


@detector("satisfaction.unanswered_questions.v1", params=QuestionParams)
def unanswered_questions(ctx: ScoringContext, params: QuestionParams) -> Score:
    """Every question the customer asks gets an answer: one of the next agent turns takes up
    its words or opens as a direct answer ("yes", "unfortunately")."""
    agent = ctx.indices("agent")
    asked, missed = 0, []
    for turn in ctx.indices("customer"):
        for sentence in ctx.docs[turn].sents:
            if not sentence.text.rstrip().endswith("?"):
                continue
            asked += 1
            words = _content_words(sentence)
            replies = [i for i in agent if i > turn][: params.within_agent_turns]
            if not any(_answers(ctx, words, reply) for reply in replies):
                missed.append((turn, sentence))
    if not asked:
        return not_applicable("the customer asked no question")
    if not missed:
        return scored(1.0, f"every customer question answered ({plural(asked, 'question')})")
    return scored(
        1 - len(missed) / asked,
        f"{len(missed)} of {plural(asked, 'question')} left unanswered: "
        + "; ".join(f"turn {t + 1} {quote(s.text)}" for t, s in missed),
        spans_evidence(ctx, missed),
        asked=asked,
        unanswered=len(missed),
    )
