"""The coaching pages' states and view models: a lead opens a session from the form a review's
link fills, edits it, adds and ticks action items and closes it; the agent's page holds no
private notes and lets them tick their own items only; others find nothing; the review page's
"Coach this agent" link shows for the agent's coach only."""

from __future__ import annotations

from datetime import datetime

import pytest
import reflex as rx
from reflex.istate.data import RouterData

import trainer.trainer  # noqa: F401 - registers the pages (and the route args)
from trainer.access import Actor
from trainer.api.identity import SESSION_COOKIE
from trainer.db import session as db_session
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.services.accounts import add_user
from trainer.services.auth import login
from trainer.services.coaching import open_session
from trainer.services.scoring import score_stored
from trainer.web.coaching import viewmodels as vm
from trainer.web.coaching.state import CoachingListState, CoachingSessionState, CoachLinkState
from trainer.web.state import AppState

from ..conftest import GOOD_CHAT, POOR_CHAT, actor_of, make_conversation

ADMIN = Actor.local_admin()
PASSWORD = "unit-pass-1234"
PEOPLE = [
    ("Sam Lee", "agent", ["North"]),
    ("Priya Shah", "agent", ["North"]),
    ("Marcus Bell", "agent", ["South"]),
    ("Morgan Reyes", "lead", ["North"]),
    ("Jordan Kim", "reviewer", []),
]
TOKENS: dict[str, str] = {}
PRIVATE = "Private: seems tired lately."


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The PEOPLE signed in; Sam's poor chat c-1 and good chat c-2, Marcus's m-1, scored."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web-coaching') / 'trainer.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRAINER_DATABASE_URL", url)
        db_session.reset_cache()
        with session_scope() as session:
            for name, role, teams in PEOPLE:
                mail = f"{name.lower().replace(' ', '.')}@example.com"
                add_user(session, ADMIN, name, mail, role, teams, PASSWORD)
            for external_id, turns, agent in [
                ("c-1", POOR_CHAT, "Sam Lee"),
                ("c-2", GOOD_CHAT, "Sam Lee"),
                ("m-1", POOR_CHAT, "Marcus Bell"),
            ]:
                store_conversation(
                    session,
                    make_conversation(
                        turns,
                        external_id=external_id,
                        agent=agent,
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


def state(cls: type[rx.State], who: str, url: str = "/coaching", params: dict | None = None):
    """A page state in a fresh root State at `url` (path and query) with route `params`, its
    websocket carrying `who`'s session cookie."""
    headers = {"origin": "http://t", "cookie": f"{SESSION_COOKIE}={TOKENS[who]}"}
    root = rx.State()
    route = url.split("?")[0]
    root.router = RouterData.from_router_data(
        {"pathname": route, "asPath": url, "query": params or {}, "headers": headers}
    )
    return root.get_substate(cls.get_full_name().split("."))


def _session(**fields) -> int:
    with session_scope() as session:
        lead = actor_of(session, "Morgan Reyes")
        args = {"conversations": ["c-1"], "shared_notes": "Shared note.", "private_notes": PRIVATE}
        return open_session(session, lead, "Sam Lee", "Empathy", **args | fields)["id"]


def _page(who: str, sid: int) -> CoachingSessionState:
    s = state(CoachingSessionState, who, f"/coaching/{sid}", {"session_id": str(sid)})
    s.on_load()
    return s


def test_web_coaching_lead_opens_a_session_from_a_review_link(seeded):
    s = state(CoachingListState, "Morgan Reyes", "/coaching?new=1&agent=Sam+Lee&conversation=c-1")
    s.on_load()
    assert s.error == "" and s.can_coach and s.show_form and s.loaded
    assert s.agents == ["Priya Shah", "Sam Lee"]  # the lead's team, not Marcus
    assert s.agent == "Sam Lee" and s.conversations == "c-1"
    assert s.criterion == "acknowledges-feelings"  # the review's weakest criterion
    assert s.title.startswith("Acknowledges")
    assert s.scenarios[0].value == vm.NONE and "practises this" in s.scenarios[1].label
    s.set_criterion("checks-understanding")  # a clarity criterion: clarity scenarios first
    assert "practises this" in s.scenarios[1].label
    s.set_scenario("double-charge")
    s.set_shared_notes("Name the feeling first.")
    s.set_private_notes(PRIVATE)
    s.set_follow_up("2026-04-01")
    s.set_conversations("c-1, m-1")  # Marcus's: not the lead's to see
    assert s.open_session() is None and "no conversation 'm-1'" in s.error
    s.set_conversations("c-1, c-2")
    spec = s.open_session()
    path = dict((str(k), v._var_value) for k, v in spec.args)["path"]
    assert s.error == "" and not s.show_form
    s.on_load()
    row = next(r for r in s.rows if r.href == path)
    assert row.agent == "Sam Lee" and row.scenario == "double-charge"
    assert row.follow_up == "2026-04-01" and row.actions == "0/0"


def test_web_coaching_lead_edits_actions_and_closes(seeded):
    sid = _session()
    s = _page("Morgan Reyes", sid)
    assert s.found and s.is_coach and s.is_open and s.private_notes == PRIVATE
    assert s.practice.id == "" and s.measures == []
    s.set_new_action("Re-read the empathy guide")
    s.set_new_due("2026-03-20")
    s.add_action()
    assert s.error == "" and s.new_action == "" and s.notice == "Action item added."
    (item,) = s.actions
    assert item.text == "Re-read the empathy guide" and item.due == "2026-03-20"
    s.toggle_action(item.id, True)
    assert s.actions[0].done
    s.set_scenario("double-charge")
    s.set_follow_up("not a date")
    s.save()
    assert "[E970]" in s.error and s.practice.id == ""  # nothing stored
    s.set_scenario("double-charge")
    s.set_follow_up("2026-04-02")
    s.save()
    assert s.error == "" and s.practice.href == "/practice/double-charge"
    assert s.follow_up == "2026-04-02"
    s.close()
    assert s.status == "Closed" and not s.is_open
    s.set_new_action("One more")
    s.add_action()
    assert "is closed" in s.error
    s.reopen()
    assert s.is_open and s.error == ""


def test_web_coaching_agent_reads_without_private_notes_and_ticks_own_items(seeded):
    sid = _session(scenario="double-charge")
    lead = _page("Morgan Reyes", sid)
    lead.set_new_action("Practise double-charge")
    lead.add_action()
    s = _page("Sam Lee", sid)
    assert s.found and s.is_agent and not s.is_coach
    assert s.private_notes == "" and s.shared_notes == "Shared note."
    assert PRIVATE not in repr(s.dict())  # nowhere in what the page's state holds
    assert s.practice.href == "/practice/double-charge" and s.practice.attempts == 0
    (conv,) = s.conversations
    assert conv.visible and conv.href == "/conversations/c-1" and conv.criteria
    s.toggle_action(s.actions[0].id, True)
    assert s.error == "" and s.actions[0].done
    s.set_shared_notes("I rewrote it")
    s.save()
    assert "[E910]" in s.error
    assert _page("Sam Lee", sid).shared_notes == "Shared note."


def test_web_coaching_others_find_nothing(seeded):
    sid = _session()
    for who in ("Priya Shah", "Jordan Kim"):
        s = _page(who, sid)
        assert not s.found and s.loaded and f"no coaching session {sid}" in s.error
    reviewer = state(CoachingListState, "Jordan Kim")
    reviewer.on_load()
    assert "[E910]" in reviewer.error and reviewer.rows == [] and not reviewer.can_coach
    priya = state(CoachingListState, "Priya Shah", "/coaching?new=1&agent=Sam+Lee")
    priya.on_load()
    assert priya.error == "" and not priya.can_coach and not priya.show_form


def test_web_coaching_review_link_shows_for_the_coach_only(seeded):
    def href(who: str, conversation: str) -> str:
        s = state(
            CoachLinkState,
            who,
            f"/conversations/{conversation}",
            {"conversation_id": conversation},
        )
        s.on_load()
        return s.coach_href

    assert href("Morgan Reyes", "c-1") == "/coaching?new=1&agent=Sam+Lee&conversation=c-1"
    assert href("Morgan Reyes", "m-1") == ""  # Marcus is not in Morgan's team
    assert href("Sam Lee", "c-1") == ""
    assert href("Jordan Kim", "c-1") == ""


def test_web_coaching_nav_flag_follows_the_policy(seeded):
    flags = {}
    for who in ("Sam Lee", "Morgan Reyes", "Jordan Kim"):
        s = state(AppState, who)
        s.check_login()
        flags[who] = s.nav_coaching
    assert flags == {"Sam Lee": True, "Morgan Reyes": True, "Jordan Kim": False}


def test_web_coaching_viewmodels_shape_the_service_dicts():
    scenarios = [
        {"id": "a", "title": "A", "skills": ["clarity"]},
        {"id": "b", "title": "B", "skills": ["empathy"]},
    ]
    options = vm.scenario_options(scenarios, "empathy")
    assert [o.value for o in options] == ["", "b", "a"]
    assert options[1].label == "B · practises this" and options[2].label == "A"
    assert [o.value for o in vm.scenario_options(scenarios, None)] == ["", "a", "b"]
    figures = vm.measures(
        {"measures": {"before": {"mean": 0.25, "n": 4}, "after": {"mean": None, "n": 0}}}
    )
    assert [(m.label, m.value, m.n) for m in figures] == [("Before", "25%", 4), ("Since", "—", 0)]
    assert vm.measures({"measures": None}) == []
    hidden, shown = vm.linked_conversations(
        [
            {"conversation": "x-1", "visible": False},
            {
                "conversation": "x 2",
                "visible": True,
                "channel": "chat",
                "started_at": "2026-03-02T09:30:00+00:00",
                "score": 42.0,
                "kind": "human",
                "criteria": [
                    {
                        "id": "apologises",
                        "title": "Apologises",
                        "value": 0.0,
                        "na": False,
                        "explanation": "no apology",
                        "focus": True,
                        "evidence": [{"turn": 2, "speaker": "agent", "quote": "Calm down."}],
                    }
                ],
            },
        ]
    )
    assert hidden.href == "" and not hidden.visible and hidden.criteria == []
    assert shown.href == "/conversations/x%202" and shown.kind == "human review"
    assert (shown.score, shown.tone, shown.date) == ("42", "red", "2026-03-02 09:30")
    (miss,) = shown.criteria
    assert miss.value == "0%" and miss.focus and miss.quotes[0].label == "turn 3 · agent"
    href = vm.new_session_href("Sam Lee", "b-1", "apologises")
    assert href == "/coaching?new=1&agent=Sam+Lee&conversation=b-1&criterion=apologises"
    assert vm.practice({"practice": None}).id == ""
