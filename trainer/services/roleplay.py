"""Role-play attempts in the database: start, reply turn by turn, finish, store, progress.

Made for a web page driving an attempt one request at a time: every call takes a Session (the
caller owns the transaction), the live attempt is saved as a snapshot on its row after each reply,
and every function returns plain JSON-ready dicts. A finished attempt is stored as a `roleplay`
conversation with its evaluation, so it shows up in reviews and scorecards like any other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainer.db.models import RoleplayAttempt, User
from trainer.db.repository import (
    get_or_create_user,
    save_evaluation,
    store_conversation,
    store_rubric,
)
from trainer.errors import AudioError, NotFoundError, RubricError, ScenarioError
from trainer.roleplay.attempt import Attempt
from trainer.roleplay.loader import find_scenario, list_scenarios
from trainer.roleplay.phrasing import Phraser
from trainer.roleplay.progress import progress_report
from trainer.roleplay.results import AttemptResult
from trainer.roleplay.schema import Scenario


def _iso(moment: datetime | None) -> str | None:
    """ISO time in UTC (SQLite hands back naive datetimes; they were stored as UTC)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _scenario(scenario: str | Scenario) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else find_scenario(scenario)


def _require(session: Session, attempt_id: int) -> RoleplayAttempt:
    row = session.get(RoleplayAttempt, attempt_id)
    if row is None:
        raise NotFoundError(f"no role-play attempt {attempt_id}", fix="start a new attempt")
    return row


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
    trainee: str,
    scenario: str | Scenario,
    *,
    seed: int | None = None,
    phraser: Phraser | None = None,
) -> dict:
    """Create an attempt for `trainee`; returns the brief, the customer's opening and the mood.

    Without a seed, the attempt's id seeds it (different attempts, different lines).
    """
    scenario = _scenario(scenario)
    user = get_or_create_user(session, trainee, role="trainee")
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
    session: Session, attempt_id: int, text: str, *, phraser: Phraser | None = None
) -> dict:
    """Play one trainee reply; returns the customer's answer and, once it ended, the result."""
    row = _require(session, attempt_id)
    if row.status != "in_progress":
        raise ScenarioError(
            f"attempt {attempt_id} has finished", fix="start a new attempt to practise again"
        )
    attempt = Attempt.restore(_scenario_for(row), row.state, phraser=phraser)
    answer = attempt.reply(text)
    row.state = attempt.snapshot()
    row.mood = list(attempt.mood)
    view = {**_live(row, attempt), "customer": answer.text}
    if attempt.ended:
        view["result"] = _finish(session, row, attempt)
        view["status"] = row.status
    return view


def finish_attempt(session: Session, attempt_id: int) -> dict:
    """End an attempt now (the trainee hung up) and score it; a finished one is returned as is."""
    row = _require(session, attempt_id)
    if row.status != "in_progress":
        return attempt_view(session, attempt_id)
    return _finish(session, row, Attempt.restore(_scenario_for(row), row.state))


def _finish(session: Session, row: RoleplayAttempt, attempt: Attempt) -> dict:
    result = attempt.finish(external_id=f"roleplay-{row.id}")
    _store_result(session, row, result)
    row.state = attempt.snapshot()
    return attempt_view(session, row.id)


def _store_result(session: Session, row: RoleplayAttempt, result: AttemptResult) -> None:
    conversation = result.conversation
    conversation.started_at = row.created_at
    record = store_conversation(session, conversation, replace=True).record
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


def record_result(
    session: Session, trainee: str, result: AttemptResult, *, seed: int = 0
) -> RoleplayAttempt:
    """Store an attempt played elsewhere (`trainer roleplay --trainee`) for `trainee`."""
    user = get_or_create_user(session, trainee, role="trainee")
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
    _store_result(session, row, result)
    return row


def attempt_view(session: Session, attempt_id: int) -> dict:
    """One attempt: status, outcome, score, pass, mood curve, feedback and transcript."""
    row = _require(session, attempt_id)
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


def _finished_rows(session: Session, trainee: str) -> list[RoleplayAttempt]:
    user = session.scalar(select(User).where(User.name == trainee))
    if user is None:
        raise NotFoundError(f"no trainee {trainee!r}", fix="check the name, or play a scenario")
    return list(
        session.scalars(
            select(RoleplayAttempt)
            .where(RoleplayAttempt.trainee_id == user.id, RoleplayAttempt.status == "finished")
            .order_by(RoleplayAttempt.finished_at, RoleplayAttempt.id)
        )
    )


def list_attempts(session: Session, trainee: str) -> list[dict]:
    """A trainee's finished attempts, oldest first (summary fields only)."""
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
        for row in _finished_rows(session, trainee)
    ]


def trainee_progress(session: Session, trainee: str) -> dict:
    """Per-skill progress over attempts, best and latest score per scenario, scenarios passed."""
    return {"trainee": trainee, **progress_report(list_attempts(session, trainee))}
