"""Reading an organisation's labelled contact reasons from CSV.

    text,reason                              conversation_id,reason
    "I was charged twice for...",billing     c-001,billing

Each row gives either the conversation's text (`text`) or the external id of a stored
conversation (`conversation_id`, also `id` or `conversation`), and its `reason` (also `label`,
`category` or `intent`, the names public intent sets use). Header names are matched
case-insensitively. A bad row is reported with its line and column; nothing is trained from a
file with errors.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from trainer.errors import DatasetError

TEXT_COLUMNS = ("text",)
ID_COLUMNS = ("conversation_id", "id", "conversation")
REASON_COLUMNS = ("reason", "label", "category", "intent")
COLUMNS_FIX = "name the columns text (or conversation_id) and reason"


@dataclass(frozen=True)
class LabelledRow:
    """One labelled example: its line in the file, the text or conversation id, the reason."""

    line: int
    reason: str
    text: str | None = None
    conversation_id: str | None = None


def _key(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _pick(header: list[str], names: tuple[str, ...]) -> int | None:
    keys = [_key(h) for h in header]
    return next((keys.index(n) for n in names if n in keys), None)


def read_labelled(data: bytes, name: str) -> list[LabelledRow]:
    """The labelled rows of a CSV file; DatasetError naming the file, line and column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DatasetError("not UTF-8 text", where=name, fix="save the file as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        text_at, id_at = _pick(header, TEXT_COLUMNS), _pick(header, ID_COLUMNS)
        reason_at = _pick(header, REASON_COLUMNS)
        if reason_at is None or (text_at is None and id_at is None):
            found = ", ".join(h.strip() for h in header) or "none"
            raise DatasetError(
                f"missing columns (found: {found})", where=f"{name}:1", fix=COLUMNS_FIX
            )
        rows = [_row(cells, reader.line_num, name, text_at, id_at, reason_at) for cells in reader]
    except csv.Error as exc:
        raise DatasetError(f"malformed CSV: {exc}", where=f"{name}:{reader.line_num}") from None
    rows = [r for r in rows if r is not None]
    if not rows:
        raise DatasetError("no labelled rows", where=name, fix=COLUMNS_FIX)
    return rows


def _row(
    cells: list[str],
    line: int,
    name: str,
    text_at: int | None,
    id_at: int | None,
    reason_at: int,
) -> LabelledRow | None:
    def cell(index: int | None) -> str:
        return cells[index].strip() if index is not None and index < len(cells) else ""

    if not any(c.strip() for c in cells):
        return None  # a blank line
    reason = cell(reason_at)
    if not reason:
        raise DatasetError("empty reason", where=f"{name}:{line}: column 'reason'")
    text, conversation_id = cell(text_at), cell(id_at)
    if not text and not conversation_id:
        raise DatasetError(
            "neither text nor conversation_id",
            where=f"{name}:{line}",
            fix="give the conversation's text or its id",
        )
    return LabelledRow(line, reason, text or None, conversation_id or None)
