"""Follow-up promises: found in agent turns, time frames resolved to due dates, and told apart
as open, kept and broken (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from trainer.analytics.promises import (
    find_promises,
    promise_statuses,
    promise_summary,
    resolve_due,
)
from trainer.conversation import Conversation, Turn

WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("by Friday", datetime(2026, 3, 6, 23, 59, 59, tzinfo=UTC)),
        ("on Wednesday", datetime(2026, 3, 11, 23, 59, 59, tzinfo=UTC)),  # said on a Wednesday
        ("tomorrow", datetime(2026, 3, 5, 23, 59, 59, tzinfo=UTC)),
        ("tomorrow morning", datetime(2026, 3, 5, 12, 0, tzinfo=UTC)),
        ("within 24 hours", datetime(2026, 3, 5, 10, 0, tzinfo=UTC)),
        ("in 3 days", datetime(2026, 3, 7, 10, 0, tzinfo=UTC)),
        ("within 3-5 business days", datetime(2026, 3, 11, 23, 59, 59, tzinfo=UTC)),
        ("end of day", datetime(2026, 3, 4, 23, 59, 59, tzinfo=UTC)),
        ("today", datetime(2026, 3, 4, 23, 59, 59, tzinfo=UTC)),
        ("next business day", datetime(2026, 3, 5, 23, 59, 59, tzinfo=UTC)),
        ("within the hour", datetime(2026, 3, 4, 11, 0, tzinfo=UTC)),
        ("by 5pm", datetime(2026, 3, 4, 17, 0, tzinfo=UTC)),
        ("on March 10", datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC)),
        ("next week", datetime(2026, 3, 15, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_promises_time_frame_resolves_against_the_start(phrase, due):
    assert resolve_due(phrase, WEDNESDAY) == due


def test_promises_end_of_the_week_reads_the_sentence_and_friday_after_friday_is_next_week():
    sentence = "I'll email you by the end of the week."
    assert resolve_due("by the end of", WEDNESDAY, sentence=sentence) == datetime(
        2026, 3, 8, 23, 59, 59, tzinfo=UTC
    )
    friday = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
    assert resolve_due("by Friday", friday).date().isoformat() == "2026-03-13"
    assert resolve_due("by March", WEDNESDAY) is None  # no day named: no due date


def test_promises_end_of_day_counts_in_the_organisation_time_zone():
    # 22:00 UTC is 17:00 in New York: "end of day" is midnight there, 04:59:59 UTC next day
    late = datetime(2026, 3, 4, 22, 0, tzinfo=UTC)
    due = resolve_due("end of day", late, ZoneInfo("America/New_York"))
    assert due == datetime(2026, 3, 5, 4, 59, 59, tzinfo=UTC)
    # a naive start (SQLite) is read as UTC
    assert resolve_due("tomorrow", late.replace(tzinfo=None)) == datetime(
        2026, 3, 5, 23, 59, 59, tzinfo=UTC
    )


def test_promises_found_in_agent_turns_only_with_a_time_frame():
    conversation = Conversation(
        "x",
        [
            Turn("customer", "Will you call me back by Friday?"),
            Turn("agent", "Sure. I'll call you back by Friday. You'll see the refund in 3 days."),
            Turn("agent", "I'll get back to you soon. We'll email you the label within 24 hours."),
        ],
    )
    found = [(p.turn, p.text, p.time_frame) for p in find_promises(conversation)]
    assert found == [
        (1, "I'll call you back by Friday.", "by Friday"),
        (2, "We'll email you the label within 24 hours.", "within 24 hours"),
    ]


def _promise(pid, agent, day, due_day, customer="Dana Ruiz", ref=None):
    start = WEDNESDAY + timedelta(days=day)
    return {
        "id": pid,
        "agent": agent,
        "conversation": f"p{pid}",
        "started_at": start,
        "customer_ref": ref,
        "customer": customer,
        "due_at": WEDNESDAY + timedelta(days=due_day) if due_day is not None else None,
    }


def _contact(cid, agent, day, customer="Dana Ruiz", ref=None):
    return {
        "conversation": cid,
        "agent": agent,
        "started_at": WEDNESDAY + timedelta(days=day),
        "customer_ref": ref,
        "customer": customer,
    }


def test_promises_kept_broken_and_open():
    promises = pd.DataFrame(
        [
            _promise(1, "Sam", 0, 2),  # Sam called Dana back on day 1: kept
            _promise(2, "Sam", 0, 2, customer="Omar"),  # nobody called Omar: broken
            _promise(3, "Sam", 9, 12, customer="Lea"),  # due after now: open
            _promise(4, "Ann", 0, 2),  # Dana's later contact was Sam's, not Ann's: broken
            _promise(5, "Ann", 0, 1, ref="C-7", customer="Kim"),  # back on day 3, too late
        ]
    )
    contacts = pd.DataFrame(
        [
            _contact("p1", "Sam", 0),
            _contact("later-dana", "Sam", 1),
            _contact("late-kim", "Ann", 3, customer="K. Park", ref="C-7"),
        ]
    )
    now = WEDNESDAY + timedelta(days=10)
    statuses = promise_statuses(promises, contacts, now).set_index("id")
    assert statuses["status"].to_dict() == {
        1: "kept",
        2: "broken",
        3: "open",
        4: "broken",
        5: "broken",
    }
    assert statuses.loc[1, "kept_by"] == "later-dana" and statuses.loc[2, "kept_by"] is None
    summary = {row["agent"]: row for row in promise_summary(statuses.reset_index())}
    assert summary["Sam"] == {
        "agent": "Sam",
        "promises": 3,
        "open": 1,
        "kept": 1,
        "broken": 1,
        "kept_rate": 0.5,
    }
    assert summary["Ann"]["kept_rate"] == 0.0


def test_promises_kept_by_reference_and_before_the_due_date_only():
    promises = pd.DataFrame([_promise(1, "Sam", 0, 2, ref="C-1", customer="Dana")])
    on_time = pd.DataFrame([_contact("again", "Sam", 2, customer="D. Ruiz", ref="c-1")])
    now = WEDNESDAY + timedelta(days=5)
    assert promise_statuses(promises, on_time, now)["status"].tolist() == ["kept"]
    late = pd.DataFrame([_contact("again", "Sam", 2.5, customer="Dana", ref="C-1")])
    assert promise_statuses(promises, late, now)["status"].tolist() == ["broken"]
    # before the due date passes, a promise with no contact yet is open
    early = WEDNESDAY + timedelta(days=1)
    assert promise_statuses(promises, late, early)["status"].tolist() == ["open"]
