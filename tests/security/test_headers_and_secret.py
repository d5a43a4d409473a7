"""Security headers on the API's and the web app's answers (CSP with frame-ancestors, nosniff,
referrer policy), and the secret key: servers refuse to start without TRAINER_SECRET_KEY outside
demo mode, the demo generates one per install, and login sessions are keyed with it."""

from __future__ import annotations

import ast
import hashlib
import hmac
import stat

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from trainer.api.app import create_api
from trainer.api.headers import SecurityHeaders, content_security_policy
from trainer.cli import app as cli_app
from trainer.db.models import AuthSession
from trainer.db.session import session_scope
from trainer.errors import ConfigurationError
from trainer.services import secret_key as keys
from trainer.services.auth import login, resolve_session

from ..conftest import REPO, make_user

SITE = "http://127.0.0.1:3000"
KEY = "k" * 40


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def _assert_secure(headers) -> None:
    policy = _directives(headers["content-security-policy"])
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["default-src"] == "default-src 'self'"
    assert policy["form-action"] == "form-action 'self'"
    assert policy["base-uri"] == "base-uri 'self'"
    # no other site's scripts, and data goes back only to this site
    assert "http" not in policy["script-src"] and "*" not in policy["script-src"]
    assert "*" not in policy["connect-src"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


@pytest.fixture
def api(sqlite_url):
    with TestClient(create_api(standalone=True), base_url=SITE) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me"),  # 401
        ("get", "/api/v1/openapi.json"),  # 200
        ("get", "/api/v1/conversations/nope"),  # 401 before 404
        ("get", "/no/such/route"),  # 404
        ("post", "/auth/logout"),  # 303
    ],
)
def test_headers_on_every_api_answer(api, method, path):
    response = getattr(api, method)(path, follow_redirects=False)
    assert response.status_code in {200, 303, 401, 404}
    _assert_secure(response.headers)


def test_headers_on_the_web_apps_answers():
    """The stack trainer/trainer.py builds: SecurityHeaders outermost, around any page."""

    async def page(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"<html></html>"})

    response = TestClient(SecurityHeaders(page)).get("/conversations")
    _assert_secure(response.headers)
    assert "microphone=(self)" in response.headers["permissions-policy"]


def test_headers_websocket_to_the_apps_own_origins_only(monkeypatch):
    monkeypatch.setenv("TRAINER_ORIGINS", "https://qa.example.com")
    connect = _directives(content_security_policy("/"))["connect-src"]
    assert connect == "connect-src 'self' https://qa.example.com wss://qa.example.com"


def test_headers_only_the_docs_page_may_load_swagger_from_its_cdn():
    assert "cdn.jsdelivr.net" in content_security_policy("/api/v1/docs")
    assert "cdn.jsdelivr.net" not in content_security_policy("/conversations")


def test_headers_a_handlers_own_header_is_kept():
    async def page(scope, receive, send):
        headers = [(b"content-security-policy", b"default-src 'none'")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})

    response = TestClient(SecurityHeaders(page)).get("/x")
    assert response.headers["content-security-policy"] == "default-src 'none'"


# The secret key


@pytest.fixture
def no_key(monkeypatch, tmp_path):
    """No TRAINER_SECRET_KEY, no demo mode, and a fresh working folder (var/ lives there)."""
    monkeypatch.delenv(keys.SECRET_ENV, raising=False)
    monkeypatch.delenv(keys.DEMO_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    keys._install_key.cache_clear()
    yield tmp_path
    keys._install_key.cache_clear()


def test_secret_missing_outside_demo_is_a_coded_error(no_key):
    with pytest.raises(ConfigurationError) as caught:
        keys.require_secret_key()
    text = caught.value.format()
    assert text.startswith("[E010] TRAINER_SECRET_KEY:")
    assert "export TRAINER_SECRET_KEY=" in text and "TRAINER_DEMO=1" in text
    assert not (no_key / "var").exists()  # nothing generated outside demo mode


def test_secret_too_short_is_refused(no_key, monkeypatch):
    monkeypatch.setenv(keys.SECRET_ENV, "changeme")
    with pytest.raises(ConfigurationError, match="too short"):
        keys.secret_key()


def test_secret_from_the_environment_wins(no_key, monkeypatch):
    monkeypatch.setenv(keys.SECRET_ENV, KEY)
    monkeypatch.setenv(keys.DEMO_ENV, "1")
    assert keys.secret_key() == KEY.encode()
    assert not (no_key / "var").exists()


def test_secret_demo_generates_one_key_per_install(no_key, monkeypatch):
    monkeypatch.setenv(keys.DEMO_ENV, "1")
    first = keys.secret_key()
    path = no_key / "var" / "secret_key"
    assert path.read_bytes().strip() == first and len(first) >= keys.MIN_LENGTH
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the owner's only
    keys._install_key.cache_clear()  # a restart reads the same key back
    assert keys.secret_key() == first
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary left


def test_secret_trainer_api_refuses_to_start_without_it(no_key):
    result = CliRunner().invoke(cli_app, ["api", "--port", "1"])
    assert result.exit_code != 0
    assert "[E010]" in result.output and "TRAINER_SECRET_KEY" in result.output
    assert "Traceback" not in result.output


def test_secret_web_app_refuses_to_start_without_it(no_key, monkeypatch, capsys):
    monkeypatch.setenv("REFLEX_COMPILE_CONTEXT", "run")  # what `reflex run` sets
    with pytest.raises(SystemExit) as stopped:
        keys.refuse_to_serve_without_key()
    assert stopped.value.code == 2
    assert "Trainer cannot start: [E010] TRAINER_SECRET_KEY" in capsys.readouterr().err


def test_secret_web_app_starts_with_a_key_or_in_demo_mode(no_key, monkeypatch):
    monkeypatch.setenv("REFLEX_COMPILE_CONTEXT", "run")
    monkeypatch.setenv(keys.DEMO_ENV, "1")
    keys.refuse_to_serve_without_key()  # the demo: a generated key
    monkeypatch.delenv(keys.DEMO_ENV)
    monkeypatch.setenv(keys.SECRET_ENV, KEY)
    keys.refuse_to_serve_without_key()
    monkeypatch.setenv("REFLEX_COMPILE_CONTEXT", "export")
    monkeypatch.delenv(keys.SECRET_ENV)
    keys.refuse_to_serve_without_key()  # building or importing the app needs no key


def test_secret_web_app_module_checks_at_import():
    """trainer/trainer.py calls the check at module level (reflex run imports it first)."""
    tree = ast.parse((REPO / "trainer" / "trainer.py").read_text())
    calls = [
        n.value.func.id
        for n in tree.body
        if isinstance(n, ast.Expr)
        and isinstance(n.value, ast.Call)
        and isinstance(n.value.func, ast.Name)
    ]
    assert "refuse_to_serve_without_key" in calls


def test_secret_web_app_checks_again_when_the_server_starts():
    """The app registers the check as a lifespan task (any ASGI server runs it at start); read
    from the source, as importing the whole app takes many seconds."""
    source = (REPO / "trainer" / "trainer.py").read_text()
    assert "app.register_lifespan_task(refuse_to_start_without_key)" in source


def test_secret_sessions_are_keyed_with_it(sqlite_url, monkeypatch):
    from trainer.access.passwords import hash_password

    monkeypatch.setenv(keys.SECRET_ENV, KEY)
    with session_scope() as session:
        make_user(
            session, "Sam Lee", email="sam@example.com", password_hash=hash_password("password-1")
        )
    with session_scope() as session:
        token = login(session, "sam@example.com", "password-1").token
    with session_scope() as session:
        stored = session.scalar(select(AuthSession.token_hash))
        assert stored == hmac.new(KEY.encode(), token.encode(), hashlib.sha256).hexdigest()
        assert stored != hashlib.sha256(token.encode()).hexdigest()
        assert resolve_session(session, token).name == "Sam Lee"
    # Another key (a rotated one, or a planted row without it) opens no session.
    monkeypatch.setenv(keys.SECRET_ENV, "another-key-" + "z" * 40)
    with session_scope() as session:
        assert resolve_session(session, token) is None
