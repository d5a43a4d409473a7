"""Transfers across a customer's contacts: followed up by the agent who transferred, transferred
again, or pending while the window is open (pandas only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from trainer.analytics.transfers import transfer_outcomes, transfer_rows

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=60)


def contacts(*rows) -> pd.DataFrame:
    """(conversation, agent, day, customer, ref, transferred) rows as a contacts frame."""
    return pd.DataFrame(
        [
            {
                "conversation": cid,
                "agent": agent,
                "teams": ["North"] if agent == "Sam" else [],
                "started_at": T0 + timedelta(days=day),
                "customer": customer,
                "customer_ref": ref,
                "reason": None,
                "transferred": transferred,
            }
            for cid, agent, day, customer, ref, transferred in rows
        ]
    )


def outcomes_of(frame, now=NOW, days=7) -> dict[str, dict]:
    found = transfer_outcomes(frame, days, now)
    return {row["conversation"]: row for row in found.to_dict("records")}


def test_the_transferring_agent_coming_back_is_a_follow_up():
    frame = contacts(
        ("c-1", "Sam", 0, "Dana Ruiz", None, True),
        ("c-2", "Ann", 1, "Dana Ruiz", None, False),  # someone else: not Sam's follow-up
        ("c-3", "Sam", 3, "Dana Ruiz", None, False),
        ("c-4", "Sam", 2, "Omar Haddad", None, False),  # another customer
    )
    found = outcomes_of(frame)
    assert list(found) == ["c-1"]  # only transferred contacts are listed
    assert found["c-1"]["followed_up"] == "c-3"
    assert found["c-1"]["transferred_again"] is None and not found["c-1"]["pending"]


def test_a_later_transferred_contact_is_a_transfer_again():
    frame = contacts(
        ("c-1", "Sam", 0, "Dana Ruiz", "C-9", True),
        ("c-2", "Ann", 2, "D. Ruiz", "c-9 ", True),  # the same reference, another spelling
        ("c-3", "Ann", 20, "Dana Ruiz", "C-9", True),  # outside the 7-day window
    )
    found = outcomes_of(frame)
    assert found["c-1"]["transferred_again"] == "c-2"
    assert found["c-1"]["followed_up"] is None
    assert found["c-2"]["transferred_again"] is None  # c-3 is 18 days later


def test_nothing_yet_is_pending_only_while_the_window_is_open():
    frame = contacts(("c-1", "Sam", 0, "Dana Ruiz", None, True))
    assert outcomes_of(frame, now=T0 + timedelta(days=3))["c-1"]["pending"]
    closed = outcomes_of(frame, now=T0 + timedelta(days=8))["c-1"]
    assert not closed["pending"] and closed["followed_up"] is None


def test_different_references_are_different_customers_even_with_one_name():
    frame = contacts(
        ("c-1", "Sam", 0, "Dana Ruiz", "C-1", True),
        ("c-2", "Sam", 1, "Dana Ruiz", "C-2", False),
    )
    assert outcomes_of(frame)["c-1"]["followed_up"] is None


def test_rows_per_agent_count_follow_ups_among_known_outcomes():
    frame = contacts(
        ("c-1", "Sam", 0, "Dana Ruiz", None, True),
        ("c-2", "Sam", 2, "Dana Ruiz", None, False),
        ("c-3", "Sam", 10, "Omar Haddad", None, True),
        ("c-4", "Ann", 58, "Lea Kim", None, True),  # still open, nothing yet
        ("c-5", None, 30, "Kai Ono", None, True),
    )
    rows = {r["agent"]: r for r in transfer_rows(transfer_outcomes(frame, 7, NOW))}
    assert rows["Sam"] == {
        "agent": "Sam",
        "team": "North",
        "transfers": 2,
        "followed_up": 1,
        "transferred_again": 0,
        "pending": 0,
        "follow_up_rate": 0.5,
    }
    assert rows["Ann"]["pending"] == 1 and rows["Ann"]["follow_up_rate"] is None
    assert rows["(unknown agent)"]["transfers"] == 1


def test_no_transfers_no_rows():
    frame = contacts(("c-1", "Sam", 0, "Dana Ruiz", None, False))
    assert (
        transfer_outcomes(frame, 7, NOW).empty
        and transfer_rows(transfer_outcomes(frame, 7, NOW)) == []
    )
    assert transfer_outcomes(frame.iloc[0:0], 7, NOW).empty
