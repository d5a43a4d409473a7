"""Satisfaction detectors: what customers call bad service that the QA rubric's rules miss. The
agent refusing without offering another way, the customer having to ask again, questions left
unanswered, and the customer leaving in a worse mood than they came. Each gives its evidence;
none is in the default rubric yet (a rubric names them to use them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from trainer.nlp.sentiment import compound
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


class SentimentShiftParams(BaseModel):
    """How the customer's mood makes the score: neutral + shift_weight * (end - start) +
    end_weight * end + mean_weight * mean, clipped to 0-1, where sentiment runs -1 to +1, start
    and end are the means over the first and last `window` customer turns, and mean is over all
    of them. Defaults chosen on the tune half of USS-SGD: the customer's mood throughout and at
    the end tracks their satisfaction better than the change alone."""

    model_config = ConfigDict(extra="forbid")
    window: int = Field(default=2, ge=1)
    neutral: float = Field(default=0.5, ge=0, le=1, allow_inf_nan=False)  # a neutral customer
    shift_weight: float = Field(default=0.1, ge=0, le=1, allow_inf_nan=False)
    end_weight: float = Field(default=0.2, ge=0, le=1, allow_inf_nan=False)
    mean_weight: float = Field(default=0.5, ge=0, le=1, allow_inf_nan=False)


@detector("satisfaction.sentiment_shift.v1", params=SentimentShiftParams)
def sentiment_shift(ctx: ScoringContext, params: SentimentShiftParams) -> Score:
    """The customer ends in a good mood, better than they started (VADER sentiment of their
    first and last turns, and of all of them)."""
    customer = [i for i in ctx.indices("customer") if ctx.turns[i].text.strip()]
    if len(customer) < 2:
        return not_applicable("the customer spoke fewer than twice: no start and end to compare")
    window = min(params.window, len(customer) // 2)
    first, last = customer[:window], customer[-window:]
    mood = {i: compound(ctx.turns[i].text) for i in customer}
    start = sum(mood[i] for i in first) / window
    end = sum(mood[i] for i in last) / window
    mean = sum(mood.values()) / len(mood)
    value = (
        params.neutral
        + params.shift_weight * (end - start)
        + params.end_weight * end
        + params.mean_weight * mean
    )
    direction = "rose" if end > start + 0.05 else "fell" if end < start - 0.05 else "stayed"
    text = (
        f"the customer's sentiment {direction}: {start:+.2f} at the start "
        f"(turn {first[0] + 1}: {quote(ctx.turns[first[0]].text)}), {end:+.2f} at the end "
        f"(turn {last[-1] + 1}: {quote(ctx.turns[last[-1]].text)}); {mean:+.2f} on average"
    )
    evidence = [ctx.evidence(i) for i in (*first, *last)]
    return scored(
        min(1.0, max(0.0, value)),
        text,
        evidence,
        start=round(start, 4),
        end=round(end, 4),
        shift=round(end - start, 4),
        mean=round(mean, 4),
    )
