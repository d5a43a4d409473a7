"""The review page's form, disputes and transcript corrections: the pure form model, and
`ReviewState`'s handlers called against a seeded database, as each role would use them."""

from __future__ import annotations

from datetime import datetime

import pytest
import reflex as rx
from reflex.istate.data import RouterData

import trainer.trainer  # noqa: F401 - registers the pages (and the review page's route arg)
from trainer.access import Actor
from trainer.api.identity import SESSION_COOKIE
from trainer.db import session as db_session
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.scoring.rubric import find_rubric
from trainer.services.accounts import add_user
from trainer.services.audit import list_events
from trainer.services.auth import login
from trainer.services.scoring import score_stored
from trainer.services.views import conversation_view
from trainer.web.conversations import review_history as rh
from trainer.web.conversations import review_model as rm
from trainer.web.conversations.review_state import ReviewState

from ..conftest import GOOD_CHAT, POOR_CHAT, make_conversation

ADMIN = Actor.local_admin()
PASSWORD = "unit-pass-1234"
PEOPLE = [
    ("Sam Lee", "agent", ["North"]),
    ("Priya Shah", "agent", ["South"]),
    ("Morgan Reyes", "lead", ["North"]),
    ("Jordan Kim", "reviewer", []),
    ("Casey Wong", "reviewer", []),
    ("Ada Admin", "admin", []),
]
TOKENS: dict[str, str] = {}


def email(name: str) -> str:
    return f"{name.lower().replace(' ', '.')}@example.com"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """People of each role; r-1 (Sam, good chat), r-2 (Priya, poor chat: dismissive language),
    r-3 (Sam, good chat) for corrections, r-4 (Sam) for drafts."""
    url = f"sqlite:///{tmp_path_factory.mktemp('review') / 'trainer.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRAINER_DATABASE_URL", url)
        db_session.reset_cache()
        with session_scope() as session:
            for name, role, teams in PEOPLE:
                add_user(session, ADMIN, name, email(name), role, teams, PASSWORD)
        for name, _role, _teams in PEOPLE:
            with session_scope() as session:
                TOKENS[name] = login(session, email(name), PASSWORD).token
        with session_scope() as session:
            for external_id, turns, agent in [
                ("r-1", GOOD_CHAT, "Sam Lee"),
                ("r-2", POOR_CHAT, "Priya Shah"),
                ("r-3", GOOD_CHAT, "Sam Lee"),
                ("r-4", GOOD_CHAT, "Sam Lee"),
            ]:
                store_conversation(
                    session,
                    make_conversation(
                        turns,
                        external_id=external_id,
                        agent=agent,
                        channel="chat",
                        started_at=datetime(2026, 3, 2, 9, 30),
                    ),
                )
            score_stored(session, None)
        yield url
        db_session.reset_cache()


def review_state(who: str, external_id: str) -> ReviewState:
    """The review page's state for `who`, loaded on a conversation."""
    headers = {"origin": "http://t", "cookie": f"{SESSION_COOKIE}={TOKENS[who]}"}
    root = rx.State()
    root.router = RouterData.from_router_data(
        {"pathname": "/", "asPath": "/", "query": {}, "headers": headers}
    )
    s = root.get_substate(ReviewState.get_full_name().split("."))
    s.load_conversation(external_id)
    assert s.found, s.error
    return s


def criteria(s: ReviewState) -> dict:
    return {c.id: c for g in s.groups for c in g.criteria}


def flip(choice: str) -> str:
    """The other end of a binary scale."""
    return "0" if choice == "1" else "1"


# --- the form model, without a database ----------------------------------------------------


def test_web_review_rubric_info_reads_scales_na_and_auto_fail():
    info = rm.rubric_info(find_rubric("customer_service").definition())
    assert info["acknowledges-feelings"].values == (0.0, 1.0)
    assert info["acknowledges-feelings"].labels == ("No", "Yes")
    assert info["no-dismissive-language"].na_allowed is False
    assert info["no-dismissive-language"].auto_fail == "section"
    points = rm.rubric_info(
        {
            "sections": [
                {
                    "id": "s",
                    "criteria": [
                        {
                            "id": "tone",
                            "title": "Tone",
                            "scale": {
                                "kind": "points",
                                "points": [0, 1, 2],
                                "labels": {"2": "Great"},
                            },
                        }
                    ],
                }
            ]
        }
    )
    levels = rm.levels(points["tone"], 0.5)
    assert [(lv.value, lv.label, lv.shortcut, lv.automatic) for lv in levels] == [
        ("0", "0", "1", False),
        ("0.5", "1", "2", True),
        ("1", "Great", "3", False),
    ]


def test_web_review_judgements_need_a_reason_when_changed_and_keep_comments():
    view = {
        "criteria": [
            {"id": "a", "value": 1.0, "status": "scored"},
            {"id": "b", "value": 0.0, "status": "scored"},
            {"id": "c", "value": None, "status": "unscored"},
            {"id": "d", "value": None, "status": "na", "na": True},
        ]
    }
    form = rm.FormValues(
        choices={"a": "0", "b": "", "c": "", "d": "na"},
        reasons={"a": "", "b": "", "c": "", "d": "wrong_evidence"},
        comments={"a": "", "b": "good try", "c": "hm", "d": ""},
    )
    out, problems = rm.judgements(view, form)
    assert set(problems) == {"a", "c"}  # a changed without a reason; c unscored, comment only
    assert out["b"] == {"value": 0.0, "reason": None, "comment": "good try"}
    assert out["d"] == {"value": "na", "reason": None, "comment": ""}  # unchanged: no reason
    form.reasons["a"] = "incorrect_score"
    form.comments["c"] = ""
    out, problems = rm.judgements(view, form)
    assert problems == {}
    assert out["a"] == {"value": 0.0, "reason": "incorrect_score", "comment": ""}
    assert "c" not in out


def test_web_review_auto_fail_notes_name_the_criterion():
    info = rm.rubric_info(find_rubric("customer_service").definition())
    sections, overall = rm.auto_fail_notes(
        info, {"no-dismissive-language": 0.0, "acknowledges-feelings": 1.0}
    )
    assert "Avoids dismissive language" in sections["empathy"]
    assert set(sections) == {"empathy"} and overall == ""
    assert rm.auto_fail_notes(info, {"no-dismissive-language": 1.0}) == ({}, "")


def test_web_review_resolve_values_follow_the_outcome():
    card = rh.DisputeCard(id=1, criteria=[rh.DisputeCriterion(id="a"), rh.DisputeCriterion(id="b")])
    picks = {"a": "1", "b": "", "x": "0"}
    assert rh.resolve_values(card, picks, "accepted") == {"a": 1.0}
    assert rh.resolve_values(card, {"a": "na"}, "partly_accepted") == {"a": "na"}
    assert rh.resolve_values(card, picks, "rejected") is None


# --- the page's state ------------------------------------------------------------------------


def test_web_review_who_sees_the_form(seeded):
    assert review_state("Jordan Kim", "r-1").can_review
    assert review_state("Morgan Reyes", "r-1").can_review  # Sam is in the lead's team
    agent = review_state("Sam Lee", "r-1")
    assert not agent.can_review and not agent.can_correct
    reviewer = review_state("Jordan Kim", "r-1")
    assert reviewer.can_correct
    levels = criteria(reviewer)["acknowledges-feelings"].levels
    assert [lv.value for lv in levels] == ["0", "1"]
    assert criteria(reviewer)["no-dismissive-language"].na_allowed is False


def test_web_review_auto_fail_and_na_are_explained(seeded):
    s = review_state("Jordan Kim", "r-2")
    empathy = next(g for g in s.groups if g.id == "empathy")
    assert empathy.score.text == "0"
    assert "Avoids dismissive language" in empathy.auto_fail_note
    na = [c for c in criteria(s).values() if c.status == "na"]
    assert na and all(c.na_note.startswith("Not applicable") for c in na)
    assert all(c.na_note == "" for c in criteria(s).values() if c.status != "na")


def test_web_review_keyboard_moves_between_criteria(seeded):
    s = review_state("Jordan Kim", "r-1")
    order = [c.id for g in s.groups for c in g.criteria]
    assert s.current == order[0]
    spec = s.next_criterion()
    assert s.current == order[1] and f"criterion-{order[1]}" in str(spec.args)
    s.previous_criterion()
    s.previous_criterion()
    assert s.current == order[0]  # stays on the first
    s.select_criterion(order[3])
    assert s.current == order[3]


def test_web_review_draft_saves_and_loads_back(seeded):
    s = review_state("Jordan Kim", "r-4")
    cid = "uses-name"
    auto = s._automatic[cid]
    s.pick(cid, flip(auto))
    assert s.changed[cid]
    s.save_draft()
    assert "reason" in s.field_errors[cid] and s.form_error.startswith("Fix the marked")
    with session_scope() as session:
        assert not conversation_view(session, ADMIN, "r-4")["reviews"]  # nothing half-stored
    s.set_reason(cid, "incorrect_score")
    s.set_criterion_comment(cid, "used the name twice")
    s.set_review_comment("Solid chat")
    s.save_draft()
    assert s.form_error == "", s.form_error
    assert s.my_status == "draft" and "Draft saved" in s.form_notice
    again = review_state("Jordan Kim", "r-4")
    assert again.choices[cid] == flip(auto)
    assert again.reasons[cid] == "incorrect_score"
    assert again.comments[cid] == "used the name twice"
    assert again.review_comment == "Solid chat"
    assert again.can_review and again.final_score.text == again.score.text  # a draft counts not


def test_web_review_service_refusal_is_shown_beside_the_criterion(seeded):
    s = review_state("Jordan Kim", "r-4")
    s.pick("no-dismissive-language", "na")  # N/A is not allowed there: the service says so
    s.set_reason("no-dismissive-language", "incorrect_score")
    s.save_draft()
    assert "N/A is not allowed" in s.form_error
    assert "no-dismissive-language" in s.field_errors


def test_web_review_submit_dispute_and_resolution_change_the_final_score(seeded):
    reviewer = review_state("Jordan Kim", "r-1")
    automatic = dict(reviewer._automatic)
    first, second = "acknowledges-feelings", "apologises"
    for cid in (first, second):
        reviewer.pick(cid, flip(automatic[cid]))
        reviewer.set_reason(cid, "incorrect_score")
    reviewer.submit_review()
    assert reviewer.form_error == "", reviewer.form_error
    assert reviewer.my_status == "submitted" and not reviewer.can_review
    assert reviewer.human_final and reviewer.final_label.endswith("Jordan Kim")
    submitted_score = reviewer.final_score.text
    card = reviewer.reviews[0]
    assert card.changed_count == 2
    assert {r.id for r in card.rows if r.changed} == {first, second}
    assert criteria(reviewer)[first].final != ""

    agent = review_state("Sam Lee", "r-1")
    card = agent.reviews[0]
    assert card.can_respond and not card.can_resolve and card.respond_until
    agent.start_dispute(card.id)
    agent.send_dispute()  # nothing chosen: the service refuses, nothing stored
    assert "choose the criteria" in agent.dispute_error
    agent.toggle_disputed(first, True)
    agent.set_dispute_comment("I did acknowledge it in my second reply")
    agent.send_dispute()
    assert agent.dispute_error == "", agent.dispute_error
    dispute = agent.reviews[0].disputes[0]
    assert dispute.is_open and [c.id for c in dispute.criteria] == [first]

    scorer = review_state("Jordan Kim", "r-1")
    assert not scorer.reviews[0].can_resolve  # the one who scored it does not answer
    scorer.resolving = dispute.id
    scorer.resolve_reason = "fine"
    scorer.send_resolution()
    assert scorer.dispute_error != ""  # and the service refuses when asked anyway

    resolver = review_state("Casey Wong", "r-1")
    assert resolver.reviews[0].can_resolve
    resolver.start_resolve(dispute.id)
    resolver.set_resolve_outcome("accepted")
    resolver.pick_resolve_value(first, automatic[first])
    resolver.set_resolve_reason("The transcript shows the acknowledgement")
    resolver.send_resolution()
    assert resolver.dispute_error == "", resolver.dispute_error
    history = resolver.reviews[0].disputes[0]
    assert history.status == "accepted" and history.resolver == "Casey Wong"
    assert history.changes and history.changes[0].startswith(criteria(resolver)[first].title)
    assert resolver.final_score.text != submitted_score
    assert criteria(resolver)[first].final == ""  # back to the automatic value

    agent = review_state("Sam Lee", "r-1")
    assert agent.reviews[0].disputes[0].status_label == "Accepted"
    with session_scope() as session:
        _, events = list_events(session, ADMIN)
    actions = [e["action"] for e in events]
    for step in ("review.submit", "dispute.open", "dispute.resolve"):
        assert step in actions


def test_web_review_acknowledge(seeded):
    reviewer = review_state("Casey Wong", "r-3")
    reviewer.submit_review()  # every automatic value accepted
    assert reviewer.my_status == "submitted", reviewer.form_error
    agent = review_state("Sam Lee", "r-3")
    review_id = agent.reviews[0].id
    agent.acknowledge(review_id)
    assert agent.dispute_error == ""
    assert agent.reviews[0].acknowledged != ""


def test_web_review_correcting_a_turn_keeps_the_original(seeded):
    s = review_state("Jordan Kim", "r-3")
    original = s._view["turns"][1]["text"]
    s.start_edit(1)
    assert s.editing == 1 and s.edit_text == original
    s.set_edit_text("I was charged twice and I am upset.")
    s.set_edit_speaker("customer")
    s.save_edit()
    assert s.edit_error == "" and s.editing == -1
    note = s.turn_notes[1]
    assert note.corrected and note.original_text == original
    assert "".join(seg.text for seg in s.turns[1].segments) == "I was charged twice and I am upset."
    assert not s.turn_notes[0].corrected
    s.start_edit(1)
    s.set_edit_text("   ")
    s.save_edit()
    assert "empty" in s.edit_error  # the service's refusal, shown in the editor
    agent = review_state("Sam Lee", "r-3")
    agent.start_edit(1)
    assert agent.editing == -1  # not theirs to correct
