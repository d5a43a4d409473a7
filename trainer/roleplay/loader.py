"""Load and validate scenario YAML files; every error names the file and the path inside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from trainer.errors import ScenarioError
from trainer.ingest.shown import quoted
from trainer.nlp.patterns import load_patterns
from trainer.nlp.pipeline import load_nlp
from trainer.roleplay.reactions import RULES
from trainer.roleplay.schema import LINE_FIELDS, LineSet, Scenario, line_text, placeholders
from trainer.roleplay.scoring import build_rubric
from trainer.scoring.detectors.roleplay import Check
from trainer.validation import check_data, coded_validation_error, read_yaml_file

SCENARIOS_DIR = Path(__file__).resolve().parents[2] / "scenarios"

_FIXES = {
    "missing": "add this field",
    "extra_forbidden": "remove it or check its spelling",
    "string_pattern_mismatch": "use lower-case letters, digits, '-' and '_'",
    "literal_error": "use one of the allowed values",
    "too_short": "add at least one entry",
    "less_than_equal": "use a smaller number",
    "greater_than_equal": "use a larger number",
}


def parse_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate scenario data; ScenarioError naming the source, the path inside it and a fix."""
    if not isinstance(data, dict):
        raise ScenarioError(
            "a scenario must be a mapping with id, title, persona, resolution, scoring and lines",
            where=source,
            fix="start the file with 'id: my-scenario'",
        )
    check_data(data, source, ScenarioError)  # NaN or .inf weights would make every score NaN
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise coded_validation_error(exc, source, ScenarioError, _FIXES) from None
    scenario._source = source
    _check_references(scenario, source)
    build_rubric(scenario)
    return scenario


def _checks(scenario: Scenario) -> list[tuple[str, Check]]:
    found = [(f"facts.{i}.ask", fact.ask) for i, fact in enumerate(scenario.facts)]
    found += [(f"triggers.{i}.when", t.when) for i, t in enumerate(scenario.triggers)]
    for i, requirement in enumerate(scenario.requirements):
        found += [
            (f"resolution.requirements.{i}.said.{j}", check)
            for j, check in enumerate(requirement.said)
        ]
    return found


def _line_sets(scenario: Scenario) -> list[tuple[str, LineSet]]:
    found = [(f"lines.{name}", lines) for name, lines in scenario.lines]
    found += [(f"facts.{i}.answer", f.answer) for i, f in enumerate(scenario.facts)]
    for i, r in enumerate(scenario.requirements):
        found += [
            (f"resolution.requirements.{i}.nudge", r.nudge),
            (f"resolution.requirements.{i}.done", r.done),
        ]
    found += [(f"reactions.{name}.lines", o.lines) for name, o in scenario.reactions.items()]
    found += [(f"triggers.{i}.lines", t.lines) for i, t in enumerate(scenario.triggers)]
    return found


def _unique_ids(scenario: Scenario, source: str) -> None:
    for where, items in (
        ("facts", scenario.facts),
        ("resolution.requirements", scenario.requirements),
        ("triggers", scenario.triggers),
    ):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                raise ScenarioError(
                    f"id {item.id!r} is used twice", where=f"{source}: {where}.{i}.id"
                )
            seen.add(item.id)


def _check_requirements(scenario: Scenario, source: str) -> None:
    facts = {f.id for f in scenario.facts}
    earlier: list[str] = []
    for i, requirement in enumerate(scenario.requirements):
        where = f"{source}: resolution.requirements.{i}"
        for k, fact in enumerate(requirement.facts):
            for name in [fact] if isinstance(fact, str) else fact:
                if name not in facts:
                    raise ScenarioError(
                        f"unknown fact {name!r}",
                        where=f"{where}.facts.{k}",
                        fix=f"use one of: {', '.join(sorted(facts))}",
                    )
        for k, other in enumerate(requirement.after):
            if other not in earlier:
                raise ScenarioError(
                    f"'after' names {other!r}, which is not an earlier requirement",
                    where=f"{where}.after.{k}",
                    fix="list requirements in the order the customer expects them",
                )
        earlier.append(requirement.id)


def _check_references(scenario: Scenario, source: str) -> None:
    _unique_ids(scenario, source)
    _check_requirements(scenario, source)
    labels = load_patterns(load_nlp()).labels
    for where, check in _checks(scenario):
        for k, label in enumerate(check.sets):
            if label not in labels:
                raise ScenarioError(
                    f"unknown pattern set {quoted(label)}",
                    where=f"{source}: {where}.sets.{k}",
                    fix="use a set name from trainer/nlp/patterns/*.yaml",
                )
    for i, trigger in enumerate(scenario.triggers):
        if trigger.id in RULES:
            raise ScenarioError(
                f"trigger id {trigger.id!r} is the name of a built-in reaction rule",
                where=f"{source}: triggers.{i}.id",
                fix="tune built-in rules under 'reactions:' or pick another id",
            )
    for name in scenario.reactions:
        if name not in RULES:
            raise ScenarioError(
                f"unknown reaction rule {name!r}",
                where=f"{source}: reactions.{name}",
                fix=f"use one of: {', '.join(RULES)}",
            )
    allowed = LINE_FIELDS | {f.id for f in scenario.facts}
    for where, lines in _line_sets(scenario):
        for k, line in enumerate(lines):
            try:
                unknown = placeholders(line_text(line)) - allowed
            except ValueError as exc:
                raise ScenarioError(
                    f"bad line template: {exc}", where=f"{source}: {where}.{k}"
                ) from None
            if unknown:
                raise ScenarioError(
                    f"unknown placeholder {{{sorted(unknown)[0]}}}",
                    where=f"{source}: {where}.{k}",
                    fix=f"use one of: {', '.join('{' + a + '}' for a in sorted(allowed))}",
                )


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario YAML file."""
    path = Path(path)
    return parse_scenario(read_yaml_file(path, ScenarioError), source=str(path))


def scenario_files(directory: Path = SCENARIOS_DIR) -> list[Path]:
    """The shipped scenario files, sorted by name."""
    return sorted(directory.glob("*.y*ml"))


def list_scenarios(directory: Path = SCENARIOS_DIR) -> list[Scenario]:
    """Every scenario in `directory`, validated, in file-name order."""
    return [_cached_load(path) for path in scenario_files(directory)]


def find_scenario(name: str, directory: Path = SCENARIOS_DIR) -> Scenario:
    """A scenario by id (`double-charge`) or by YAML file path."""
    candidate = Path(name)
    if candidate.suffix in {".yaml", ".yml"} or candidate.is_file():
        return load_scenario(candidate)
    for path in scenario_files(directory):
        if path.stem == name:
            scenario = _cached_load(path)
            if scenario.id == name:
                return scenario
    for scenario in list_scenarios(directory):
        if scenario.id == name:
            return scenario
    known = ", ".join(s.stem for s in scenario_files(directory))
    raise ScenarioError(
        f"no scenario with id {name!r}", where=str(directory), fix=f"use one of: {known}"
    )


_LOADED: dict[tuple[str, float], Scenario] = {}


def _cached_load(path: Path) -> Scenario:
    """Load a shipped file once per modification time (the web app asks for them often)."""
    key = (str(path), path.stat().st_mtime)
    if key not in _LOADED:
        _LOADED[key] = load_scenario(path)
    return _LOADED[key]
