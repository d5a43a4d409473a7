"""Learning paths: the schema (pydantic) and the loader of `scenarios/paths/*.yaml`.

A path is an ordered list of role-play steps. Each step names a scenario, the score an attempt
must reach (`pass_mark`, default: the scenario's own), how many passed attempts finish it
(`min_passes`) and, optionally, how many attempts a person gets (`max_attempts`). A bad file
gets a PathError naming the file, the path inside it and the fix, as rubrics and scenarios do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from trainer.errors import PathError, ScenarioError
from trainer.roleplay.loader import SCENARIOS_DIR, find_scenario, scenario_files
from trainer.roleplay.schema import ID_PATTERN
from trainer.validation import check_data, coded_validation_error, read_yaml_file

PATHS_DIR = SCENARIOS_DIR / "paths"

_FIXES = {
    "missing": "add this field",
    "extra_forbidden": "remove it or check its spelling",
    "string_pattern_mismatch": "use lower-case letters, digits, '-' and '_'",
    "too_short": "add at least one entry",
    "less_than_equal": "use a smaller number",
    "greater_than_equal": "use a larger number",
    "int_type": "use a whole number",
    "int_parsing": "use a whole number",
    "float_parsing": "use a number from 0 to 100",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Strict):
    """One step of a path: a role-play scenario passed `min_passes` times at `pass_mark`."""

    scenario: str = Field(pattern=ID_PATTERN)
    title: str | None = Field(default=None, min_length=1, max_length=200)
    pass_mark: float | None = Field(default=None, ge=0, le=100)
    min_passes: int = Field(default=1, ge=1, le=20)
    max_attempts: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _attempts_allow_the_passes(self) -> Step:
        if self.max_attempts is not None and self.max_attempts < self.min_passes:
            raise ValueError(
                f"max_attempts {self.max_attempts} is fewer than min_passes {self.min_passes}"
            )
        return self

    @property
    def id(self) -> str:
        """The step's id: its scenario's (a scenario appears once in a path)."""
        return self.scenario


class LearningPath(_Strict):
    """A versioned, ordered learning path."""

    id: str = Field(pattern=ID_PATTERN)
    version: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    steps: list[Step] = Field(min_length=1, max_length=50)

    @property
    def ref(self) -> str:
        """`id@version`, as certificates name it."""
        return f"{self.id}@{self.version}"

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError when the path has none)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


def _check_steps(path: LearningPath, source: str) -> LearningPath:
    """Every step's scenario exists and appears once; titles and pass marks filled in from the
    scenario where the file leaves them out."""
    seen: set[str] = set()
    resolved = []
    known = ", ".join(p.stem for p in scenario_files())
    for index, step in enumerate(path.steps):
        where = f"{source}: steps.{index}.scenario"
        if step.scenario in seen:
            raise PathError(
                f"scenario {step.scenario!r} is a step twice",
                where=where,
                fix="raise min_passes instead of repeating the step",
            )
        seen.add(step.scenario)
        try:
            scenario = find_scenario(step.scenario)
        except ScenarioError as exc:
            if isinstance(exc, PathError) or "no scenario with id" not in exc.message:
                raise PathError(
                    f"scenario {step.scenario!r} cannot be used: {exc.message}", where=where
                ) from None
            raise PathError(
                f"unknown scenario {step.scenario!r}", where=where, fix=f"use one of: {known}"
            ) from None
        resolved.append(
            step.model_copy(
                update={
                    "title": step.title or scenario.title,
                    "pass_mark": (
                        step.pass_mark if step.pass_mark is not None else scenario.scoring.pass_mark
                    ),
                }
            )
        )
    return path.model_copy(update={"steps": resolved})


def parse_path(data: Any, source: str = "<path>") -> LearningPath:
    """Validate path data; PathError naming the source, the field inside it and a fix."""
    if not isinstance(data, dict):
        raise PathError(
            "a learning path must be a mapping with id, version, title and steps",
            where=source,
            fix="start the file with 'id: my-path'",
        )
    check_data(data, source, PathError)  # NaN or .inf weights would make every score NaN
    try:
        path = LearningPath.model_validate(data)
    except ValidationError as exc:
        raise coded_validation_error(exc, source, PathError, _FIXES) from None
    return _check_steps(path, source)


def load_path(file: str | Path) -> LearningPath:
    """Read and validate one learning-path YAML file."""
    file = Path(file)
    return parse_path(read_yaml_file(file, PathError), source=str(file))


def path_files(directory: Path = PATHS_DIR) -> list[Path]:
    """The path files in `directory`, sorted by name."""
    return sorted(directory.glob("*.y*ml")) if directory.is_dir() else []


def list_paths(directory: Path = PATHS_DIR, *, skip_broken: bool = False) -> list[LearningPath]:
    """Every learning path in `directory`, validated, in file-name order. `skip_broken` leaves
    out files that do not validate (one bad edit must not hide every other path); otherwise
    the first one raises its PathError."""
    paths = []
    for file in path_files(directory):
        try:
            paths.append(_cached_load(file))
        except PathError:
            if not skip_broken:
                raise
    return paths


def find_path(path_id: str, directory: Path = PATHS_DIR) -> LearningPath:
    """A learning path by id (its file's error when that file is broken); PathError listing the
    known ones when there is none."""
    for file in path_files(directory):
        if file.stem == path_id:
            path = _cached_load(file)
            if path.id == path_id:
                return path
    for path in list_paths(directory, skip_broken=True):
        if path.id == path_id:
            return path
    known = ", ".join(f.stem for f in path_files(directory)) or "(none)"
    raise PathError(
        f"no learning path with id {path_id!r}",
        where=str(directory.name),
        fix=f"use one of: {known}",
    )


_LOADED: dict[tuple[str, float], LearningPath] = {}


def _cached_load(file: Path) -> LearningPath:
    """Load a file once per modification time (HR may edit it while the app runs)."""
    key = (str(file), file.stat().st_mtime)
    if key not in _LOADED:
        _LOADED[key] = load_path(file)
    return _LOADED[key]
