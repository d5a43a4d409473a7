"""Transfers across a customer's contacts (pandas only, no database): was the customer moved on
again in a later contact, and did the agent who transferred them get back to them?

What customers remember of bad service is being passed from desk to desk and nobody coming
back. A single conversation shows only its own transfers (`responsiveness.transfer_handoff`);
these two need the customer's other contacts:

- **transferred again**: a later contact of the same customer within N days that was itself
  transferred;
- **followed up**: a later contact of the same customer within N days handled by the agent who
  made the transfer. A transfer with neither and whose window is still open is `pending`.

Same customer as for first-contact resolution (trainer/analytics/fcr.py): the same reference,
or the same name where either contact has none.

Input: the columns of an FCR contacts frame (`conversation`, `agent`, `teams`, `started_at`,
`customer_ref`, `customer`, `reason`) plus `transferred` (bool).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from trainer.analytics.fcr import UNKNOWN_AGENT, first_later_contacts, prepared_contacts

OUTCOME_COLUMNS = [
    "conversation",
    "agent",
    "teams",
    "started_at",
    "customer",
    "followed_up",
    "transferred_again",
    "pending",
]


def transfer_outcomes(contacts: pd.DataFrame, days: int, now: datetime) -> pd.DataFrame:
    """One row per transferred contact: `conversation`, `agent`, `teams`, `started_at`,
    `customer`, `followed_up` (the external id of the transferring agent's first later contact
    with the customer within `days`, or None), `transferred_again` (the customer's first later
    transferred contact within `days`, or None) and `pending` (neither yet, window still open)."""
    if contacts.empty or not contacts["transferred"].any():
        return pd.DataFrame(columns=OUTCOME_COLUMNS)
    frame = prepared_contacts(contacts)
    transferred = frame["transferred"].fillna(False).to_numpy(dtype=bool)
    everyone = np.ones(len(frame), dtype=bool)
    by_agent = first_later_contacts(frame, days, transferred, everyone, same=("agent",))
    again = first_later_contacts(frame, days, transferred, transferred)
    ids = frame["conversation"].to_numpy(dtype=object)
    for column, found in (("followed_up", by_agent), ("transferred_again", again)):
        frame[column] = pd.Series(
            [ids[i] if i >= 0 else None for i in found], index=frame.index, dtype=object
        )
    open_window = frame["started_at"] + pd.Timedelta(days=days) > pd.Timestamp(now).tz_convert(
        "UTC"
    )
    frame["pending"] = open_window & frame["followed_up"].isna() & frame["transferred_again"].isna()
    return frame.loc[transferred, OUTCOME_COLUMNS].reset_index(drop=True)


def transfer_rows(outcomes: pd.DataFrame) -> list[dict]:
    """Per transferring agent, sorted by name: `agent`, `team`, `transfers` (contacts they
    transferred), `followed_up` and `transferred_again` (how many of those), `pending`, and
    `follow_up_rate` (followed up among those whose outcome is known, 0-1; None when none is)."""
    if outcomes.empty:
        return []
    frame = outcomes.copy()
    frame["agent"] = frame["agent"].fillna(UNKNOWN_AGENT)
    rows = []
    for agent, group in frame.groupby("agent", sort=True):
        teams = sorted({t for ts in group["teams"] if isinstance(ts, list | tuple) for t in ts})
        known = group[~group["pending"]]
        followed = int(group["followed_up"].notna().sum())
        rows.append(
            {
                "agent": agent,
                "team": ", ".join(teams) or None,
                "transfers": len(group),
                "followed_up": followed,
                "transferred_again": int(group["transferred_again"].notna().sum()),
                "pending": int(group["pending"].sum()),
                "follow_up_rate": (
                    round(int(known["followed_up"].notna().sum()) / len(known), 4)
                    if len(known)
                    else None
                ),
            }
        )
    return rows
