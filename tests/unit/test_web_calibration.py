"""The calibration pages' states and view models: a lead opens a session from the list page, a
reviewer scores blind (no results until they submit), the lead sees every result; the view
models shape the service's dicts into the form and the tables."""

from __future__ import annotations

from datetime import datetime

import pytest
import reflex as rx
from reflex.istate.data import RouterData

import trainer.trainer  # noqa: F401 - registers the pages (and the session page's route arg)
from trainer.access import Actor
from trainer.api.identity import SESSION_COOKIE
from trainer.db import session as db_session
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.services.accounts import add_user
from trainer.services.auth import login
from trainer.services.calibration import calibration_results, open_session
from trainer.services.scoring import score_stored
from trainer.web.calibration import viewmodels as vm
from trainer.web.calibration.state import (
    NO_BASELINE,
    CalibrationListState,
    CalibrationSessionState,
    split_ids,
)

from ..conftest import GOOD_CHAT, POOR_CHAT, actor_of, make_conversation

ADMIN = Actor.local_admin()
PASSWORD = "unit-pass-1234"
PEOPLE = [
    ("Sam Lee", "agent", ["North"]),
    ("Morgan Reyes", "lead", ["North"]),
    ("Jordan Kim", "reviewer", []),
    ("Casey Quinn", "reviewer", []),
    ("Riley Park", "trainee", ["North"]),
]
TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The PEOPLE signed in; Sam's two scored chats c-1 (good) and c-2 (poor)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web-calib') / 'trainer.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRAINER_DATABASE_URL", url)
        db_session.reset_cache()
        with session_scope() as session:
            for name, role, teams in PEOPLE:
                mail = f"{name.lower().replace(' ', '.')}@example.com"
                add_user(session, ADMIN, name, mail, role, teams, PASSWORD)
            for external_id, turns in [("c-1", GOOD_CHAT), ("c-2", POOR_CHAT)]:
                store_conversation(
                    session,
                    make_conversation(
                        turns,
                        external_id=external_id,
                        agent="Sam Lee",
                        started_at=datetime(2026, 3, 2, 9, 30),
                    ),
                )
            score_stored(session, None)
        for name, _role, _teams in PEOPLE:
            with session_scope() as session:
                mail = f"{name.lower().replace(' ', '.')}@example.com"
                TOKENS[name] = login(session, mail, PASSWORD).token
        yield url
        db_session.reset_cache()


def state(
    cls: type[rx.State], who: str, route: str = "/calibration", params: dict | None = None
) -> rx.State:
    """A page state in a fresh root State on `route` with route `params`, its websocket
    carrying `who`'s session cookie."""
    headers = {"origin": "http://t", "cookie": f"{SESSION_COOKIE}={TOKENS[who]}"}
    root = rx.State()
    root.router = RouterData.from_router_data(
        {"pathname": route, "asPath": route, "query": params or {}, "headers": headers}
    )
    return root.get_substate(cls.get_full_name().split("."))


def _session(title: str = "Week 10") -> int:
    with session_scope() as session:
        lead = actor_of(session, "Morgan Reyes")
        view = open_session(
            session, lead, title, ["c-2"], ["Jordan Kim", "Casey Quinn"], "Morgan Reyes"
        )
    return view["id"]


def test_web_calibration_lead_opens_a_session_from_the_list_page(seeded):
    s = state(CalibrationListState, "Morgan Reyes")
    s.on_load()
    assert s.error == "" and s.can_run and s.loaded
    assert s.people == ["Casey Quinn", "Jordan Kim", "Morgan Reyes"]  # no agent, no trainee
    assert s.baseline_options == [NO_BASELINE, *s.people]
    s.toggle("Jordan Kim")
    s.toggle("Casey Quinn")
    s.toggle("Casey Quinn")  # taken back
    s.set_baseline("Morgan Reyes")
    # a conversation that does not exist: the error shows, nothing is opened
    assert s.open_session({"title": "Bad", "conversations": "nope"}) is None
    assert "no conversation 'nope'" in s.error
    spec = s.open_session({"title": "From the page", "conversations": "c-1, c-2"})
    path = dict((str(k), v._var_value) for k, v in spec.args)["path"]
    s.on_load()
    row = next(r for r in s.rows if r.title == "From the page")
    assert path == row.href == f"/calibration/{row.id}"
    assert row.participants == "Jordan Kim, Morgan Reyes" and row.baseline == "Morgan Reyes"
    assert row.conversations == "c-1, c-2" and row.role == "Runs it"
    assert s.invited == [] and s.baseline == NO_BASELINE  # the form starts again


def test_web_calibration_list_refuses_roles_that_do_not_calibrate(seeded):
    s = state(CalibrationListState, "Riley Park")
    s.on_load()
    assert "calibration" in s.error and s.rows == [] and not s.can_run
    reviewer = state(CalibrationListState, "Jordan Kim")
    reviewer.on_load()
    assert reviewer.error == "" and not reviewer.can_run and reviewer.people == []


def test_web_calibration_reviewer_scores_blind_then_sees_results(seeded):
    sid = _session("Blind")
    s = state(
        CalibrationSessionState, "Jordan Kim", "/calibration/[session_id]", {"session_id": str(sid)}
    )
    s.on_load()  # the session the URL names
    assert s.session_key == str(sid)
    assert s.found and s.takes_part and not s.runs and s.title == "Blind"
    panel = s.panels[0]
    assert panel.conversation == "c-2" and panel.editable and not panel.revealed
    assert panel.turns[0].segments[0].text == POOR_CHAT[0][1]
    assert not s.has_results and s.tables == [] and s.reviewers == []
    ids = [c.id for c in panel.criteria]
    assert "apologises" in ids
    levels = {lv.testid for c in panel.criteria for lv in c.levels}
    assert {"calib-score-apologises-0", "calib-score-apologises-1"} <= levels
    assert "calib-score-apologises-na" in levels
    # no N/A button where the rubric does not allow it
    assert "calib-score-no-dismissive-language-na" not in levels
    s.choose("c-2", "apologises", "1")
    s.choose("c-2", "readable", "0")
    s.choose("c-2", "uses-name", "na")
    s.choose("c-2", "uses-name", "na")  # picked again: cleared
    s.set_comment("c-2", "readable", "hard to follow")
    chosen = {c.id: c.chosen for c in s.panels[0].criteria}
    assert chosen["apologises"] == "1" and chosen["readable"] == "0" and chosen["uses-name"] == ""
    assert s.panels[0].scored == 2
    s.save("c-2", False)
    assert "Draft of c-2 saved" in s.notice and not s.has_results
    assert s.panels[0].status == "Draft saved"
    s.save("c-2", True)
    assert s.error == "" and "submitted" in s.notice
    assert s.has_results and s.panels[0].revealed and not s.panels[0].editable
    assert s.reviewers == ["Jordan Kim"]
    table = s.tables[0]
    row = next(r for r in table.rows if r.criterion == "readable")
    assert table.conversation == "c-2" and row.cells[0].text == "0"
    assert row.automatic != vm.MISSING  # the automatic value shows once submitted
    comment = next(c for c in s.panels[0].criteria if c.id == "readable").comment
    assert comment == "hard to follow"


def test_web_calibration_lead_sees_every_result_and_alpha_as_the_service(seeded):
    sid = _session("Lead view")
    for who, value in [("Jordan Kim", "1"), ("Casey Quinn", "0"), ("Morgan Reyes", "1")]:
        s = state(CalibrationSessionState, who, f"/calibration/{sid}")
        s.load_session(str(sid))
        for criterion in ("apologises", "readable", "acknowledges-feelings"):
            s.choose("c-2", criterion, value)
        s.choose("c-2", "no-jargon", "0")
        s.save("c-2", True)
        assert s.error == ""
    lead = state(CalibrationSessionState, "Morgan Reyes", f"/calibration/{sid}")
    lead.load_session(str(sid))
    assert lead.runs and lead.has_results
    assert lead.reviewers == ["Morgan Reyes", "Casey Quinn", "Jordan Kim"]  # baseline first
    with session_scope() as session:
        results = calibration_results(session, actor_of(session, "Morgan Reyes"), sid)
    assert lead.alpha_value == str(results["overall"]["alpha"])
    assert lead.alpha == f"{results['overall']['alpha']:.3f}"
    assert {a.reviewer: a.text for a in lead.alignment} == {
        "Casey Quinn": "25%",  # agrees only on no-jargon
        "Jordan Kim": "100%",
    }
    assert {a.testid for a in lead.alignment} == {
        "calib-alignment-Casey Quinn",
        "calib-alignment-Jordan Kim",
    }
    lead.close()
    assert lead.status == "Closed" and not lead.is_open
    # someone not in the session: not found
    other = state(CalibrationSessionState, "Riley Park", f"/calibration/{sid}")
    other.load_session(str(sid))
    assert not other.found and other.loaded and "no calibration session" in other.error


def test_web_calibration_viewmodels_shape_the_form_and_results():
    assert split_ids("b-1, b-2;b-3  b-4") == ["b-1", "b-2", "b-3", "b-4"]
    assert vm.level_key(0.5) == "0.5" and vm.level_key(1) == "1"
    assert vm.judgements({"a": "1", "b": "na", "c": ""}, {"a": "ok"}) == {
        "a": {"value": 1.0, "comment": "ok"},
        "b": {"value": "na", "comment": ""},
    }
    item = {
        "conversation": "x",
        "criteria": [
            {
                "id": "k",
                "title": "K",
                "guidance": "g",
                "na_allowed": False,
                "levels": [
                    {"value": 0.0, "label": "no"},
                    {"value": 0.5, "label": "half"},
                    {"value": 1.0, "label": "yes"},
                ],
            },
        ],  # fmt: skip
        "turns": [],
        "mine": {"status": "submitted", "values": {"k": {"value": 0.5, "na": False}}},
        "revealed": True,
    }
    choices, comments = vm.stored_choices(item)
    assert choices == {"k": "0.5"} and comments == {}
    built = vm.panel(item, choices, comments, takes_part=True, is_open=True)
    assert built.submitted and not built.editable and built.status == "Submitted"
    assert [(lv.value, lv.chosen) for lv in built.criteria[0].levels] == [
        ("0", False),
        ("0.5", True),
        ("1", False),
    ]
    results = {
        "reviewers": ["Ann", "Bo"],
        "items": [
            {
                "conversation": "x",
                "criterion": "k",
                "title": "K",
                "values": {"Ann": 1.0, "Bo": None},
                "deviation": {"Bo": None},
                "baseline": 1.0,
                "has_baseline": True,
                "automatic": None,
                "has_automatic": True,
                "spread": None,
            },
        ],  # fmt: skip
        "criteria": [
            {
                "criterion": "k",
                "title": "K",
                "weight": 2.0,
                "alpha": None,
                "alpha_with_automatic": 0.4567,
                "units": 1,
            },
        ],  # fmt: skip
        "alignment": {"Bo": None, "Cy": 0.8},
    }
    row = vm.result_tables(results)[0].rows[0]
    assert [c.text for c in row.cells] == ["1", "N/A"]
    assert row.baseline == "1" and row.automatic == "N/A" and row.spread == vm.MISSING
    alpha = vm.alpha_rows(results)[0]
    assert (alpha.alpha, alpha.with_automatic, alpha.weight) == (vm.MISSING, "0.457", "2")
    assert [(a.reviewer, a.text, a.tone) for a in vm.alignments(results)] == [
        ("Bo", vm.MISSING, "gray"),
        ("Cy", "80%", "amber"),
    ]
