"""Follow-up promises from stored conversations: extracted when scored (idempotent), kept by a
later contact with the same customer, broken past the due date, open before it; narrowed by the
policy; `trainer report promises`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.cli.common import set_acting
from trainer.db.models import FollowUpPromise
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.services.promises import promise_report, refresh_promises
from trainer.services.scoring import score_stored

from ..conftest import actor_of, make_conversation, make_user

ADMIN = Actor.local_admin()
NOW = datetime.now(UTC).replace(microsecond=0)
PROMISE = [
    ("customer", "My refund still hasn't shown up."),
    ("agent", "I'm sorry. I'll call you back within 48 hours with an update."),
]
NO_PROMISE = [("customer", "Thanks for calling back."), ("agent", "Happy to help.")]


def _store(session, cid, agent, started_at, customer, turns=PROMISE):
    store_conversation(
        session,
        make_conversation(
            turns, external_id=cid, agent=agent, customer=customer, started_at=started_at
        ),
    )


@pytest.fixture
def promises(db_url):
    """Sam kept his promise to Dana, broke the one to Omar and has one open to Lea; Ann (South)
    broke hers to Kim."""
    ago = NOW - timedelta(days=20)
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"])
        make_user(session, "Ann Ode", "agent", ["South"])
        make_user(session, "Lou Lead", "lead", ["North"])
        _store(session, "dana-1", "Sam Lee", ago, "Dana Ruiz")
        _store(session, "dana-2", "Sam Lee", ago + timedelta(days=1), "Dana Ruiz", NO_PROMISE)
        _store(session, "omar-1", "Sam Lee", ago, "Omar Haddad")
        _store(session, "lea-1", "Sam Lee", NOW - timedelta(hours=2), "Lea Kim")
        _store(session, "kim-1", "Ann Ode", ago, "Kim Park")
        # Ann calls Dana (another agent's customer) in time: that does not keep Sam's promise
        _store(session, "dana-ann", "Ann Ode", ago + timedelta(hours=3), "Dana Ruiz", NO_PROMISE)
        score_stored(session, None)
    return db_url


def _statuses(report):
    return {p["conversation"]: p["status"] for p in report["promises"]}


def test_promises_extracted_on_scoring_and_reported(promises):
    with session_scope() as session:
        report = promise_report(session, ADMIN)
        stored = session.scalars(select(FollowUpPromise).order_by(FollowUpPromise.id)).all()
        assert len(stored) == 4
        dana = next(p for p in stored if p.conversation.external_id == "dana-1")
        # the keeping contact is stored when it is scored
        assert dana.kept_conversation_id is not None
        assert dana.text == "I'll call you back within 48 hours with an update."
    assert _statuses(report) == {
        "dana-1": "kept",
        "omar-1": "broken",
        "lea-1": "open",
        "kim-1": "broken",
    }
    sam = next(r for r in report["agents"] if r["agent"] == "Sam Lee")
    assert (sam["kept"], sam["broken"], sam["open"], sam["kept_rate"]) == (1, 1, 1, 0.5)
    lea = next(p for p in report["promises"] if p["conversation"] == "lea-1")
    due = datetime.fromisoformat(lea["due_at"])
    assert due - datetime.fromisoformat(lea["promised_at"]) == timedelta(hours=48)
    assert next(p for p in report["promises"] if p["status"] == "kept")["kept_by"] == "dana-2"


def test_promises_reextraction_is_idempotent(promises):
    with session_scope() as session:
        ids = set(session.scalars(select(FollowUpPromise.id)))
        score_stored(session, None)
        assert refresh_promises(session, ADMIN) == 4
    with session_scope() as session:
        assert set(session.scalars(select(FollowUpPromise.id))) == ids
        # the promise is gone from the words: re-extraction drops its row
        store_conversation(
            session,
            make_conversation(
                NO_PROMISE, external_id="omar-1", agent="Sam Lee", customer="Omar Haddad",
                started_at=NOW - timedelta(days=20),
            ),
            replace=True,
        )  # fmt: skip
        score_stored(session, ["omar-1"])
    with session_scope() as session:
        assert session.scalar(select(func.count(FollowUpPromise.id))) == 3


def test_promises_narrowed_by_the_policy(promises):
    with session_scope() as session:
        lou, ann = actor_of(session, "Lou Lead"), actor_of(session, "Ann Ode")
        lead = promise_report(session, lou)
        own = promise_report(session, ann)
        one = promise_report(session, ADMIN, agent="Ann Ode")
    assert set(_statuses(lead)) == {"dana-1", "omar-1", "lea-1"}
    assert _statuses(own) == {"kim-1": "broken"} == _statuses(one)
    assert [r["agent"] for r in own["agents"]] == ["Ann Ode"]


def test_promises_cli_table_and_json(promises):
    set_acting(None)
    result = CliRunner().invoke(app, ["report", "promises", "--format", "json", "--refresh"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"agents", "promises"} and len(data["promises"]) == 4
    assert set(data["promises"][0]) >= {"agent", "conversation", "due_at", "status", "text"}
    table = CliRunner().invoke(app, ["report", "promises", "--agent", "Sam Lee"])
    assert table.exit_code == 0 and "kept" in table.stdout and "kim-1" not in table.stdout
