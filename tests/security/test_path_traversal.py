"""Path traversal: every API route that takes an id answers a traversal id (`../../etc/passwd`,
`%2e%2e%2f`, an absolute path, a NUL byte, a backslash path) with a 4xx and never with the
content of a file outside the app; uploaded names and ids that become file names stay inside
their folder; CLI options that name output files write exactly where told."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from trainer.access import Actor
from trainer.api.app import create_api
from trainer.db.session import session_scope
from trainer.services.auth import issue_api_token

from ..conftest import make_user

SITE = "http://127.0.0.1:3000"
CANARY = "canary-7f3a9c outside the app"


@pytest.fixture
def canary(tmp_path) -> Path:
    """A file outside the app whose content must never come back."""
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(CANARY)
    return path


def _ids(canary: Path) -> list[str]:
    """Traversal ids, already percent-encoded for a URL path segment (a client would resolve
    a literal `../` before sending)."""
    raw = [
        "../../etc/passwd",
        "../../../../../../etc/passwd",
        "..\\..\\etc\\passwd",
        str(canary),
        f"../..{canary}",
        "evil\x00.wav",
        "..",
        "....//....//etc/passwd",
    ]
    encoded = [quote(r, safe="") for r in raw]
    # double encodings and mixed forms, sent as they are
    encoded += ["%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%252e%252e%252fetc%252fpasswd", "..%2f..%2f"]
    return encoded


@pytest.fixture
def api(sqlite_url, canary):
    with session_scope() as session:
        admin = make_user(session, "Ada Admin", "admin")
        token = issue_api_token(session, Actor.local_admin(), admin, "tests")
    with TestClient(create_api(standalone=True), base_url=SITE) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


ROUTES = [
    ("get", "/api/v1/conversations/{id}"),
    ("get", "/api/v1/audio/{id}"),
    ("head", "/api/v1/audio/{id}"),
    ("put", "/api/v1/conversations/{id}/review"),
    ("get", "/api/v1/certificates/{id}/pdf"),
    ("get", "/api/v1/cohorts/{id}/progress"),
    ("post", "/api/v1/reviews/{id}/acknowledgement"),
    ("post", "/api/v1/reviews/{id}/disputes"),
    ("post", "/api/v1/disputes/{id}/resolution"),
]


def _safe(response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert CANARY not in response.text
    assert "root:x:0:0" not in response.text


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_path_traversal_ids_on_every_route_are_refused(api, canary, method, route):
    for value in _ids(canary):
        kwargs = {"json": {}} if method in {"put", "post"} else {}
        response = api.request(method.upper(), route.replace("{id}", value), **kwargs)
        _safe(response)


def test_path_traversal_names_only_match_stored_names(api, canary):
    """An agent and criterion are names looked up in the database, never paths: a traversal
    name finds nothing (an empty drill-down for an admin, who may ask about anyone)."""
    for value in _ids(canary):
        response = api.get(f"/api/v1/scorecards/agents/{value}/criteria/{value}")
        assert response.status_code in {200, 404, 422}, response.text[:300]
        assert CANARY not in response.text and "root:x:0:0" not in response.text
        if response.status_code == 200:
            found = response.json()
            assert found.get("conversations", []) == found.get("rows", []) == [], found


def test_path_traversal_in_query_parameters_finds_nothing(api, canary):
    """Filters are compared with stored values, never opened: a path finds no rows."""
    for value in [str(canary), "../../etc/passwd", "a\x00b"]:
        listed = api.get("/api/v1/conversations", params={"agent": value, "channel": value})
        assert listed.status_code in {200, 422} and CANARY not in listed.text
        if listed.status_code == 200:
            assert listed.json()["items"] == []
        card = api.get("/api/v1/scorecards", params={"team": value, "agent": value})
        assert 200 <= card.status_code < 500 and CANARY not in card.text


@pytest.mark.parametrize("value", ["../../etc/passwd", "/etc/passwd", "..", "a/b", "a\\..\\b"])
def test_path_traversal_call_upload_ids_are_refused(api, value):
    wav = b"RIFF$\x00\x00\x00WAVEfmt " + b"\x00" * 64
    response = api.post("/api/v1/calls", params={"id": value}, content=wav)
    assert response.status_code == 422, response.text


def test_path_traversal_static_files_stay_inside(api, canary):
    for path in [
        "/..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/api/v1/..%2f..%2f..%2fetc/passwd",
        "/" + quote(str(canary), safe=""),
    ]:
        _safe(api.get(path))


@pytest.mark.parametrize(
    "suffix", ["/../../../../tmp/x", "../../x", "\\..\\x", ".wav/../../x", "\x00.wav", ".w" * 40]
)
def test_path_traversal_uploaded_reply_names_stay_in_their_folder(monkeypatch, suffix):
    """A practice recording's file name suffix (from the browser) becomes a temporary file
    name: it never leaves its temporary folder."""
    from trainer.services import roleplay

    seen: list[Path] = []
    monkeypatch.setattr(roleplay, "transcribe_reply", lambda path: seen.append(path) or "hi")
    wav = b"RIFF$\x00\x00\x00WAVEfmt " + b"\x00" * 64
    assert roleplay.transcribe_reply_bytes(wav, suffix) == ("hi", "")
    (path,) = seen
    assert path.parent.name.startswith("trainer-reply-")
    assert path.name.startswith("reply") and "/" not in path.name and ".." not in path.name
    assert "\x00" not in str(path)
