"""The scenario schema (pydantic): persona, facts, what counts as resolved, scoring, lines.

A scenario is data in `scenarios/*.yaml`; `trainer.roleplay.loader` validates it with these models
and names the file and the path inside it when something is wrong.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from trainer.scoring.detectors.roleplay import Check
from trainer.scoring.rubric import Criterion

T = TypeVar("T")
ID_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"
#: The skills role-plays train; each is a rubric section id, so progress reads section scores.
Skill = Literal[
    "empathy", "clarity", "resolution", "follow_up", "conflict_resolution", "call_handling"
]
Temperament = Literal["calm", "anxious", "impatient", "frustrated", "angry", "confused", "hostile"]
Pronoun = Literal["she", "he", "they"]
#: Placeholders every line may use, besides the scenario's fact ids.
LINE_FIELDS = {"detail", "first_name", "name", "value"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LineVariant(_Strict):
    """A line the customer says only within a mood range (0 calm .. 10 about to leave)."""

    text: str = Field(min_length=1)
    min_mood: int = Field(default=0, ge=0, le=10)
    max_mood: int = Field(default=10, ge=0, le=10)

    def fits(self, mood: int) -> bool:
        """True when the customer's mood is inside this line's range."""
        return self.min_mood <= mood <= self.max_mood


Line = str | LineVariant
LineSet = list[Line]


def line_text(line: Line) -> str:
    """The text of a plain or mood-ranged line."""
    return line if isinstance(line, str) else line.text


def placeholders(text: str) -> set[str]:
    """The `{names}` a line template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Persona(_Strict):
    """Who the customer is and how easily they get upset."""

    name: str = Field(min_length=1)
    pronoun: Pronoun = "they"
    temperament: Temperament
    mood: int = Field(ge=0, le=10, description="starting mood: 0 calm .. 10 leaves")
    patience: int = Field(default=2, ge=0, le=10, description="unhelpful replies tolerated")
    leaves_at: int = Field(default=10, ge=1, le=10)
    description: str = ""

    @model_validator(mode="after")
    def _starts_below_leaving(self) -> Persona:
        if self.mood >= self.leaves_at:
            raise ValueError(f"starting mood {self.mood} must be below leaves_at {self.leaves_at}")
        return self

    @property
    def first_name(self) -> str:
        """`Dana` for `Dana Ruiz`."""
        return self.name.split()[0]


class Fact(_Strict):
    """Something the customer knows and says when asked properly (a request naming it)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    value: str = Field(min_length=1)
    ask: Check
    answer: LineSet = Field(min_length=1)
    volunteered: bool = False
    max_mood: int = Field(default=10, ge=0, le=10, description="too upset to share above this")


class Requirement(_Strict):
    """One thing the trainee must do for the issue to count as resolved."""

    id: str = Field(pattern=ID_PATTERN)
    description: str = Field(min_length=1)
    said: list[Check] = Field(default_factory=list)
    facts: list[str | list[str]] = Field(default_factory=list)
    after: list[str] = Field(default_factory=list)
    section: str = Field(default="resolution", pattern=ID_PATTERN)
    weight: float = Field(default=1.0, gt=0)
    scored: bool = True
    title: str | None = None
    better_reply: str = Field(min_length=1)
    nudge: LineSet = Field(default_factory=list)
    done: LineSet = Field(default_factory=list)

    @field_validator("facts")
    @classmethod
    def _no_empty_group(cls, facts: list[str | list[str]]) -> list[str | list[str]]:
        # A list inside is a group of alternatives, one of which must be revealed.
        for group in facts:
            if isinstance(group, list) and not group:
                raise ValueError(
                    "an empty group of facts: a group lists at least 1 item, one of which the "
                    "trainee must find out"
                )
        return facts

    @model_validator(mode="after")
    def _said_or_facts(self) -> Requirement:
        if bool(self.said) == bool(self.facts):
            raise ValueError("a requirement needs exactly one of 'said' or 'facts'")
        return self

    def fact_groups(self) -> list[list[str]]:
        """Each group of alternative fact ids, one of which must be revealed."""
        return [[group] if isinstance(group, str) else list(group) for group in self.facts]


class Resolution(_Strict):
    """What counts as resolved: every requirement met, and the customer calm enough."""

    requirements: list[Requirement] = Field(min_length=1)
    max_mood: int | None = Field(default=None, ge=0, le=10)


class ScenarioCriterion(Criterion):
    """A scenario-specific rubric criterion, placed in a section, with a better-reply example."""

    section: str = Field(pattern=ID_PATTERN)
    better_reply: str = Field(min_length=1)


class SectionSpec(_Strict):
    """Title and weight of a section the scenario adds to the rubric."""

    title: str = Field(min_length=1)
    weight: float = Field(default=2.0, gt=0)


class Scoring(_Strict):
    """The rubric to score with, what to drop from it and add to it, and the pass mark."""

    rubric: str = "customer_service"
    pass_mark: float = Field(ge=0, le=100)
    drop: list[str] = Field(default_factory=list)
    criteria: list[ScenarioCriterion] = Field(default_factory=list)
    sections: dict[str, SectionSpec] = Field(default_factory=dict)
    better_replies: dict[str, str] = Field(default_factory=dict)


class ReactionOverride(_Strict):
    """A scenario's tuning of one reaction rule: mood change, how often, what the customer says."""

    mood: int | None = Field(default=None, ge=-5, le=5)
    max_times: int | None = Field(default=None, ge=1)
    lines: LineSet = Field(default_factory=list)


class Trigger(_Strict):
    """A scenario-specific reaction: when the reply says this, the mood moves and they answer."""

    id: str = Field(pattern=ID_PATTERN)
    when: Check
    mood: int = Field(ge=-5, le=5)
    max_times: int | None = Field(default=None, ge=1)
    lines: LineSet = Field(default_factory=list)
    feedback: str = Field(min_length=1, description="what the trainee did, for feedback")
    better_reply: str = Field(min_length=1)


class Lines(_Strict):
    """What the customer says at the fixed moments of an attempt."""

    opening: LineSet = Field(min_length=1)
    satisfied: LineSet = Field(min_length=1)
    wrap_up: LineSet = Field(default_factory=list)
    farewell: LineSet = Field(default_factory=list)
    leaving: LineSet = Field(min_length=1)
    turn_limit: LineSet = Field(default_factory=list)
    stalled: LineSet = Field(default_factory=list)
    calmed: LineSet = Field(default_factory=list)
    refuse_fact: LineSet = Field(default_factory=list)
    not_calm_yet: LineSet = Field(default_factory=list)


class Scenario(_Strict):
    """A role-play scenario: who calls, about what, what resolves it, how it is scored."""

    id: str = Field(pattern=ID_PATTERN)
    version: int = Field(default=1, ge=1)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1, description="the brief the trainee reads first")
    difficulty: Literal["easy", "medium", "hard"]
    skills: list[Skill] = Field(min_length=1)
    persona: Persona
    situation: str = Field(min_length=1, description="what really happened (for authors, LLMs)")
    policy: str = ""
    facts: list[Fact] = Field(default_factory=list)
    goal: str = Field(min_length=1, description="what the customer wants")
    resolution: Resolution
    max_turns: int = Field(default=12, ge=2, le=40)
    scoring: Scoring
    reactions: dict[str, ReactionOverride] = Field(default_factory=dict)
    triggers: list[Trigger] = Field(default_factory=list)
    lines: Lines
    _source: str | None = PrivateAttr(default=None)
    _cache: dict = PrivateAttr(default_factory=dict)

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """A value derived from this (immutable) scenario, built once."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    @property
    def source(self) -> str:
        """The file this scenario was loaded from (or `<scenario>`)."""
        return self._source or f"<scenario {self.id}>"

    @field_validator("skills")
    @classmethod
    def _unique_skills(cls, skills: list[str]) -> list[str]:
        if len(set(skills)) != len(skills):
            raise ValueError("a skill is listed twice")
        return skills

    def fact(self, fact_id: str) -> Fact:
        """The fact with this id."""
        return next(f for f in self.facts if f.id == fact_id)

    @property
    def requirements(self) -> list[Requirement]:
        """The requirements, in the order the customer expects them."""
        return self.resolution.requirements

    def line_fields(self) -> dict[str, str]:
        """Values every line template may use: the persona's names and each fact's value."""
        return {
            "first_name": self.persona.first_name,
            "name": self.persona.name,
            **{f.id: f.value for f in self.facts},
        }
