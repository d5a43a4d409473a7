"""The onboarding pages' states and view models: HR creates a cohort from the form (errors shown,
nothing stored), a trainee sees their own path with locks and practice links, a lead their
team's people, and the cohort page's funnel and grid match the service."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import reflex as rx
from reflex.istate.data import RouterData

import trainer.trainer  # noqa: F401 - registers the pages (and the cohort page's route arg)
from trainer.access import Actor
from trainer.api.identity import SESSION_COOKIE
from trainer.db import session as db_session
from trainer.db.session import session_scope
from trainer.roleplay.attempt import read_script, run_script
from trainer.roleplay.loader import find_scenario
from trainer.services.accounts import add_user
from trainer.services.auth import login
from trainer.services.onboarding import cohort_progress
from trainer.services.roleplay import record_result
from trainer.web.components.layout import NAV
from trainer.web.onboarding import viewmodels as vm
from trainer.web.onboarding.state import CohortState, OnboardingState
from trainer.web.state import AppState

from ..conftest import REPO, actor_of

ADMIN = Actor.local_admin()
PASSWORD = "unit-pass-1234"
SCRIPTS = REPO / "tests" / "fixtures" / "roleplay"
PEOPLE = [
    ("Riley Park", "trainee", ["North"]),
    ("Noor Haddad", "trainee", ["South"]),
    ("Sam Lee", "agent", ["North"]),
    ("Morgan Reyes", "lead", ["North"]),
    ("Hana Ito", "hr", []),
    ("Jordan Kim", "reviewer", []),
]
TOKENS: dict[str, str] = {}
DUE = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The PEOPLE signed in."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web-onboarding') / 'trainer.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRAINER_DATABASE_URL", url)
        db_session.reset_cache()
        with session_scope() as session:
            for name, role, teams in PEOPLE:
                mail = f"{name.lower().replace(' ', '.')}@example.com"
                add_user(session, ADMIN, name, mail, role, teams, PASSWORD)
        for name, _role, _teams in PEOPLE:
            with session_scope() as session:
                mail = f"{name.lower().replace(' ', '.')}@example.com"
                TOKENS[name] = login(session, mail, PASSWORD).token
        yield url
        db_session.reset_cache()


def state(cls: type[rx.State], who: str, route: str = "/onboarding", params=None) -> rx.State:
    """A page state in a fresh root State on `route`, its websocket carrying `who`'s cookie."""
    headers = {"origin": "http://t", "cookie": f"{SESSION_COOKIE}={TOKENS[who]}"}
    root = rx.State()
    root.router = RouterData.from_router_data(
        {"pathname": route, "asPath": route, "query": params or {}, "headers": headers}
    )
    return root.get_substate(cls.get_full_name().split("."))


def play(trainee: str, scenario: str, quality: str = "good") -> None:
    replies = read_script((SCRIPTS / f"{scenario}.{quality}.txt").read_text(encoding="utf-8"))
    with session_scope() as session:
        record_result(session, ADMIN, trainee, run_script(find_scenario(scenario), replies))


def redirect_path(spec) -> str:
    return dict((str(k), v._var_value) for k, v in spec.args)["path"]


def test_web_onboarding_hr_creates_a_cohort_from_the_form(seeded):
    s = state(OnboardingState, "Hana Ito")
    s.on_load()
    assert s.error == "" and s.can_manage and not s.follows_team and s.loaded
    assert "new-hire-basics" in s.path_ids
    assert s.path_labels["new-hire-basics"] == "New-hire basics (new-hire-basics)"
    assert s.people == ["Noor Haddad", "Riley Park", "Sam Lee"]  # trainees first, no lead/HR
    s.set_path_choice("new-hire-basics")
    s.toggle("Riley Park")
    s.toggle("Noor Haddad")
    s.toggle("Sam Lee")
    s.toggle("Sam Lee")  # taken back
    # a due date before the start: the error shows, nothing is created
    assert s.create_cohort({"name": "Bad", "start": "2026-03-10", "due": "2026-03-01"}) is None
    assert "before the start" in s.error and "E980" in s.error
    spec = s.create_cohort({"name": "Web hires", "start": "", "due": DUE})
    s.on_load()
    assert [r.name for r in s.cohorts] == ["Web hires"]
    row = s.cohorts[0]
    assert redirect_path(spec) == row.href == f"/onboarding/{row.id}"
    assert (row.members, row.finished, row.due_on) == (2, 0, DUE)
    assert s.chosen == []  # the form starts again


def test_web_onboarding_trainee_sees_own_path_with_locks_and_practice_links(seeded):
    play("Riley Park", "double-charge")
    s = state(OnboardingState, "Riley Park")
    s.on_load()
    assert s.error == "" and not s.can_manage and s.people == []
    assert [r.name for r in s.cohorts] == ["Web hires"]
    (card,) = s.my_paths
    assert card.path == "new-hire-basics" and card.cohort == "Web hires"
    assert (card.passed_steps, card.total_steps) == (1, 4) and card.label == "In progress"
    first, second, third = card.steps[:3]
    assert (first.status, first.locked, first.can_practise) == ("passed", False, False)
    assert first.best == "100" and first.detail.startswith("1 of 1 passed")
    assert (second.status, second.locked, second.can_practise) == ("not_started", False, True)
    assert second.href == "/practice/late-delivery"
    assert third.locked and not third.can_practise and "Unlocks" in third.detail
    assert card.certificate_href == ""


def test_web_onboarding_lead_sees_team_and_reviewer_is_refused(seeded):
    s = state(OnboardingState, "Morgan Reyes")
    s.on_load()
    assert s.error == "" and s.follows_team and not s.can_manage
    assert [c.name for c in s.team_paths] == ["Riley Park"]  # North only
    assert s.cohorts[0].members == 1
    r = state(OnboardingState, "Jordan Kim")
    r.on_load()
    assert "E910" in r.error and r.cohorts == []


def test_web_onboarding_cohort_page_funnel_and_grid_match_the_service(seeded):
    hr = state(OnboardingState, "Hana Ito")
    hr.on_load()
    cohort_id = hr.cohorts[0].id
    s = state(CohortState, "Hana Ito", "/onboarding/[cohort_id]", {"cohort_id": str(cohort_id)})
    s.on_load()
    assert s.found and s.error == "" and s.name == "Web hires"
    assert s.steps[0] == "Charged twice for one order" and len(s.steps) == 4
    with session_scope() as session:
        view = cohort_progress(session, actor_of(session, "Hana Ito"), cohort_id)
    first = s.funnel[0]
    assert (first.step, first.passed, first.not_started) == ("double-charge", 1, 1)
    assert first.passed == view["funnel"][0]["passed"]
    assert s.chart[0] == {
        "step": "Charged twice for one order",
        "not_started": 1,
        "in_progress": 0,
        "passed": 1,
        "past_due": 0,
        "did_not_pass": 0,
    }
    grid = {r.name: r for r in s.grid}
    assert [c.status for c in grid["Riley Park"].cells] == [
        "passed",
        "not_started",
        "not_started",
        "not_started",
    ]
    assert grid["Riley Park"].current == "Birthday present running late"
    assert grid["Noor Haddad"].cells[1].locked and not grid["Noor Haddad"].stuck
    # the lead sees only Riley; a trainee of another cohort-less team: not found
    lead = state(CohortState, "Morgan Reyes", f"/onboarding/{cohort_id}")
    lead.load_cohort(str(cohort_id))
    assert [r.name for r in lead.grid] == ["Riley Park"] and lead.funnel[0].not_started == 0
    sam = state(CohortState, "Sam Lee", f"/onboarding/{cohort_id}")
    sam.load_cohort(str(cohort_id))
    assert not sam.found and "no cohort" in sam.error
    bad = state(CohortState, "Hana Ito", "/onboarding/x")
    bad.load_cohort("x")
    assert not bad.found and "no cohort 'x'" in bad.error


def test_web_onboarding_certificate_link_once_the_path_is_finished(seeded):
    for scenario in ("late-delivery", "abusive-customer", "transfer-to-fraud"):
        play("Riley Park", scenario)
    s = state(OnboardingState, "Riley Park")
    s.on_load()
    (card,) = s.my_paths
    assert card.status == "passed" and card.current == ""
    assert card.certificate_href.startswith("/api/v1/certificates/")
    assert card.certificate_href.endswith("/pdf")


def test_web_onboarding_viewmodels_past_due_and_did_not_pass_read_as_stuck():
    member = {
        "name": "A",
        "status": "did_not_pass",
        "current_step": "x",
        "certificate": None,
        "steps": [
            {"step": "x", "title": "X", "status": "did_not_pass", "locked": False,
             "attempts": 3, "passes": 0, "best": 40.4},
            {"step": "y", "title": "Y", "status": "past_due", "locked": True,
             "attempts": 0, "passes": 0, "best": None},
        ],
    }  # fmt: skip
    (row,) = vm.grid_rows([member])
    assert row.stuck and row.current == "X" and row.label == "Did not pass"
    assert [c.tone for c in row.cells] == ["red", "amber"]
    assert row.cells[0].title == "X: 0 passed of 3 attempts, best 40"
    cards = vm.step_cards(member, {"x": {"min_passes": 1, "max_attempts": 3}})
    assert cards[0].detail == "0 of 1 passed · 3 of 3 attempts used"
    assert not cards[0].can_practise and not cards[1].can_practise


def test_web_onboarding_nav_flag_follows_the_policy(seeded):
    flags = {}
    for who in ("Riley Park", "Sam Lee", "Morgan Reyes", "Hana Ito", "Jordan Kim"):
        s = state(AppState, who)
        s.check_login()
        flags[who] = s.nav_onboarding
    assert flags == {
        "Riley Park": True,
        "Sam Lee": True,
        "Morgan Reyes": True,
        "Hana Ito": True,
        "Jordan Kim": False,  # reviewers have no part in onboarding
    }
    assert any(label == "Onboarding" and href == "/onboarding" for label, href, *_ in NAV)
