"""Transfers across contacts from stored, scored conversations: the transfer criterion decides
which contacts were transferred, the policy narrows who sees what, and `trainer report
transfers --format json`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.cli.common import set_acting
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.services.scoring import score_stored
from trainer.services.transfers import transfer_report, transferred_conversations

from ..conftest import actor_of, make_conversation, make_user

ADMIN = Actor.local_admin()
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=60)
TRANSFERRED = [
    ("customer", "My refund never arrived."),
    ("agent", "That is billing. Let me transfer you to billing."),
]
PLAIN = [("customer", "Did the refund arrive yet?"), ("agent", "Yes, it went out today.")]


def _store(session, cid, agent, day, turns, customer="Dana Ruiz"):
    store_conversation(
        session,
        make_conversation(
            turns,
            external_id=cid,
            agent=agent,
            customer=customer,
            started_at=T0 + timedelta(days=day),
        ),
    )


@pytest.fixture
def scored(db_url):
    """Sam transferred Dana (t-1) and came back to her (t-2); Ann transferred Omar (t-3), who
    was transferred again by Sam (t-4); Lea's chat was never transferred."""
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"])
        make_user(session, "Ann Ode", "agent", ["South"])
        make_user(session, "Lou Lead", "lead", ["South"])
        make_user(session, "Tina Trainee", "trainee")
        _store(session, "t-1", "Sam Lee", 0, TRANSFERRED)
        _store(session, "t-2", "Sam Lee", 2, PLAIN)
        _store(session, "t-3", "Ann Ode", 10, TRANSFERRED, customer="Omar Haddad")
        _store(session, "t-4", "Sam Lee", 11, TRANSFERRED, customer="Omar Haddad")
        _store(session, "t-5", "Ann Ode", 20, PLAIN, customer="Lea Kim")
        score_stored(session, None)
    return db_url


def test_transfers_the_transfer_criterion_marks_the_transferred_contacts(scored):
    from sqlalchemy import select

    from trainer.db.models import ConversationRecord

    with session_scope() as session:
        ids = transferred_conversations(session)
        names = set(
            session.scalars(
                select(ConversationRecord.external_id).where(ConversationRecord.id.in_(ids))
            )
        )
    assert names == {"t-1", "t-3", "t-4"}


def test_transfers_report_follow_ups_and_repeat_transfers(scored):
    with session_scope() as session:
        report = transfer_report(session, ADMIN)
    contacts = {c["conversation"]: c for c in report["contacts"]}
    assert set(contacts) == {"t-1", "t-3", "t-4"}
    assert contacts["t-1"]["followed_up"] == "t-2"
    assert contacts["t-3"]["followed_up"] is None and contacts["t-3"]["transferred_again"] == "t-4"
    rows = {r["agent"]: r for r in report["rows"]}
    assert rows["Sam Lee"]["transfers"] == 2 and rows["Sam Lee"]["followed_up"] == 1
    assert rows["Ann Ode"]["transferred_again"] == 1 and rows["Ann Ode"]["follow_up_rate"] == 0
    assert report["days"] == 7


def test_transfers_policy_narrows_and_withholds(scored):
    with session_scope() as session:
        lead = transfer_report(session, actor_of(session, "Lou Lead"))
        sam = transfer_report(session, actor_of(session, "Sam Lee"))
        trainee = transfer_report(session, actor_of(session, "Tina Trainee"))
    # the South lead sees Ann's transfer; the repeat in Sam's (North) contact is withheld
    assert [c["conversation"] for c in lead["contacts"]] == ["t-3"]
    assert lead["contacts"][0]["transferred_again"] == "(not visible to you)"
    assert {c["conversation"] for c in sam["contacts"]} == {"t-1", "t-4"}
    assert trainee["contacts"] == [] and trainee["rows"] == []  # their own: none transferred


def test_transfers_cli_json_and_table(scored):
    set_acting(None)
    result = CliRunner().invoke(app, ["report", "transfers", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {tuple(sorted(c)) for c in report["contacts"]} == {
        ("agent", "conversation", "followed_up", "pending", "started_at", "transferred_again")
    }
    table = CliRunner().invoke(app, ["report", "transfers", "--days", "3"])
    assert table.exit_code == 0 and "Sam Lee" in table.stdout and "window: 3 days" in table.stdout
    bad = CliRunner().invoke(app, ["report", "transfers", "--days", "0"])
    assert bad.exit_code != 0 and "window" in bad.output
