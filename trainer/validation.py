"""Read the YAML files people write (rubrics, scenarios, learning paths) and turn a pydantic
ValidationError into one of Trainer's coded errors, naming where it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from trainer.errors import TrainerError


def coded_validation_error(
    exc: ValidationError, source: str, error_class: type[TrainerError], fixes: dict[str, str]
) -> TrainerError:
    """The first problem as `error_class`, at `source: path.inside.file`, with a fix by type."""
    first = exc.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    more = len(exc.errors()) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return error_class(message, where=f"{source}: {location}", fix=fixes.get(first["type"]))


def read_yaml_file(path: Path, error_class: type[TrainerError]) -> Any:
    """The parsed content of a YAML file, or `error_class` saying it is missing, not UTF-8, or
    not valid YAML (at `file:line:column`)."""
    if not path.is_file():
        raise error_class("file not found", where=str(path), fix="check the path")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise error_class(f"not valid YAML: {problem}", where=where) from None
    except UnicodeDecodeError:
        raise error_class("not a UTF-8 text file", where=str(path)) from None
