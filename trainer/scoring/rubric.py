"""The rubric schema (pydantic) and its loader, with errors naming the file and the path in it."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from trainer.errors import RubricError, UnknownDetectorError
from trainer.validation import check_data, coded_validation_error, read_yaml_file

_ID_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(_Strict):
    """How a human reviewer scores a criterion; points are normalised to [0, 1] for the formula."""

    kind: Literal["binary", "points"] = "binary"
    points: list[int] = Field(default_factory=lambda: [0, 1])
    labels: dict[int, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _points_make_sense(self) -> Scale:
        if self.kind == "binary" and self.points != [0, 1]:
            raise ValueError("a binary scale has points [0, 1]; use kind: points for others")
        if len(self.points) < 2 or sorted(set(self.points)) != self.points:
            raise ValueError("points must be at least two distinct numbers in increasing order")
        return self

    def normalise(self, points: float) -> float:
        """Map a reviewer's points onto [0, 1]."""
        low, high = self.points[0], self.points[-1]
        if not low <= points <= high:
            raise ValueError(f"{points} is outside the scale {low}..{high}")
        return (points - low) / (high - low)


class DetectorRef(_Strict):
    """Which registered detector scores a criterion automatically, and with what parameters."""

    name: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)+\.v\d+$")
    params: dict[str, Any] = Field(default_factory=dict)


class Criterion(_Strict):
    """One thing a reviewer checks."""

    id: str = Field(pattern=_ID_PATTERN)
    title: str = Field(min_length=1)
    guidance: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)
    scale: Scale = Field(default_factory=Scale)
    auto_fail: Literal["section", "evaluation"] | None = None
    na_allowed: bool = True
    detector: DetectorRef | None = None
    channels: list[str] | None = None


class Section(_Strict):
    """A weighted group of criteria, such as empathy or clarity."""

    id: str = Field(pattern=_ID_PATTERN)
    title: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)
    description: str = ""
    criteria: list[Criterion] = Field(min_length=1)

    @field_validator("criteria")
    @classmethod
    def _unique_criteria(cls, criteria: list[Criterion]) -> list[Criterion]:
        seen: set[str] = set()
        for criterion in criteria:
            if criterion.id in seen:
                raise ValueError(f"criterion id {criterion.id!r} appears twice in this section")
            seen.add(criterion.id)
        return criteria


class Rubric(_Strict):
    """A versioned scoring rubric."""

    id: str = Field(pattern=_ID_PATTERN)
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    description: str = ""
    pass_mark: float = Field(default=80.0, ge=0, le=100)
    sections: list[Section] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Rubric:
        sections: set[str] = set()
        criteria: set[str] = set()
        for section in self.sections:
            if section.id in sections:
                raise ValueError(f"section id {section.id!r} appears twice")
            sections.add(section.id)
            for criterion in section.criteria:
                if criterion.id in criteria:
                    raise ValueError(f"criterion id {criterion.id!r} is used in two sections")
                criteria.add(criterion.id)
        return self

    @property
    def ref(self) -> str:
        """`id@version`, the name stored with every score."""
        return f"{self.id}@{self.version}"

    def criteria(self) -> list[tuple[Section, Criterion]]:
        """Every criterion with its section, in rubric order."""
        return [(s, c) for s in self.sections for c in s.criteria]

    def definition(self) -> dict:
        """The rubric as plain JSON data (what the database stores)."""
        return self.model_dump(mode="json")

    def content_hash(self) -> str:
        """A hash of the definition, to notice an edited file that kept its version number."""
        raw = json.dumps(self.definition(), sort_keys=True).encode()
        return hashlib.sha256(raw).hexdigest()


_FIXES = {
    "missing": "add this field",
    "extra_forbidden": "remove it or check its spelling",
    "string_pattern_mismatch": (
        "use lower-case letters, digits, '-' and '_' (detectors: family.name.v1)"
    ),
    "greater_than": "use a positive number",
    "literal_error": "use one of the allowed values",
    "too_short": "add at least one entry",
}


def parse_rubric(data: Any, source: str = "<rubric>") -> Rubric:
    """Validate rubric data; raise RubricError naming the source, the path inside it and a fix."""
    if not isinstance(data, dict):
        raise RubricError(
            "a rubric must be a mapping with id, version, title and sections",
            where=source,
            fix="start the file with 'id: my-rubric'",
        )
    check_data(data, source, RubricError)  # NaN or .inf weights would make every score NaN
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        raise coded_validation_error(exc, source, RubricError, _FIXES) from None
    _check_detectors(rubric, source)
    return rubric


def _check_detectors(rubric: Rubric, source: str) -> None:
    from trainer.scoring.registry import registry  # late: the registry imports the detectors

    for s_index, section in enumerate(rubric.sections):
        for c_index, criterion in enumerate(section.criteria):
            if criterion.detector is None:
                continue
            where = f"{source}: sections.{s_index}.criteria.{c_index}.detector"
            if criterion.detector.name not in registry:
                close = registry.suggest(criterion.detector.name)
                fix = (
                    f"did you mean {close!r}?" if close else "run 'trainer detectors' to list them"
                )
                raise UnknownDetectorError(
                    f"unknown detector {criterion.detector.name!r}", where=where, fix=fix
                )
            try:
                registry.get(criterion.detector.name).validate_params(criterion.detector.params)
            except ValueError as exc:
                raise RubricError(f"bad params: {exc}", where=where + ".params") from None


def load_rubric(path: str | Path) -> Rubric:
    """Read and validate a rubric YAML file; the one parsed before while the file is unchanged
    (rubrics are frozen, so it is shared: every posted chat is scored with it, and parsing was
    half of a post's time)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:  # read_yaml_file reports the missing or unreadable file
        return parse_rubric(read_yaml_file(path, RubricError), source=str(path))
    return _parsed_rubric(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _parsed_rubric(path: str, mtime_ns: int, size: int) -> Rubric:
    # Keyed by modification time and size: an edited rubric is read again.
    return parse_rubric(read_yaml_file(Path(path), RubricError), source=path)


RUBRICS_DIR = Path(__file__).resolve().parents[2] / "rubrics"


def find_rubric(rubric_id: str, directory: Path = RUBRICS_DIR) -> Rubric:
    """Load a shipped rubric by id (`customer_service`) or by file path."""
    candidate = Path(rubric_id)
    if candidate.suffix in {".yaml", ".yml"} or candidate.is_file():
        return load_rubric(candidate)
    for path in sorted(directory.glob("*.y*ml")):
        rubric = load_rubric(path)
        if rubric.id == rubric_id:
            return rubric
    raise RubricError(
        f"no rubric with id {rubric_id!r}", where=str(directory), fix="pass a YAML file path"
    )
