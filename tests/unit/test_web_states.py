"""The pages' states: their event handlers, called on State instances against a seeded database."""

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
from trainer.services.accounts import add_user
from trainer.services.auth import login
from trainer.services.scoring import score_stored
from trainer.services.views import conversation_view
from trainer.web.conversations.review_state import ReviewState
from trainer.web.conversations.state import ALL, ConversationsState
from trainer.web.scorecards.state import ScorecardState
from trainer.web.state import AppState

from ..conftest import GOOD_CHAT, POOR_CHAT, make_conversation

ADMIN = Actor.local_admin()
PASSWORD = "unit-pass-1234"
# (name, role, teams) signed in for the state tests; TOKENS[name] is their session cookie.
PEOPLE = [
    ("Sam Lee", "agent", ["North"]),
    ("Priya Shah", "agent", ["South"]),
    ("Morgan Reyes", "lead", ["North"]),
    ("Jordan Kim", "reviewer", []),
    ("Hana Ito", "hr", []),
    ("Riley Park", "trainee", ["North"]),
    ("Ada Admin", "admin", []),
]
TOKENS: dict[str, str] = {}


def email(name: str) -> str:
    return f"{name.lower().replace(' ', '.')}@example.com"


def sign_in_people(people=PEOPLE) -> dict[str, str]:
    """Add the people (in the current database) and open a session for each: TOKENS."""
    TOKENS.clear()
    with session_scope() as session:
        for name, role, teams in people:
            add_user(session, ADMIN, name, email(name), role, teams, PASSWORD)
    for name, _role, _teams in people:
        with session_scope() as session:
            TOKENS[name] = login(session, email(name), PASSWORD).token
    return TOKENS


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """People of every role; four conversations: Sam (chat, call), Priya (chat scored, chat never
    scored)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'trainer.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRAINER_DATABASE_URL", url)
        db_session.reset_cache()
        sign_in_people()
        with session_scope() as session:
            for external_id, turns, agent, channel, day in [
                ("w-1", GOOD_CHAT, "Sam Lee", "chat", 2),
                ("w-2", POOR_CHAT, "Priya Shah", "chat", 3),
                ("w-3", GOOD_CHAT, "Sam Lee", "call", 4),
            ]:
                conversation = make_conversation(
                    turns,
                    external_id=external_id,
                    agent=agent,
                    channel=channel,
                    customer="Dana Ruiz",
                    started_at=datetime(2026, 3, day, 9, 30),
                )
                store_conversation(session, conversation)
            score_stored(session, None)
            store_conversation(
                session,
                make_conversation(POOR_CHAT, external_id="w-4", agent="Priya Shah", channel="chat"),
            )
        yield url
        db_session.reset_cache()


def state(
    cls: type[rx.State],
    route: str = "/",
    url: str | None = None,
    params: dict | None = None,
    *,
    who: str | None = "Ada Admin",
) -> rx.State:
    """A page state in a fresh root State, its router on `route` at `url` with route `params`,
    its websocket carrying `who`'s session cookie (None: signed out)."""
    headers = {"origin": "http://t"}
    if who is not None:
        headers["cookie"] = f"theme=dark; {SESSION_COOKIE}={TOKENS[who]}"
    root = rx.State()
    root.router = RouterData.from_router_data(
        {"pathname": route, "asPath": url or route, "query": params or {}, "headers": headers}
    )
    return root.get_substate(cls.get_full_name().split("."))


def redirect_target(spec) -> str:
    """The path of an rx.redirect event spec."""
    return dict((str(k), v._var_value) for k, v in spec.args)["path"]


def test_web_conversations_on_load_lists_all_with_options(seeded):
    s = state(ConversationsState, "/conversations")
    s.on_load()
    assert s.error == ""
    assert s.count == s.total == 4
    # Newest first; a conversation with no start time leads.
    assert [r.conversation for r in s.rows] == ["w-4", "w-3", "w-2", "w-1"]
    assert (s.page, s.pages, s.has_previous, s.has_next) == (1, 1, False, False)
    assert s.shown_range == "1–4"
    assert s.agents == ["Priya Shah", "Sam Lee"]
    assert s.channels == ["call", "chat"]
    assert [c.key for c in s.columns][:3] == ["empathy", "clarity", "resolution"]
    oldest = s.rows[3]
    assert oldest.href == "/conversations/w-1"
    assert oldest.date == "2026-03-02 09:30"
    assert len(oldest.sections) == len(s.columns)
    # The never-scored conversation shows a dash, not a zero.
    assert s.rows[0].score.text == "—"
    assert {c.text for c in s.rows[0].sections} == {"—"}


def test_web_conversations_filter_by_agent_and_channel_narrows_rows(seeded):
    s = state(ConversationsState)
    s.on_load()
    s.set_agent("Sam Lee")
    assert [r.conversation for r in s.rows] == ["w-3", "w-1"]
    assert s.filtered and (s.count, s.total) == (2, 4)
    s.set_channel("call")
    assert [r.conversation for r in s.rows] == ["w-3"]
    s.set_agent(ALL)
    assert [r.conversation for r in s.rows] == ["w-3"]
    s.clear_filters()
    assert s.count == 4 and not s.filtered


def test_web_conversations_score_range_filters_and_rejects_bad_input(seeded):
    s = state(ConversationsState)
    s.on_load()
    good = {r.conversation: float(r.score.text) for r in s.rows if r.score.text != "—"}
    threshold = (max(good.values()) + min(good.values())) / 2
    s.set_min_score(str(threshold))
    assert s.rows and all(float(r.score.text) >= threshold - 0.5 for r in s.rows)
    assert len(s.rows) < len(good)
    s.set_min_score("")
    s.set_max_score(str(threshold))
    assert s.rows and all(float(r.score.text) <= threshold + 0.5 for r in s.rows)
    before = [r.conversation for r in s.rows]
    s.set_max_score("lots")
    assert "0 to 100" in s.error
    assert [r.conversation for r in s.rows] == before
    s.set_max_score("10")
    s.set_min_score("90")
    assert "above the maximum" in s.error


def test_web_conversations_on_load_takes_filters_from_url(seeded):
    s = state(ConversationsState, "/conversations", "/conversations?agent=Priya+Shah")
    s.set_channel("call")
    s.on_load()
    assert (s.agent, s.channel) == ("Priya Shah", ALL)
    assert [r.conversation for r in s.rows] == ["w-4", "w-2"]
    assert s.total == 4


def test_web_conversations_on_load_without_url_filters_keeps_filters(seeded):
    s = state(ConversationsState, "/conversations")
    s.on_load()
    s.set_agent("Sam Lee")
    s.on_load()  # e.g. back from a review
    assert s.agent == "Sam Lee"
    assert [r.conversation for r in s.rows] == ["w-3", "w-1"]


def test_web_conversations_pages_through_the_list_keeping_the_filters(seeded):
    s = state(ConversationsState, "/conversations")
    s.on_load()
    s.set_per_page("3")
    assert (s.page, s.pages, s.count, s.per_page_value) == (1, 2, 4, "3")
    assert [r.conversation for r in s.rows] == ["w-4", "w-3", "w-2"]
    assert s.has_next and not s.has_previous
    s.next_page()
    assert (s.page, s.shown_range) == (2, "4–4")
    assert [r.conversation for r in s.rows] == ["w-1"]
    assert s.has_previous and not s.has_next
    assert s.next_page() is None and s.page == 2  # no page after the last
    s.previous_page()
    assert s.page == 1 and len(s.rows) == 3
    assert s.previous_page() is None and s.page == 1
    # A filter starts again from the first page, and the pages follow the filter.
    s.next_page()
    s.set_agent("Sam Lee")
    assert (s.page, s.pages, s.count) == (1, 1, 2)
    assert [r.conversation for r in s.rows] == ["w-3", "w-1"]
    s.set_per_page("nonsense")
    assert s.per_page == 3


def test_web_conversations_page_and_size_come_from_the_url_and_past_the_end_shows_the_last(
    seeded,
):
    s = state(ConversationsState, "/conversations", "/conversations?page=2&per_page=2")
    s.on_load()
    assert (s.page, s.per_page, s.pages) == (2, 2, 2)
    assert [r.conversation for r in s.rows] == ["w-2", "w-1"]
    past = state(ConversationsState, "/conversations", "/conversations?page=9&per_page=2")
    past.on_load()
    assert past.page == 2 and [r.conversation for r in past.rows] == ["w-2", "w-1"]
    capped = state(ConversationsState, "/conversations", "/conversations?per_page=100000")
    capped.on_load()
    assert capped.per_page == 500 and capped.count == 4


def test_web_review_loads_header_turns_and_criteria(seeded):
    s = state(ReviewState)
    s.load_conversation("w-1")
    assert s.found and s.loaded and s.error == ""
    assert (s.external_id, s.agent, s.customer, s.channel) == (
        "w-1",
        "Sam Lee",
        "Dana Ruiz",
        "chat",
    )
    assert s.rubric.startswith("customer_service@")
    assert s.score.text not in ("", "—")
    assert [t.speaker for t in s.turns] == [speaker for speaker, _ in GOOD_CHAT]
    assert all(not t.highlighted for t in s.turns)
    assert [g.id for g in s.groups][:2] == ["empathy", "clarity"]
    assert [c.key for c in s.sections] == [g.id for g in s.groups]
    with session_scope() as session:
        view = conversation_view(session, ADMIN, "w-1")
    assert sum(len(g.criteria) for g in s.groups) == len(view["criteria"])
    texts = {c.id: c.score.text for g in s.groups for c in g.criteria}
    for criterion in view["criteria"]:
        if criterion["na"]:
            assert texts[criterion["id"]] == "N/A"
        elif criterion["value"] is None:
            assert texts[criterion["id"]] == "Unscored"
        else:
            assert texts[criterion["id"]].endswith("%")


def test_web_review_select_criterion_highlights_its_evidence(seeded):
    s = state(ReviewState)
    s.load_conversation("w-1")
    with session_scope() as session:
        view = conversation_view(session, ADMIN, "w-1")
    criterion = next(c for c in view["criteria"] if c["evidence"])
    expected = [
        view["turns"][e["turn"]]["text"][e["start"] : e["end"]]
        for e in sorted(criterion["evidence"], key=lambda e: (e["turn"], e["start"]))
    ]
    spec = s.select_criterion(criterion["id"])
    assert s.selected == criterion["id"]
    assert s.selected_title == criterion["title"]
    assert s.highlighted == expected
    marked = [seg.text for t in s.turns for seg in t.segments if seg.mark]
    assert marked == expected
    evidence_turns = {e["turn"] for e in criterion["evidence"]}
    assert {t.index for t in s.turns if t.highlighted} == evidence_turns
    for turn, original in zip(s.turns, view["turns"], strict=True):
        assert "".join(seg.text for seg in turn.segments) == original["text"]
    assert spec is not None and f"turn-{min(evidence_turns)}" in str(spec.args)
    # Selecting it again clears the marks.
    s.select_criterion(criterion["id"])
    assert s.selected == "" and s.highlighted == []
    assert not any(t.highlighted for t in s.turns)


def test_web_review_criterion_without_evidence_marks_nothing(seeded):
    s = state(ReviewState)
    s.load_conversation("w-1")
    with session_scope() as session:
        view = conversation_view(session, ADMIN, "w-1")
    criterion = next(c for c in view["criteria"] if not c["evidence"])
    assert s.select_criterion(criterion["id"]) is None
    assert s.selected == criterion["id"]
    assert s.highlighted == []
    assert not any(t.highlighted for t in s.turns)
    s.select_criterion("no-such-criterion")
    assert s.selected == ""


def test_web_review_unknown_id_is_not_found(seeded):
    s = state(ReviewState)
    s.load_conversation("w-1")
    s.load_conversation("nope")
    assert s.loaded and not s.found
    assert s.error == ""
    assert s.external_id == "nope"
    assert s.turns == [] and s.groups == []


def test_web_review_on_load_reads_route_arg_and_shows_unscored(seeded):
    s = state(
        ReviewState,
        "/conversations/[conversation_id]",
        "/conversations/w-4",
        {"conversation_id": "w-4"},
    )
    s.on_load()
    assert s.found and s.external_id == "w-4"
    assert s.groups == [] and s.score.text == "—"
    assert len(s.turns) == len(POOR_CHAT)


def test_web_scorecard_lists_agents_with_section_averages(seeded):
    s = state(ScorecardState, "/scorecard", "/scorecard?since=2026-03-01&until=2026-03-31")
    s.on_load()
    assert s.error == ""
    assert [r.name for r in s.agent_rows] == ["Priya Shah", "Sam Lee"]
    by_agent = {r.name: r for r in s.agent_rows}
    assert by_agent["Sam Lee"].conversations == 2
    assert by_agent["Priya Shah"].conversations == 1  # w-4 was never scored
    assert [c.key for c in s.columns][:2] == ["empathy", "clarity"]
    assert all(len(r.sections) == len(s.columns) for r in s.agent_rows)
    assert float(by_agent["Sam Lee"].score.text) > float(by_agent["Priya Shah"].score.text)


def test_web_state_signed_out_pages_redirect_to_login_with_next(seeded):
    s = state(ConversationsState, "/conversations", "/conversations?agent=Sam+Lee", who=None)
    assert s.actor() is None
    spec = s.check_login()
    assert redirect_target(spec) == "/login?next=%2Fconversations%3Fagent%3DSam%2BLee"
    assert not s.signed_in
    # The page's own handler shows nothing either.
    assert redirect_target(s.on_load()).startswith("/login")
    assert s.rows == []
    review = state(ReviewState, who=None)
    assert redirect_target(review.load_conversation("w-1")).startswith("/login")
    assert review.turns == []


def test_web_state_a_bad_or_revoked_cookie_is_signed_out(seeded):
    s = state(AppState, "/scorecard")
    assert s.actor() is not None
    s.router = RouterData.from_router_data(
        {"pathname": "/", "asPath": "/", "headers": {"cookie": f"{SESSION_COOKIE}=forged"}}
    )
    assert s.actor() is None
    # the login page then says the session ended (it never began for a browser with no cookie)
    assert redirect_target(s.check_login()) == "/login?ended=1"
    fresh = state(AppState, "/scorecard", who=None)
    assert redirect_target(fresh.check_login()) == "/login?next=%2Fscorecard"


@pytest.mark.parametrize(
    ("who", "conversations", "scorecards", "admin", "audit", "qa"),
    [
        # qa: (queue, agreement, calibration)
        ("Riley Park", False, True, False, False, (False, False, False)),
        ("Sam Lee", True, True, False, False, (False, False, False)),
        ("Jordan Kim", True, True, False, False, (True, True, True)),
        ("Morgan Reyes", True, True, False, False, (True, True, True)),
        ("Hana Ito", False, True, True, False, (False, True, False)),
        ("Ada Admin", True, True, True, True, (True, True, True)),
    ],
)
def test_web_state_navigation_follows_the_role(
    seeded, who, conversations, scorecards, admin, audit, qa
):
    s = state(AppState, "/", who=who)
    assert s.check_login() is None
    assert (s.signed_in, s.user_name) == (True, who)
    assert (s.nav_conversations, s.nav_scorecards, s.nav_admin, s.nav_audit) == (
        conversations,
        scorecards,
        admin,
        audit,
    )
    assert (s.nav_queue, s.nav_agreement, s.nav_calibration) == qa
    home = redirect_target(s.go_home())
    assert home == ("/conversations" if conversations else "/practice")


def test_web_state_agent_and_lead_lists_are_narrowed(seeded):
    agent = state(ConversationsState, "/conversations", who="Sam Lee")
    agent.on_load()
    assert [r.conversation for r in agent.rows] == ["w-3", "w-1"]
    assert agent.agents == ["Sam Lee"]
    lead = state(ConversationsState, "/conversations", who="Morgan Reyes")
    lead.on_load()
    assert [r.conversation for r in lead.rows] == ["w-3", "w-1"]  # Sam is in their team
    # Another agent's conversation does not exist for Sam.
    review = state(ReviewState, who="Sam Lee")
    review.load_conversation("w-2")
    assert review.loaded and not review.found and review.error == ""
    assert not review.can_swap


def test_web_state_trainee_is_refused_conversations_with_a_message(seeded):
    s = state(ConversationsState, "/conversations", who="Riley Park")
    s.on_load()
    assert s.rows == [] and "a trainee may not" in s.error


def test_web_state_trusted_proxy_header_signs_in_only_when_configured(seeded, monkeypatch):
    def via(ip: str, email: str) -> RouterData:
        return RouterData.from_router_data(
            {"pathname": "/", "asPath": "/", "ip": ip, "headers": {"x-forwarded-email": email}}
        )

    s = state(AppState, "/scorecard", who=None)
    s.router = via("127.0.0.1", "SAM.LEE@example.com")
    assert s.actor() is None  # off by default: the header means nothing
    monkeypatch.setenv("TRAINER_AUTH_HEADER", "X-Forwarded-Email")
    actor = s.actor()
    assert actor is not None and actor.name == "Sam Lee"
    s.router = via("127.0.0.1", "nobody@example.com")
    assert s.actor() is None
    s.router = via("203.0.113.9", "sam.lee@example.com")  # not the proxy
    assert s.actor() is None
