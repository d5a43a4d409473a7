"""Reflex configuration. Reflex reads `REFLEX_*` variables over these (e.g. REFLEX_BACKEND_PORT);
Trainer's own settings (TRAINER_DATABASE_URL, ...) are read by the core, not here."""

import os
from pathlib import Path

import reflex as rx
from reflex.plugins import SitemapPlugin

_bun = Path(__file__).parent / ".tools" / "node_modules" / ".bin" / "bun"

config = rx.Config(
    app_name="trainer",
    telemetry_enabled=False,
    show_built_with_reflex=False,
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
