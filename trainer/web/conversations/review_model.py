"""The review form as plain data: the scale levels of each criterion (from the rubric's scale),
which choices differ from the automatic value, the judgements sent to `save_review`, and the
auto-fail notes. Pure functions and dataclasses (no database, no Reflex), tested alone."""

from __future__ import annotations

import dataclasses

NA = "na"
REASON_LABELS = {
    "incorrect_score": "Incorrect score",
    "wrong_evidence": "Wrong evidence",
    "missing_evidence": "Missing evidence",
    "transcript_error": "Transcript error",
}


@dataclasses.dataclass
class Level:
    """One button of a criterion's scale: its 0..1 value as text ("0", "0.5", "1"), what it
    says ("Yes", "2"), the digit that picks it and whether the machine gave that value."""

    value: str = ""
    label: str = ""
    shortcut: str = ""
    automatic: bool = False


@dataclasses.dataclass(frozen=True)
class CriterionInfo:
    """What the rubric says of a criterion that the form needs."""

    id: str
    section: str
    title: str
    values: tuple[float, ...] = (0.0, 1.0)
    labels: tuple[str, ...] = ("No", "Yes")
    na_allowed: bool = True
    auto_fail: str | None = None
    weight: float = 1.0


def value_text(value: float) -> str:
    """A 0..1 value as the form's text key ("0", "0.5", "1")."""
    return f"{round(float(value), 4):g}"


def percent(value: float | None, na: bool = False) -> str:
    """A 0..1 value for people: "50%", "N/A", or "Unscored"."""
    if na:
        return "N/A"
    if value is None:
        return "Unscored"
    return f"{value * 100:.0f}%"


def choice_text(choice: str) -> str:
    """A form choice ("0.5", "na") for people."""
    if choice == NA:
        return "N/A"
    try:
        return percent(float(choice))
    except ValueError:
        return choice


def rubric_info(definition: dict | None) -> dict[str, CriterionInfo]:
    """Each criterion's scale (as 0..1 values with labels), N/A rule and auto-fail, from a
    rubric definition as stored (plain JSON), in rubric order."""
    info: dict[str, CriterionInfo] = {}
    for section in (definition or {}).get("sections") or []:
        for c in section.get("criteria") or []:
            scale = c.get("scale") or {}
            points = [float(p) for p in scale.get("points") or [0, 1]]
            labels = {str(k): str(v) for k, v in (scale.get("labels") or {}).items()}
            low, high = points[0], points[-1]
            binary = (scale.get("kind") or "binary") == "binary"
            span = (high - low) or 1.0
            info[c["id"]] = CriterionInfo(
                id=c["id"],
                section=section["id"],
                title=c.get("title") or c["id"],
                values=tuple((p - low) / span for p in points),
                labels=tuple(
                    labels.get(f"{p:g}") or (("No", "Yes")[i] if binary else f"{p:g}")
                    for i, p in enumerate(points)
                ),
                na_allowed=bool(c.get("na_allowed", True)),
                auto_fail=c.get("auto_fail"),
                weight=float(c.get("weight") or 1.0),
            )
    return info


def levels(info: CriterionInfo | None, automatic: float | None) -> list[Level]:
    """The scale buttons of a criterion; digits 1..N pick them in order."""
    if info is None:
        return []
    auto = value_text(automatic) if automatic is not None else None
    return [
        Level(
            value=value_text(v),
            label=label,
            shortcut=str(i + 1) if i < 9 else "",
            automatic=value_text(v) == auto,
        )
        for i, (v, label) in enumerate(zip(info.values, info.labels, strict=True))
    ]


def automatic_choice(criterion: dict) -> str:
    """The machine's result of a criterion (`conversation_view` criteria) as a form choice:
    "na", a value, or "" when it could not decide (unscored)."""
    if criterion.get("na") or criterion.get("status") == "na":
        return NA
    value = criterion.get("value")
    return "" if value is None else value_text(value)


def is_changed(choice: str, automatic: str) -> bool:
    """True when a picked choice differs from the automatic one (a reason is then required)."""
    return choice != "" and choice != automatic


@dataclasses.dataclass
class FormValues:
    """The form of one review: per criterion the choice ("" accepts the automatic value),
    reason and comment; the overall comment."""

    choices: dict[str, str] = dataclasses.field(default_factory=dict)
    reasons: dict[str, str] = dataclasses.field(default_factory=dict)
    comments: dict[str, str] = dataclasses.field(default_factory=dict)
    comment: str = ""


def draft_form(view: dict, draft: dict | None) -> FormValues:
    """The form for a conversation: empty (every automatic value accepted), or the actor's
    saved draft loaded back. A draft value that equals today's automatic one without a reason
    or comment reads as accepted, so a re-scored conversation shows its new automatic value."""
    automatic = {c["id"]: automatic_choice(c) for c in view.get("criteria") or []}
    form = FormValues(
        choices=dict.fromkeys(automatic, ""),
        reasons=dict.fromkeys(automatic, ""),
        comments=dict.fromkeys(automatic, ""),
    )
    if not draft:
        return form
    form.comment = draft.get("comment") or ""
    for c in draft.get("criteria") or []:
        if c["id"] not in automatic:
            continue
        choice = NA if c.get("na") else ("" if c.get("value") is None else value_text(c["value"]))
        reason, comment = c.get("reason") or "", c.get("comment") or ""
        if choice != automatic[c["id"]] or reason or comment:
            form.choices[c["id"]] = choice
        form.reasons[c["id"]] = reason
        form.comments[c["id"]] = comment
    return form


def judgements(view: dict, form: FormValues) -> tuple[dict[str, dict], dict[str, str]]:
    """What `save_review` takes from the form ({criterion: {value, reason, comment}}), and the
    problems to fix first ({criterion: message}). Criteria left as they are send nothing (the
    service keeps their automatic value); a comment alone keeps the automatic value."""
    out: dict[str, dict] = {}
    problems: dict[str, str] = {}
    for criterion in view.get("criteria") or []:
        cid = criterion["id"]
        automatic = automatic_choice(criterion)
        choice = form.choices.get(cid, "")
        comment = (form.comments.get(cid) or "").strip()
        reason = form.reasons.get(cid) or ""
        if choice == "" and not comment:
            continue
        if choice == "" and automatic == "":
            problems[cid] = "pick a value for this criterion before commenting on it"
            continue
        picked = choice or automatic
        changed = is_changed(picked, automatic)
        if changed and reason not in REASON_LABELS:
            problems[cid] = "a changed score needs a reason: choose one"
            continue
        out[cid] = {
            "value": picked if picked == NA else float(picked),
            "reason": (reason or None) if changed else None,
            "comment": comment,
        }
    return out, problems


def auto_fail_notes(
    info: dict[str, CriterionInfo], values: dict[str, float | None]
) -> tuple[dict[str, str], str]:
    """Why a score is 0 although its criteria are not: ({section: note}, evaluation note),
    naming each auto-fail criterion that scored 0 (the formula's rule)."""
    sections: dict[str, str] = {}
    evaluation: list[str] = []
    for criterion in info.values():
        if criterion.auto_fail is None or values.get(criterion.id) != 0.0:
            continue
        if criterion.auto_fail == "section":
            sections[criterion.section] = (
                f"Scored 0 by the auto-fail criterion “{criterion.title}”: when it fails, "
                "the whole section fails, whatever its other criteria score."
            )
        else:
            evaluation.append(criterion.title)
    note = ""
    if evaluation:
        names = ", ".join(f"“{t}”" for t in evaluation)
        note = (
            f"Overall 0: the auto-fail criterion {names} failed, which fails the whole evaluation."
        )
    return sections, note


@dataclasses.dataclass
class TurnNote:
    """What the transcript shows of a corrected turn: the words and speaker it had before."""

    index: int = 0
    corrected: bool = False
    original_text: str = ""
    original_speaker: str = ""
    summary: str = ""


SPEAKER_NAMES = {"agent": "Agent", "customer": "Customer", "system": "System"}


def turn_notes(view: dict) -> list[TurnNote]:
    """One note per turn (in order), `corrected` where a reviewer changed its text or speaker."""
    notes = []
    for i, turn in enumerate(view.get("turns") or []):
        text, speaker = turn.get("original_text"), turn.get("original_speaker")
        corrected = text is not None or speaker is not None
        who = SPEAKER_NAMES.get(speaker or "", speaker or "")
        notes.append(
            TurnNote(
                index=i,
                corrected=corrected,
                original_text=text or "",
                original_speaker=who,
                summary=f"Before the correction ({who}): {text or ''}" if corrected else "",
            )
        )
    return notes


def final_values(view: dict) -> tuple[dict | None, dict[str, str]]:
    """The submitted review that decides the final score (the newest), and its value per
    criterion as text where it differs from the automatic one."""
    if view.get("final_kind") != "human":
        return None, {}
    submitted = [r for r in view.get("reviews") or [] if r.get("status") == "submitted"]
    if not submitted:
        return None, {}
    final = max(submitted, key=lambda r: (r.get("submitted_at") or "", r.get("id") or 0))
    automatic = {c["id"]: automatic_choice(c) for c in view.get("criteria") or []}
    values = {}
    for c in final.get("criteria") or []:
        choice = NA if c.get("na") else ("" if c.get("value") is None else value_text(c["value"]))
        if choice != automatic.get(c["id"], ""):
            values[c["id"]] = choice_text(choice) if choice else "Unscored"
    return final, values
