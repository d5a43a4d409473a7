"""`trainer worker` with the slow parts replaced, for the fault tests to kill mid-job.

Run as `python -m tests.fault_worker [worker options]`. The speech pipeline returns the seeded
call of tests/call_seed.py (no ASR model), and scoring works as usual; either can be slowed:
FAULT_ASR_SLEEP / FAULT_SCORE_SLEEP seconds, after touching the file FAULT_MARKER so the test
knows the worker is inside the step it means to kill.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from tests.call_seed import DURATION, SAMPLE_RATE, call_turns, speech_metrics


def _pause(variable: str) -> None:
    seconds = float(os.environ.get(variable) or 0)
    if seconds and os.environ.get("FAULT_MARKER"):
        Path(os.environ["FAULT_MARKER"]).write_text(str(os.getpid()))
    time.sleep(seconds)


def fake_process_call(path, *, external_id, progress=None, **_options):
    """What the speech pipeline returns for the seeded call, after an optional pause."""
    from trainer.conversation import Conversation
    from trainer.speech.audio import AudioInfo, file_sha256
    from trainer.speech.pipeline import CallResult

    if progress:
        progress(0.1, "left channel")
    _pause("FAULT_ASR_SLEEP")
    turns = call_turns()
    metadata = {
        "format": "audio/wav",
        "audio": {"format": "wav", "channels": 1, "sample_rate": SAMPLE_RATE},
        "speaker_mode": "mono",
        "asr": {"engine": "fake", "model": "none"},
        "speech": speech_metrics(turns),
        "redactions": [],
        "speaker_checks": [],
    }
    conversation = Conversation(
        external_id=external_id, turns=turns, channel="call", source=str(path), metadata=metadata
    )
    path = Path(path)
    info = AudioInfo(path, "wav", "pcm_s16le", 1, SAMPLE_RATE, DURATION, file_sha256(path))
    if progress:
        progress(1.0, "done")
    return CallResult(conversation, info, "mono", [])


def install() -> None:
    """Swap in the fake speech pipeline and the slowable scorer (in this process)."""
    from trainer.services import scoring
    from trainer.speech import pipeline

    pipeline.process_call = fake_process_call
    real = scoring.score_conversation

    def slow_score(*args, **kwargs):
        _pause("FAULT_SCORE_SLEEP")
        return real(*args, **kwargs)

    scoring.score_conversation = slow_score


if __name__ == "__main__":
    install()
    from trainer.cli import app

    app(["worker", *sys.argv[1:]])
