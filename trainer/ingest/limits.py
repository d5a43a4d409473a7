"""Size limits on what Trainer reads, each set by an environment variable.

Readers, the audio intake and the API share these, so a limit means the same everywhere and its
message names the variable that raises it. A value that is not a positive number falls back to
the default rather than turning every ingest into an error.
"""

from __future__ import annotations

import os

TURNS_VAR = "TRAINER_MAX_TURNS"
TURN_CHARS_VAR = "TRAINER_MAX_TURN_CHARS"
AUDIO_MINUTES_VAR = "TRAINER_MAX_AUDIO_MINUTES"
UPLOAD_MB_VAR = "TRAINER_MAX_UPLOAD_MB"
# The older name of the audio limit, still honoured when the new one is not set.
LEGACY_CALL_HOURS_VAR = "TRAINER_MAX_CALL_HOURS"

DEFAULT_TURNS = 20_000
DEFAULT_TURN_CHARS = 1_000_000
DEFAULT_AUDIO_MINUTES = 240.0
DEFAULT_UPLOAD_MB = 25.0


def _positive(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    # inf and NaN would switch a limit off or make every comparison false: use the default.
    return value if 0 < value < float("inf") else default


def max_turns() -> int:
    """Turns one conversation may have ($TRAINER_MAX_TURNS, default 20,000)."""
    return int(_positive(TURNS_VAR, DEFAULT_TURNS))


def max_turn_chars() -> int:
    """Characters one turn may have ($TRAINER_MAX_TURN_CHARS, default 1,000,000)."""
    return int(_positive(TURN_CHARS_VAR, DEFAULT_TURN_CHARS))


def max_audio_seconds() -> float:
    """The longest call accepted, in seconds ($TRAINER_MAX_AUDIO_MINUTES, default 240 minutes;
    the older $TRAINER_MAX_CALL_HOURS still counts when the new variable is not set)."""
    if not os.environ.get(AUDIO_MINUTES_VAR, "").strip():
        hours = _positive(LEGACY_CALL_HOURS_VAR, 0.0)
        if hours:
            return hours * 3600
    return _positive(AUDIO_MINUTES_VAR, DEFAULT_AUDIO_MINUTES) * 60


def max_upload_bytes() -> int:
    """The largest file or request body read, in bytes ($TRAINER_MAX_UPLOAD_MB, default 25)."""
    return int(max(_positive(UPLOAD_MB_VAR, DEFAULT_UPLOAD_MB), 0.001) * 1024 * 1024)


def megabytes(size: int) -> str:
    """`26.2 MB`: a byte count as people read it in a message."""
    return f"{size / 1048576:.3g} MB"
