"""`trainer agreement`: automatic vs human and reviewer vs reviewer, per criterion, over the
submitted reviews the actor's scorecards cover."""

from __future__ import annotations

import json

import krippendorff
import pytest
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.services.agreement import agreement_report
from trainer.services.reviews import save_review
from trainer.services.scoring import score_stored
from trainer.services.views import conversation_view

from ..conftest import GOOD_CHAT, POOR_CHAT, actor_of, make_conversation, make_user

ADMIN = Actor.local_admin()


@pytest.fixture
def reviewed(db_url):
    """Four scored chats of Sam's; two reviewers review all four (Rita accepts the machine,
    Remy marks the first criterion 0 everywhere), a draft that must not count."""
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"])
        for name in ("Rita Reviewer", "Remy Reviewer", "Dora Drafter"):
            make_user(session, name, "reviewer")
        make_user(session, "Tina Trainee", "trainee")
        ids = [f"a-{i}" for i in range(4)]
        for i, external_id in enumerate(ids):
            turns = GOOD_CHAT if i % 2 == 0 else POOR_CHAT
            store_conversation(
                session, make_conversation(turns, external_id=external_id, agent="Sam Lee")
            )
        score_stored(session, ids)
        first = conversation_view(session, ADMIN, ids[0])["criteria"][0]["id"]
    machine = []
    for external_id in ids:
        with session_scope() as session:
            save_review(session, actor_of(session, "Rita Reviewer"), external_id, {}, submit=True)
            auto = {c["id"]: c for c in conversation_view(session, ADMIN, external_id)["criteria"]}
            machine.append(auto[first]["value"])
            change = (
                {}
                if auto[first]["value"] == 0.0
                else {first: {"value": 0.0, "reason": "incorrect_score"}}
            )
            save_review(
                session, actor_of(session, "Remy Reviewer"), external_id, change, submit=True
            )
            save_review(
                session,
                actor_of(session, "Dora Drafter"),
                external_id,
                {first: {"value": 1.0, "reason": "incorrect_score"}},
            )  # a draft
    return ids, first, machine


def test_agreement_report_per_criterion(reviewed):
    ids, first, machine = reviewed
    with session_scope() as session:
        report = agreement_report(session, ADMIN)
    by_id = {row["criterion"]: row for row in report}
    assert first in by_id and list(by_id) == list(dict.fromkeys(by_id))
    row = by_id[first]
    # The final review is Remy's (submitted last): 0 on the first criterion everywhere.
    pair = row["auto_vs_human"]
    assert pair["n"] == 4 and pair["mad"] > 0 and pair["exact"] < 1
    assert pair["mad"] == pytest.approx(sum(machine) / 4, abs=1e-4)
    # Rita (the machine's values) against Remy (all 0): alpha as the krippendorff package says.
    expected = krippendorff.alpha(
        reliability_data=[machine, [0.0] * 4], level_of_measurement="interval"
    )
    assert row["between_reviewers"] == {"n": 4, "alpha": pytest.approx(expected, abs=1e-4)}
    # Criteria nobody changed: the machine and the reviewers agree exactly.
    untouched = [r for cid, r in by_id.items() if cid != first and r["auto_vs_human"]]
    assert untouched and all(r["auto_vs_human"]["exact"] == 1.0 for r in untouched)
    assert all(r["auto_vs_human"]["mad"] == 0.0 for r in untouched)


def test_agreement_covers_what_the_actors_scorecards_cover(reviewed):
    with session_scope() as session:
        # a trainee's scorecard is their own conversations: none here
        assert agreement_report(session, actor_of(session, "Tina Trainee")) == []
        reviewer = agreement_report(session, actor_of(session, "Rita Reviewer"))
        sam = agreement_report(session, actor_of(session, "Sam Lee"))  # own conversations
    assert reviewer and sam and reviewer == sam


def test_agreement_cli_json_and_table(reviewed):
    _, first, _ = reviewed
    runner = CliRunner()
    result = runner.invoke(app, ["agreement", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {"criterion", "auto_vs_human", "between_reviewers"} == set(rows[0])
    assert any(r["criterion"] == first for r in rows)
    table = runner.invoke(app, ["agreement"])
    assert table.exit_code == 0 and first in table.stdout
    later = runner.invoke(app, ["agreement", "--since", "2999-01-01", "--format", "json"])
    assert json.loads(later.stdout) == []
    bad = runner.invoke(app, ["agreement", "--since", "yesterday"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
