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

import numpy as np
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


def _codes(*columns: pd.Series) -> np.ndarray:
    """One integer per distinct value (or tuple of values) of the columns; -1 where any is
    missing."""
    missing = np.zeros(len(columns[0]), dtype=bool)
    for column in columns:
        missing |= column.isna().to_numpy()
    values = columns[0] if len(columns) == 1 else pd.Series(list(zip(*columns, strict=True)))
    codes = pd.factorize(values)[0].astype(np.int64)
    codes[missing] = -1
    return codes


class _Repeats:
    """The first repeat of each contact, found by sorted search rather than by listing every
    pair of contacts of a customer (500 contacts under one name were 250,000 pairs): for each
    contact and each way a later one may be the same customer, a binary search finds the
    earliest later contact of that customer, per reason."""

    def __init__(self, frame: pd.DataFrame, window: pd.Timedelta) -> None:
        self.n = len(frame)
        moments = frame["started_at"].dt.tz_convert("UTC").dt.tz_localize(None)
        self.t = moments.to_numpy("datetime64[ns]").view(np.int64)
        # dense ranks of time keep the composite search keys small (no int64 overflow)
        self.rank = np.unique(self.t, return_inverse=True)[1].astype(np.int64)
        self.window = window.value
        self.best = np.full(self.n, np.iinfo(np.int64).max, dtype=np.int64)

    def search(self, left: np.ndarray, right: np.ndarray, codes: np.ndarray) -> None:
        """For the contacts in `left`, the earliest strictly later contact in `right` with the
        same code within the window (ties: the first in the frame) becomes their repeat when
        it is earlier than the one found so far."""
        n, rank, t = self.n, self.rank, self.t
        later = np.flatnonzero(right & (codes >= 0))
        later = later[np.lexsort((later, rank[later], codes[later]))]
        firsts = np.flatnonzero(left & (codes >= 0))
        if not len(later) or not len(firsts):
            return
        found = np.searchsorted(
            codes[later] * (n + 1) + rank[later], codes[firsts] * (n + 1) + rank[firsts], "right"
        )
        inside = found < len(later)
        firsts, candidates = firsts[inside], later[found[inside]]
        same = (codes[candidates] == codes[firsts]) & (t[candidates] - t[firsts] <= self.window)
        firsts, candidates = firsts[same], candidates[same]
        np.minimum.at(self.best, firsts, rank[candidates] * n + candidates)

    def found(self) -> pd.Series:
        """Each contact's repeat position (-1: none)."""
        none = self.best == np.iinfo(np.int64).max
        return pd.Series(np.where(none, -1, self.best % max(self.n, 1)))


def _customer_ways(frame: pd.DataFrame) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """How a later contact may be the same customer: (key column, which earlier contacts,
    which later ones) — the same reference; or the same name where either has no reference."""
    has_ref = frame["ref"].notna().to_numpy()
    has_name = frame["name"].notna().to_numpy()
    return [
        ("ref", has_ref, has_ref),
        # names only decide where a reference is missing on either side: two different ids
        # with the same name are two customers
        ("name", has_name & ~has_ref, has_name),
        ("name", has_name & has_ref, has_name & ~has_ref),
    ]


def _first_repeats(frame: pd.DataFrame, window: pd.Timedelta) -> pd.Series:
    """Each contact's first repeat (a position in `frame`, -1 for none): the earliest later
    contact within the window of the same customer (the same reference; or the same name where
    either has no reference) about the same reason (or where either reason is unknown)."""
    repeats = _Repeats(frame, window)
    known = frame["reason"].notna().to_numpy()
    for key, left, right in _customer_ways(frame):
        customer = _codes(frame[key])
        repeats.search(left & ~known, right, customer)  # unknown reason: any later contact
        repeats.search(left & known, right & ~known, customer)
        repeats.search(left & known, right & known, _codes(frame[key], frame["reason"]))
    return repeats.found()


def prepared_contacts(contacts: pd.DataFrame) -> pd.DataFrame:
    """`contacts` (the columns of the module docstring) with the customer keys `ref` and `name`
    added, and the contacts that cannot be placed in time or tied to a customer left out."""
    return _prepared(contacts)


def first_later_contacts(
    frame: pd.DataFrame,
    days: int,
    earlier: np.ndarray,
    later: np.ndarray,
    same: tuple[str, ...] = (),
) -> pd.Series:
    """For each contact of a `prepared_contacts` frame in `earlier` (a bool per row), the
    position of the first strictly later contact in `later` of the same customer within `days`
    that also shares the columns `same` (a contact missing one never matches); -1 for none."""
    repeats = _Repeats(frame, pd.Timedelta(days=days))
    for key, left, right in _customer_ways(frame):
        codes = _codes(frame[key], *(frame[column] for column in same))
        repeats.search(left & earlier, right & later, codes)
    return repeats.found()


def contact_outcomes(contacts: pd.DataFrame, days: int, now: datetime) -> pd.DataFrame:
    """One row per contact whose window has closed: `conversation`, `agent`, `teams`,
    `started_at` and `repeat` (the external id of the first repeat contact within `days`, or
    None when the contact was resolved at first contact)."""
    if contacts.empty:
        return pd.DataFrame(columns=OUTCOME_COLUMNS)
    frame = _prepared(contacts)
    window = pd.Timedelta(days=days)
    first_repeat = _first_repeats(frame, window)
    conversations = frame["conversation"].to_numpy(dtype=object)
    frame["repeat"] = pd.Series(
        [conversations[i] if i >= 0 else None for i in first_repeat], dtype=object
    )
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
