"""Shaping for the practice pages: mood meter, chat, feedback, cards, history, progress chart."""

from __future__ import annotations

from trainer.web import formatting as fmt
from trainer.web.practice import viewmodels as pvm


def test_web_practice_mood_view_colours_from_calm_to_angry():
    assert pvm.mood_view(0) == pvm.MoodView(0, 0, "Calm", "green")
    assert pvm.mood_view(5).tone == "amber" and pvm.mood_view(5).label == "Annoyed"
    assert pvm.mood_view(7) == pvm.MoodView(7, 70, "Angry", "red")
    assert pvm.mood_view(10).label == "About to leave"
    assert pvm.mood_view(14).value == 10 and pvm.mood_view(-2).value == 0
    assert pvm.mood_view(None).value == 0


def test_web_practice_mood_points_and_outcomes():
    assert pvm.mood_points([7, 3, 0]) == [
        {"reply": 0, "mood": 7},
        {"reply": 1, "mood": 3},
        {"reply": 2, "mood": 0},
    ]
    assert pvm.outcome_label("customer_left") == "Customer left"
    assert pvm.outcome_label("something_new") == "Something new"
    assert pvm.outcome_label(None) == fmt.MISSING
    assert (pvm.outcome_tone("resolved"), pvm.outcome_tone("turn_limit")) == ("green", "amber")
    assert pvm.outcome_tone("unresolved") == "gray"


def test_web_practice_chat_bubbles_put_the_trainee_on_the_right():
    turns = [
        {"turn": 1, "speaker": "customer", "text": "Hi"},
        {"turn": 2, "speaker": "agent", "text": "Hello"},
    ]
    bubbles = pvm.chat_bubbles(turns, "Dana")
    assert [(b.who, b.mine, b.turn) for b in bubbles] == [("Dana", False, 1), ("You", True, 2)]


def test_web_practice_feedback_views_turn_order_and_prefix():
    items = [
        {"turn": None, "kind": "criterion", "title": "Uses the name", "message": "never"},
        {"turn": 4, "kind": "reaction", "title": None, "message": "turn 4: you blamed her"},
        {"turn": 2, "kind": "outcome", "title": None, "message": "Turn 2: she left",
         "better_reply": None},
    ]  # fmt: skip
    views = pvm.feedback_views(items)
    assert [v.where for v in views] == ["Turn 2", "Turn 4", "Overall"]
    assert views[0].message == "she left" and views[0].tone == "red"
    assert views[0].title == "How it ended" and views[0].better_reply == ""
    assert views[1].title == "How the customer reacted" and views[1].message == "you blamed her"
    assert views[2].title == "Uses the name" and views[2].tone == "amber"


def test_web_practice_hrefs_quote_ids():
    assert pvm.practice_href("double-charge") == "/practice/double-charge"
    assert pvm.practice_href("a/b c") == "/practice/a%2Fb%20c"


LIBRARY = [
    {"id": "a", "title": "A", "difficulty": "easy", "skills": ["follow_up"], "pass_mark": 75,
     "customer": "Dana Ruiz", "temperament": "angry", "persona": "Nurse", "summary": "S"},
    {"id": "b", "title": "B", "difficulty": "hard", "skills": ["conflict_resolution"],
     "pass_mark": 70},
]  # fmt: skip
ATTEMPTS = [
    {"attempt": 3, "scenario": "a", "finished_at": "2026-03-02T10:00:00+00:00",
     "outcome": "customer_left", "score": 20.0, "passed": False},
    {"attempt": 5, "scenario": "a", "finished_at": "2026-03-03T10:00:00+00:00",
     "outcome": "resolved", "score": 92.4, "passed": True},
]  # fmt: skip
PROGRESS = {
    "scenarios": [{"scenario": "a", "attempts": 2, "best": 92.4, "latest": 92.4, "passed": True}],
    "skills": {
        "empathy": {"series": [{"attempt": 3, "value": 0.0}, {"attempt": 5, "value": 100.0}]},
        "clarity": {"series": [{"attempt": 5, "value": 80.0}]},
        "follow_up": {"series": []},
    },
}


def test_web_practice_scenario_cards_carry_the_trainees_results():
    cards = pvm.scenario_cards(LIBRARY, PROGRESS)
    a, b = cards
    assert (a.best.text, a.best.tone, a.passed, a.attempts) == ("92", "green", True, 2)
    assert a.skills == ["Follow-up"] and a.difficulty_tone == "green"
    assert a.href == "/practice/a"
    assert (b.best.text, b.passed, b.attempts) == (fmt.MISSING, False, 0)
    assert b.skills == ["Conflict resolution"] and b.difficulty_tone == "red"
    assert pvm.scenario_cards(LIBRARY, None)[0].href == "/practice/a"


def test_web_practice_attempt_rows_newest_first():
    rows = pvm.attempt_rows(ATTEMPTS, {"a": "Scenario A"})
    assert [r.attempt for r in rows] == [5, 3]
    assert rows[0].title == "Scenario A" and rows[0].outcome_label == "Resolved"
    assert rows[0].score.text == "92" and rows[0].passed
    assert rows[1].outcome_tone == "red" and rows[1].date.startswith("2026-03-02")


def test_web_practice_progress_chart_rows_and_lines():
    rows, lines = pvm.progress_chart(ATTEMPTS, PROGRESS)
    assert rows == [
        {"label": "#1", "scenario": "a", "empathy": 0.0},
        {"label": "#2", "scenario": "a", "empathy": 100.0, "clarity": 80.0},
    ]
    assert [(line.key, line.label) for line in lines] == [
        ("empathy", "Empathy"),
        ("clarity", "Clarity"),
    ]
    assert pvm.progress_chart([], {"skills": {}}) == ([], [])
