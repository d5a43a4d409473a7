"""GET /api/v1/scorecards and its drill-down: the report narrowed by the caller's role, a date
range and period parsed strictly, refusals as 401/403/404/422."""

from __future__ import annotations

import pytest

# The seeded chats and calls start on 2026-03-02..04: Sam and Aiko a chat and a call, Priya a chat.
MARCH = {"since": "2026-03-01", "until": "2026-03-31"}


def _get(seeded, role: str | None, path: str = "/api/v1/scorecards", **params):
    headers = seeded.as_role(role) if role else {}
    return seeded.client.get(path, params=params, headers=headers)


def test_api_scorecards_rows_per_agent_and_team_in_the_range(seeded):
    answer = _get(seeded, "admin", **MARCH)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["since"] == "2026-03-01" and body["until"] == "2026-03-31"
    agents = {r["agent"]: r for r in body["rows"]}
    counts = {name: r["conversations"] for name, r in agents.items()}
    assert counts == {"Sam Lee": 2, "Priya Shah": 1, "Aiko Tanaka": 2}
    assert all(r["uncertain"] for r in agents.values())
    assert all(r["low"] <= r["score"] <= r["high"] for r in agents.values())
    assert [s["id"] for s in body["sections"]][0] == "empathy"
    teams = _get(seeded, "admin", by="team", **MARCH).json()
    assert {r["team"]: r["conversations"] for r in teams["rows"]} == {"North": 3, "South": 2}
    assert sum(t["n"] for t in body["trends"] if t["level"] == "all") == 5
    assert sum(b["count"] for b in body["distribution"]) == 5


@pytest.mark.parametrize(
    ("role", "agents"),
    [
        ("lead", {"Sam Lee", "Priya Shah"}),
        ("agent", {"Sam Lee"}),
        ("trainee", set()),
        ("reviewer", {"Sam Lee", "Priya Shah", "Aiko Tanaka"}),
    ],
)
def test_api_scorecards_are_narrowed_by_role(seeded, role, agents):
    body = _get(seeded, role, **MARCH).json()
    assert {r["agent"] for r in body["rows"]} == agents


def test_api_scorecards_default_range_and_refusals(seeded):
    recent = _get(seeded, "admin").json()  # the last 30 days: nothing from March
    assert recent["period"] == "week" and recent["rows"] == [] and recent["agents"] == []
    assert _get(seeded, None).status_code == 401
    assert _get(seeded, "lead", team="South", **MARCH).status_code == 404
    backwards = _get(seeded, "admin", since="2026-03-31", until="2026-03-01")
    assert backwards.status_code == 422 and backwards.json()["code"] == "E990"
    assert _get(seeded, "admin", since="yesterday").status_code == 422
    assert _get(seeded, "admin", period="fortnight").status_code == 422
    assert _get(seeded, "admin", by="customer").status_code == 422


def test_api_scorecards_drill_down_to_evidence(seeded):
    path = "/api/v1/scorecards/agents/Sam Lee/criteria/acknowledges-feelings"
    answer = _get(seeded, "lead", path, **MARCH)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["criterion"]["section"] == "empathy" and body["n"] >= 1
    row = next(r for r in body["conversations"] if r["conversation"] == "c-sam")
    assert row["href"] == "/conversations/c-sam"
    assert row["evidence"] and row["evidence"][0]["quote"]
    other = "/api/v1/scorecards/agents/Aiko Tanaka/criteria/acknowledges-feelings"
    assert _get(seeded, "lead", other, **MARCH).status_code == 404
    unknown = "/api/v1/scorecards/agents/Sam Lee/criteria/no-such-thing"
    assert _get(seeded, "lead", unknown, **MARCH).status_code == 422
