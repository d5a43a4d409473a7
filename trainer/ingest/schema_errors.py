"""Turn a pydantic ValidationError into an IngestError that names the file and the field path."""

from __future__ import annotations

from typing import NoReturn

from pydantic import ValidationError

from trainer.errors import IngestError
from trainer.ingest.sample import Sample
from trainer.ingest.shown import shape


class Invalid(ValueError):
    """Raised inside a validator: a message plus the fix to show with it."""

    def __init__(self, message: str, fix: str | None = None):
        super().__init__(message)
        self.fix = fix


def field_path(loc: tuple) -> str:
    """`(2, "turns", 3, "text")` -> `[2].turns.3.text`; a leading index is a list position."""
    parts = [str(p) for p in loc]
    if loc and isinstance(loc[0], int):
        parts[0] = f"[{loc[0]}]"
    return ".".join(parts)


def raise_invalid(exc: ValidationError, sample: Sample, prefix: tuple = ()) -> NoReturn:
    """Raise the first problem of `exc` as an IngestError at `FILE: path.to.field`.

    `prefix` is the location of the validated value inside the file, when it is not the root.
    """
    first = exc.errors()[0]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, Invalid):
        message, fix = str(cause), cause.fix
    elif first["type"] == "extra_forbidden":
        message, fix = f"unknown field {first['loc'][-1]!r}", "remove it, or check its spelling"
    elif first["type"] == "missing":
        message, fix = "field required", "add the field"
    else:
        # The input's shape only: the field may hold a card number (see trainer.ingest.shown).
        message, fix = f"{_plain(first['msg'])} (got {shape(first.get('input'))})", None
    more = exc.error_count() - 1
    if more:
        message += f"; and {more} more problem{'s' if more > 1 else ''}"
    raise IngestError(
        message, where=sample.at_field(field_path(prefix + first["loc"])), fix=fix
    ) from None


def _plain(msg: str) -> str:
    # Pydantic's "Value error, ..." prefix says nothing to a user; lower-case reads as one line.
    msg = msg.removeprefix("Value error, ")
    return msg[:1].lower() + msg[1:]
