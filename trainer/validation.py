"""Read the YAML files people write (rubrics, scenarios, learning paths) and turn a pydantic
ValidationError into one of Trainer's coded errors, naming where it is.

YAML is read with the safe loader only, and bounded: nesting deeper than `MAX_DEPTH` (which would
end in a RecursionError), more than `MAX_ALIASES` aliases, or data that expands past `MAX_NODES`
values (an alias bomb: a few lines that mean a billion strings) are refused before anything walks
the data. NaN and infinite numbers are refused too: a weight of `.inf` makes every score NaN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from trainer.errors import TrainerError
from trainer.ingest.clean import first_problem
from trainer.ingest.limits import UPLOAD_MB_VAR, max_upload_bytes, megabytes

MAX_DEPTH = 64
MAX_ALIASES = 1_000
MAX_NODES = 200_000


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


class _TooComplex(Exception):
    """Raised inside the loader; becomes the caller's coded error."""

    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message, self.mark = message, mark


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, counting nesting depth and aliases while it composes the document."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def fetch_flow_collection_start(self, token_class):  # noqa: D102 - PyYAML's hook
        # Checked in the scanner: its bookkeeping per open bracket makes `[[[[...` quadratic
        # long before the composer would see the depth.
        if self.flow_level >= MAX_DEPTH:
            raise _TooComplex(f"nested more than {MAX_DEPTH} levels deep", self.get_mark())
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML's hook
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _TooComplex(f"more than {MAX_ALIASES:,} aliases", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooComplex(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml_text(text: str, where: str, error_class: type[TrainerError]) -> Any:
    """Parse YAML text safely and within bounds; `error_class` at `where:line:column` if not."""
    try:
        data = yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader subclass
    except _TooComplex as exc:
        raise error_class(
            f"not usable YAML: {exc.message}", where=_at(where, exc.mark), fix=_SIMPLER
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise error_class(
            f"not valid YAML: character #x{exc.character:04x} is not allowed",
            where=f"{where}:{line}",
            fix="save the file as plain UTF-8 text",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise error_class(f"not valid YAML: {problem}", where=_at(where, mark)) from None
    except RecursionError:  # a belt to the depth bound's braces
        raise error_class("not usable YAML: nested too deeply", where=where, fix=_SIMPLER) from None
    check_data(data, where, error_class)
    return data


_SIMPLER = "write the file plainly: a few levels of nesting, no alias chains"


def _at(where: str, mark: yaml.Mark | None) -> str:
    return f"{where}:{mark.line + 1}:{mark.column + 1}" if mark else where


def check_data(data: Any, source: str, error_class: type[TrainerError]) -> None:
    """Refuse data that expands past `MAX_NODES` values (shared alias targets counted each time
    they are used), nests past `MAX_DEPTH`, or holds NaN, an infinity or a lone surrogate.

    For data that did not come through `load_yaml_text` too (a rubric posted as JSON).
    """
    stack, seen = [data], 0
    while stack:
        value = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise error_class(
                f"the data expands to more than {MAX_NODES:,} values", where=source, fix=_SIMPLER
            )
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    problem = first_problem(data, MAX_DEPTH)
    if problem is not None:
        location = ".".join(str(part) for part in problem.path) or "(top level)"
        raise error_class(problem.message, where=f"{source}: {location}", fix=problem.fix)


def read_yaml_file(path: Path, error_class: type[TrainerError]) -> Any:
    """The parsed content of a YAML file, or `error_class` saying it is missing, too big, not
    UTF-8, not valid YAML (at `file:line:column`), or not usable (see `load_yaml_text`)."""
    if not path.is_file():
        raise error_class("file not found", where=str(path), fix="check the path")
    try:
        size = path.stat().st_size
        if size > max_upload_bytes():
            raise error_class(
                f"the file is {megabytes(size)}, over the {megabytes(max_upload_bytes())} limit",
                where=str(path),
                fix=f"raise {UPLOAD_MB_VAR} if the file is meant to be this big",
            )
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise error_class("not a UTF-8 text file", where=str(path)) from None
    except OSError as exc:
        raise error_class(f"cannot read: {exc.strerror}", where=str(path)) from None
    return load_yaml_text(text, str(path), error_class)
