"""Follow-up promises: finding them in agent turns, resolving their time frame to a due date, and
telling open, kept and broken ones apart (no database).

A promise is a sentence of an agent turn that holds a commitment ("I'll", "we will", "I'll call
you") and a time frame ("by Friday", "within 24 hours", "tomorrow"), matched with the same
pattern sets the rubric's `follow_up.commitment.v1` detector reads (trainer/nlp/patterns/
follow_up.yaml). Kept: the same agent had a later conversation with the same customer that
started no later than the due date. Broken: the due date passed without one. Open: not yet due.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pandas as pd

from trainer.conversation import Conversation
from trainer.customer_keys import name_key, ref_key
from trainer.scoring.context import ScoringContext

STATUSES = ("open", "kept", "broken")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "jan feb mar apr may jun jul aug sep oct nov dec".split(),
    "january february march april may june july august september october november december".split(),
)
_UNIT = {"minute": "minutes", "min": "minutes", "hour": "hours", "hr": "hours", "day": "days"}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "twenty-four": 24,
}  # fmt: skip
_AMOUNT = re.compile(
    r"\b(?P<n>\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
    r"(?:\s*(?:-|–|to|or)\s*(?P<m>\d+))?\s*(?P<business>business|working|calendar)?\s*"
    r"(?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?)\b"
)
_CLOCK = re.compile(r"\bby\s+(?P<h>\d{1,2})(?::(?P<min>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?")
_MONTH_DAY = re.compile(
    r"\b(?:by|before|on)\s+(?P<month>[a-z]+)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
)


@dataclass(frozen=True)
class FoundPromise:
    """A time-framed follow-up: the agent turn's index, its sentence and the time frame."""

    turn: int
    text: str
    time_frame: str


# A follow-up is the agent coming back to the customer: "I'll call you", "we'll email you".
# "You'll see the refund in 3-5 days" is a commitment for the rubric, but no later contact can
# show whether it was kept, so it is not tracked here.
_CONTACT = re.compile(
    r"\b(?:call|ring|phone|e-?mail|text|message|contact|reach out|get back|follow(?:-| )?up|"
    r"update|check in|let you know|write)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = ("i ", "i'", "we ", "we'", "i’", "we’")


def find_promises(
    conversation: Conversation, ctx: ScoringContext | None = None
) -> list[FoundPromise]:
    """Every sentence of an agent turn holding a follow-up promise with a time frame: the
    detector's `contact_promise` set, or its `commitment` set said in the first person about
    contacting the customer ("I'll call you back by Friday"), in order."""
    ctx = ctx or ScoringContext(conversation)
    found = []
    for i in ctx.indices("agent"):
        times: dict[int, list] = {}
        for span in ctx.find(i, "time_frame"):
            times.setdefault(span.sent.start, []).append(span)
        promised = {s.sent.start: s.sent for s in ctx.find(i, "contact_promise")}
        for span in ctx.find(i, "commitment"):
            if span.text.lower().startswith(_FIRST_PERSON) and _CONTACT.search(span.sent.text):
                promised.setdefault(span.sent.start, span.sent)
        for start, sentence in sorted(promised.items()):
            if start in times:
                found.append(FoundPromise(i, sentence.text.strip(), times[start][0].text))
    return found


def _end_of(day: datetime) -> datetime:
    return datetime.combine(day.date(), time(23, 59, 59), tzinfo=day.tzinfo)


def _add_business_days(start: datetime, days: int) -> datetime:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _weekday_after(start: datetime, weekday: int) -> datetime:
    """The next such weekday after the start's day (said on a Friday, "by Friday" is next week)."""
    ahead = (weekday - start.weekday() - 1) % 7 + 1
    return start + timedelta(days=ahead)


def resolve_due(
    time_frame: str, started_at: datetime, tz: tzinfo | None = None, sentence: str = ""
) -> datetime | None:
    """The due date a time frame sets, counted from `started_at` in `tz` (day boundaries:
    "by end of day" is 23:59:59 that day there), returned in UTC; None when the phrase names no
    date ("by March" without a day). Ranges take their far end ("3-5 business days": 5)."""
    zone = tz or ZoneInfo("UTC")
    start = (
        started_at if started_at.tzinfo else started_at.replace(tzinfo=ZoneInfo("UTC"))
    ).astimezone(zone)
    phrase = time_frame.lower().strip()
    # "by the end of" is matched alone; what it is the end of follows in the sentence.
    context = sentence.lower()
    if phrase in ("by the end of", "before the end of") and phrase in context:
        phrase = context[context.index(phrase) :][:40]
    due = _resolve(phrase, start)
    return due.astimezone(ZoneInfo("UTC")) if due is not None else None


def _resolve(phrase: str, start: datetime) -> datetime | None:  # noqa: C901 - one case per form
    if "tomorrow" in phrase:
        day = start + timedelta(days=1)
        return (
            day.replace(hour=12, minute=0, second=0, microsecond=0)
            if "morning" in phrase
            else _end_of(day)
        )
    if "next business day" in phrase or "next working day" in phrase:
        return _end_of(_add_business_days(start, 1))
    if "end of the week" in phrase or phrase == "this week":
        return _end_of(start + timedelta(days=6 - start.weekday()))
    if "next week" in phrase:
        return _end_of(start + timedelta(days=13 - start.weekday()))
    if "end of the month" in phrase:
        first_next = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return _end_of(first_next - timedelta(days=1))
    if any(
        w in phrase
        for w in (
            "today",
            "tonight",
            "end of",
            "close of business",
            "this afternoon",
            "this evening",
        )
    ):
        return _end_of(start)
    for index, name in enumerate(WEEKDAYS):
        if name in phrase:
            return _end_of(_weekday_after(start, index))
    if "few minutes" in phrase:
        return start + timedelta(minutes=30)
    if phrase in ("in an hour", "within the hour", "within an hour"):
        return start + timedelta(hours=1)
    if (clock := _CLOCK.search(phrase)) and not _AMOUNT.search(phrase):
        return _at_clock(start, clock)
    if month_day := _MONTH_DAY.search(phrase):
        return _on_date(start, month_day.group("month"), int(month_day.group("day")))
    if amount := _AMOUNT.search(phrase):
        return _after(start, amount)
    return None


def _at_clock(start: datetime, clock: re.Match) -> datetime | None:
    hour, minute = int(clock.group("h")), int(clock.group("min") or 0)
    ampm = (clock.group("ampm") or "").replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif not ampm and hour < 8:
        hour += 12  # "by 5" in a working day means the afternoon
    if hour > 23 or minute > 59:
        return None
    due = start.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return due if due > start else due + timedelta(days=1)


def _on_date(start: datetime, month: str, day: int) -> datetime | None:
    number = next((names.index(month) + 1 for names in MONTHS if month in names), None)
    if number is None:
        return None
    for year in (start.year, start.year + 1):
        try:
            due = _end_of(start.replace(year=year, month=number, day=day))
        except ValueError:
            return None
        if due >= start:
            return due
    return None


def _after(start: datetime, amount: re.Match) -> datetime:
    count = int(amount.group("m") or 0) or _number(amount.group("n"))
    unit = amount.group("unit").rstrip("s")
    if unit == "week":
        return start + timedelta(weeks=count)
    if unit == "day" and amount.group("business") in ("business", "working"):
        return _end_of(_add_business_days(start, count))
    return start + timedelta(**{_UNIT[unit]: count})


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def same_customer(ref_a: object, name_a: object, ref_b: object, name_b: object) -> bool:
    """Two contacts are the same customer: equal references when both have one, else equal
    normalised names (never by a placeholder name) - the rule repeat-contact FCR uses."""
    a, b = ref_key(ref_a), ref_key(ref_b)
    if a and b:
        return a == b
    name = name_key(name_a)
    return name is not None and name == name_key(name_b)


def promise_statuses(promises: pd.DataFrame, contacts: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """`promises` (id, agent, conversation, started_at, customer_ref, customer, due_at, ...) with
    `status` (open, kept, broken) and `kept_by` (the external id of the keeping contact) added.

    `contacts`: every conversation as (conversation, agent, started_at, customer_ref, customer).
    """
    frame = promises.copy()
    if frame.empty:
        return frame.assign(status=pd.Series(dtype=str), kept_by=pd.Series(dtype=object))
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    later = contacts.assign(started_at=pd.to_datetime(contacts["started_at"], utc=True))
    later = later.sort_values("started_at")
    statuses, kept_by = [], []
    for row in frame.itertuples(index=False):
        started, due = pd.Timestamp(row.started_at), row.due_at
        due = None if due is None or pd.isna(due) else pd.Timestamp(due)
        mine = later[(later["agent"] == row.agent) & (later["started_at"] > started)]
        if due is not None:
            mine = mine[mine["started_at"] <= due]
        keeper = next(
            (
                c.conversation
                for c in mine.itertuples(index=False)
                if same_customer(row.customer_ref, row.customer, c.customer_ref, c.customer)
            ),
            None,
        )
        kept_by.append(keeper)
        if keeper is not None:
            statuses.append("kept")
        elif due is not None and due < now_ts:
            statuses.append("broken")
        else:
            statuses.append("open")
    # object dtype keeps None as None (pandas would turn a list of str and None into NaN)
    return frame.assign(
        status=statuses, kept_by=pd.Series(kept_by, index=frame.index, dtype=object)
    )


def promise_summary(statuses: pd.DataFrame) -> list[dict]:
    """Per agent: `agent`, `promises`, `open`, `kept`, `broken`, and `kept_rate` (kept out of
    kept + broken; None while none is decided), sorted by agent."""
    if statuses.empty:
        return []
    rows = []
    for agent, group in statuses.groupby(statuses["agent"].fillna("(unknown agent)"), sort=True):
        counts = group["status"].value_counts()
        kept, broken = int(counts.get("kept", 0)), int(counts.get("broken", 0))
        rows.append(
            {
                "agent": agent,
                "promises": len(group),
                "open": int(counts.get("open", 0)),
                "kept": kept,
                "broken": broken,
                "kept_rate": round(kept / (kept + broken), 4) if kept + broken else None,
            }
        )
    return rows
