"""The REST API: who may call what (the matrix through HTTP), filters and paging, ingest, audio,
tokens, cookies, and limits on what a request may cost."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from trainer.access import Actor
from trainer.db.models import AuditEvent, ConversationRecord
from trainer.db.session import session_scope
from trainer.services.accounts import set_active
from trainer.services.auth import revoke_api_token

from .conftest import AUDIO_ID_SOUTH, CALL_ID, PASSWORD, ROLE_USER, email

ALL = {"c-sam", "c-priya", "c-aiko", CALL_ID, AUDIO_ID_SOUTH}
NORTH = {"c-sam", "c-priya", CALL_ID}
OWN = {"c-sam", CALL_ID}
ROLES = ["trainee", "agent", "reviewer", "lead", "hr", "admin"]

# role -> (list: ids or status, detail of another team's chat, its audio, own-team audio, POST)
MATRIX = {
    "trainee": (403, 404, 404, 404, 403),
    "agent": (OWN, 404, 404, 200, 403),
    "reviewer": (ALL, 200, 200, 200, 403),
    "lead": (NORTH, 404, 404, 200, 403),
    "hr": (403, 404, 404, 404, 403),
    "admin": (ALL, 200, 200, 200, 201),
}
NEW_CHAT = {
    "id": "api-new",
    "channel": "chat",
    "agent": "Sam Lee",
    "customer": "Ola Berg",
    "started_at": "2026-04-01T09:00:00Z",
    "turns": [
        {"speaker": "agent", "text": "Thanks for contacting us, this is Sam. How can I help?"},
        {"speaker": "customer", "text": "My card 4111 1111 1111 1111 was charged twice."},
        {"speaker": "agent", "text": "I'm sorry about that. I've refunded the duplicate charge."},
    ],
}
ENDPOINTS = [
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/conversations"),
    ("GET", "/api/v1/conversations/c-sam"),
    ("POST", "/api/v1/conversations"),
    ("GET", f"/api/v1/audio/{CALL_ID}"),
    ("POST", "/api/v1/practice/transcribe"),
]


def _count(url: str) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count(ConversationRecord.id)))


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix_every_role_gets_exactly_its_scope(seeded, role):
    listing, foreign, foreign_audio, own_audio, post = MATRIX[role]
    headers = seeded.as_role(role)
    client = seeded.client

    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json()["name"] == ROLE_USER[role]

    response = client.get("/api/v1/conversations", headers=headers)
    if isinstance(listing, int):
        assert response.status_code == listing
    else:
        assert response.status_code == 200
        assert {item["conversation"] for item in response.json()["items"]} == listing
        assert response.json()["total"] == len(listing)

    assert client.get("/api/v1/conversations/c-aiko", headers=headers).status_code == foreign
    assert client.get(f"/api/v1/audio/{AUDIO_ID_SOUTH}", headers=headers).status_code == (
        foreign_audio
    )
    assert client.get(f"/api/v1/audio/{CALL_ID}", headers=headers).status_code == own_audio
    before = _count(seeded.url)
    created = client.post("/api/v1/conversations", headers=headers, json=NEW_CHAT)
    assert created.status_code == post
    assert _count(seeded.url) == before + (1 if post == 201 else 0)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_api_refuses_without_credentials(seeded, method, path):
    response = seeded.client.request(method, path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_api_private_conversation_reads_exactly_like_a_missing_one(seeded):
    headers = seeded.as_role("agent")
    foreign = seeded.client.get("/api/v1/conversations/c-aiko", headers=headers).json()
    missing = seeded.client.get("/api/v1/conversations/c-nope", headers=headers).json()
    assert foreign["detail"].replace("c-aiko", "X") == missing["detail"].replace("c-nope", "X")


def test_api_detail_is_the_show_json(seeded):
    body = seeded.client.get("/api/v1/conversations/c-sam", headers=seeded.as_role("agent")).json()
    assert body["conversation"] == "c-sam" and body["agent"] == "Sam Lee"
    assert body["criteria"] and all("evidence" in c for c in body["criteria"])
    assert body["turns"][0]["speaker"] == "agent"


def test_api_list_filters_and_pages(seeded):
    headers = seeded.as_role("admin")
    get = seeded.client.get
    by_agent = get("/api/v1/conversations", headers=headers, params={"agent": "Priya Shah"})
    assert [i["conversation"] for i in by_agent.json()["items"]] == ["c-priya"]
    calls = get("/api/v1/conversations", headers=headers, params={"channel": "call"}).json()
    assert {i["conversation"] for i in calls["items"]} == {CALL_ID, AUDIO_ID_SOUTH}
    since = get(
        "/api/v1/conversations", headers=headers, params={"since": "2026-03-03T00:00:00"}
    ).json()
    assert "c-sam" not in {i["conversation"] for i in since["items"]}
    assert "c-priya" in {i["conversation"] for i in since["items"]}
    low = get("/api/v1/conversations", headers=headers, params={"max_score": 50}).json()
    assert low["items"] and all(i["score"] <= 50 for i in low["items"])
    first = get("/api/v1/conversations", headers=headers, params={"per_page": 2}).json()
    second = get("/api/v1/conversations", headers=headers, params={"per_page": 2, "page": 2}).json()
    assert first["total"] == second["total"] == 5
    assert len(first["items"]) == 2 and len(second["items"]) == 2
    assert not {i["conversation"] for i in first["items"]} & {
        i["conversation"] for i in second["items"]
    }
    bad = get("/api/v1/conversations", headers=headers, params={"per_page": 0})
    assert bad.status_code == 422


def test_api_ingest_redacts_scores_and_is_idempotent(seeded):
    headers = seeded.as_role("admin")
    created = seeded.client.post("/api/v1/conversations", headers=headers, json=NEW_CHAT)
    assert created.status_code == 201
    assert created.json()["action"] == "created" and created.json()["score"] is not None
    again = seeded.client.post("/api/v1/conversations", headers=headers, json=NEW_CHAT)
    assert again.status_code == 200 and again.json()["action"] == "unchanged"
    view = seeded.client.get("/api/v1/conversations/api-new", headers=headers).json()
    assert "4111" not in view["turns"][1]["text"] and "[CARD]" in view["turns"][1]["text"]
    # the agent whose name matches an account sees it as theirs
    mine = seeded.client.get("/api/v1/conversations/api-new", headers=seeded.as_role("agent"))
    assert mine.status_code == 200


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"turns": []}, "empty conversation"),
        ({"id": "x", "turns": [{"speaker": "agent"}]}, "turns.0.text"),
        ([NEW_CHAT, NEW_CHAT], "one conversation object"),
        ({"id": "x", "channel": "fax", "turns": NEW_CHAT["turns"]}, "unknown channel"),
    ],
)
def test_api_ingest_bad_body_says_where_and_stores_nothing(seeded, body, fragment):
    before = _count(seeded.url)
    response = seeded.client.post(
        "/api/v1/conversations", headers=seeded.as_role("admin"), json=body
    )
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
    assert _count(seeded.url) == before


def test_api_ingest_refuses_a_streamed_body_over_the_limit(seeded, monkeypatch):
    monkeypatch.setenv("TRAINER_MAX_UPLOAD_MB", "0.01")  # 10 KiB

    def endless():
        yield b'{"id": "big", "turns": [{"speaker": "agent", "text": "'
        for _ in range(200):
            yield b"x" * 1024

    before = _count(seeded.url)
    response = seeded.client.post(
        "/api/v1/conversations", headers=seeded.as_role("admin"), content=endless()
    )
    assert response.status_code == 413
    assert "too big" in response.json()["detail"]
    assert _count(seeded.url) == before


def test_api_audio_streams_wav_with_ranges(seeded):
    headers = seeded.as_role("agent") | {"Range": "bytes=0-99"}
    response = seeded.client.get(f"/api/v1/audio/{CALL_ID}", headers=headers)
    assert response.status_code == 206 and len(response.content) == 100
    assert response.headers["content-type"] == "audio/wav"
    assert response.content.startswith(b"RIFF")


def test_api_revoked_token_and_deactivated_user_are_refused(seeded):
    headers = seeded.as_role("reviewer")
    assert seeded.client.get("/api/v1/me", headers=headers).status_code == 200
    with session_scope(seeded.url) as session:
        from trainer.db.models import ApiToken

        token_id = session.scalar(
            select(ApiToken.id).where(ApiToken.prefix == seeded.tokens["reviewer"][:12])
        )
        revoke_api_token(session, Actor.local_admin(), token_id)
    assert seeded.client.get("/api/v1/me", headers=headers).status_code == 401
    lead = seeded.as_role("lead")
    assert seeded.client.get("/api/v1/me", headers=lead).status_code == 200
    with session_scope(seeded.url) as session:
        set_active(session, Actor.local_admin(), email(ROLE_USER["lead"]), False)
    assert seeded.client.get("/api/v1/me", headers=lead).status_code == 401


def test_api_a_bad_token_is_not_rescued_by_a_cookie(seeded):
    client = seeded.client
    login = client.post(
        "/auth/login",
        data={"email": email("Sam Lee"), "password": PASSWORD},
        follow_redirects=False,
    )
    assert login.status_code == 303
    assert client.get("/api/v1/me").status_code == 200  # the cookie alone works
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer trn_not-a-token"})
    assert bad.status_code == 401


def test_api_login_sets_an_httponly_samesite_cookie_and_logout_ends_it(seeded):
    client = seeded.client
    response = client.post(
        "/auth/login",
        data={"email": email("Sam Lee").upper(), "password": PASSWORD, "next": "/scorecard"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/scorecard"
    cookie = response.headers["set-cookie"].lower()
    assert "trainer_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/api/v1/me").json()["role"] == "agent"
    out = client.post("/auth/logout", follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"].startswith("/login")
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "\\\\evil"])
def test_api_login_never_redirects_off_site(seeded, target):
    response = seeded.client.post(
        "/auth/login",
        data={"email": email("Sam Lee"), "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_api_login_failure_and_cross_site_post_go_back_to_the_login_page(seeded):
    client = seeded.client
    wrong = client.post(
        "/auth/login",
        data={"email": email("Sam Lee"), "password": "nope-nope-nope", "next": "/scorecard"},
        follow_redirects=False,
    )
    assert wrong.status_code == 303
    assert wrong.headers["location"] == "/login?error=credentials&next=%2Fscorecard"
    assert "set-cookie" not in wrong.headers
    forged = client.post(
        "/auth/login",
        data={"email": email("Sam Lee"), "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert forged.headers["location"].startswith("/login?error=origin")
    assert "set-cookie" not in forged.headers


def test_api_login_locks_after_five_failures(seeded):
    client = seeded.client
    for _ in range(5):
        client.post(
            "/auth/login",
            data={"email": email("Hana Ito"), "password": "wrong-password-1"},
            follow_redirects=False,
        )
    locked = client.post(
        "/auth/login",
        data={"email": email("Hana Ito"), "password": PASSWORD},
        follow_redirects=False,
    )
    assert locked.headers["location"].startswith("/login?error=locked&minutes=")
    with session_scope(seeded.url) as session:
        failures = session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "login.failed")
        )
    assert failures == 5


def test_api_transcription_needs_a_session_sniffs_and_is_rate_limited(seeded, monkeypatch):
    monkeypatch.setenv("TRAINER_TRANSCRIBE_PER_MINUTE", "2")
    headers = seeded.as_role("trainee") | {"Content-Type": "audio/webm"}
    post = seeded.client.post
    assert post("/api/v1/practice/transcribe", content=b"RIFF").status_code == 401
    not_audio = post("/api/v1/practice/transcribe", headers=headers, content=b"<html>hi</html>")
    assert not_audio.status_code == 415
    assert post("/api/v1/practice/transcribe", headers=headers, content=b"x").status_code == 415
    limited = post("/api/v1/practice/transcribe", headers=headers, content=b"x")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


def test_api_cors_only_for_the_apps_own_origin(seeded):
    headers = seeded.as_role("admin")
    own = seeded.client.get(
        "/api/v1/me", headers=headers | {"Origin": "http://127.0.0.1:3000"}
    ).headers
    other = seeded.client.get(
        "/api/v1/me", headers=headers | {"Origin": "https://evil.example"}
    ).headers
    assert own.get("access-control-allow-origin") == "http://127.0.0.1:3000"
    assert "access-control-allow-origin" not in other
    assert other["x-content-type-options"] == "nosniff" and other["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/scorecards?agent=Sam%20Lee%00",
        "/api/v1/conversations?agent=Sam%00Lee",
        "/api/v1/scorecards?team=North&agent=a%00",
    ],
)
def test_api_a_nul_character_in_a_query_parameter_is_a_422_naming_it(seeded, path):
    # PostgreSQL cannot hold NUL in text: this was a server error there (schemathesis found it).
    response = seeded.client.get(path, headers=seeded.as_role("admin"))
    assert response.status_code == 422, response.text
    assert "query parameter agent" in response.json()["detail"]
    assert "NUL" in response.json()["detail"]
    ok = seeded.client.get(path.replace("%00", ""), headers=seeded.as_role("admin"))
    assert ok.status_code == 200  # the same request without it is answered
