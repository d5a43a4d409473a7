"""The web app's own origins: the only ones a browser may call the backend from (CORS and the
websocket). Read by rxconfig.py and the standalone API, so both agree."""

from __future__ import annotations

import os


def allowed_origins() -> list[str]:
    """$TRAINER_ORIGINS (comma-separated), never "*"; default http://127.0.0.1 and
    http://localhost on $TRAINER_PORT (3000)."""
    listed = [o.strip().rstrip("/") for o in os.environ.get("TRAINER_ORIGINS", "").split(",")]
    listed = [o for o in listed if o and o != "*"]
    if listed:
        return listed
    port = os.environ.get("TRAINER_PORT", "3000")
    return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
