"""The API's ASGI app: /api/v1 (OpenAPI at /api/v1/openapi.json) and the web login routes."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.middleware.cors import CORSMiddleware

from trainer.api import calls, onboarding, reviews, scorecards, v1, web_login
from trainer.api.errors import install_error_handlers
from trainer.api.headers import SecurityHeaders
from trainer.api.limits import BodyLimitMiddleware
from trainer.api.nul_params import RefuseNulParameters
from trainer.api.origins import allowed_origins


def _document_request_bodies(app: FastAPI) -> None:
    """Put the canonical conversation schema (the one `trainer ingest` validates with) into the
    OpenAPI components: POST /conversations reads its body raw, to count its size as it
    streams, so FastAPI cannot infer it."""
    from trainer.ingest.canonical_json import ConversationIn

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            body = ConversationIn.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(body.pop("$defs", {}))
            components["ConversationIn"] = body
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_api(*, standalone: bool = False) -> FastAPI:
    """The API app. Mounted into Reflex (which adds its CORS from rxconfig) or, `standalone`,
    served alone by `trainer api` with its own CORS, size limit and headers."""
    app = FastAPI(
        title="Trainer API",
        version="1.0",
        description=(
            "Conversations, scores with evidence and call audio for integrations. Authenticate "
            "with `Authorization: Bearer <token>` (`trainer users token NAME`)."
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.include_router(v1.router)
    app.include_router(calls.router)
    app.include_router(reviews.router)
    app.include_router(scorecards.router)
    app.include_router(onboarding.router)
    app.include_router(web_login.router)
    install_error_handlers(app)
    app.add_middleware(RefuseNulParameters)
    _document_request_bodies(app)
    if standalone:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=allowed_origins(),
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "HEAD"],
            allow_headers=["Authorization", "Content-Type"],
        )
        app.add_middleware(SecurityHeaders)
        app.add_middleware(BodyLimitMiddleware)
    return app
