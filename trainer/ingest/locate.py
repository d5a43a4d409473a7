"""Attach a location to errors raised by code that does not know where it is (speaker lookup)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from trainer.errors import IngestError


@contextmanager
def located(where: str, field: str | None = None) -> Iterator[None]:
    """Re-raise an IngestError that has no `where` with this one, its message prefixed by `field`.

    An error that already names its place keeps it: the innermost location is the precise one.
    """
    try:
        yield
    except IngestError as exc:
        if exc.where is not None:
            raise
        message = f"{field}: {exc.message}" if field else exc.message
        raise type(exc)(message, where=where, fix=exc.fix) from exc
