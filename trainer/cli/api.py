"""`trainer api`: the REST API alone, for headless installs (the web app also serves it)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from trainer.cli.common import app, err, user_errors


@app.command("api")
@user_errors
def api_serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    host: Annotated[
        str | None, typer.Option(help="Interface (default $TRAINER_HOST, else 127.0.0.1).")
    ] = None,
) -> None:
    """Serve the REST API (/api/v1, OpenAPI at /api/v1/openapi.json) without the web app."""
    import uvicorn

    from trainer.api.app import create_api
    from trainer.services.secret_key import require_secret_key

    # Outside demo mode (TRAINER_DEMO=1) the server needs its key: refuse before listening.
    require_secret_key()
    host = host or os.environ.get("TRAINER_HOST", "127.0.0.1")
    err.print(f"Trainer API on http://{host}:{port}/api/v1 (docs at /api/v1/docs)")
    uvicorn.run(create_api(standalone=True), host=host, port=port, log_level="info")
