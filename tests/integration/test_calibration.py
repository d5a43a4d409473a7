"""Calibration sessions: a lead opens one, participants score blind (no one else's values and
no automatic ones until they submit), the results compare reviewers with each other, the
automatic scorer and the baseline, and calibration scores never count anywhere else."""

from __future__ import annotations

import json

import krippendorff
import numpy as np
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.db.models import AuditEvent, CalibrationSession, Evaluation
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.errors import CalibrationError, ForbiddenError, NotFoundError, ReviewError
from trainer.services.agreement import agreement_report
from trainer.services.calibration import (
    calibration_results,
    calibration_view,
    close_session,
    eligible_participants,
    list_sessions,
    open_session,
    save_calibration_score,
)
from trainer.services.views import conversation_view, scorecard

from ..conftest import GOOD_CHAT, POOR_CHAT, actor_of, make_conversation, make_user

ADMIN = Actor.local_admin()
# Three criteria every chat is scored on, with their weights in the shipped rubric.
WEIGHTS = {"acknowledges-feelings": 3.0, "apologises": 1.0, "readable": 2.0}


@pytest.fixture
def world(db_url):
    """Sam's two scored chats (p-1 poor, g-1 good), Lena who leads Sam's team, three
    reviewers (Bea the expert), a trainee, and a scored chat of another team's agent."""
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"])
        make_user(session, "Omar Diaz", "agent", ["South"])
        make_user(session, "Lena Lead", "lead", ["North"])
        make_user(session, "Lou Lead", "lead", ["South"])
        for name in ("Bea Baseline", "Rita Reviewer", "Remy Reviewer"):
            make_user(session, name, "reviewer")
        make_user(session, "Tina Trainee", "trainee", ["North"])
        for external_id, turns, agent in [
            ("p-1", POOR_CHAT, "Sam Lee"),
            ("g-1", GOOD_CHAT, "Sam Lee"),
            ("s-1", GOOD_CHAT, "Omar Diaz"),
        ]:
            store_conversation(
                session, make_conversation(turns, external_id=external_id, agent=agent)
            )
        from trainer.services.scoring import score_stored

        score_stored(session, None)
        store_conversation(  # never scored
            session, make_conversation(POOR_CHAT, external_id="u-1", agent="Sam Lee")
        )
    return db_url


def _open(session, **kwargs) -> dict:
    lena = actor_of(session, "Lena Lead")
    args = {
        "title": "March calibration",
        "conversations": ["p-1", "g-1"],
        "participants": ["Rita Reviewer", "Remy Reviewer"],
        "baseline": "Bea Baseline",
    } | kwargs
    return open_session(session, lena, **args)


def _keys(data) -> set[str]:
    """Every dict key anywhere inside `data`."""
    if isinstance(data, dict):
        return set(data).union(*(_keys(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(_keys(v) for v in data))
    return set()


def _scores(values: dict[str, object], comment: str = "") -> dict:
    return {cid: {"value": v, "comment": comment} for cid, v in values.items()}


def test_calibration_lead_opens_a_session_audited_and_refusals_store_nothing(world):
    with session_scope() as session:
        view = _open(session)
    assert view["title"] == "March calibration" and view["status"] == "open"
    assert view["conversations"] == ["p-1", "g-1"]
    # the baseline reviewer takes part too, so they can score
    assert view["participants"] == ["Bea Baseline", "Remy Reviewer", "Rita Reviewer"]
    assert view["baseline"] == "Bea Baseline" and view["lead"] == "Lena Lead"
    with session_scope() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "calibration.open"))
        assert event.actor_name == "Lena Lead" and event.object_id == str(view["id"])
        assert event.after["participants"] == view["participants"]
        # a reviewer takes part but does not run sessions
        with pytest.raises(ForbiddenError):
            open_session(session, actor_of(session, "Rita Reviewer"), "x", ["p-1"], ["Remy"])
        refusals = [
            ({"participants": ["Tina Trainee"]}, "may not take part"),
            ({"conversations": ["u-1"]}, "no automatic score"),
            ({"conversations": []}, "at least one conversation"),
            ({"participants": [], "baseline": None}, "at least one participant"),
            ({"title": "  "}, "title"),
            # Lou leads the South team: Sam's chats are not his to see
            ({"participants": ["Lou Lead"]}, "may not see conversation"),
        ]
        for change, words in refusals:
            with pytest.raises(CalibrationError, match=words):
                _open(session, **change)
        # a lead calibrates on what they may see: another team's chat is "not found"
        with pytest.raises(NotFoundError):
            _open(session, conversations=["s-1"])
        with pytest.raises(NotFoundError):
            _open(session, participants=["Nobody Here"])
    with session_scope() as session:
        assert session.scalar(select(func.count(CalibrationSession.id))) == 1
        names = [p["name"] for p in eligible_participants(session, actor_of(session, "Lena Lead"))]
        assert names == ["Bea Baseline", "Lena Lead", "Lou Lead", "Remy Reviewer", "Rita Reviewer"]


def test_calibration_scoring_is_blind_until_the_participant_submits(world):
    with session_scope() as session:
        sid = _open(session)["id"]
        remy = actor_of(session, "Remy Reviewer")
        save_calibration_score(
            session, remy, sid, "p-1", _scores(dict.fromkeys(WEIGHTS, 0.0), "remy-secret"), True
        )
    with session_scope() as session:
        rita = actor_of(session, "Rita Reviewer")
        view = calibration_view(session, rita, sid)
        item = view["items"][0]
        assert item["conversation"] == "p-1" and item["turns"][0]["text"] == POOR_CHAT[0][1]
        assert {c["id"] for c in item["criteria"]} >= set(WEIGHTS)
        assert item["mine"] is None and item["revealed"] is False
        text = json.dumps(view)
        # nothing scored: not Remy's values or comments, not the machine's values or evidence
        assert "remy-secret" not in text and "Remy" not in text.replace("Remy Reviewer", "", 1)
        assert not _keys(view) & {"automatic", "evidence", "explanation", "values", "score"}
        assert set(item) == {
            "conversation", "channel", "agent", "turns", "criteria", "mine", "revealed",
            "submitted_by",
        }  # fmt: skip
        assert item["submitted_by"] == []  # who submitted is not told before she does
        assert {k for c in item["criteria"] for k in c} == {
            "id", "section", "title", "guidance", "weight", "na_allowed", "levels",
        }  # fmt: skip
        hidden = calibration_results(session, rita, sid)
        assert hidden["revealed"] == [] and hidden["items"] == [] and hidden["reviewers"] == []
        # a draft reveals nothing either
        draft = save_calibration_score(session, rita, sid, "p-1", {"apologises": {"value": 1}})
        assert draft["status"] == "draft" and set(draft["values"]) == {"apologises"}
        assert calibration_results(session, rita, sid)["items"] == []
    with session_scope() as session:
        rita = actor_of(session, "Rita Reviewer")
        mine = save_calibration_score(
            session, rita, sid, "p-1", _scores({**dict.fromkeys(WEIGHTS, 1.0), "uses-name": "na"})
        )
        assert mine["values"]["uses-name"]["na"] is True and "apologises" in mine["values"]
        save_calibration_score(
            session, rita, sid, "p-1", _scores(dict.fromkeys(WEIGHTS, 1.0)), True
        )
    with session_scope() as session:
        rita = actor_of(session, "Rita Reviewer")
        view = calibration_view(session, rita, sid)
        assert [i["revealed"] for i in view["items"]] == [True, False]
        results = calibration_results(session, rita, sid)
        assert results["revealed"] == ["p-1"]  # g-1 stays blind until she submits it
        assert results["reviewers"] == ["Remy Reviewer", "Rita Reviewer"]
        row = next(r for r in results["items"] if r["criterion"] == "apologises")
        assert row["values"] == {"Remy Reviewer": 0.0, "Rita Reviewer": 1.0}
        auto = {c["id"]: c for c in conversation_view(session, ADMIN, "p-1")["criteria"]}
        assert row["automatic"] == auto["apologises"]["value"]
        assert row["spread"] == {"min": 0.0, "max": 1.0, "sd": 0.5}
        # the lead sees every conversation's results without scoring
        lena = actor_of(session, "Lena Lead")
        assert calibration_results(session, lena, sid)["revealed"] == ["p-1", "g-1"]


def test_calibration_refuses_what_a_participant_may_not_do(world):
    with session_scope() as session:
        sid = _open(session)["id"]
        rita = actor_of(session, "Rita Reviewer")
        save_calibration_score(session, rita, sid, "p-1", _scores({"apologises": 1}), True)
        cases = [
            (rita, "p-1", {"apologises": {"value": 0}}, CalibrationError, "submitted already"),
            (rita, "s-1", {}, CalibrationError, "not in this session"),
            (rita, "g-1", {"nope": {"value": 1}}, ReviewError, "no criterion"),
            (rita, "g-1", {"apologises": {"value": 2}}, ReviewError, "outside 0..1"),
            (rita, "g-1", {"no-dismissive-language": {"value": "na"}}, ReviewError, "N/A"),
            # Lena runs the session but was not invited to score it
            (actor_of(session, "Lena Lead"), "g-1", {}, CalibrationError, "not a participant"),
            (actor_of(session, "Tina Trainee"), "g-1", {}, ForbiddenError, "calibration.join"),
        ]
        for actor, conversation, judgements, error, words in cases:
            with pytest.raises(error, match=words):
                save_calibration_score(session, actor, sid, conversation, judgements)
        # a reviewer not invited does not see that the session exists
        for call in (calibration_view, calibration_results):
            with pytest.raises(NotFoundError):
                call(session, actor_of(session, "Lou Lead"), sid)
        with pytest.raises(NotFoundError):
            calibration_view(session, rita, "999")
        assert [s["id"] for s in list_sessions(session, rita)] == [sid]
        assert list_sessions(session, actor_of(session, "Lou Lead")) == []
        with pytest.raises(ForbiddenError, match="calibration.run"):
            close_session(session, rita, sid)
        closed = close_session(session, actor_of(session, "Lena Lead"), sid)
        assert closed["status"] == "closed"
        with pytest.raises(CalibrationError, match="closed"):
            save_calibration_score(session, rita, sid, "g-1", {})
        # once closed, everyone in it sees every conversation's results
        remy = actor_of(session, "Remy Reviewer")
        assert calibration_results(session, remy, sid)["revealed"] == ["p-1", "g-1"]
    with session_scope() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "calibration")
        ).all()
        assert actions == ["calibration.open", "calibration.submit", "calibration.close"]


def test_calibration_scores_never_count_in_scorecards_final_scores_or_agreement(world):
    with session_scope() as session:
        before_card = scorecard(session, ADMIN)
        before_view = conversation_view(session, ADMIN, "p-1")
        before_agreement = agreement_report(session, ADMIN)
        sid = _open(session)["id"]
        for name in ("Rita Reviewer", "Remy Reviewer", "Bea Baseline"):
            save_calibration_score(
                session, actor_of(session, name), sid, "p-1", _scores(dict.fromkeys(WEIGHTS, 1.0)),
                True,
            )  # fmt: skip
    with session_scope() as session:
        assert (
            session.scalar(
                select(func.count(Evaluation.id)).where(Evaluation.kind == "calibration")
            )
            == 3
        )
        after_view = conversation_view(session, ADMIN, "p-1")
        assert after_view["final_score"] == before_view["final_score"]
        assert after_view["final_kind"] == "auto" and after_view["reviews"] == []
        assert scorecard(session, ADMIN) == before_card
        assert agreement_report(session, ADMIN) == before_agreement


def test_calibration_results_alignment_and_alpha_by_hand(world):
    # Bea (the baseline), Rita and Remy on two conversations and three criteria.
    plan = {
        "Bea Baseline": {"p-1": [0.0, 1.0, 0.0], "g-1": [1.0, 1.0, 1.0]},
        "Rita Reviewer": {"p-1": [0.0, 1.0, 1.0], "g-1": [1.0, 0.0, 1.0]},
        "Remy Reviewer": {"p-1": [1.0, "na", 0.0], "g-1": [1.0, 1.0, 1.0]},
    }
    with session_scope() as session:
        sid = _open(session)["id"]
        for name, per in plan.items():
            for conversation, values in per.items():
                save_calibration_score(
                    session,
                    actor_of(session, name),
                    sid,
                    conversation,
                    _scores(dict(zip(WEIGHTS, values, strict=True))),
                    submit=True,
                )
    with session_scope() as session:
        results = calibration_results(session, actor_of(session, "Lena Lead"), sid)
        auto = {
            (c, x["id"]): x["value"] if x["status"] == "scored" else None
            for c in ("p-1", "g-1")
            for x in conversation_view(session, ADMIN, c)["criteria"]
        }
    assert results["reviewers"] == ["Bea Baseline", "Remy Reviewer", "Rita Reviewer"]
    # Rita differs from Bea on readable (p-1, weight 2) and apologises (g-1, weight 1): of the
    # total weight 2 x 6 = 12, 3 is lost. Remy differs on acknowledges-feelings (p-1, weight 3)
    # and his N/A on apologises (p-1) leaves it out: 3 lost of 11.
    assert results["alignment"] == {
        "Rita Reviewer": round(1 - 3 / 12, 4),
        "Remy Reviewer": round(1 - 3 / 11, 4),
    }
    row = next(
        r for r in results["items"] if (r["conversation"], r["criterion"]) == ("p-1", "readable")
    )
    assert row["baseline"] == 0.0 and row["deviation"] == {
        "Rita Reviewer": 1.0,
        "Remy Reviewer": 0.0,
    }
    # alpha against the krippendorff package: raters x (conversation, criterion) units
    units = [(c, k) for c in ("p-1", "g-1") for k in WEIGHTS]
    raters = ["Bea Baseline", "Remy Reviewer", "Rita Reviewer"]

    def number(v):
        return np.nan if v == "na" else v

    table = np.array(
        [[number(plan[r][c][list(WEIGHTS).index(k)]) for c, k in units] for r in raters]
    )
    expected = krippendorff.alpha(reliability_data=table, level_of_measurement="interval")
    assert results["overall"]["alpha"] == pytest.approx(expected, abs=1e-4)
    machine = np.array([[np.nan if auto[u] is None else auto[u] for u in units]])
    with_auto = krippendorff.alpha(
        reliability_data=np.vstack([table, machine]), level_of_measurement="interval"
    )
    assert results["overall"]["alpha_with_automatic"] == pytest.approx(with_auto, abs=1e-4)
    readable = next(c for c in results["criteria"] if c["criterion"] == "readable")
    column = [units.index(("p-1", "readable")), units.index(("g-1", "readable"))]
    assert readable["alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=table[:, column], level_of_measurement="interval"),
        abs=1e-4,
    )
    assert readable["weight"] == 2.0 and readable["title"]


def test_calibration_cli_opens_scores_lists_shows_results_and_closes(world):
    runner = CliRunner()

    def run(who: str, *args: str):
        return runner.invoke(app, ["--as", who, "calibration", *args])

    opened = run(
        "Lena Lead", "open", "CLI calibration", "--conversation", "p-1",
        "--reviewer", "Rita Reviewer", "--reviewer", "Remy Reviewer", "--baseline", "Bea Baseline",
    )  # fmt: skip
    assert opened.exit_code == 0, opened.output
    with session_scope() as session:
        sid = str(session.scalar(select(CalibrationSession.id)))
    assert f"session {sid} opened" in opened.output
    for name, value in [("Bea Baseline", "1"), ("Rita Reviewer", "0"), ("Remy Reviewer", "1")]:
        scored = run(
            name, "score", sid, "p-1", "--set", f"apologises={value}", "--set", "readable=na",
            "--submit",
        )  # fmt: skip
        assert scored.exit_code == 0, scored.output
        assert "submitted" in scored.output
    bad = run("Rita Reviewer", "score", sid, "p-1", "--set", "x")
    assert bad.exit_code == 2 and "CRITERION=VALUE" in bad.output
    listed = run("Lena Lead", "list")
    assert listed.exit_code == 0 and "CLI calibration" in listed.output
    shown = run("Lena Lead", "results", sid, "--format", "json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["alignment"] == {"Rita Reviewer": 0.0, "Remy Reviewer": 1.0}
    row = next(r for r in data["items"] if r["criterion"] == "apologises")
    assert row["values"] == {"Bea Baseline": 1.0, "Remy Reviewer": 1.0, "Rita Reviewer": 0.0}
    table = run("Lena Lead", "results", sid)
    assert table.exit_code == 0 and "apologises" in table.output
    assert "Rita Reviewer" in table.output and "alignment" in table.output.lower()
    refused = run("Rita Reviewer", "close", sid)
    assert refused.exit_code == 2 and "E910" in refused.output
    closed = run("Lena Lead", "close", sid)
    assert closed.exit_code == 0 and f"session {sid} closed" in closed.output
