"""The REST API and the login routes over HTTP (TestClient on create_api(standalone=True))."""

from __future__ import annotations

import json
from urllib.parse import urljoin, urlsplit

import pytest

from trainer.db.session import session_scope

from ..api.conftest import PASSWORD, email

SITE = "http://127.0.0.1:3000"


def _login(client, who: str = "Sam Lee", **extra):
    return client.post(
        "/auth/login",
        data={"email": email(who), "password": PASSWORD, **extra.pop("data", {})},
        follow_redirects=False,
        **extra,
    )


def test_security_api_conversation_never_shows_a_server_path(seeded, tmp_path):
    from trainer.services.calls import register_call, transcribe_stored

    folder = tmp_path / "incoming-secret"
    folder.mkdir()
    (folder / "broken.wav").write_bytes(b"")
    (folder / "broken.json").write_text(json.dumps({"agent": "Sam Lee"}))
    with session_scope(seeded.url) as session:
        register_call(session, folder / "broken.wav")
    assert transcribe_stored("broken", url=seeded.url, score=False) == "failed"
    response = seeded.client.get("/api/v1/conversations/broken", headers=seeded.as_role("agent"))
    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    assert "incoming-secret" not in response.text and str(tmp_path) not in response.text


def test_security_trusted_header_only_from_a_trusted_proxy(seeded, monkeypatch):
    monkeypatch.setenv("TRAINER_AUTH_HEADER", "X-Remote-User")
    response = seeded.client.get("/api/v1/me", headers={"X-Remote-User": email("Alex Admin")})
    assert response.status_code == 401  # the test client is no configured proxy


def test_security_trusted_header_is_off_by_default(seeded, monkeypatch):
    monkeypatch.delenv("TRAINER_AUTH_HEADER", raising=False)
    for header in ("X-Remote-User", "X-Forwarded-User", "Remote-User", "X-Auth-Request-Email"):
        response = seeded.client.get("/api/v1/me", headers={header: email("Alex Admin")})
        assert response.status_code == 401


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        " //evil.example",
        "https:evil.example",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "javascript:alert(1)",
        "\\/evil.example",
        "///evil.example",
    ],
)
def test_security_login_redirect_stays_on_site(seeded, target):
    response = _login(seeded.client, data={"next": target})
    assert response.status_code == 303
    location = response.headers["location"]
    resolved = urlsplit(urljoin(f"{SITE}/auth/login", location.replace("\t", "").replace("\n", "")))
    assert (resolved.scheme, resolved.netloc) == ("http", "127.0.0.1:3000"), location
    assert not location.lower().startswith("javascript")


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1:3000.evil"])
def test_security_cross_site_login_sets_no_cookie(seeded, origin):
    response = _login(seeded.client, headers={"Origin": origin})
    assert response.status_code == 303 and "error=origin" in response.headers["location"]
    assert "set-cookie" not in response.headers
    assert seeded.client.get("/api/v1/me").status_code == 401


def test_security_cross_site_logout_does_not_end_the_session(seeded):
    client = seeded.client
    assert _login(client).status_code == 303
    token = client.cookies.get("trainer_session")
    client.post("/auth/logout", headers={"Origin": "https://evil.example"}, follow_redirects=False)
    client.cookies.set("trainer_session", token)
    assert client.get("/api/v1/me").status_code == 200


def test_security_preset_cookie_is_replaced_at_login(seeded):
    client = seeded.client
    client.cookies.set("trainer_session", "attacker-fixed-value")
    assert client.get("/api/v1/me").status_code == 401
    response = _login(client)
    assert "trainer_session=attacker-fixed-value" not in response.headers["set-cookie"]
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie


def test_security_malformed_authorization_is_never_rescued_by_a_cookie(seeded):
    client = seeded.client
    assert _login(client).status_code == 303
    for value in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token trn_x", "bearer trn_nope"):
        assert client.get("/api/v1/me", headers={"Authorization": value}).status_code == 401


def test_security_session_cookie_is_not_a_bearer_token(seeded):
    client = seeded.client
    token = _login(client).cookies.get("trainer_session") or client.cookies.get("trainer_session")
    client.cookies.clear()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.parametrize("role", ["trainee", "agent", "lead", "hr"])
def test_security_private_conversation_and_audio_read_like_missing_ones(seeded, role):
    headers = seeded.as_role(role)
    for prefix in ("/api/v1/conversations/", "/api/v1/audio/"):
        private = seeded.client.get(prefix + "call-aiko", headers=headers)
        missing = seeded.client.get(prefix + "call-nope", headers=headers)
        assert private.status_code == missing.status_code == 404
        assert private.text.replace("call-aiko", "ID") == missing.text.replace("call-nope", "ID")


def test_security_streamed_login_form_over_the_limit_is_refused(seeded, monkeypatch):
    monkeypatch.setenv("TRAINER_MAX_UPLOAD_MB", "0.01")  # 10 KiB

    def tiny_chunks():  # chunked, no Content-Length, many small pieces
        yield b"email=a%40example.com&password="
        for _ in range(20_000):
            yield b"x"

    response = seeded.client.post(
        "/auth/login",
        content=tiny_chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code == 413


def test_security_lying_content_length_does_not_lift_the_limit(seeded, monkeypatch):
    monkeypatch.setenv("TRAINER_MAX_UPLOAD_MB", "0.01")

    def body():
        yield b'{"id": "big", "turns": [{"speaker": "agent", "text": "'
        for _ in range(40):
            yield b"y" * 512

    response = seeded.client.post(
        "/api/v1/conversations",
        content=body(),
        headers={**seeded.as_role("admin"), "Content-Length": "10"},
    )
    assert response.status_code in (400, 413)
    assert (
        seeded.client.get("/api/v1/conversations/big", headers=seeded.as_role("admin")).status_code
        == 404
    )


@pytest.mark.parametrize("role", ["trainee", "agent", "reviewer", "lead", "hr"])
def test_security_only_admins_ingest(seeded, role):
    body = {"id": "sneaky", "agent": "Sam Lee", "turns": [{"speaker": "agent", "text": "hi"}]}
    response = seeded.client.post("/api/v1/conversations", headers=seeded.as_role(role), json=body)
    assert response.status_code == 403
    assert (
        seeded.client.get(
            "/api/v1/conversations/sneaky", headers=seeded.as_role("admin")
        ).status_code
        == 404
    )


def test_security_errors_carry_no_traceback(seeded):
    from fastapi.testclient import TestClient

    client = TestClient(seeded.client.app, raise_server_exceptions=False, base_url=SITE)
    headers = seeded.as_role("admin")
    for content in (b"[" * 100_000, b"\xff\xfe", b'{"id": 1, "turns": "x"}'):
        response = client.post("/api/v1/conversations", headers=headers, content=content)
        assert response.status_code in (413, 422, 500)
        assert "Traceback" not in response.text and 'File "' not in response.text


def test_security_deeply_nested_json_is_a_clear_422(seeded):
    response = seeded.client.post(
        "/api/v1/conversations", headers=seeded.as_role("admin"), content=b"[" * 100_000
    )
    assert response.status_code == 422
