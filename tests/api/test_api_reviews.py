"""The QA endpoints of /api/v1: a reviewer submits a review, the agent disputes it, the team's
lead (not the scorer) accepts, and the final score follows; refusals read as 401/403/404/422."""

from __future__ import annotations

import pytest


def _criteria(seeded, external_id: str) -> dict:
    answer = seeded.client.get(
        f"/api/v1/conversations/{external_id}", headers=seeded.as_role("admin")
    )
    return {c["id"]: c for c in answer.json()["criteria"]}


def test_api_reviews_review_dispute_resolve_round_trip(seeded):
    client = seeded.client
    criteria = _criteria(seeded, "c-sam")
    target = next(cid for cid, c in criteria.items() if c["value"] == 1.0)
    body = {
        "criteria": {target: {"value": 0.0, "reason": "incorrect_score", "comment": "missed"}},
        "comment": "one miss",
        "submit": True,
    }
    refused = client.put(
        "/api/v1/conversations/c-sam/review", json=body, headers=seeded.as_role("agent")
    )
    assert refused.status_code == 403
    saved = client.put(
        "/api/v1/conversations/c-sam/review", json=body, headers=seeded.as_role("reviewer")
    )
    assert saved.status_code == 200, saved.text
    review = saved.json()
    assert review["status"] == "submitted" and review["reviewer"] == "Rita Reviewer"
    again = client.put(
        "/api/v1/conversations/c-sam/review", json=body, headers=seeded.as_role("reviewer")
    )
    assert again.status_code == 422 and again.json()["code"] == "E930"

    detail = client.get("/api/v1/conversations/c-sam", headers=seeded.as_role("agent")).json()
    assert detail["final_score"] == review["score"]
    assert detail["reviews"][0]["can_respond"] is True

    opened = client.post(
        f"/api/v1/reviews/{review['id']}/disputes",
        json={"criteria": [target], "comment": "I did that"},
        headers=seeded.as_role("agent"),
    )
    assert opened.status_code == 201, opened.text
    dispute = opened.json()
    assert client.get("/api/v1/disputes", headers=seeded.as_role("reviewer")).json() == []
    inbox = client.get("/api/v1/disputes", headers=seeded.as_role("lead")).json()
    assert [d["id"] for d in inbox] == [dispute["id"]]
    mine = client.get("/api/v1/disputes?mine=true", headers=seeded.as_role("agent")).json()
    assert [d["id"] for d in mine] == [dispute["id"]]

    by_scorer = client.post(
        f"/api/v1/disputes/{dispute['id']}/resolution",
        json={"outcome": "rejected", "reason": "no"},
        headers=seeded.as_role("reviewer"),
    )
    assert by_scorer.status_code == 403
    resolved = client.post(
        f"/api/v1/disputes/{dispute['id']}/resolution",
        json={"outcome": "accepted", "reason": "it is there", "values": {target: 1.0}},
        headers=seeded.as_role("lead"),
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["changes"] == {target: {"from": 0.0, "to": 1.0}}
    final = client.get("/api/v1/conversations/c-sam", headers=seeded.as_role("agent")).json()
    assert final["final_score"] > review["score"]

    report = client.get("/api/v1/agreement", headers=seeded.as_role("admin"))
    assert report.status_code == 200
    rows = {row["criterion"]: row for row in report.json()}
    assert rows[target]["auto_vs_human"] is None or rows[target]["auto_vs_human"]["n"] == 1
    # narrowed like scorecards: a trainee's own conversations hold no reviews
    assert client.get("/api/v1/agreement", headers=seeded.as_role("trainee")).json() == []


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("put", "/api/v1/conversations/c-sam/review", {"criteria": {"x": {"value": 2}}}, 422),
        ("put", "/api/v1/conversations/nope/review", {}, 404),
        ("post", "/api/v1/reviews/99999/acknowledgement", None, 404),
        ("post", "/api/v1/reviews/99999/disputes", {"criteria": ["a"], "comment": "x"}, 404),
        ("post", "/api/v1/reviews/1/disputes", {"criteria": [], "comment": "x"}, 422),
        ("post", "/api/v1/disputes/99999/resolution", {"outcome": "rejected", "reason": "x"}, 404),
        ("post", "/api/v1/disputes/1/resolution", {"outcome": "maybe", "reason": "x"}, 422),
        ("post", "/api/v1/reviews/99999999999/acknowledgement", None, 422),
    ],
)
def test_api_reviews_refusals(seeded, method, path, body, status):
    who = "agent" if "disputes" in path or "acknowledgement" in path else "admin"
    answer = getattr(seeded.client, method)(path, json=body, headers=seeded.as_role(who))
    assert answer.status_code == status, answer.text
    assert "Traceback" not in answer.text


def test_api_reviews_need_a_caller(seeded):
    assert seeded.client.get("/api/v1/disputes").status_code == 401
    assert seeded.client.put("/api/v1/conversations/c-sam/review", json={}).status_code == 401
