"""The error for a file that is not a conversation file at all (as opposed to a broken one)."""

from __future__ import annotations

from trainer.errors import IngestError


class UnrecognizedFormat(IngestError):
    """No reader recognises the file (a README, a labels CSV, an image).

    Callers walking a folder skip such a file; a file the user named directly fails with it.
    """
