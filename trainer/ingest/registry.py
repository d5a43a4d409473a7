"""The reader registry: each chat-log format is one module that registers itself here.

A reader is a name, a priority, `sniff(sample) -> bool` (does this content look like mine?) and
`read(sample, aliases) -> list[Conversation]`. Readers are tried by priority, highest first, and the
first whose sniff says yes reads the file, so formats are picked by content, never by extension.
Adding a format is one new module in this package: every module here is imported on first use,
like a plugin folder.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from trainer.conversation import Conversation
from trainer.ingest.sample import Sample
from trainer.ingest.speakers import SpeakerAliases

Sniff = Callable[[Sample], bool]
Read = Callable[[Sample, SpeakerAliases], list[Conversation]]


@dataclass(frozen=True)
class Reader:
    """One registered format."""

    name: str
    priority: int
    sniff: Sniff
    read: Read
    description: str = ""


_READERS: dict[str, Reader] = {}
_discovered = False


def register(entry: Reader) -> Reader:
    """Add a reader; a second, different reader under the same name is a programming error."""
    existing = _READERS.get(entry.name)
    if existing is not None and _origin(existing.read) != _origin(entry.read):
        raise ValueError(f"reader {entry.name!r} is registered twice")
    _READERS[entry.name] = entry
    return entry


def _origin(func: Callable) -> tuple[str, str]:
    # Re-importing a module (importlib.reload, a test) re-registers the same reader: allow that.
    return getattr(func, "__module__", ""), getattr(func, "__qualname__", repr(func))


def reader(
    name: str, *, priority: int = 0, description: str | None = None, sniff: Sniff | None = None
):
    """Register a format. Decorates a class (instantiated once, no arguments) or any object with
    `sniff` and `read`, or a plain `read` function given `sniff=`.

    Higher `priority` is tried first: give a specific shape (ABCD JSON) a higher priority than a
    general one (canonical JSON), and a loose sniff (plain text) a low one.
    """

    def decorate(obj):
        if sniff is not None:
            target_sniff, target_read = sniff, obj
        else:
            target = obj() if isinstance(obj, type) else obj
            target_sniff, target_read = target.sniff, target.read
        text = description if description is not None else _first_line(obj.__doc__)
        register(Reader(name, priority, target_sniff, target_read, text))
        return obj

    return decorate


def _first_line(doc: str | None) -> str:
    lines = (doc or "").strip().splitlines()
    return lines[0] if lines else ""


def discover() -> None:
    """Import every module of this package once, so their `@reader` decorators run."""
    global _discovered
    if _discovered:
        return
    package = importlib.import_module(__package__)
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{__package__}.{module.name}")
    _discovered = True


def readers() -> list[Reader]:
    """Every registered reader, in the order they are tried (priority, then name)."""
    discover()
    return sorted(_READERS.values(), key=lambda r: (-r.priority, r.name))


def get_reader(name: str) -> Reader | None:
    """The reader registered under `name`, or None."""
    discover()
    return _READERS.get(name)


def pick_reader(sample: Sample) -> Reader | None:
    """The first reader whose sniff recognises `sample`, or None when none does."""
    return next((r for r in readers() if r.sniff(sample)), None)
