"""The layering of DESIGN.md, checked on the source: a lower layer never imports a higher one,
and nothing but the web app imports Reflex."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "trainer"
# Each layer may import only the layers to its left (and itself).
ORDER = ["core", "access", "services", "api", "cli", "web"]
LAYER_OF_PACKAGE = {
    "access": "access",
    "services": "services",
    "jobs": "services",  # the queue runs services, and services queue jobs: one layer
    "api": "api",
    "cli": "cli",
    "web": "web",
}


def _layer(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "trainer" or len(parts) == 1:
        return "core"
    if parts[1] == "trainer":  # the Reflex app module wires the web app
        return "web"
    return LAYER_OF_PACKAGE.get(parts[1], "core")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


MODULES = sorted(
    (".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts), p)
    for p in PACKAGE.rglob("*.py")
)


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_layers_no_module_imports_a_higher_layer(module, path):
    own = ORDER.index(_layer(module))
    for name in _imports(path):
        if name.split(".")[0] == "reflex":
            assert _layer(module) == "web", f"{module} imports Reflex; only trainer.web may"
        if name.startswith("trainer"):
            assert ORDER.index(_layer(name)) <= own, (
                f"{module} ({_layer(module)}) imports {name} ({_layer(name)}), a higher layer"
            )
