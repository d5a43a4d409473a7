"""The backend's origin as the browser sees it: the same as the page's in production (one
port), the backend's port in development. Media and uploads the pages fetch go there."""

from __future__ import annotations

import reflex as rx
from reflex.constants import Dirs
from reflex.utils.imports import ImportVar
from reflex.vars.base import VarData

BACKEND_ORIGIN = rx.Var(
    _js_expr="getBackendURL(env.PING).origin",
    _var_data=VarData(
        imports={
            f"$/{Dirs.STATE_PATH}": "getBackendURL",
            "$/env.json": ImportVar(tag="env", is_default=True),
        }
    ),
).to(str)
