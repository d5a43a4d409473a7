"""`trainer demo`: chats and sample calls, teams, scores; a second run transcribes nothing.

Transcription is replaced by a stand-in that stores fixed turns (the real one is tested in
tests/integration/test_calls.py and takes seconds per call)."""

from __future__ import annotations

from sqlalchemy import select

import trainer.services.calls as calls_service
from trainer.access.passwords import verify_password
from trainer.db.models import Team, User
from trainer.db.repository import find_conversation
from trainer.db.session import session_scope
from trainer.services import demo

from ..call_seed import finish_call


def fake_transcriber(transcribed: list[str], fail: str | None = None):
    def transcribe_stored(external_id, *, url=None, score=True, **_):
        transcribed.append(external_id)
        with session_scope(url) as session:
            if external_id == fail:
                record = find_conversation(session, external_id)
                record.status, record.status_reason = "failed", "AudioError: broken"
                return "failed"
            finish_call(session, external_id)
        return "ingested"

    return transcribe_stored


def test_services_demo_seeds_calls_once_and_scores_them(sqlite_url, monkeypatch):
    transcribed: list[str] = []
    files = demo.demo_call_files()
    assert any(f.name.endswith(".mono.mp3") for f in files)
    assert all(f.is_file() for f in files)
    failing = "call-002-internet-outage.stereo"
    monkeypatch.setattr(calls_service, "transcribe_stored", fake_transcriber(transcribed, failing))

    first = demo.seed_demo()
    assert first["calls"] == len(files) == len(transcribed)
    assert first["transcribed"] == len(files) - 1 and first["calls_failed"] == 1
    with session_scope() as session:
        ok = find_conversation(session, "call-001-double-charge.stereo")
        assert ok.status != "failed" and ok.agent.name == "Daniel Brooks"
        assert ok.evaluations, "a transcribed call is scored"
        assert not find_conversation(session, failing).evaluations  # nothing to score
        voice = session.scalar(select(Team).where(Team.name == "Voice Support"))
        members = {u.name for u in voice.members}
        assert {"Daniel Brooks", "Laura Chen", "Nina Patel"} <= members
        priya = session.scalar(select(User).where(User.name == "Priya Shah"))
        assert [t.name for t in priya.teams] == ["Tier 1 North"]  # a chat agent who takes calls
        assert priya.email == "priya.shah@example.com" and priya.active
        assert verify_password(priya.password_hash, demo.DEMO_PASSWORD)
        lead = session.scalar(select(User).where(User.name == "Morgan Reyes"))
        assert lead.role == "lead"
        assert {t.name for t in lead.teams} == {"Tier 1 North", "Voice Support"}
    assert first["scored"] == first["conversations"] - 1

    # Again: only the failed call is retried; nothing else is transcribed twice.
    transcribed.clear()
    monkeypatch.setattr(calls_service, "transcribe_stored", fake_transcriber(transcribed))
    second = demo.seed_demo()
    assert transcribed == [failing]
    assert second["conversations"] == first["conversations"]
    assert second["calls_failed"] == 0 and second["scored"] == second["conversations"]

    assert second["accounts_created"] == 0 < first["accounts_created"]

    transcribed.clear()
    demo.seed_demo()
    assert transcribed == []


def test_services_demo_without_calls(sqlite_url, monkeypatch):
    monkeypatch.setenv("TRAINER_DEMO_CALLS", "0")
    monkeypatch.setattr(calls_service, "transcribe_stored", fake_transcriber([]))
    result = demo.seed_demo()
    assert result["calls"] == 0
    with session_scope() as session:
        assert find_conversation(session, "call-001-double-charge.stereo") is None


def test_services_demo_logins_printed_are_real_accounts_of_each_role(sqlite_url):
    from trainer.services.auth import login

    assert demo.seed_people() > 0
    assert demo.seed_people() == 0  # a second run creates no accounts
    logins = demo.demo_logins()
    assert [role for role, _ in logins] == ["trainee", "agent", "reviewer", "lead", "hr", "admin"]
    for role, email in logins:
        with session_scope() as session:
            assert login(session, email, demo.DEMO_PASSWORD).actor.role == role


def test_services_demo_reviews_give_agreement_figures_once(sqlite_url, monkeypatch):
    from trainer.access import Actor
    from trainer.db.models import Evaluation
    from trainer.services.agreement import agreement_report

    monkeypatch.setenv("TRAINER_DEMO_CALLS", "0")
    first = demo.seed_demo()
    assert first["reviews_submitted"] == len(demo.DEMO_REVIEWS)
    with session_scope() as session:
        report = agreement_report(session, Actor.local_admin())
        reviews = session.scalars(select(Evaluation).where(Evaluation.kind == "human")).all()
        assert {r.status for r in reviews} == {"submitted"}
        assert {r.reviewer.name for r in reviews} == {"Jordan Kim", "Casey Nguyen"}
        # some of the demo's overrides carry their reason codes
        reasons = {cs.override_reason for r in reviews for cs in r.criterion_scores}
        assert {"missing_evidence", "incorrect_score"} <= reasons
    pairs = [r["auto_vs_human"] for r in report if r["auto_vs_human"]]
    between = [r["between_reviewers"] for r in report if r["between_reviewers"]]
    assert any(p["kappa"] is not None and p["exact"] < 1 for p in pairs)
    assert any(b["alpha"] is not None and b["alpha"] < 1 for b in between)
    assert all(b["n"] >= 2 for b in between)
    # The demo's reviewer login is still Jordan Kim, with a second reviewer beside.
    assert dict(demo.demo_logins())["reviewer"] == "jordan.kim@example.com"

    assert demo.seed_demo()["reviews_submitted"] == 0  # again: nothing twice
    with session_scope() as session:
        count = len(session.scalars(select(Evaluation).where(Evaluation.kind == "human")).all())
    assert count == len(demo.DEMO_REVIEWS)
