"""Reflex configuration. Reflex reads `REFLEX_*` variables over these (e.g. REFLEX_BACKEND_PORT);
Trainer's own settings (TRAINER_DATABASE_URL, ...) are read by the core, not here.

Safe defaults: the server listens on 127.0.0.1 unless TRAINER_HOST says otherwise, and browsers
may call the backend (and open its websocket) only from the app's own origins (TRAINER_ORIGINS,
default http://127.0.0.1 and http://localhost on TRAINER_PORT), never from any site ("*").
"""

import os
from pathlib import Path

import reflex as rx
from reflex.plugins import SitemapPlugin

from trainer.api.origins import allowed_origins

_bun = Path(__file__).parent / ".tools" / "node_modules" / ".bin" / "bun"


config = rx.Config(
    app_name="trainer",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    backend_host=os.environ.get("TRAINER_HOST", "127.0.0.1"),
    cors_allowed_origins=allowed_origins(),
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                appearance="light", accent_color="indigo", gray_color="slate", radius="medium"
            )
        ),
    ],
    # The sitemap plugin is on by default; Trainer is an internal tool with no public pages.
    disable_plugins=[SitemapPlugin],
    # bun from the npm registry (`make bun`), never Reflex's installer, which downloads from GitHub.
    **({"bun_path": _bun} if _bun.exists() and "REFLEX_BUN_PATH" not in os.environ else {}),
)
