"""Recognizers registered by name: Presidio's own (offline) and ours, one file each.

`RECOGNIZERS` maps a name to a factory returning a Presidio `EntityRecognizer`. Importing this
package imports every module below, which registers itself with `@register("name")`.
"""

from __future__ import annotations

from collections.abc import Callable

from presidio_analyzer import EntityRecognizer

RECOGNIZERS: dict[str, Callable[[], EntityRecognizer]] = {}


def register(name: str):
    """Class or factory decorator: make a recognizer buildable by `name`."""

    def add(factory):
        if name in RECOGNIZERS:
            raise ValueError(f"recognizer {name!r} is registered twice")
        RECOGNIZERS[name] = factory
        return factory

    return add


def build_recognizers(names=None) -> list[EntityRecognizer]:
    """Fresh instances of the named recognizers (all registered ones by default)."""
    chosen = list(RECOGNIZERS) if names is None else list(names)
    unknown = [n for n in chosen if n not in RECOGNIZERS]
    if unknown:
        raise KeyError(f"unknown recognizer(s): {', '.join(unknown)}")
    return [RECOGNIZERS[name]() for name in chosen]


from trainer.privacy.recognizers import (  # noqa: E402,F401  (registration side effects)
    address,
    card,
    cvv,
    dob,
    email,
    expiry,
    iban,
    national_id,
    national_id_intl,
    person,
    phone,
    pin,
    presidio,
)
