"""The web app's view models: score labels, colours, dates, links, and evidence splitting."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from trainer.web import viewmodels as vm


def test_web_viewmodels_split_text_marks_span_and_keeps_text():
    text = "I'm really sorry, Dana. I can hear how frustrating that is."
    segments = vm.split_text(text, [(11, 16)])
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.mark) for s in segments] == [
        ("I'm really ", False),
        ("sorry", True),
        (", Dana. I can hear how frustrating that is.", False),
    ]


def test_web_viewmodels_split_text_merges_overlaps_and_clamps():
    text = "abcdefghij"
    segments = vm.split_text(text, [(6, 40), (2, 4), (3, 5), (5, 5), (-3, 1)])
    assert "".join(s.text for s in segments) == text
    assert [s.text for s in segments if s.mark] == ["a", "cde", "ghij"]
    assert vm.merge_spans([(6, 40), (2, 4), (3, 5), (5, 5), (-3, 1)], 10) == [
        (0, 1),
        (2, 5),
        (6, 10),
    ]


def test_web_viewmodels_split_text_without_spans_is_one_plain_segment():
    assert vm.split_text("hello", []) == [vm.Segment(text="hello")]
    assert vm.split_text("", [(0, 3)]) == [vm.Segment(text="")]


def test_web_viewmodels_turn_views_highlight_only_evidence_turns():
    view = {
        "turns": [
            {"speaker": "agent", "text": "Hello there", "start": None, "end": None},
            {"speaker": "customer", "text": "Hi", "start": 65.2, "end": 66.0},
            {"speaker": "system", "text": "Customer left", "start": None, "end": None},
        ],
        "criteria": [
            {
                "id": "greeting",
                "section": "call_handling",
                "evidence": [{"turn": 0, "start": 0, "end": 5}],
            },
            {"id": "ghost", "section": "x", "evidence": [{"turn": 9, "start": 0, "end": 5}]},
        ],
    }
    turns = vm.turn_views(view, "greeting")
    assert [t.highlighted for t in turns] == [True, False, False]
    assert [t.number for t in turns] == [1, 2, 3]
    assert [t.label for t in turns] == ["Agent", "Customer", "System"]
    assert turns[1].time == "1:05"
    assert [s.text for s in turns[0].segments if s.mark] == ["Hello"]
    assert vm.evidence_quotes(view, "greeting") == ["Hello"]
    # Evidence pointing past the transcript is ignored, not an error.
    assert not any(t.highlighted for t in vm.turn_views(view, "ghost"))
    assert vm.evidence_quotes(view, "ghost") == []


@pytest.mark.parametrize(
    ("score", "text", "tone"),
    [
        (None, "—", "gray"),
        (97.73, "98", "green"),
        (80, "80", "green"),
        (60, "60", "amber"),
        (59.4, "59", "red"),
        (0, "0", "red"),
    ],
)
def test_web_viewmodels_score_cell_text_and_tone(score, text, tone):
    cell = vm.score_cell(score)
    assert (cell.text, cell.tone) == (text, tone)


def test_web_viewmodels_criterion_cell_shows_na_and_unscored():
    na = {"id": "a", "status": "na", "na": True, "value": None}
    unscored = {"id": "a", "status": "unscored", "na": False, "value": None}
    assert vm.criterion_cell(na).text == "N/A"
    assert vm.criterion_cell(unscored).text == "Unscored"
    cell = vm.criterion_cell({"id": "a", "status": "scored", "na": False, "value": 0.5})
    assert (cell.text, cell.tone) == ("50%", "red")


def test_web_viewmodels_format_date_and_seconds():
    assert vm.format_date("2026-03-02T09:14:00") == "2026-03-02 09:14"
    assert vm.format_date(None) == "—"
    assert vm.format_date("yesterday") == "yesterday"
    assert vm.format_seconds(None) == ""
    assert vm.format_seconds(125.4) == "2:05"


def test_web_viewmodels_links_round_trip_names():
    href = vm.agent_href("Grace O'Kafor & Co")
    parts = urlsplit(href)
    assert parts.path == "/conversations"
    assert parse_qs(parts.query) == {"agent": ["Grace O'Kafor & Co"]}
    assert vm.review_href("c-001") == "/conversations/c-001"
    assert vm.review_href("a/b c") == "/conversations/a%2Fb%20c"


def test_web_viewmodels_parse_score_bounds():
    assert vm.parse_score("") is None
    assert vm.parse_score(" 75 ") == 75.0
    with pytest.raises(ValueError):
        vm.parse_score("abc")
    with pytest.raises(ValueError):
        vm.parse_score("101")


def test_web_viewmodels_sections_in_reading_order():
    rows = [{"conversation": "a", "score": 1, "zeta": 1, "follow_up": 2, "empathy": 3}]
    keys = vm.section_keys(rows, vm.ROW_FIELDS)
    assert keys == ["empathy", "follow_up", "zeta"]
    assert [c.label for c in vm.columns(keys)] == ["Empathy", "Follow-up", "Zeta"]
