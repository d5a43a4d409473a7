"""Onboarding on SQLite and PostgreSQL: HR creates a cohort on a learning path, scripted
role-plays count toward each member's steps, finishing the path issues one certificate with its
scores (and a PDF), and the policy holds: a trainee sees their own progress only, a lead views
their team's, HR and admins manage. The CLI's commands end to end."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.db.models import AuditEvent, Certificate, Cohort, PathAssignment
from trainer.db.session import session_scope
from trainer.errors import ForbiddenError, NotFoundError, OnboardingError, PathError
from trainer.onboarding.paths import find_path
from trainer.roleplay.attempt import read_script, run_script
from trainer.roleplay.loader import find_scenario
from trainer.services import onboarding as service
from trainer.services.roleplay import record_result

from ..conftest import REPO, actor_of, make_user

ADMIN = Actor.local_admin()
SCRIPTS = REPO / "tests" / "fixtures" / "roleplay"
PATH = "new-hire-basics"
STEPS = ["double-charge", "late-delivery", "abusive-customer", "transfer-to-fraud"]
runner = CliRunner()


def people() -> None:
    """Two trainees in North and South, an agent, North's lead, HR, a reviewer."""
    with session_scope() as session:
        make_user(session, "Riley Park", "trainee", ["North"])
        make_user(session, "Noor Haddad", "trainee", ["South"])
        make_user(session, "Sam Lee", "agent", ["North"])
        make_user(session, "Morgan Reyes", "lead", ["North"])
        make_user(session, "Hana Ito", "hr")
        make_user(session, "Jordan Kim", "reviewer")


def play(trainee: str, scenario: str, quality: str = "good", by: str = "Hana Ito") -> None:
    """A scripted attempt stored for `trainee` (recorded by HR, by default)."""
    replies = read_script((SCRIPTS / f"{scenario}.{quality}.txt").read_text(encoding="utf-8"))
    result = run_script(find_scenario(scenario), replies, trainee=trainee)
    with session_scope() as session:
        record_result(session, actor_of(session, by), trainee, result)


def cohort(name: str = "March hires", members=("Riley Park", "Noor Haddad"), **kw) -> dict:
    with session_scope() as session:
        return service.create_cohort(
            session,
            actor_of(session, "Hana Ito"),
            name,
            PATH,
            kw.pop("due", date.today() + timedelta(days=30)),
            list(members),
            **kw,
        )


def progress(who: str, ref, **kw) -> dict:
    with session_scope() as session:
        return service.cohort_progress(session, actor_of(session, who), ref, **kw)


def statuses(view: dict, name: str) -> list[str]:
    member = next(m for m in view["members"] if m["name"] == name)
    return [s["status"] for s in member["steps"]]


def test_onboarding_cohort_create_and_progress_shape(db_url):
    people()
    view = cohort(start_on="2026-03-02")
    assert view["members"] == ["Noor Haddad", "Riley Park"] and view["path"] == PATH
    assert view["start_on"] == "2026-03-02"
    play("Riley Park", "double-charge")
    play("Noor Haddad", "double-charge", "poor")
    report = progress("Hana Ito", "March hires")
    assert report["id"] == view["id"] and report["path"]["id"] == PATH
    assert [s["step"] for s in report["path"]["steps"]] == STEPS
    riley = next(m for m in report["members"] if m["name"] == "Riley Park")
    assert set(riley) >= {"name", "steps", "status", "current_step", "due_on", "certificate"}
    assert set(riley["steps"][0]) >= {"step", "status", "locked", "attempts", "passes", "best"}
    assert statuses(report, "Riley Park") == ["passed", "not_started", "not_started", "not_started"]
    assert statuses(report, "Noor Haddad") == ["in_progress"] + ["not_started"] * 3
    assert riley["current_step"] == "late-delivery" and riley["status"] == "in_progress"
    first = report["funnel"][0]
    assert first["step"] == "double-charge" and first["title"] == "Charged twice for one order"
    assert (first["passed"], first["in_progress"], first["not_started"]) == (1, 1, 0)
    assert report["funnel"][1]["not_started"] == 2 and report["funnel"][1]["locked"] == 1
    # past the due date, what is not passed is past due
    late = progress("Hana Ito", view["id"], today=date.today() + timedelta(days=31))
    assert statuses(late, "Riley Park") == ["passed"] + ["past_due"] * 3
    with session_scope() as session:
        audit = session.scalar(select(AuditEvent).where(AuditEvent.action == "cohort.create"))
        assert audit.actor_name == "Hana Ito"
        assert audit.after["members"] == ["Noor Haddad", "Riley Park"]


def test_onboarding_certificate_issued_once_with_scores_when_the_path_is_finished(db_url):
    people()
    cohort()
    for step in STEPS[:-1]:
        play("Riley Park", step)
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Certificate)) == 0
    play("Riley Park", STEPS[-1])  # the last step: the attempt issues the certificate
    with session_scope() as session:
        certs = session.scalars(select(Certificate)).all()
        assert len(certs) == 1
        cert = certs[0]
        assert (cert.path_id, cert.path_version) == (PATH, find_path(PATH).version)
        assert set(cert.scores) == set(STEPS) and all(v >= 75 for v in cert.scores.values())
        cert_id = cert.id
    # computing progress again, and another passing attempt, issue nothing more
    report = progress("Hana Ito", "March hires")
    play("Riley Park", "double-charge")
    riley = next(m for m in report["members"] if m["name"] == "Riley Park")
    assert riley["status"] == "passed" and riley["certificate"]["id"] == cert_id
    assert report["finished"] == 1
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Certificate)) == 1
        issued = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "certificate.issue")
        ).all()
        assert len(issued) == 1 and issued[0].after["person"] == "Riley Park"
        pdf = service.certificate_pdf(session, actor_of(session, "Riley Park"), cert_id)
        found = service.find_certificate(session, actor_of(session, "Hana Ito"), "Riley Park", PATH)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert found["id"] == cert_id and found["person"] == "Riley Park"


def test_onboarding_policy_trainee_own_lead_team_hr_manages(db_url):
    people()
    view = cohort()
    play("Riley Park", "double-charge", by="Riley Park")  # a trainee records their own
    # the trainee sees themself only
    riley = progress("Riley Park", view["id"])
    assert [m["name"] for m in riley["members"]] == ["Riley Park"]
    assert sum(riley["funnel"][0][s] for s in ("passed", "not_started")) == 1
    with session_scope() as session:
        mine = service.my_progress(session, actor_of(session, "Riley Park"))
        assert [(p["path"], p["cohort"]) for p in mine] == [(PATH, "March hires")]
        with pytest.raises(NotFoundError):
            service.people_progress(session, actor_of(session, "Riley Park"), "Noor Haddad")
        with pytest.raises(ForbiddenError):
            service.create_cohort(
                session, actor_of(session, "Riley Park"), "Mine", PATH, "2099-01-01", []
            )
        # someone in no cohort: the cohort does not exist for them
        with pytest.raises(NotFoundError):
            service.cohort_progress(session, actor_of(session, "Sam Lee"), view["id"])
        # the lead of North views Riley (North), not Noor (South), and manages nothing
        lead = actor_of(session, "Morgan Reyes")
        assert [
            m["name"] for m in service.cohort_progress(session, lead, view["id"])["members"]
        ] == ["Riley Park"]
        assert service.list_cohorts(session, lead)[0]["members"] == ["Riley Park"]
        assert [p["name"] for p in service.people_progress(session, lead)] == ["Riley Park"]
        with pytest.raises(NotFoundError):
            service.people_progress(session, lead, "Noor Haddad")
        with pytest.raises(ForbiddenError):
            service.enrol(session, lead, view["id"], ["Sam Lee"])
        # a reviewer has no part in onboarding
        with pytest.raises(ForbiddenError):
            service.list_cohorts(session, actor_of(session, "Jordan Kim"))
        # a lead may not record attempts for someone else; HR may (done in play())
        with pytest.raises(ForbiddenError):
            record_result(
                session,
                lead,
                "Riley Park",
                run_script(find_scenario("double-charge"), ["hello"]),
            )
        # HR enrols and removes; sees everyone
        hr = actor_of(session, "Hana Ito")
        assert service.enrol(session, hr, "March hires", ["Sam Lee"])["members"] == [
            "Noor Haddad",
            "Riley Park",
            "Sam Lee",
        ]
        assert "Sam Lee" not in service.remove_member(session, hr, view["id"], "Sam Lee")["members"]
        assert service.assign_path(session, hr, "Sam Lee", PATH, "2099-01-31")["due_on"] == (
            "2099-01-31"
        )
        assert service.assign_path(session, hr, "Sam Lee", PATH, "2099-02-28")["due_on"] == (
            "2099-02-28"
        )
        sam = service.people_progress(session, hr, "Sam Lee")
        assert [(p["cohort"], p["due_on"]) for p in sam] == [(None, "2099-02-28")]


@pytest.mark.parametrize(
    ("change", "error", "text"),
    [
        ({"name": "  "}, OnboardingError, "needs a name"),
        ({"path": "nope"}, PathError, "no learning path with id 'nope'"),
        ({"due": "31/03/2026"}, OnboardingError, "is not a date"),
        ({"due": "2026-03-01", "start_on": "2026-03-02"}, OnboardingError, "before the start"),
        ({"members": ["Nobody"]}, OnboardingError, "no user 'Nobody'"),
        ({"members": ["Riley Park", "Hana Ito"]}, OnboardingError, "Hana Ito is a hr"),
        ({"members": ["Riley Park"], "name": "march hires"}, OnboardingError, "exists"),
        ({"members": ["Noor Haddad"], "name": "Second"}, OnboardingError, "already has the path"),
    ],
)
def test_onboarding_bad_cohorts_are_refused_and_store_nothing(sqlite_url, change, text, error):
    people()
    cohort(members=["Noor Haddad"])
    args = {
        "name": "Bad",
        "path": PATH,
        "due": "2026-03-31",
        "members": ["Riley Park"],
        "start_on": "2026-03-02",
        **change,
    }
    with pytest.raises(error, match=text), session_scope() as session:
        service.create_cohort(
            session,
            actor_of(session, "Hana Ito"),
            args["name"],
            args["path"],
            args["due"],
            args["members"],
            start_on=args["start_on"],
        )
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Cohort)) == 1
        assert session.scalar(select(func.count()).select_from(PathAssignment)) == 1


def trainer(*args, as_user: str | None = None):
    """Run `trainer [--as USER] ARGS...`."""
    acting = ["--as", as_user] if as_user else []
    return runner.invoke(app, [*acting, *[str(a) for a in args]], catch_exceptions=False)


def test_onboarding_cli_cohort_roleplay_progress_certificate(sqlite_url, tmp_path):
    people()
    due = (date.today() + timedelta(days=14)).isoformat()
    made = trainer(
        "cohort", "create", "April hires", "--path", PATH, "--due", due,
        "--members", "Riley Park, Noor Haddad", as_user="Hana Ito",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "'April hires'" in made.stdout and "Noor Haddad, Riley Park" in made.stdout
    refused = trainer(
        "cohort", "create", "Other", "--path", PATH, "--due", due, as_user="Riley Park"
    )
    assert refused.exit_code == 2 and "E910" in refused.output
    for step in STEPS:
        played = trainer(
            "roleplay", step, "--trainee", "Riley Park",
            "--script", SCRIPTS / f"{step}.good.txt", "--json", as_user="Hana Ito",
        )  # fmt: skip
        assert played.exit_code == 0, played.output
        assert json.loads(played.stdout)["attempt"] > 0
    by_lead = trainer(
        "roleplay", "double-charge", "--trainee", "Noor Haddad",
        "--script", SCRIPTS / "double-charge.good.txt", as_user="Morgan Reyes",
    )  # fmt: skip
    assert by_lead.exit_code == 2 and "E910" in by_lead.output
    shown = trainer("cohort", "progress", "April hires", "--format", "json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert data == [
        {"name": "Noor Haddad", "steps": [{"step": s, "status": "not_started"} for s in STEPS]},
        {"name": "Riley Park", "steps": [{"step": s, "status": "passed"} for s in STEPS]},
    ]
    table = trainer("cohort", "progress", "April hires")
    assert "1 of 2 finished" in table.stdout and "not started (locked)" in table.stdout
    listed = trainer("cohort", "list", as_user="Morgan Reyes")
    assert "April hires" in listed.stdout
    pdf = tmp_path / "riley.pdf"
    written = trainer("certificate", "Riley Park", "--path", PATH, "--out", pdf)
    assert written.exit_code == 0, written.output
    assert pdf.read_bytes().startswith(b"%PDF")
    none = trainer("certificate", "Noor Haddad", "--path", PATH, "--out", tmp_path / "n.pdf")
    assert none.exit_code == 2 and "has no certificate" in none.output
    paths = trainer("path", "list")
    assert "new-hire-basics" in paths.stdout and "double-charge" in paths.stdout
    ok = trainer("path", "check", REPO / "scenarios" / "paths" / f"{PATH}.yaml")
    assert ok.exit_code == 0 and f"{PATH}@1: 4 steps, first double-charge" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nversion: 1\ntitle: Bad\nsteps:\n  - scenario: nope\n")
    checked = trainer("path", "check", bad)
    assert checked.exit_code == 2 and "steps.0.scenario: unknown scenario 'nope'" in checked.output
