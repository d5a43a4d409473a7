"""The scorecard's FCR and promises panel: its state loads what the signed-in user may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trainer.db import session as db_session
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.services.scoring import score_stored
from trainer.web.scorecards.fcr_panel import FcrState, fcr_panel, fcr_rows

from ..conftest import make_conversation
from .test_web_states import sign_in_people, state

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=40)
PROMISE = [("customer", "Still no refund."), ("agent", "I'll call you back by tomorrow.")]
TRANSFER = [("customer", "Still no refund."), ("agent", "Let me transfer you to billing.")]
FOLLOW_UP = [("agent", "Hi Omar, did billing sort out your refund?"), ("customer", "Yes, thanks.")]


@pytest.fixture(scope="module")
def panel_db(tmp_path_factory):
    """Sam (North) and Priya (South) with Dana coming back to Priya a day after Sam."""
    url = f"sqlite:///{tmp_path_factory.mktemp('fcr') / 'trainer.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRAINER_DATABASE_URL", url)
        db_session.reset_cache()
        sign_in_people()
        with session_scope() as session:
            for cid, agent, day in [("f-1", "Sam Lee", 0), ("f-2", "Priya Shah", 1)]:
                store_conversation(
                    session,
                    make_conversation(
                        PROMISE, external_id=cid, agent=agent, customer="Dana Ruiz",
                        started_at=T0 + timedelta(days=day),
                    ),
                )  # fmt: skip
            # Sam transfers Omar, and comes back to him two days later
            for cid, day, turns in [("x-1", 10, TRANSFER), ("x-2", 12, FOLLOW_UP)]:
                store_conversation(
                    session,
                    make_conversation(
                        turns, external_id=cid, agent="Sam Lee", customer="Omar Haddad",
                        started_at=T0 + timedelta(days=day),
                    ),
                )  # fmt: skip
            score_stored(session, None)
        yield url
        db_session.reset_cache()


def test_web_fcr_panel_admin_sees_agents_teams_and_promises(panel_db):
    s = state(FcrState, "/scorecard")
    s.load_panel()
    assert s.fcr_error == "" and s.fcr_loaded
    rows = {(r.kind, r.name): r for r in s.fcr}
    assert rows[("agent", "Sam Lee")].fcr == "33%"  # f-1 and x-1 came back, x-2 did not
    assert rows[("agent", "Sam Lee")].repeats == "f-1 → f-2, x-1 → x-2"
    assert rows[("team", "South")].fcr == "100%"
    assert {a.agent: a.broken for a in s.promise_agents} == {"Sam Lee": 1, "Priya Shah": 1}
    assert [p.status for p in s.promises] == ["broken", "broken"]
    assert [(t.agent, t.transfers, t.followed_up, t.follow_up_rate) for t in s.transfers] == [
        ("Sam Lee", 1, 1, "100%")
    ]


def test_web_fcr_panel_transfers_follow_the_date_range(panel_db):
    s = state(FcrState, "/scorecard")
    s.load_panel(since=(T0 + timedelta(days=11)).date().isoformat())
    assert s.transfers == [] and s.fcr_error == ""  # x-1 started before the range


def test_web_fcr_panel_agent_sees_own_row_with_the_repeat_withheld(panel_db):
    s = state(FcrState, "/scorecard", who="Sam Lee")
    s.load_panel()
    assert [(r.kind, r.name, r.repeats) for r in s.fcr] == [
        ("agent", "Sam Lee", "f-1 → not visible, x-1 → x-2")
    ]
    assert [a.agent for a in s.promise_agents] == ["Sam Lee"]
    assert [t.agent for t in s.transfers] == ["Sam Lee"]
    priya = state(FcrState, "/scorecard", who="Priya Shah")
    priya.load_panel()
    assert priya.transfers == []  # Sam's transfer is not hers to see


def test_web_fcr_panel_bad_date_is_a_message_and_signed_out_goes_to_login(panel_db):
    s = state(FcrState, "/scorecard")
    s.load_panel(since="2026-13-01")
    assert "since" in s.fcr_error and "E990" in s.fcr_error and s.fcr == []
    signed_out = state(FcrState, "/scorecard", who=None)
    assert signed_out.load_panel() is not None  # a redirect to the login page


def test_web_fcr_panel_component_and_rows():
    assert "fcr-panel" in str(fcr_panel()) and "transfers-table" in str(fcr_panel())
    shaped = fcr_rows(
        [{"agent": None, "team": "North", "conversations": 2, "resolved_first_contact": 1,
          "fcr": 0.5, "repeats": [["a", None]]}]
    )  # fmt: skip
    assert (shaped[0].kind, shaped[0].fcr, shaped[0].repeats) == ("team", "50%", "a → not visible")
