"""The standalone API app (as `trainer api` serves it) as a factory, so the load test can run it
under uvicorn with several worker processes: `uvicorn --factory load_app:app --workers 2`."""

from __future__ import annotations

from fastapi import FastAPI


def app() -> FastAPI:
    """`create_api(standalone=True)`: CORS, size limit and security headers included."""
    from trainer.api.app import create_api

    return create_api(standalone=True)
