"""The agreement page: its view models (figures as text, tones, verdicts, test ids) and its state
against a seeded database (per role, the since filter, signed out)."""

from __future__ import annotations

import pytest

import trainer.trainer  # noqa: F401 - registers the pages
from trainer.db import session as db_session
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.services.reviews import save_review
from trainer.services.scoring import score_stored
from trainer.services.views import conversation_view
from trainer.web.agreement import viewmodels as avm
from trainer.web.agreement.state import AgreementState
from trainer.web.components.layout import NAV

from ..conftest import GOOD_CHAT, POOR_CHAT, actor_of, make_conversation
from .test_web_states import ADMIN, redirect_target, sign_in_people, state


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """Sam's w-1 and w-3 (team North), Priya's w-2 (South), each reviewed by Jordan Kim (who
    marks `apologises` 0 everywhere) and then by Ada Admin (who accepts the machine)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web-agreement') / 'trainer.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRAINER_DATABASE_URL", url)
        db_session.reset_cache()
        sign_in_people()
        chats = [("w-1", GOOD_CHAT, "Sam Lee"), ("w-2", POOR_CHAT, "Priya Shah")]
        chats.append(("w-3", POOR_CHAT, "Sam Lee"))
        with session_scope() as session:
            for external_id, turns, agent in chats:
                conversation = make_conversation(turns, external_id=external_id, agent=agent)
                store_conversation(session, conversation)
            score_stored(session, None)
        for external_id, _, _ in chats:
            with session_scope() as session:
                auto = conversation_view(session, ADMIN, external_id)["criteria"]
                machine = next(c["value"] for c in auto if c["id"] == "apologises")
                change = (
                    {}
                    if machine == 0
                    else {"apologises": {"value": 0, "reason": "incorrect_score"}}
                )
                save_review(
                    session, actor_of(session, "Jordan Kim"), external_id, change, submit=True
                )
                save_review(session, actor_of(session, "Ada Admin"), external_id, {}, submit=True)
        yield url
        db_session.reset_cache()


def _by_criterion(s: AgreementState) -> dict[str, avm.AgreementRow]:
    return {row.criterion: row for row in s.rows}


def test_web_agreement_row_shows_figures_tones_and_test_ids():
    row = avm.agreement_row(
        {
            "criterion": "apologises",
            "auto_vs_human": {"n": 12, "exact": 0.9167, "mad": 0.0833, "kappa": 0.8235},
            "between_reviewers": {"n": 5, "alpha": 0.61},
        }
    )
    assert (row.pair_n, row.exact, row.mad, row.kappa) == ("12", "0.92", "0.08", "0.82")
    assert (row.kappa_tone, row.alpha, row.alpha_tone) == ("green", "0.61", "red")
    assert row.between_n == "5" and row.verdict == "trust auto-QA"
    assert (row.row_id, row.kappa_id, row.alpha_id) == (
        "agreement-row-apologises",
        "agreement-kappa-apologises",
        "agreement-alpha-apologises",
    )


def test_web_agreement_row_says_too_little_data_where_null():
    row = avm.agreement_row(
        {"criterion": "recap", "auto_vs_human": None, "between_reviewers": None}
    )
    assert (row.pair_n, row.exact, row.mad) == ("—", "—", "—")
    assert row.kappa == row.alpha == row.verdict == avm.TOO_LITTLE
    assert row.kappa_tone == row.alpha_tone == "gray"
    # kappa undefined (one score level only): not "too little data"
    one = avm.agreement_row(
        {
            "criterion": "greeting",
            "auto_vs_human": {"n": 4, "exact": 1.0, "mad": 0.0, "kappa": None},
            "between_reviewers": None,
        }
    )
    assert one.kappa == avm.ONE_LEVEL and one.verdict == "agrees on every item"
    assert avm.verdict({"n": 3, "exact": 0.6, "mad": 0.3, "kappa": 0.7}) == "use with care"
    assert avm.verdict({"n": 3, "exact": 0.3, "mad": 0.6, "kappa": 0.1}) == "review by hand"


def test_web_agreement_since_parsing_summary_and_roles():
    assert avm.parse_since("") is None
    assert avm.parse_since("2026-03-02").isoformat() == "2026-03-02T00:00:00+00:00"
    with pytest.raises(ValueError):
        avm.parse_since("last week")
    assert avm.summary([]).startswith("No submitted reviews")
    rows = [avm.agreement_row({"criterion": "x", "auto_vs_human": None, "between_reviewers": None})]
    assert (
        avm.summary(rows)
        == "1 criteria: 0 with auto-vs-human figures, 0 with between-reviewer figures."
    )
    assert any(label == "Agreement" and href == "/agreement" for label, href, *_ in NAV)


def test_web_agreement_state_loads_the_figures(reviewed):
    s = state(AgreementState, "/agreement")
    assert s.on_load() is None and s.error == ""
    rows = _by_criterion(s)
    apologises = rows["apologises"]
    assert apologises.pair_n == "3" and apologises.between_n == "3"
    assert apologises.kappa not in (avm.TOO_LITTLE, "—")
    assert apologises.alpha not in (avm.TOO_LITTLE, "—")
    # criteria scored on calls only: nobody judged them on these chats
    assert rows["speech-rate"].kappa == avm.TOO_LITTLE
    assert "criteria" in s.summary and s.loaded


def test_web_agreement_state_since_filter(reviewed):
    s = state(AgreementState, "/agreement")
    s.apply({"since": "2999-01-01"})
    assert s.rows == [] and s.error == "" and s.summary.startswith("No submitted reviews")
    s.apply({"since": "yesterday"})
    assert "YYYY-MM-DD" in s.error
    s.clear()
    assert s.since == "" and s.error == "" and s.rows
    s.apply({"since": "2000-01-01"})
    assert s.rows and s.since == "2000-01-01"


def test_web_agreement_state_follows_the_role(reviewed):
    lead = state(AgreementState, "/agreement", who="Morgan Reyes")
    lead.on_load()
    assert _by_criterion(lead)["apologises"].between_n == "2"  # team North: w-1 and w-3 only
    trainee = state(AgreementState, "/agreement", who="Riley Park")
    trainee.on_load()
    assert trainee.rows == [] and trainee.error == ""  # nothing of their own was reviewed
    signed_out = state(AgreementState, "/agreement", who=None)
    assert redirect_target(signed_out.on_load()).startswith("/login")
    assert signed_out.rows == []


def test_web_agreement_page_builds_with_its_test_ids():
    from trainer.web.agreement.page import agreement_page

    rendered = str(agreement_page().render())
    assert "agreement-table" in rendered and "agreement-explanation" in rendered
    # the rows' test ids come from the view model (agreement-row-<criterion>, ...)
    assert all(name in rendered for name in ("row_id", "kappa_id", "alpha_id"))
