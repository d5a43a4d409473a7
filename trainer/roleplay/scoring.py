"""The rubric an attempt is scored with: the scenario's base rubric, minus what it drops, plus a
criterion per scored requirement and the scenario's own criteria.

The result is an ordinary Rubric (validated by the same loader), stored like any other, with a slug
naming both parts: `customer_service-v1-double-charge` at the scenario's version.
"""

from __future__ import annotations

from trainer.errors import RubricError, ScenarioError
from trainer.roleplay.schema import Requirement, Scenario
from trainer.scoring.detectors.roleplay import Check
from trainer.scoring.rubric import Rubric, find_rubric, parse_rubric

#: Titles of sections a scenario may add without describing them.
SECTION_TITLES = {
    "conflict_resolution": "Conflict resolution",
    "scenario": "Scenario goals",
}


def requirement_params(scenario: Scenario, requirement: Requirement) -> dict:
    """`roleplay.said.v1` params that check a requirement the way the customer does."""
    if requirement.said:
        checks = [c.model_dump(exclude_defaults=True) for c in requirement.said]
        return {"all": checks, "what": requirement.description}
    groups = []
    for group in requirement.fact_groups():
        merged: Check = scenario.fact(group[0]).ask
        for other in group[1:]:
            merged = merged.merged(scenario.fact(other).ask)
        groups.append(merged.model_dump(exclude_defaults=True))
    return {"all": groups, "same_turn": False, "asked": True, "what": requirement.description}


def _requirement_criterion(scenario: Scenario, requirement: Requirement) -> dict:
    title = requirement.title or requirement.description[:1].upper() + requirement.description[1:]
    return {
        "id": requirement.id,
        "title": title,
        "guidance": f"Scenario {scenario.id}: the trainee {requirement.description}.",
        "weight": requirement.weight,
        "detector": {
            "name": "roleplay.said.v1",
            "params": requirement_params(scenario, requirement),
        },
    }


def build_rubric(scenario: Scenario) -> Rubric:
    """The effective rubric for a scenario (ScenarioError naming the scenario file if invalid)."""
    return scenario.cached("rubric", lambda: _build(scenario, scenario.source))


def _build(scenario: Scenario, source: str) -> Rubric:
    try:
        base = find_rubric(scenario.scoring.rubric)
    except RubricError as exc:
        raise ScenarioError(
            exc.message, where=f"{source}: scoring.rubric", fix="name a rubric in rubrics/"
        ) from None
    data = base.definition()
    known = {c["id"] for s in data["sections"] for c in s["criteria"]}
    for i, dropped in enumerate(scenario.scoring.drop):
        if dropped not in known:
            raise ScenarioError(
                f"{base.ref} has no criterion {dropped!r}",
                where=f"{source}: scoring.drop.{i}",
                fix=f"use one of: {', '.join(sorted(known))}",
            )
    sections: dict[str, dict] = {}
    for section in data["sections"]:
        section["criteria"] = [
            c for c in section["criteria"] if c["id"] not in scenario.scoring.drop
        ]
        sections[section["id"]] = section
    added = [
        (r.section, _requirement_criterion(scenario, r)) for r in scenario.requirements if r.scored
    ]
    added += [
        (c.section, c.model_dump(mode="json", exclude={"section", "better_reply"}))
        for c in scenario.scoring.criteria
    ]
    for section_id, criterion in added:
        if section_id not in sections:
            spec = scenario.scoring.sections.get(section_id)
            title = spec.title if spec else SECTION_TITLES.get(section_id, section_id.title())
            sections[section_id] = {
                "id": section_id,
                "title": title,
                "weight": spec.weight if spec else 2.0,
                "criteria": [],
            }
        sections[section_id]["criteria"].append(criterion)
    data.update(
        id=f"{base.id}-v{base.version}-{scenario.id}",
        version=scenario.version,
        title=f"{base.title}: {scenario.title}",
        pass_mark=scenario.scoring.pass_mark,
        sections=[s for s in sections.values() if s["criteria"]],
    )
    try:
        return parse_rubric(data, source=f"{source}: scoring")
    except RubricError as exc:
        raise ScenarioError(exc.message, where=exc.where, fix=exc.fix) from None


def better_reply_examples(scenario: Scenario) -> dict[str, str]:
    """Better-reply examples the scenario gives, by criterion id."""
    examples = {r.id: r.better_reply for r in scenario.requirements}
    examples.update({c.id: c.better_reply for c in scenario.scoring.criteria})
    examples.update(scenario.scoring.better_replies)
    return examples
