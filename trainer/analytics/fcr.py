"""First-contact resolution from repeat contacts (pandas only, no database).

A contact is resolved at first contact when the same customer does not get in touch again within
N days about the same reason. Same customer: both contacts carry a customer reference (the
source's customer id or email) and the references are equal; where either lacks one, the
normalised customer names are equal (a placeholder such as "Customer" never matches). Same
reason: equal contact reasons when both are known; when either is unknown (no classifier was
trained) any repeat counts. A contact whose N-day window has not closed yet is left out: its
outcome is not known.

Input: a frame with one row per contact, columns `conversation` (external id), `agent`, `teams`
(a list of team names), `started_at` (timezone-aware), `customer_ref`, `customer` (name) and
`reason`. `contact_outcomes` gives each contact's outcome; `fcr_rows` sums them per agent or team.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from trainer.customer_keys import name_key, ref_key

UNKNOWN_AGENT = "(unknown agent)"
OUTCOME_COLUMNS = ["conversation", "agent", "teams", "started_at", "repeat"]


def _prepared(contacts: pd.DataFrame) -> pd.DataFrame:
    frame = contacts.copy()
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    frame["ref"] = frame["customer_ref"].map(ref_key)
    frame["name"] = frame["customer"].map(name_key)
    frame["reason"] = frame["reason"].where(frame["reason"].notna(), None)
    # A contact that cannot be placed in time or tied to a customer has no knowable outcome.
    known = frame["started_at"].notna() & (frame["ref"].notna() | frame["name"].notna())
    return frame[known].reset_index(drop=True)


def _candidate_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """(first, later) contact index pairs of the same customer, by reference or by name."""
    keep = ["ref", "name", "started_at", "reason"]
    left = frame[keep].rename_axis("first").reset_index()
    right = frame[keep].rename_axis("later").reset_index()
    by_ref = left.dropna(subset=["ref"]).merge(
        right.dropna(subset=["ref"]), on="ref", suffixes=("", "_later")
    )
    by_name = left.dropna(subset=["name"]).merge(
        right.dropna(subset=["name"]), on="name", suffixes=("", "_later")
    )
    # Names only decide where a reference is missing on either side: two different ids with
    # the same name are two customers.
    by_name = by_name[by_name["ref"].isna() | by_name["ref_later"].isna()]
    columns = ["first", "later", "started_at", "started_at_later", "reason", "reason_later"]
    return pd.concat([by_ref[columns], by_name[columns]], ignore_index=True)


def contact_outcomes(contacts: pd.DataFrame, days: int, now: datetime) -> pd.DataFrame:
    """One row per contact whose window has closed: `conversation`, `agent`, `teams`,
    `started_at` and `repeat` (the external id of the first repeat contact within `days`, or
    None when the contact was resolved at first contact)."""
    if contacts.empty:
        return pd.DataFrame(columns=OUTCOME_COLUMNS)
    frame = _prepared(contacts)
    window = pd.Timedelta(days=days)
    pairs = _candidate_pairs(frame)
    gap = pairs["started_at_later"] - pairs["started_at"]
    either_unknown = pairs["reason"].isna() | pairs["reason_later"].isna()
    same_reason = either_unknown | (pairs["reason"] == pairs["reason_later"])
    repeats = pairs[(gap > pd.Timedelta(0)) & (gap <= window) & same_reason]
    first_repeat = (
        repeats.sort_values(["started_at_later", "later"])
        .drop_duplicates("first")
        .set_index("first")["later"]
    )
    frame["repeat"] = None
    frame.loc[first_repeat.index, "repeat"] = frame.loc[
        first_repeat.to_numpy(), "conversation"
    ].to_numpy()
    closed = frame["started_at"] + window <= pd.Timestamp(now).tz_convert("UTC")
    return frame.loc[closed, OUTCOME_COLUMNS].reset_index(drop=True)


def _summary(group: pd.DataFrame) -> dict:
    repeated = group[group["repeat"].notna()].sort_values("started_at")
    conversations = len(group)
    resolved = conversations - len(repeated)
    return {
        "conversations": conversations,
        "resolved_first_contact": resolved,
        "fcr": round(resolved / conversations, 4),
        "repeats": [
            [first, later]
            for first, later in zip(repeated["conversation"], repeated["repeat"], strict=True)
        ],
    }


def fcr_rows(outcomes: pd.DataFrame, by: str = "agent") -> list[dict]:
    """FCR per agent (`by="agent"`: its teams joined as `team`) or per team (`by="team"`:
    `agent` None; an agent in two teams counts in both), sorted by name. Each row: `agent`,
    `team`, `conversations`, `resolved_first_contact`, `fcr` (0-1) and `repeats` (pairs of
    external ids: the contact and the customer's next contact)."""
    if by not in ("agent", "team"):
        raise ValueError(f"by must be 'agent' or 'team', not {by!r}")
    if outcomes.empty:
        return []
    frame = outcomes.copy()
    frame["agent"] = frame["agent"].fillna(UNKNOWN_AGENT)
    frame["teams"] = frame["teams"].map(lambda t: sorted(t) if isinstance(t, list | tuple) else [])
    rows = []
    if by == "agent":
        for agent, group in frame.groupby("agent", sort=True):
            teams = sorted({t for ts in group["teams"] for t in ts})
            rows.append({"agent": agent, "team": ", ".join(teams) or None, **_summary(group)})
        return rows
    exploded = frame.explode("teams").dropna(subset=["teams"])
    for team, group in exploded.groupby("teams", sort=True):
        rows.append({"agent": None, "team": team, **_summary(group)})
    return rows


def window_end(started_at: datetime, days: int) -> datetime:
    """When a contact's repeat window closes (its outcome is known from then on)."""
    return started_at + timedelta(days=days)
