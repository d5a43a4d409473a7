"""The onboarding endpoints of /api/v1: a cohort's progress (HR sees every member, the lead of
North their team's, a trainee themself), the cohorts list, a certificate's PDF; refusals read as
401/403/404/422."""

from __future__ import annotations

from datetime import date, timedelta

from trainer.db.session import session_scope
from trainer.roleplay.attempt import read_script, run_script
from trainer.roleplay.loader import find_scenario
from trainer.services.onboarding import create_cohort
from trainer.services.roleplay import record_result

from ..conftest import REPO, actor_of

SCRIPTS = REPO / "tests" / "fixtures" / "roleplay"
STEPS = ["double-charge", "late-delivery", "abusive-customer", "transfer-to-fraud"]


def _cohort(seeded, passes: list[str]) -> int:
    """HR's cohort of Tina (North trainee) and Aiko (South agent); Tina passes `passes`."""
    with session_scope(seeded.url) as session:
        view = create_cohort(
            session,
            actor_of(session, "Hana Ito"),
            "API hires",
            "new-hire-basics",
            date.today() + timedelta(days=20),
            ["Tina Trainee", "Aiko Tanaka"],
        )
    for step in passes:
        replies = read_script((SCRIPTS / f"{step}.good.txt").read_text(encoding="utf-8"))
        with session_scope(seeded.url) as session:
            record_result(
                session,
                actor_of(session, "Hana Ito"),
                "Tina Trainee",
                run_script(find_scenario(step), replies),
            )
    return view["id"]


def test_api_onboarding_progress_per_role(seeded):
    cohort_id = _cohort(seeded, ["double-charge"])
    url = f"/api/v1/cohorts/{cohort_id}/progress"
    hr = seeded.client.get(url, headers=seeded.as_role("hr"))
    assert hr.status_code == 200, hr.text
    body = hr.json()
    assert body["name"] == "API hires" and body["path"]["id"] == "new-hire-basics"
    members = {m["name"]: m for m in body["members"]}
    assert set(members) == {"Tina Trainee", "Aiko Tanaka"}
    assert [s["status"] for s in members["Tina Trainee"]["steps"]] == [
        "passed",
        "not_started",
        "not_started",
        "not_started",
    ]
    assert members["Aiko Tanaka"]["steps"][0]["status"] == "not_started"
    first = body["funnel"][0]
    assert (first["step"], first["passed"], first["not_started"]) == ("double-charge", 1, 1)
    lead = seeded.client.get(url, headers=seeded.as_role("lead")).json()  # leads North
    assert [m["name"] for m in lead["members"]] == ["Tina Trainee"]
    trainee = seeded.client.get(url, headers=seeded.as_role("trainee")).json()
    assert [m["name"] for m in trainee["members"]] == ["Tina Trainee"]
    # Sam (an agent of North, not in the cohort): not found, as for a missing cohort
    assert seeded.client.get(url, headers=seeded.as_role("agent")).status_code == 404
    missing = seeded.client.get("/api/v1/cohorts/999999/progress", headers=seeded.as_role("hr"))
    assert missing.status_code == 404 and missing.json()["code"] == "E300"
    reviewer = seeded.client.get(url, headers=seeded.as_role("reviewer"))
    assert reviewer.status_code == 403 and reviewer.json()["code"] == "E910"
    assert seeded.client.get(url).status_code == 401
    too_big = seeded.client.get(f"/api/v1/cohorts/{2**31}/progress", headers=seeded.as_role("hr"))
    assert too_big.status_code == 422
    listed = seeded.client.get("/api/v1/cohorts", headers=seeded.as_role("lead")).json()
    assert [(c["name"], c["members"]) for c in listed] == [("API hires", ["Tina Trainee"])]
    assert seeded.client.get("/api/v1/cohorts", headers=seeded.as_role("agent")).json() == []


def test_api_onboarding_certificate_pdf_for_the_person_hr_and_lead_only(seeded):
    cohort_id = _cohort(seeded, STEPS)
    body = seeded.client.get(
        f"/api/v1/cohorts/{cohort_id}/progress", headers=seeded.as_role("hr")
    ).json()
    tina = next(m for m in body["members"] if m["name"] == "Tina Trainee")
    assert tina["status"] == "passed" and body["finished"] == 1
    cert = tina["certificate"]
    assert set(cert["scores"]) == set(STEPS)
    url = f"/api/v1/certificates/{cert['id']}/pdf"
    for role in ("trainee", "lead", "hr", "admin"):
        answer = seeded.client.get(url, headers=seeded.as_role(role))
        assert answer.status_code == 200, (role, answer.text)
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.content.startswith(b"%PDF")
    assert seeded.client.get(url, headers=seeded.as_role("agent")).status_code == 404
    assert seeded.client.get(url, headers=seeded.as_role("reviewer")).status_code == 403
