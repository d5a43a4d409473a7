"""Read files into conversations: find them, pick the reader by content, check the result."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from trainer.conversation import Conversation
from trainer.errors import IngestError
from trainer.ingest.clean import dotted
from trainer.ingest.locate import located
from trainer.ingest.registry import Reader, get_reader, pick_reader, readers
from trainer.ingest.sample import Sample
from trainer.ingest.speakers import SpeakerAliases
from trainer.ingest.unrecognized import UnrecognizedFormat
from trainer.ingest.validate import check_conversations


@dataclass
class FileRead:
    """What one file held: its path, the reader (format) that read it, and its conversations."""

    path: Path
    format: str
    conversations: list[Conversation]


def read_file(
    path: str | Path, aliases: SpeakerAliases | None = None, *, format: str | None = None
) -> FileRead:
    """Read every conversation in the file at `path`.

    The format is recognised from the content (or forced by `format`, a reader name). Raises
    UnrecognizedFormat when no reader recognises the file, and IngestError, naming the file and the
    line or field, for anything else wrong. Without `aliases`, the defaults plus
    TRAINER_SPEAKER_ALIASES apply.
    """
    aliases = aliases or SpeakerAliases.from_env()
    return read_sample(Sample.from_path(path, aliases), format=format)


def read_bytes(
    name: str | Path,
    raw: bytes,
    aliases: SpeakerAliases | None = None,
    *,
    format: str | None = None,
) -> FileRead:
    """Like `read_file`, for content already in memory (an upload); `name` stands for its path."""
    aliases = aliases or SpeakerAliases.from_env()
    return read_sample(Sample.from_bytes(name, raw, aliases), format=format)


def read_sample(sample: Sample, *, format: str | None = None) -> FileRead:
    """Read a decoded sample with the reader it sniffs as (or the one named by `format`)."""
    chosen = _forced(format) if format else _pick(sample)
    problem = sample.json_problem()
    if problem is not None:
        raise IngestError(
            problem.message, where=sample.at_field(dotted(problem.path)), fix=problem.fix
        )
    # A reader that forgot to say where still gets the file named.
    with located(sample.name):
        conversations = chosen.read(sample, sample.aliases)
        check_conversations(conversations, sample.name)
    for conversation in conversations:
        conversation.source = sample.name
        conversation.metadata["format"] = chosen.name
    return FileRead(sample.path, chosen.name, conversations)


def _forced(name: str) -> Reader:
    found = get_reader(name)
    if found is None:
        known = ", ".join(r.name for r in readers())
        raise IngestError(f"unknown format {name!r}", fix=f"use one of {known}")
    return found


def _pick(sample: Sample) -> Reader:
    if not sample.text.strip():
        raise UnrecognizedFormat("empty file", where=sample.name)
    found = pick_reader(sample)
    if found is not None:
        return found
    error = sample.json_error
    if error is not None and sample.looks_like_json:
        # It meant to be JSON: a broken conversation file, not some other kind of file.
        raise IngestError(
            f"malformed JSON: {error.msg} (column {error.colno})",
            where=sample.at_line(error.lineno),
            fix="check for a missing comma, quote or bracket at or just before that point",
        )
    kinds = "; ".join(r.description for r in readers() if r.description)
    raise UnrecognizedFormat(
        "not a conversation file", where=sample.name, fix=f"Trainer reads {kinds}"
    )


def find_files(paths: Iterable[str | Path]) -> list[tuple[Path, bool]]:
    """Expand folders (recursively, sorted, skipping hidden files and folders) into files.

    Each file comes with True when the user named it directly, False when a folder walk found it,
    so a caller can fail the one and skip the other when it is not a conversation file. A path
    that does not exist is kept (named) so reading it reports the problem alongside the rest.
    """
    found: dict[Path, bool] = {}
    for item in paths:
        path = Path(item)
        if path.is_dir():
            for file in _walk(path):
                found.setdefault(file, False)
        else:
            found[path] = True
    return list(found.items())


def _walk(folder: Path) -> list[Path]:
    files = []
    for root, dirs, names in os.walk(folder):
        # Pruning in place stops os.walk descending into .git, .venv and the like.
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        files += [Path(root) / n for n in names if not n.startswith(".")]
    return sorted(files)
