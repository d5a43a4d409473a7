"""One file as readers see it: its path, raw bytes, decoded text and (lazily) parsed JSON.

Decoding happens once, here, so every reader sniffs and reads the same text and a binary file is
refused before any reader looks at it.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from trainer.errors import IngestError
from trainer.ingest.clean import Problem, first_problem
from trainer.ingest.limits import UPLOAD_MB_VAR, max_upload_bytes, megabytes
from trainer.ingest.speakers import SpeakerAliases
from trainer.ingest.unrecognized import UnrecognizedFormat

# Excel's "Unicode text" export is UTF-16 with a BOM; those are text files too.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# A JSON document opens with an object, or with a list of objects, lists or strings; "[00:12]" (a
# transcript stamp) does not count, so a broken transcript is not reported as broken JSON.
_JSON_START = re.compile(r'\s*(\{|\[\s*[\[{"\]])')


def decode(raw: bytes, where: str) -> str:
    """Decode UTF-8 (BOM or not, or UTF-16/32 with a BOM); raises UnrecognizedFormat if binary."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError as exc:
                raise UnrecognizedFormat(
                    f"not a text file (a {codec.upper()} BOM, then bytes that are not "
                    f"{codec.upper()} at byte {exc.start})",
                    where=where,
                    fix="save it as UTF-8 text",
                ) from None
            if "\x00" in text:
                raise UnrecognizedFormat(
                    "not a text file (it holds NUL characters)",
                    where=where,
                    fix="save it as UTF-8 text",
                )
            return text.removeprefix("\ufeff")
    fix = "save it as UTF-8 text"
    if b"\x00" in raw:
        raise UnrecognizedFormat("not a text file (it holds binary data)", where=where, fix=fix)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UnrecognizedFormat(
            f"not a text file (not UTF-8: byte 0x{raw[exc.start]:02x} on line {line})",
            where=where,
            fix=fix,
        ) from None


def _check_size(size: int, where: str) -> None:
    limit = max_upload_bytes()
    if size > limit:
        raise IngestError(
            f"the file is {megabytes(size)}, over the {megabytes(limit)} limit",
            where=where,
            fix=f"split it into smaller files, or raise {UPLOAD_MB_VAR}",
        )


@dataclass(eq=False)
class Sample:
    """A file's content, decoded, with the speaker aliases in force (sniffers may need them)."""

    path: Path
    raw: bytes
    text: str
    aliases: SpeakerAliases = field(default_factory=SpeakerAliases)

    @classmethod
    def from_bytes(
        cls, path: str | Path, raw: bytes, aliases: SpeakerAliases | None = None
    ) -> Sample:
        """A sample from bytes already in memory (an upload); raises if they are not text."""
        path = Path(path)
        _check_size(len(raw), str(path))
        return cls(path, raw, decode(raw, str(path)), aliases or SpeakerAliases())

    @classmethod
    def from_path(cls, path: str | Path, aliases: SpeakerAliases | None = None) -> Sample:
        """A sample read from disk; raises IngestError naming the file if it cannot be read."""
        path = Path(path)
        try:
            # Refused before reading it all: a 5 GB file named .json must not fill memory.
            _check_size(path.stat().st_size, str(path))
            with path.open("rb") as handle:
                raw = handle.read(max_upload_bytes() + 1)
        except IsADirectoryError:
            raise IngestError("is a folder, not a file", where=str(path)) from None
        except FileNotFoundError:
            raise IngestError("no such file", where=str(path), fix="check the path") from None
        except OSError as exc:
            raise IngestError(f"cannot read: {exc.strerror}", where=str(path)) from None
        return cls.from_bytes(path, raw, aliases)

    @property
    def name(self) -> str:
        """The path as the user gave it, the prefix of every `where` about this file."""
        return str(self.path)

    @property
    def stem(self) -> str:
        """The file name without its extension: the fallback conversation id."""
        return self.path.stem

    def at_line(self, line: int) -> str:
        """`where` for a line of this file: `chats.csv:line 7`."""
        return f"{self.name}:line {line}"

    def at_field(self, path: str) -> str:
        """`where` for a field inside this file: `chats.json: [2].turns.3.text`."""
        return f"{self.name}: {path}" if path else self.name

    @cached_property
    def lines(self) -> list[str]:
        """The text split into lines (line N of the file is `lines[N - 1]`)."""
        return self.text.splitlines()

    @cached_property
    def _parsed(self) -> tuple[Any, json.JSONDecodeError | None]:
        try:
            return json.loads(self.text), None
        except json.JSONDecodeError as exc:
            return None, exc
        except ValueError:
            # An integer of thousands of digits: Python refuses to convert it.
            return None, json.JSONDecodeError("a number of thousands of digits", self.text, 0)
        except RecursionError:
            # Absurdly deep nesting is not a conversation; treat it as not JSON.
            return None, None

    def json_problem(self) -> Problem | None:
        """The first value in the parsed JSON that cannot be stored (a lone surrogate, a NUL
        character, NaN or infinity, nesting past a sane depth), or None."""
        if self.json is None:
            return None
        return first_problem(self.json, strings="\\u" in self.text)

    @property
    def json(self) -> Any:
        """The parsed JSON value, or None when the text is not JSON (parsed once, on first use)."""
        return self._parsed[0]

    @property
    def json_error(self) -> json.JSONDecodeError | None:
        """Why the text is not JSON, or None when it is."""
        return self._parsed[1]

    @property
    def looks_like_json(self) -> bool:
        """True when the text opens like a JSON object or list, parsed or not."""
        return bool(_JSON_START.match(self.text))
