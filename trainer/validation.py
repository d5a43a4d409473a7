"""Turn a pydantic ValidationError into one of Trainer's coded errors, naming where it is."""

from __future__ import annotations

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
