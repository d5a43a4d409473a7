"""Static checks over trainer/'s source (ast, no imports): YAML only through safe loaders, and SQL
only as constant text with bound parameters, never a string built from values (f-string, `%`,
`+`, `.format`) passed to `text(...)` or `.execute(...)`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ..conftest import REPO

SOURCE = REPO / "trainer"
UNSAFE_YAML = {"unsafe_load", "unsafe_load_all", "full_load", "full_load_all"}
SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}
# Calls whose first argument is run as SQL.
SQL_CALLS = {"execute", "executescript", "executemany", "exec_driver_sql"}


def _dynamic_string(node: ast.AST, dynamic_names: set[str]) -> bool:
    """True when `node` builds a string from values: an f-string with a placeholder, `%` or `+`
    on a string, `"...".format(...)`, or a local name assigned one of those."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        sides = (node.left, node.right)
        return any(
            (isinstance(s, ast.Constant) and isinstance(s.value, str))
            or _dynamic_string(s, dynamic_names)
            for s in sides
        ) and not all(isinstance(s, ast.Constant) for s in sides)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format"
    if isinstance(node, ast.Name):
        return node.id in dynamic_names
    return False


def _sqlalchemy_text_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Local names bound to sqlalchemy's `text`, and aliases of the sqlalchemy module."""
    names, modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            names |= {a.asname or a.name for a in node.names if a.name == "text"}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name == "sqlalchemy"}
    return names, modules


def _is_sql_call(call: ast.Call, text_names: set[str], modules: set[str]) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in text_names
    if isinstance(func, ast.Attribute):
        if func.attr in SQL_CALLS:
            return True
        owner = func.value
        return func.attr == "text" and isinstance(owner, ast.Name) and owner.id in modules
    return False


def _yaml_problem(call: ast.Call) -> str | None:
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return None
    if func.value.id != "yaml":
        return None
    if func.attr in UNSAFE_YAML:
        return f"yaml.{func.attr}"
    if func.attr in {"load", "load_all"}:
        loader = next((k.value for k in call.keywords if k.arg == "Loader"), None)
        if loader is None and len(call.args) > 1:
            loader = call.args[1]
        if loader is None:
            return f"yaml.{func.attr} without a Loader"
        name = getattr(loader, "attr", None) or getattr(loader, "id", None)
        if name not in SAFE_LOADERS and not _safe_subclass(name):
            return f"yaml.{func.attr} with Loader={name}"
    return None


# Loader classes in trainer/ that subclass a safe loader (filled per file by `problems_in`).
_SAFE_SUBCLASSES: set[str] = set()


def _safe_subclass(name: str | None) -> bool:
    return name in _SAFE_SUBCLASSES


def problems_in(source: str, filename: str = "<source>") -> list[str]:
    """`file:line: what` for each unsafe YAML load and each SQL built from values in `source`."""
    tree = ast.parse(source, filename)
    text_names, modules = _sqlalchemy_text_names(tree)
    _SAFE_SUBCLASSES.clear()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = {getattr(b, "attr", None) or getattr(b, "id", None) for b in node.bases}
            if bases & SAFE_LOADERS:
                _SAFE_SUBCLASSES.add(node.name)
    found = []
    scopes = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for scope in [tree, *scopes]:
        # Names assigned a built string in this scope, so `sql = f"..."; text(sql)` is caught.
        dynamic: set[str] = set()
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and _dynamic_string(node.value, dynamic):
                dynamic |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(scope):
            if not isinstance(node, ast.Call):
                continue
            if (problem := _yaml_problem(node)) is not None:
                found.append(f"{filename}:{node.lineno}: {problem}")
            if _is_sql_call(node, text_names, modules) and node.args:
                if _dynamic_string(node.args[0], dynamic):
                    found.append(f"{filename}:{node.lineno}: SQL built from values")
    return sorted(set(found))


BAD = [
    "import yaml\nyaml.load(open('x'))",
    "import yaml\nyaml.load(data, Loader=yaml.Loader)",
    "import yaml\nyaml.load(data, yaml.FullLoader)",
    "import yaml\nyaml.unsafe_load(data)",
    "import yaml\nyaml.full_load(data)",
    "from sqlalchemy import text\ntext(f'SELECT * FROM t WHERE id = {x}')",
    "from sqlalchemy import text\ntext('SELECT * FROM t WHERE id = %s' % x)",
    "from sqlalchemy import text\ntext('SELECT * FROM t WHERE id = ' + x)",
    "import sqlalchemy as sa\nsa.text('DELETE FROM {}'.format(t))",
    "def f(c, x):\n    c.execute(f'DELETE FROM t WHERE id = {x}')",
    "def f(c, x):\n    sql = 'DELETE FROM t WHERE id = ' + x\n    c.execute(sql)",
    "def f(c, x):\n    c.exec_driver_sql('SELECT %s' % x)",
]
GOOD = [
    "import yaml\nyaml.safe_load(data)",
    "import yaml\nyaml.load(data, Loader=yaml.SafeLoader)",
    "import yaml\nclass L(yaml.SafeLoader):\n    pass\nyaml.load(data, Loader=L)",
    "from sqlalchemy import text\ntext('SELECT * FROM t WHERE id = :id')",
    "def f(c, x):\n    c.execute(text('SELECT :x'), {'x': x})",
    "def f(c):\n    c.execute('PRAGMA ' + 'quick_check')",
    "import reflex as rx\nrx.text(f'Hello {name}')",  # a component, not SQL
]


@pytest.mark.parametrize("snippet", BAD)
def test_static_safety_checker_flags_unsafe_code(snippet):
    assert problems_in(snippet), snippet


@pytest.mark.parametrize("snippet", GOOD)
def test_static_safety_checker_accepts_safe_code(snippet):
    assert problems_in(snippet) == []


# Reviewed exceptions, file -> how many: DDL (which takes no bound parameters) built from the
# module's own constants only, never from input.
REVIEWED = {
    # CREATE TRIGGER/FUNCTION text from APPEND_ONLY and the fixed verbs UPDATE/DELETE.
    "trainer/db/migrations/versions/0004_accounts.py": 2,
}


def _sources() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "__pycache__" not in p.parts)


def test_static_safety_trainer_source_loads_yaml_safely_and_binds_sql():
    files = _sources()
    assert len(files) > 100  # the walk really covers the package
    problems = []
    for path in files:
        name = path.relative_to(REPO).as_posix()
        found = problems_in(path.read_text(encoding="utf-8"), name)
        if len(found) != REVIEWED.get(name, 0):
            problems += found or [f"{name}: the reviewed exception is gone; update REVIEWED"]
    assert problems == [], "\n".join(problems)
