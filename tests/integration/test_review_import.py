"""`trainer review import`: past reviews from another QA tool become submitted human reviews,
one per conversation and reviewer, each conversation stored whole or not at all."""

from __future__ import annotations

import json

import krippendorff
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.cli.common import set_acting
from trainer.db.models import AuditEvent, Evaluation, User
from trainer.db.repository import find_conversation, store_conversation
from trainer.db.session import session_scope
from trainer.errors import ForbiddenError, ReviewError
from trainer.services.agreement import agreement_report
from trainer.services.review_import import IMPORTED, import_reviews, read_rows
from trainer.services.reviews import save_review
from trainer.services.scoring import score_stored
from trainer.services.views import conversation_view

from ..conftest import GOOD_CHAT, POOR_CHAT, actor_of, make_conversation, make_user

ADMIN = Actor.local_admin()
HEADER = "conversation_id,reviewer,criterion,score,comment\n"


@pytest.fixture
def chats(db_url):
    """Sam's poor chat p-1 and good chat g-1 (scored), an unscored chat u-1; two reviewers."""
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"])
        make_user(session, "Rita Reviewer", "reviewer")
        make_user(session, "Remy Reviewer", "reviewer", email="remy@example.com")
        for external_id, turns in (("p-1", POOR_CHAT), ("g-1", GOOD_CHAT), ("u-1", GOOD_CHAT)):
            store_conversation(
                session, make_conversation(turns, external_id=external_id, agent="Sam Lee")
            )
        score_stored(session, ["p-1", "g-1"])
    return ["p-1", "g-1"]


def _auto(external_id: str) -> dict:
    with session_scope() as session:
        view = conversation_view(session, ADMIN, external_id)
    return {c["id"]: c for c in view["criteria"]}


def _import(text: str, actor: Actor = ADMIN):
    with session_scope() as session:
        return import_reviews(session, actor, text.encode(), "reviews.csv")


def _humans() -> list[Evaluation]:
    with session_scope() as session:
        rows = session.scalars(
            select(Evaluation).where(Evaluation.kind == "human").order_by(Evaluation.id)
        ).all()
        for row in rows:
            _ = (row.criterion_scores, row.reviewer, row.conversation)
        session.expunge_all()
    return rows


# Rita and Remy (by email) both review p-1 and g-1; Rita writes `section.criterion` once and
# N/A once; a reviewer nobody knows, by email, reviews g-1.
GOOD_FILE = (
    HEADER
    + "p-1,Rita Reviewer,apologises,0,no apology\n"
    + 'p-1,Rita Reviewer,clarity.no-jargon,0.5,"ACH, provisioning"\n'
    + "p-1,Rita Reviewer,uses-name,N/A,no name given\n"
    + "p-1,remy@example.com,apologises,1,\n"
    + "g-1,Rita Reviewer,apologises,1,\n"
    + "g-1,remy@example.com,Apologises,1,\n"
    + "g-1,ola.old@acme.test,apologises,1,from the old tool\n"
)


def test_review_import_stores_submitted_reviews_and_agreement_appears(chats):
    before = {cid: _auto(cid) for cid in chats}
    with session_scope() as session:
        auto_scores = {cid: conversation_view(session, ADMIN, cid)["score"] for cid in chats}
    summary = _import(GOOD_FILE)
    assert summary.errors == [] and summary.rows == 7
    pairs = {(r["conversation"], r["reviewer"]) for r in summary.stored}
    assert pairs == {
        ("p-1", "Rita Reviewer"),
        ("p-1", "Remy Reviewer"),
        ("g-1", "Rita Reviewer"),
        ("g-1", "Remy Reviewer"),
        ("g-1", "ola.old@acme.test"),
    }
    assert summary.users_created == ["ola.old@acme.test"]
    reviews = _humans()
    assert len(reviews) == 5
    assert {(r.status, r.pipeline) for r in reviews} == {("submitted", IMPORTED)}
    rita_p1 = next(
        r
        for r in reviews
        if r.reviewer.name == "Rita Reviewer" and r.conversation.external_id == "p-1"
    )
    given = {cs.criterion_id: cs for cs in rita_p1.criterion_scores}
    assert (given["apologises"].status, given["apologises"].value) == ("scored", 0.0)
    assert given["apologises"].comment == "no apology"
    assert given["no-jargon"].value == 0.5 and given["no-jargon"].comment == "ACH, provisioning"
    assert (given["uses-name"].status, given["uses-name"].value) == ("na", None)
    # What the file does not give is not judged: it counts in neither score nor agreement.
    assert given["readable"].status == "unscored" and given["readable"].value is None
    assert len(given) == len(before["p-1"])
    # the machine's value is kept where the reviewer's differs
    assert given["no-jargon"].overridden_from == before["p-1"]["no-jargon"]["value"]
    # The review's score: the formula over the judged criteria (empathy 0, clarity 50).
    assert rita_p1.score is not None and rita_p1.score < 50
    with session_scope() as session:
        for cid in chats:
            view = conversation_view(session, ADMIN, cid)
            assert view["final_kind"] == "human" and view["score"] == auto_scores[cid]
        assert conversation_view(session, ADMIN, "p-1")["final_score"] != auto_scores["p-1"]
        report = {r["criterion"]: r for r in agreement_report(session, ADMIN)}
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "review.import"))
        (event,) = events.all()
        assert event.object_id == "reviews.csv"
        assert event.after["stored"] == 5 and event.after["users_created"] == 1
        assert event.after["errors"] == 0
    apologises = report["apologises"]
    assert apologises["auto_vs_human"]["n"] == 2
    # Rita and Remy on p-1 and g-1 (Ola only on g-1): alpha as the krippendorff package says.
    expected = krippendorff.alpha(
        reliability_data=[[0.0, 1.0], [1.0, 1.0], [float("nan"), 1.0]],
        level_of_measurement="interval",
    )
    assert apologises["between_reviewers"]["n"] == 2
    assert apologises["between_reviewers"]["alpha"] == pytest.approx(expected, abs=1e-4)
    # criteria nobody judged have no figures
    assert report["readable"]["auto_vs_human"] is None


def test_review_import_creates_unknown_reviewers_deactivated_and_audited(chats):
    _import(HEADER + "g-1,Nell Newcomer,apologises,1,\n")
    with session_scope() as session:
        nell = session.scalar(select(User).where(User.name == "Nell Newcomer"))
        assert (nell.role, nell.active, nell.password_hash, nell.email) == (
            "reviewer",
            False,
            None,
            None,
        )
        added = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "user.add", AuditEvent.object_id == str(nell.id)
            )
        ).all()
        assert len(added) == 1 and "review import" in added[0].detail
        assert added[0].after["active"] is False
    runner = CliRunner()
    try:  # a deactivated account cannot act
        result = runner.invoke(app, ["--as", "Nell Newcomer", "agreement"])
    finally:
        set_acting(None)
    assert result.exit_code == 2 and "deactivated" in result.output


def test_review_import_scores_an_unscored_conversation_first(chats):
    with session_scope() as session:
        assert not find_conversation(session, "u-1").evaluations
    summary = _import(HEADER + "u-1,Rita Reviewer,apologises,1,\n")
    assert len(summary.stored) == 1
    with session_scope() as session:
        kinds = sorted(e.kind for e in find_conversation(session, "u-1").evaluations)
    assert kinds == ["auto", "human"]


BAD_FILE = (
    HEADER
    + "p-1,Rita Reviewer,apologises,1,\n"  # 2: fine, but its conversation has a bad line
    + "p-1,Nell Newcomer,apologises,1,\n"  # 3: fine, a new reviewer only on p-1
    + "p-1,Remy Reviewer,no-such-thing,1,\n"  # 4: unknown criterion
    + "g-1,Rita Reviewer,apologises,1,\n"  # 5: fine
    + "g-1,Remy Reviewer,apologises,1,\n"  # 6: fine
    + "x-9,Rita Reviewer,apologises,1,\n"  # 7: unknown conversation
    + "x-9,Remy Reviewer,apologises,1,\n"  # 8: (the same)
    + "u-1,Rita Reviewer,apologises,1.5,\n"  # 9: out of range
    + "u-1,,apologises,1,\n"  # 10: no reviewer
    + "g-2,Rita Reviewer,resolution.apologises,1,\n"  # 11: wrong section (g-2 unknown anyway)
    + "u-1,Rita Reviewer,resolution-confirmed,N/A,\n"  # 12: N/A not allowed
    + "u-1,Rita Reviewer,recap,1\n"  # 13: a field short
)


def test_review_import_reports_bad_lines_and_stores_only_whole_conversations(chats):
    summary = _import(BAD_FILE)
    by_line = {line: e.message for e in summary.errors for line in e.lines}
    assert sorted(by_line) == [4, 7, 8, 9, 10, 11, 13]
    assert "no criterion 'no-such-thing'" in by_line[4]
    assert "no conversation 'x-9'" in by_line[7] and by_line[7] == by_line[8]
    assert "outside 0..1" in by_line[9]
    assert "no reviewer" in by_line[10]
    assert "4 fields where the header has 5" in by_line[13]
    assert "no conversation 'g-2'" in by_line[11]
    assert set(summary.conversations_refused) == {"p-1", "x-9", "u-1", "g-2"}
    # g-1 is stored whole; nothing of p-1 (not even Rita's good line, nor Nell's account)
    assert {(r["conversation"], r["reviewer"]) for r in summary.stored} == {
        ("g-1", "Rita Reviewer"),
        ("g-1", "Remy Reviewer"),
    }
    assert [r.conversation.external_id for r in _humans()] == ["g-1", "g-1"]
    with session_scope() as session:
        assert session.scalar(select(User).where(User.name == "Nell Newcomer")) is None
        assert not find_conversation(session, "u-1").evaluations  # not even scored
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "review.import"))
        assert event.after["errors"] == len(summary.errors) and event.after["stored"] == 2


def test_review_import_refuses_na_where_the_criterion_does_not_allow_it(chats):
    summary = _import(HEADER + "g-1,Rita Reviewer,resolution-confirmed,n/a,\n")
    assert [e.lines for e in summary.errors] == [(2,)]
    assert "N/A is not allowed for resolution-confirmed" in summary.errors[0].message
    assert _humans() == []


def test_review_import_again_stores_nothing_twice_and_replaces_what_changed(chats):
    first = _import(GOOD_FILE)
    ids = sorted(r.id for r in _humans())
    again = _import(GOOD_FILE)
    assert (len(again.stored), len(again.replaced), len(again.unchanged)) == (0, 0, 5)
    assert again.users_created == []
    assert sorted(r.id for r in _humans()) == ids
    changed = GOOD_FILE.replace(
        "p-1,remy@example.com,apologises,1,", "p-1,Remy Reviewer,apologises,0,"
    )
    third = _import(changed)
    assert third.replaced == [{"conversation": "p-1", "reviewer": "Remy Reviewer", "score": 0.0}]
    assert len(third.unchanged) == 4 and third.stored == []
    reviews = _humans()
    assert sorted(r.id for r in reviews) == ids  # replaced in place
    remy = next(
        r
        for r in reviews
        if r.reviewer.name == "Remy Reviewer" and r.conversation.external_id == "p-1"
    )
    assert {cs.criterion_id: cs.value for cs in remy.criterion_scores}["apologises"] == 0.0
    assert len(first.stored) == 5


def test_review_import_never_overwrites_a_review_made_in_trainer(chats):
    with session_scope() as session:
        save_review(session, actor_of(session, "Rita Reviewer"), "g-1", {}, submit=True)
    summary = _import(
        HEADER + "g-1,Rita Reviewer,apologises,0,\n" + "p-1,Rita Reviewer,apologises,0,\n"
    )
    assert [e.lines for e in summary.errors] == [(2,)]
    assert "in Trainer already" in summary.errors[0].message
    assert [r["conversation"] for r in summary.stored] == ["p-1"]
    pipelines = sorted((r.conversation.external_id, r.pipeline) for r in _humans())
    assert pipelines == [("g-1", "human"), ("p-1", IMPORTED)]


def test_review_import_refuses_the_agent_reviewing_their_own_conversation(chats):
    summary = _import(HEADER + "g-1,Sam Lee,apologises,1,\n")
    assert "Sam Lee is the agent of this conversation" in summary.errors[0].message
    assert _humans() == []


def test_review_import_is_for_admins(chats):
    with session_scope() as session:
        rita = actor_of(session, "Rita Reviewer")
    with pytest.raises(ForbiddenError):
        _import(GOOD_FILE, rita)
    with session_scope() as session:
        assert session.scalar(select(func.count(AuditEvent.id))) == 0
    assert _humans() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\n \n", "the file is empty"),
        (b"conversation_id,reviewer,criterion,score\ng-1,Rita,apologises,1\n", "lacks comment"),
        (b"id;reviewer;criterion;score;comment\n", "lacks conversation_id"),
        (HEADER.encode(), "a header but no reviews"),
        (HEADER.encode() + b"g-1,Ren\xe9,apologises,1,\n", "reviews.csv:2: the file is not UTF-8"),
        (b"reviewer,reviewer,conversation_id,criterion,score,comment\n", "appears twice"),
    ],
)
def test_review_import_file_errors_are_clear(data, message):
    with pytest.raises(ReviewError) as caught:
        read_rows(data, "reviews.csv")
    assert message in caught.value.format()


def test_review_import_reads_a_bom_and_ignores_other_columns():
    rows, errors = read_rows(
        "\ufeffCriterion,Score,Reviewer,Conversation_ID,comment,team\n\napologises,N/A,Ana,c-1,ok,X\n"
    )
    assert errors == []
    (row,) = rows
    assert (row.line, row.conversation, row.reviewer, row.criterion) == (
        3,
        "c-1",
        "Ana",
        "apologises",
    )
    assert row.judgement.na and row.judgement.comment == "ok"


def test_review_import_cli_summary_and_exit_codes(chats, tmp_path):
    runner = CliRunner()
    good = tmp_path / "good.csv"
    good.write_text(GOOD_FILE)
    result = runner.invoke(app, ["review", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "reviews stored 5, replaced 0, unchanged 0" in result.stdout
    assert "created (deactivated) 1" in result.stdout and "ola.old@acme.test" in result.stdout
    again = runner.invoke(app, ["review", "import", str(good), "--format", "json"])
    assert again.exit_code == 0
    assert json.loads(again.stdout)["unchanged"] == 5
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_FILE)
    partial = runner.invoke(app, ["review", "import", str(bad)])
    assert partial.exit_code == 1
    assert "bad.csv:4: no criterion 'no-such-thing'" in partial.stderr
    assert "bad.csv:7-8: no conversation 'x-9'" in partial.stderr
    assert "conversations refused 4" in partial.stdout
    header = tmp_path / "header.csv"
    header.write_text("conversation,reviewer,criterion,score,comment\n")
    refused = runner.invoke(app, ["review", "import", str(header)])
    assert refused.exit_code == 2 and "lacks conversation_id" in refused.stderr
    missing = runner.invoke(app, ["review", "import", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "cannot read the file" in missing.stderr
    try:
        forbidden = runner.invoke(app, ["--as", "Rita Reviewer", "review", "import", str(good)])
    finally:
        set_acting(None)
    assert forbidden.exit_code == 2 and "[E910]" in forbidden.stderr
