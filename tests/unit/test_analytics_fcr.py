"""Repeat-contact FCR on plain frames: the window, the reason, the customer, open windows."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.analytics.fcr import contact_outcomes, fcr_rows
from trainer.customer_keys import name_key

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=60)


def contact(
    cid, day, *, agent="Sam Lee", teams=("North",), ref=None, name="Dana Ruiz", reason=None
):
    """One contact row, `day` days after T0."""
    return {
        "conversation": cid,
        "agent": agent,
        "teams": list(teams),
        "started_at": T0 + timedelta(days=day),
        "customer_ref": ref,
        "customer": name,
        "reason": reason,
    }


def outcomes(*rows, days=7, now=NOW):
    return contact_outcomes(pd.DataFrame(rows), days, now)


def repeat_of(frame, cid):
    return frame.set_index("conversation")["repeat"].get(cid)


def test_analytics_fcr_repeat_inside_the_window_is_not_resolved():
    frame = outcomes(contact("a", 0), contact("b", 6.9))
    assert repeat_of(frame, "a") == "b"
    assert repeat_of(frame, "b") is None  # nobody came back after b


def test_analytics_fcr_repeat_outside_the_window_leaves_the_first_resolved():
    frame = outcomes(contact("a", 0), contact("b", 7.5))
    assert repeat_of(frame, "a") is None
    # a longer window catches it
    assert repeat_of(outcomes(contact("a", 0), contact("b", 7.5), days=8), "a") == "b"


def test_analytics_fcr_different_reason_is_not_a_repeat_but_unknown_reason_is():
    frame = outcomes(contact("a", 0, reason="billing"), contact("b", 2, reason="delivery"))
    assert repeat_of(frame, "a") is None
    same = outcomes(contact("a", 0, reason="billing"), contact("b", 2, reason="billing"))
    assert repeat_of(same, "a") == "b"
    # without a classifier (reason unknown on either side) any repeat counts
    unknown = outcomes(contact("a", 0, reason="billing"), contact("b", 2, reason=None))
    assert repeat_of(unknown, "a") == "b"


def test_analytics_fcr_contact_whose_window_is_open_is_left_out():
    now = T0 + timedelta(days=10)
    frame = outcomes(contact("a", 0), contact("b", 5), now=now)
    # a's window closed on day 7; b's closes on day 12, after `now`
    assert list(frame["conversation"]) == ["a"]
    assert repeat_of(frame, "a") == "b"


def test_analytics_fcr_same_customer_by_reference_beats_the_name():
    # two different customer ids with the same name are two customers
    frame = outcomes(contact("a", 0, ref="C-1"), contact("b", 1, ref="C-2"))
    assert repeat_of(frame, "a") is None
    # the same reference under different spellings of the name is one customer
    frame = outcomes(
        contact("a", 0, ref="dana@example.com", name="Dana"),
        contact("b", 1, ref="DANA@example.com ", name="D. Ruiz"),
    )
    assert repeat_of(frame, "a") == "b"


def test_analytics_fcr_same_customer_by_name_when_a_reference_is_missing():
    frame = outcomes(
        contact("a", 0, ref="C-1", name="Dana Ruiz"), contact("b", 1, name="dana  RUIZ.")
    )
    assert repeat_of(frame, "a") == "b"
    other = outcomes(contact("a", 0, name="Dana Ruiz"), contact("b", 1, name="Omar Haddad"))
    assert repeat_of(other, "a") is None


def test_analytics_fcr_placeholder_or_missing_customers_are_left_out():
    frame = outcomes(contact("a", 0, name="Customer"), contact("b", 1, name="customer"))
    assert frame.empty
    assert name_key("  Dana  RUIZ. ") == "dana ruiz" and name_key("Caller") is None


def test_analytics_fcr_rows_per_agent_and_team():
    frame = outcomes(
        contact("a", 0),
        contact("b", 2, agent="Ann Ode", teams=("South",)),  # Dana came back to Ann
        contact("c", 20, name="Omar Haddad"),
        contact("d", 30, name="Lea Kim", agent=None, teams=()),
    )
    agents = {r["agent"]: r for r in fcr_rows(frame, "agent")}
    assert agents["Sam Lee"] == {
        "agent": "Sam Lee",
        "team": "North",
        "conversations": 2,
        "resolved_first_contact": 1,
        "fcr": 0.5,
        "repeats": [["a", "b"]],
    }
    assert agents["Ann Ode"]["fcr"] == 1.0 and agents["(unknown agent)"]["team"] is None
    teams = {r["team"]: r for r in fcr_rows(frame, "team")}
    assert set(teams) == {"North", "South"} and teams["North"]["agent"] is None
    assert teams["North"]["conversations"] == 2 and teams["North"]["fcr"] == 0.5


def test_analytics_fcr_rows_empty_and_bad_grouping():
    assert fcr_rows(outcomes(), "agent") == []
    with pytest.raises(ValueError, match="agent"):
        fcr_rows(outcomes(contact("a", 0)), "week")


def _pairwise_repeats(contacts: list[dict], days: int) -> dict[str, str | None]:
    """The rule written out pair by pair (what contact_outcomes computed before it searched
    sorted arrays): the oracle the fast search must agree with."""
    window = timedelta(days=days)
    found: dict[str, str | None] = {}
    keyed = [
        (c, (c["customer_ref"] or "").strip().casefold() or None, name_key(c["customer"]))
        for c in contacts
    ]
    for first, ref, name in keyed:
        if ref is None and name is None:
            continue
        best = None
        for position, (later, later_ref, later_name) in enumerate(keyed):
            same = (ref is not None and ref == later_ref) or (
                name is not None and name == later_name and (ref is None or later_ref is None)
            )
            gap = later["started_at"] - first["started_at"]
            reasons = first["reason"] is None or later["reason"] is None
            if (
                same
                and timedelta(0) < gap <= window
                and (reasons or first["reason"] == later["reason"])
            ):
                if best is None or (later["started_at"], position) < best[0]:
                    best = ((later["started_at"], position), later["conversation"])
        found[first["conversation"]] = best[1] if best else None
    return found


@given(
    st.lists(
        st.tuples(
            st.integers(0, 16),  # quarter days after T0: ties, and gaps inside and past the window
            st.sampled_from([None, "R-1", " r-1", "R-2", ""]),
            st.sampled_from([None, "Dana Ruiz", "dana  ruiz.", "Lea Kim", "Customer"]),
            st.sampled_from([None, "billing", "delivery"]),
        ),
        max_size=25,
    ),
    st.integers(1, 3),
)
@settings(max_examples=300, deadline=None)
def test_analytics_fcr_first_repeat_agrees_with_the_pairwise_rule(rows, days):
    contacts = [
        {
            "conversation": f"c{i}",
            "agent": "Sam Lee",
            "teams": ["North"],
            "started_at": T0 + timedelta(hours=6 * quarters),
            "customer_ref": ref,
            "customer": name,
            "reason": reason,
        }
        for i, (quarters, ref, name, reason) in enumerate(rows)
    ]
    expected = _pairwise_repeats(contacts, days)
    outcomes = contact_outcomes(pd.DataFrame(contacts), days, T0 + timedelta(days=30))
    assert dict(zip(outcomes["conversation"], outcomes["repeat"], strict=True)) == expected


def test_analytics_fcr_many_contacts_under_one_name_are_not_paired_one_by_one():
    # A source that sends one name for everyone (500 chats as "Dana Ruiz" were 250,000 pairs
    # and most of a scorecard's time): the search grows with the contacts, not their square.
    def cpu(n: int) -> float:
        frame = pd.DataFrame(
            [contact(f"c{i}", i / 1000, reason=("billing", "delivery")[i % 2]) for i in range(n)]
        )
        started = time.process_time()
        outcomes = contact_outcomes(frame, 7, NOW)
        assert outcomes["repeat"].iloc[0] == "c2"  # the next one about billing
        return time.process_time() - started

    small, large = (min(cpu(n) for _ in range(2)) for n in (5_000, 20_000))
    assert large < 1.0, f"20,000 contacts took {large:.2f}s"
    assert large < 0.1 or large < 10 * max(small, 1e-3), (small, large)
