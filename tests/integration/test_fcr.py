"""Repeat-contact FCR from stored conversations: customer references from ingestion, the
policy's narrowing (an agent sees their own row, a lead their teams', others' repeats withheld),
contact reasons from a trained model, and `trainer report fcr --format json`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.cli.common import set_acting
from trainer.db.models import AuditEvent, ConversationRecord
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.errors import DatasetError, ForbiddenError, ModelError, ReportError
from trainer.services.fcr import fcr_days, fcr_report
from trainer.services.ingestion import ingest_paths
from trainer.services.reasons import apply_reasons, train_from_csv

from ..conftest import actor_of, make_conversation, make_user

ADMIN = Actor.local_admin()
# Far enough back that every window has closed, whatever day the tests run.
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=60)
BILLING = [("customer", "I was charged twice for my order."), ("agent", "Let me fix that.")]
DELIVERY = [("customer", "My parcel has not arrived yet."), ("agent", "Let me check on it.")]


def _store(session, cid, agent, day, customer="Dana Ruiz", ref=None, turns=BILLING):
    store_conversation(
        session,
        make_conversation(
            turns,
            external_id=cid,
            agent=agent,
            customer=customer,
            started_at=T0 + timedelta(days=day),
            customer_ref=ref,
        ),
    )


@pytest.fixture
def contacts(db_url):
    """Sam (North) and Ann (South); Dana came back to Ann 2 days after Sam; Omar only once."""
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"])
        make_user(session, "Ann Ode", "agent", ["South"])
        make_user(session, "Lou Lead", "lead", ["North"])
        make_user(session, "Hal Hr", "hr")
        make_user(session, "Tina Trainee", "trainee", ["North"])
        _store(session, "c-1", "Sam Lee", 0, ref="C-1")
        _store(session, "c-2", "Ann Ode", 2, customer="D. Ruiz", ref="C-1", turns=DELIVERY)
        _store(session, "c-3", "Sam Lee", 20, customer="Omar Haddad")
        _store(session, "c-4", "Ann Ode", 30, customer="Lea Kim")
        store_conversation(
            session,
            make_conversation(
                BILLING, external_id="rp-1", channel="roleplay", agent="Sam Lee",
                customer="Omar Haddad", started_at=T0 + timedelta(days=21),
            ),
        )  # fmt: skip
    return db_url


def _rows(actor, **kwargs):
    with session_scope() as session:
        return {(r["agent"], r["team"]): r for r in fcr_report(session, actor, **kwargs)}


def test_fcr_admin_sees_agents_and_teams_with_repeat_pairs(contacts):
    rows = _rows(ADMIN)
    sam = rows[("Sam Lee", "North")]
    assert (sam["conversations"], sam["resolved_first_contact"], sam["fcr"]) == (2, 1, 0.5)
    assert sam["repeats"] == [["c-1", "c-2"]]
    # the role-play with Omar the next day is practice, not a repeat contact
    assert rows[("Ann Ode", "South")]["fcr"] == 1.0
    assert rows[(None, "North")]["conversations"] == 2 and rows[(None, "South")]["fcr"] == 1.0
    # a shorter window than the gap resolves c-1
    assert _rows(ADMIN, days=1)[("Sam Lee", "North")]["fcr"] == 1.0


def test_fcr_narrowed_by_the_policy(contacts):
    with session_scope() as session:
        sam, lou = actor_of(session, "Sam Lee"), actor_of(session, "Lou Lead")
        hal, tina = actor_of(session, "Hal Hr"), actor_of(session, "Tina Trainee")
    # an agent: their own row only, no team rows; Ann's conversation is withheld from the pair
    own = _rows(sam)
    assert list(own) == [("Sam Lee", "North")]
    assert own[("Sam Lee", "North")]["repeats"] == [["c-1", None]]
    # a lead: their team's agents and team, not South's
    assert set(_rows(lou)) == {("Sam Lee", "North"), (None, "North")}
    # HR sees scorecards of everyone; a trainee with no contacts sees none
    assert ("Ann Ode", "South") in _rows(hal)
    assert _rows(tina) == {}


def test_fcr_refused_and_bad_settings(contacts, monkeypatch):
    with session_scope() as session:
        with pytest.raises(ReportError, match="no window"):
            fcr_report(session, ADMIN, days=0)
        with pytest.raises(ReportError, match="after it ends"):
            fcr_report(session, ADMIN, since=T0.date(), until=(T0 - timedelta(days=1)).date())
    monkeypatch.setenv("TRAINER_FCR_DAYS", "1")
    assert fcr_days() == 1 and _rows(ADMIN)[("Sam Lee", "North")]["fcr"] == 1.0
    monkeypatch.setenv("TRAINER_FCR_DAYS", "a week")
    with pytest.raises(ReportError) as bad:
        fcr_days()
    assert bad.value.where == "TRAINER_FCR_DAYS"


def test_fcr_open_window_and_date_range(contacts):
    with session_scope() as session:
        _store(session, "c-5", "Sam Lee", 58, customer="New Customer")
    # c-5 started 2 days ago: its 7-day window is open, so it is left out
    assert _rows(ADMIN)[("Sam Lee", "North")]["conversations"] == 2
    since = (T0 + timedelta(days=10)).date()
    assert _rows(ADMIN, since=since)[("Sam Lee", "North")]["conversations"] == 1


def test_fcr_contact_reasons_from_a_trained_model(contacts, tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_REASONS_MODEL", str(tmp_path / "reasons.npz"))
    with session_scope() as session:
        with pytest.raises(ModelError, match="no contact-reason model"):
            apply_reasons(session, ADMIN)
        with pytest.raises(ForbiddenError):
            train_from_csv(session, actor_of(session, "Lou Lead"), b"text,reason\n", "x.csv")
    lines = ["text,reason"]
    lines += [f"charged twice for order {n},billing" for n in range(6)]
    lines += [f"parcel {n} has not arrived,delivery" for n in range(6)]
    with session_scope() as session:
        # labels may name stored conversations instead of giving their text
        by_id = train_from_csv(session, ADMIN, b"conversation_id,reason\nc-1,billing\n"
                               b"c-2,delivery\n", "ids.csv")  # fmt: skip
        assert by_id["examples"] == 2
        with pytest.raises(DatasetError, match="no stored conversation 'c-9'") as unknown:
            train_from_csv(session, ADMIN, b"conversation_id,reason\nc-9,x\nc-1,y\n", "bad.csv")
        assert unknown.value.where.startswith("bad.csv:2")
        summary = train_from_csv(session, ADMIN, "\n".join(lines).encode(), "labels.csv")
        assert summary["reasons"] == {"billing": 6, "delivery": 6} and summary["examples"] == 12
        applied = apply_reasons(session, ADMIN)
    assert applied["classified"] == 4 and applied["reasons"] == {"billing": 3, "delivery": 1}
    with session_scope() as session:
        reasons = dict(
            session.execute(
                select(ConversationRecord.external_id, ConversationRecord.contact_reason)
            ).all()
        )
        assert reasons["c-1"] == "billing" and reasons["c-2"] == "delivery"
        assert reasons["rp-1"] is None  # practice is never classified
        assert {e.action for e in session.scalars(select(AuditEvent))} >= {
            "reasons.train",
            "reasons.apply",
        }
    # Dana's second contact was about delivery: Sam resolved the billing question first time
    assert _rows(ADMIN)[("Sam Lee", "North")]["fcr"] == 1.0


def test_fcr_customer_reference_from_ingested_json(db_url, tmp_path):
    chats = [
        {
            "id": f"j-{i}",
            "agent": "Sam Lee",
            "customer": name,
            "customer_email": "Dana@Example.com" if i < 2 else None,
            "customer_id": None,
            "started_at": (T0 + timedelta(days=i)).isoformat(),
            "turns": [{"speaker": "customer", "text": "Hello"}, {"speaker": "agent", "text": "Hi"}],
        }
        for i, name in enumerate(["Dana Ruiz", "D. Ruiz", "d ruiz"])
    ]
    (tmp_path / "chats.json").write_text(json.dumps(chats))
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"])
    summary = ingest_paths(ADMIN, [tmp_path / "chats.json"])
    assert summary.ok and len(summary.ingested) == 3
    with session_scope() as session:
        refs = dict(
            session.execute(
                select(ConversationRecord.external_id, ConversationRecord.customer_ref)
            ).all()
        )
    assert refs == {"j-0": "dana@example.com", "j-1": "dana@example.com", "j-2": None}
    # j-0 -> j-1 by email (different names); j-1 -> j-2 by name (j-2 has no email)
    assert _rows(ADMIN)[("Sam Lee", "North")]["repeats"] == [["j-0", "j-1"], ["j-1", "j-2"]]
    # ingesting the same words again learns nothing new and stores nothing twice
    assert ingest_paths(ADMIN, [tmp_path / "chats.json"]).unchanged == ["j-0", "j-1", "j-2"]


def test_fcr_cli_json_shape(contacts):
    set_acting(None)
    result = CliRunner().invoke(app, ["report", "fcr", "--days", "7", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {tuple(sorted(r)) for r in rows} == {
        ("agent", "conversations", "fcr", "repeats", "resolved_first_contact", "team")
    }
    sam = next(r for r in rows if r["agent"] == "Sam Lee")
    assert sam["repeats"] == [["c-1", "c-2"]] and 0 <= sam["fcr"] <= 1
    table = CliRunner().invoke(app, ["report", "fcr", "--by", "team"])
    assert table.exit_code == 0 and "North" in table.stdout and "Sam Lee" not in table.stdout
    bad = CliRunner().invoke(app, ["report", "fcr", "--since", "yesterday"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_fcr_column_beside_the_scorecards_resolution_section(contacts):
    import trainer.services.fcr  # noqa: F401 - registers the column
    from trainer.services.scorecard_data import make_filter
    from trainer.services.scorecards import EXTRA_COLUMNS

    column = EXTRA_COLUMNS["fcr"]
    assert column.after_section == "resolution"
    since, until = (T0 - timedelta(days=1)).date(), (T0 + timedelta(days=40)).date()
    with session_scope() as session:
        values = column.values(session, ADMIN, make_filter(since, until))
    assert values.agents["Sam Lee"] == (50.0, 2) and values.teams["South"] == (100.0, 2)


def test_fcr_over_a_range_finds_repeats_by_folded_name_and_reference_case(contacts):
    # Over a range, later contacts are narrowed in SQL first: what it keeps must still hold
    # every repeat the exact rule finds (names fold accents, case and punctuation; references
    # fold case), and a different reference under the same name is a different customer.
    with session_scope() as session:
        _store(session, "s-1", "Sam Lee", 32, customer="Dana Ruiz")
        _store(session, "a-1", "Ann Ode", 33, customer="Dána  RUIZ.", ref="X-9")
        _store(session, "s-2", "Sam Lee", 35, customer="Bo Li", ref="AbC-7")
        _store(session, "a-2", "Ann Ode", 36, customer="Someone Else", ref="ABC-7")
        _store(session, "s-3", "Sam Lee", 38, customer="Lea Kim")
        _store(session, "a-3", "Ann Ode", 39, customer="lea kim", ref="Z-1")
        _store(session, "s-4", "Sam Lee", 41, customer="Omar Haddad", ref="Q-1")
        _store(session, "a-4", "Ann Ode", 42, customer="Omar Haddad", ref="Q-2")
        sam_lee = actor_of(session, "Sam Lee")  # sees only his own: Ann's come from SQL
    since, until = (T0 + timedelta(days=31)).date(), (T0 + timedelta(days=45)).date()
    sam = _rows(sam_lee, since=since, until=until)[("Sam Lee", "North")]
    assert sam["conversations"] == 4
    # Ann's conversations are not Sam's to see: the pairs say "came back", ids withheld.
    assert sam["repeats"] == [["s-1", None], ["s-2", None], ["s-3", None]]


def test_fcr_later_contacts_are_found_through_the_reference_and_name_indexes(contacts):
    """On PostgreSQL the query for a range's later contacts reads
    ix_conversations_customer_ref_key and ix_conversations_customer_key: with 100,000
    conversations a scan of the range took 48 ms of every scorecard (8 ms through the index),
    and any contact without a reference made it scan again (names were matched by a regular
    expression)."""
    import pandas as pd
    from sqlalchemy import text

    from trainer.services.fcr import _same_customer

    if not contacts.startswith("postgresql"):
        pytest.skip("query plans are checked on PostgreSQL")
    shown = pd.DataFrame({"customer_ref": [" C-1 ", "c-9"], "customer": ["Dana", "Lea"]})
    query = select(ConversationRecord.id).where(_same_customer(shown))
    with session_scope() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: force the choice
        compiled = query.compile(session.bind, compile_kwargs={"literal_binds": True})
        plan = "\n".join(session.scalars(text(f"EXPLAIN {compiled}")))
        found = set(session.scalars(query))
    assert "ix_conversations_customer_ref_key" in plan, plan
    assert "ix_conversations_customer_key" in plan, plan
    assert "Seq Scan" not in plan and "~" not in plan, plan
    with session_scope() as session:
        ids = {r.external_id: r.id for r in session.scalars(select(ConversationRecord))}
    assert {ids["c-1"], ids["c-2"]} <= found  # "C-1" both times, trimmed and case-folded


def test_fcr_narrowed_to_one_agent_or_team_still_pairs_other_agents_repeats(contacts):
    # A scorecard of one agent loads that agent's contacts, not everyone's in the range; the
    # customer's repeat with another agent still counts against the first contact.
    since, until = (T0 - timedelta(days=1)).date(), (T0 + timedelta(days=40)).date()
    for dates in ({}, {"since": since, "until": until}):
        sam = _rows(ADMIN, agent="Sam Lee", **dates)
        assert set(sam) == {("Sam Lee", "North"), (None, "North")}
        assert sam[("Sam Lee", "North")]["repeats"] == [["c-1", "c-2"]]
        assert sam[("Sam Lee", "North")]["conversations"] == 2
        south = _rows(ADMIN, team="South", **dates)
        assert set(south) == {("Ann Ode", "South"), (None, "South")}
        assert south[(None, "South")]["fcr"] == 1.0
    assert _rows(ADMIN, agent="Nobody") == {}
    # what the policy hides stays hidden: Sam asking for Ann's contacts gets none
    with session_scope() as session:
        sam_lee = actor_of(session, "Sam Lee")
    assert _rows(sam_lee, agent="Ann Ode") == {}
