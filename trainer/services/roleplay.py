"""Role-play attempts in the database: start, reply turn by turn, finish, store, progress.

Made for a web page driving an attempt one request at a time: every call takes a Session (the
caller owns the transaction), the live attempt is saved as a snapshot on its row after each reply,
and every function returns plain JSON-ready dicts. A finished attempt is stored as a `roleplay`
conversation with its evaluation; it is practice, listed under Practice and never in QA lists or
agent scorecards.

Attempts belong to the trainee who plays them: the acting user. Another person's attempt does
not exist for an actor (NotFoundError), except to those who follow that trainee's onboarding
(leads of their team, HR, admins), who may read their progress.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize
from trainer.access.policy import Subject, can
from trainer.db.models import RoleplayAttempt, User
from trainer.db.repository import (
    save_evaluation,
    store_conversation,
    store_rubric,
)
from trainer.errors import AudioError, NotFoundError, RubricError, ScenarioError, TrainerError
from trainer.roleplay.attempt import Attempt
from trainer.roleplay.loader import find_scenario, list_scenarios
from trainer.roleplay.phrasing import Phraser
from trainer.roleplay.progress import progress_report
from trainer.roleplay.results import AttemptResult
from trainer.roleplay.schema import Scenario
from trainer.services.audit import record_event
from trainer.services.onboarding_progress import after_attempt


def _iso(moment: datetime | None) -> str | None:
    """ISO time in UTC (SQLite hands back naive datetimes; they were stored as UTC)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _scenario(scenario: str | Scenario) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else find_scenario(scenario)


def _require(session: Session, actor: Actor, attempt_id: int) -> RoleplayAttempt:
    """The actor's own attempt; "not found" for a missing one and for anyone else's."""
    row = session.get(RoleplayAttempt, attempt_id)
    if row is None or not can(actor, Action.PRACTISE, _attempt_subject(row)):
        raise NotFoundError(f"no role-play attempt {attempt_id}", fix="start a new attempt")
    return row


def _attempt_subject(row: RoleplayAttempt) -> Subject:
    return Subject(
        label=f"role-play attempt {row.id}",
        owner_id=row.trainee_id,
        owner_team_ids=row.trainee.team_ids if row.trainee else frozenset(),
    )


def _trainee(session: Session, actor: Actor) -> User:
    """The acting user as the trainee of an attempt (the CLI names one with --trainee)."""
    authorize(actor, Action.PRACTISE)
    user = session.get(User, actor.id) if actor.id is not None else None
    if user is None or not user.active:
        raise ScenarioError(
            "role-plays are played by a user with an account",
            fix="log in, or give the CLI a trainee with --trainee",
        )
    return user


def _scenario_for(row: RoleplayAttempt) -> Scenario:
    scenario = find_scenario(row.scenario_id)
    if scenario.version != row.scenario_version:
        raise ScenarioError(
            f"scenario {row.scenario_id!r} changed (version {row.scenario_version} -> "
            f"{scenario.version}) while attempt {row.id} was running",
            where=f"attempt {row.id}",
            fix="finish it as it stands, or start a new attempt",
        )
    return scenario


def brief(scenario: Scenario) -> dict:
    """What the trainee sees before starting: no hidden facts, no requirements list."""
    return {
        "id": scenario.id,
        "title": scenario.title,
        "summary": scenario.summary.strip(),
        "policy": scenario.policy.strip(),
        "difficulty": scenario.difficulty,
        "skills": list(scenario.skills),
        "customer": scenario.persona.name,
        "max_turns": scenario.max_turns,
        "pass_mark": scenario.scoring.pass_mark,
    }


#: Roles whose people practise role-plays (the trainee selector of the practice page).
TRAINEE_ROLES: tuple[str, ...] = ("trainee", "agent")
#: The longest spoken reply the practice page transcribes.
REPLY_MAX_SECONDS = 120.0


def scenario_library() -> list[dict]:
    """Every shipped scenario's brief plus who the customer is (temperament, description)."""
    return [
        {
            **brief(s),
            "temperament": s.persona.temperament,
            "persona": s.persona.description.strip(),
            "starting_mood": s.persona.mood,
        }
        for s in list_scenarios()
    ]


def list_trainees(session: Session) -> list[str]:
    """Names of the people who practise (role trainee or agent), trainees first, then by name."""
    users = session.scalars(select(User).where(User.role.in_(TRAINEE_ROLES))).all()
    return [u.name for u in sorted(users, key=lambda u: (u.role != "trainee", u.name))]


def transcribe_reply(path: str | Path, engine_name: str = "faster-whisper") -> str:
    """A spoken reply (any audio the project decodes: wav, mp3, m4a, webm, ogg) as text.

    AudioError for audio that is not audio, too short, silent, too long, or has no words in it.
    """
    from trainer.speech.audio import decode, probe
    from trainer.speech.engines.base import load_engine

    info = probe(path)
    if info.duration and info.duration > REPLY_MAX_SECONDS:
        raise AudioError(
            f"the reply is {info.duration:.0f} s long; replies of up to "
            f"{REPLY_MAX_SECONDS:.0f} s are transcribed",
            where=str(info.path),
            fix="record a shorter reply",
        )
    audio = decode(path, info)
    transcript = load_engine(engine_name).transcribe(audio.mono())
    text = " ".join(segment.text.strip() for segment in transcript.segments).strip()
    if not text:
        raise AudioError(
            "no words were recognised in the recording",
            where=str(info.path),
            fix="speak closer to the microphone, or type the reply",
        )
    return text


def transcribe_reply_bytes(data: bytes, suffix: str = "") -> tuple[str, str]:
    """(text, "") for a spoken reply's bytes, or ("", a message the trainee can act on, never
    naming the temporary file)."""
    import tempfile

    from trainer.speech.audio import sniff_format

    if not data:
        return "", "The file is empty: record or choose another one."
    if sniff_format(data[:512]) is None:
        return "", "That is not an audio recording (webm, ogg, wav, mp3, m4a or flac)."
    with tempfile.TemporaryDirectory(prefix="trainer-reply-") as folder:
        # The suffix comes from the browser's file name: only a plain extension is kept, so
        # no name leaves the temporary folder (the decoder sniffs the bytes anyway).
        safe = suffix.lower() if re.fullmatch(r"\.[a-z0-9]{1,7}", suffix.lower()) else ""
        path = Path(folder) / f"reply{safe or '.audio'}"
        path.write_bytes(data)
        try:
            return transcribe_reply(path), ""
        except TrainerError as exc:
            text = exc.message + (f" ({exc.fix})" if exc.fix else "")
            return "", text[:1].upper() + text[1:]


def _live(row: RoleplayAttempt, attempt: Attempt) -> dict:
    return {
        "attempt": row.id,
        "scenario": row.scenario_id,
        "status": row.status,
        "ended": attempt.ended,
        "outcome": attempt.outcome,
        "mood": attempt.state.mood,
        "moods": list(attempt.mood),
        "replies_left": max(0, attempt.scenario.max_turns - attempt.state.replies),
        "turns": [
            {"turn": i + 1, "speaker": t.speaker, "text": t.text}
            for i, t in enumerate(attempt.turns)
        ],
    }


def start_attempt(
    session: Session,
    actor: Actor,
    scenario: str | Scenario,
    *,
    seed: int | None = None,
    phraser: Phraser | None = None,
) -> dict:
    """Create an attempt for the acting user; returns the brief, the customer's opening and the
    mood.

    Without a seed, the attempt's id seeds it (different attempts, different lines).
    """
    user = _trainee(session, actor)
    trainee = user.name
    scenario = _scenario(scenario)
    row = RoleplayAttempt(
        trainee=user,
        scenario_id=scenario.id,
        scenario_version=scenario.version,
        seed=seed or 0,
        status="in_progress",
    )
    session.add(row)
    session.flush()
    if seed is None:
        row.seed = row.id
    attempt = Attempt(scenario, seed=row.seed, trainee=trainee, phraser=phraser)
    row.state = attempt.snapshot()
    row.mood = list(attempt.mood)
    return {**_live(row, attempt), "brief": brief(scenario), "customer": attempt.turns[-1].text}


def send_reply(
    session: Session, actor: Actor, attempt_id: int, text: str, *, phraser: Phraser | None = None
) -> dict:
    """Play one trainee reply; returns the customer's answer and, once it ended, the result."""
    row = _require(session, actor, attempt_id)
    if row.status != "in_progress":
        raise ScenarioError(
            f"attempt {attempt_id} has finished", fix="start a new attempt to practise again"
        )
    attempt = Attempt.restore(_scenario_for(row), row.state, phraser=phraser)
    answer = attempt.reply(_redacted_reply(text))
    row.state = attempt.snapshot()
    row.mood = list(attempt.mood)
    view = {**_live(row, attempt), "customer": answer.text}
    if attempt.ended:
        view["result"] = _finish(session, row, attempt)
        view["status"] = row.status
    return view


def _redacted_reply(text: str) -> str:
    """A trainee's reply without personal data: practice transcripts are stored like real ones
    (someone may type a real card number to see what happens), unless TRAINER_STORE_UNREDACTED=1."""
    from trainer.privacy import Redactor, store_unredacted_allowed

    return text if store_unredacted_allowed() else Redactor().redact(text).text


def finish_attempt(session: Session, actor: Actor, attempt_id: int) -> dict:
    """End an attempt now (the trainee hung up) and score it; a finished one is returned as is."""
    row = _require(session, actor, attempt_id)
    if row.status != "in_progress":
        return _view(row)
    return _finish(session, row, Attempt.restore(_scenario_for(row), row.state))


def _finish(session: Session, row: RoleplayAttempt, attempt: Attempt) -> dict:
    result = attempt.finish(external_id=f"roleplay-{row.id}")
    _store_result(session, row, result)
    row.state = attempt.snapshot()
    return _view(row)


def _store_result(session: Session, row: RoleplayAttempt, result: AttemptResult) -> None:
    conversation = result.conversation
    conversation.started_at = row.created_at
    record = store_conversation(session, conversation, replace=True).record
    record.agent = row.trainee  # by id: names may match another account ignoring case
    try:
        rubric_row = store_rubric(session, result.rubric)
    except RubricError as exc:
        raise ScenarioError(
            exc.message, where=row.scenario_id, fix="bump 'version' in the scenario file"
        ) from None
    save_evaluation(session, record, rubric_row, result.evaluation)
    row.status = "finished"
    row.outcome = result.outcome
    row.score = result.score
    row.pass_mark = result.pass_mark
    row.passed = result.passed
    row.sections = {k: v for k, v in result.sections.items()}
    row.mood = list(result.mood)
    row.feedback = [item.as_dict() for item in result.feedback]
    row.conversation_id = record.id
    row.finished_at = datetime.now(UTC)
    session.flush()
    # A finished attempt may complete a learning path: its certificate is issued now.
    after_attempt(session, row.trainee_id)


def record_result(
    session: Session, actor: Actor, trainee: str, result: AttemptResult, *, seed: int = 0
) -> RoleplayAttempt:
    """Store an attempt played elsewhere (`trainer roleplay --trainee`) for `trainee`, who must
    have an account; only they, HR or an admin may record it (it counts toward their learning
    paths like one played on the practice page)."""
    if actor.name != trainee.strip():
        # before looking: user names are not to be probed
        authorize(actor, Action.MANAGE_ONBOARDING)
    user = session.scalar(select(User).where(User.name == trainee.strip()))
    if user is None:
        raise NotFoundError(
            f"no user {trainee!r}",
            fix=f"add them first: trainer users add {trainee!r} --email ... --role trainee",
        )
    if actor.id != user.id:
        authorize(actor, Action.MANAGE_ONBOARDING)
    scenario_version = result.conversation.metadata.get("roleplay", {}).get("scenario_version", 1)
    row = RoleplayAttempt(
        trainee=user,
        scenario_id=result.scenario,
        scenario_version=scenario_version,
        seed=seed,
        status="in_progress",
    )
    session.add(row)
    session.flush()
    result.conversation.external_id = f"roleplay-{row.id}"
    result.conversation.agent = user.name  # the attempt is the trainee's, whoever recorded it
    _store_result(session, row, result)
    if actor.id != user.id:
        record_event(
            session,
            actor,
            "roleplay.record",
            object_type="roleplay_attempt",
            object_id=row.id,
            after={"trainee": user.name, "scenario": row.scenario_id, "score": row.score},
        )
    return row


def attempt_view(session: Session, actor: Actor, attempt_id: int) -> dict:
    """One of the actor's attempts: status, outcome, score, pass, mood curve, feedback and
    transcript."""
    return _view(_require(session, actor, attempt_id))


def _view(row: RoleplayAttempt) -> dict:
    turns = row.state.get("turns", []) if row.state else []
    return {
        "attempt": row.id,
        "trainee": row.trainee.name,
        "scenario": row.scenario_id,
        "scenario_version": row.scenario_version,
        "status": row.status,
        "outcome": row.outcome,
        "score": row.score,
        "pass_mark": row.pass_mark,
        "passed": row.passed,
        "sections": dict(row.sections or {}),
        "mood": list(row.mood or []),
        "feedback": list(row.feedback or []),
        "conversation": row.conversation.external_id if row.conversation else None,
        "started_at": _iso(row.created_at),
        "finished_at": _iso(row.finished_at),
        "turns": [
            {"turn": i + 1, "speaker": speaker, "text": text}
            for i, (speaker, text) in enumerate(turns)
        ],
    }


def _whose(session: Session, actor: Actor, trainee: str | None) -> User:
    """The trainee whose attempts are asked for: the actor, or someone whose onboarding the actor
    follows (their lead, HR, an admin); anyone else is "not found"."""
    if trainee is None or (actor.id is not None and trainee == actor.name):
        return _trainee(session, actor)
    user = session.scalar(select(User).where(User.name == trainee))
    subject = Subject(
        label=f"trainee {trainee!r}",
        owner_id=user.id if user else None,
        owner_team_ids=user.team_ids if user else frozenset(),
    )
    if user is None or not can(actor, Action.ONBOARDING, subject):
        raise NotFoundError(f"no trainee {trainee!r}", fix="check the name, or play a scenario")
    return user


def _finished_rows(session: Session, user: User) -> list[RoleplayAttempt]:
    return list(
        session.scalars(
            select(RoleplayAttempt)
            .where(RoleplayAttempt.trainee_id == user.id, RoleplayAttempt.status == "finished")
            .order_by(RoleplayAttempt.finished_at, RoleplayAttempt.id)
        )
    )


def list_attempts(session: Session, actor: Actor, trainee: str | None = None) -> list[dict]:
    """A trainee's finished attempts (the actor's own by default), oldest first (summary fields
    only)."""
    user = _whose(session, actor, trainee)
    return [
        {
            "attempt": row.id,
            "scenario": row.scenario_id,
            "finished_at": _iso(row.finished_at),
            "outcome": row.outcome,
            "score": row.score,
            "passed": bool(row.passed),
            "sections": dict(row.sections or {}),
        }
        for row in _finished_rows(session, user)
    ]


def trainee_progress(session: Session, actor: Actor, trainee: str | None = None) -> dict:
    """Per-skill progress over attempts (the actor's own by default), best and latest score per
    scenario, scenarios passed."""
    user = _whose(session, actor, trainee)
    return {"trainee": user.name, **progress_report(list_attempts(session, actor, user.name))}
