"""The web app's view models: score labels, colours, dates, links, and evidence splitting."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from trainer.web import formatting as fmt
from trainer.web.components import transcript_model as tm
from trainer.web.conversations import call_viewmodels as callvm
from trainer.web.conversations import viewmodels as cvm


def test_web_viewmodels_split_text_marks_span_and_keeps_text():
    text = "I'm really sorry, Dana. I can hear how frustrating that is."
    segments = tm.split_text(text, [(11, 16)])
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.mark) for s in segments] == [
        ("I'm really ", False),
        ("sorry", True),
        (", Dana. I can hear how frustrating that is.", False),
    ]


def test_web_viewmodels_split_text_merges_overlaps_and_clamps():
    text = "abcdefghij"
    segments = tm.split_text(text, [(6, 40), (2, 4), (3, 5), (5, 5), (-3, 1)])
    assert "".join(s.text for s in segments) == text
    assert [s.text for s in segments if s.mark] == ["a", "cde", "ghij"]
    assert tm.merge_spans([(6, 40), (2, 4), (3, 5), (5, 5), (-3, 1)], 10) == [
        (0, 1),
        (2, 5),
        (6, 10),
    ]


def test_web_viewmodels_split_text_without_spans_is_one_plain_segment():
    assert tm.split_text("hello", []) == [tm.Segment(text="hello")]
    assert tm.split_text("", [(0, 3)]) == [tm.Segment(text="")]


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
    turns = tm.turn_views(view, "greeting")
    assert [t.highlighted for t in turns] == [True, False, False]
    assert [t.number for t in turns] == [1, 2, 3]
    assert [t.label for t in turns] == ["Agent", "Customer", "System"]
    assert turns[1].time == "1:05"
    assert [s.text for s in turns[0].segments if s.mark] == ["Hello"]
    assert tm.evidence_quotes(view, "greeting") == ["Hello"]
    # Evidence pointing past the transcript is ignored, not an error.
    assert not any(t.highlighted for t in tm.turn_views(view, "ghost"))
    assert tm.evidence_quotes(view, "ghost") == []


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
    cell = fmt.score_cell(score)
    assert (cell.text, cell.tone) == (text, tone)


def test_web_viewmodels_criterion_cell_shows_na_and_unscored():
    na = {"id": "a", "status": "na", "na": True, "value": None}
    unscored = {"id": "a", "status": "unscored", "na": False, "value": None}
    assert fmt.criterion_cell(na).text == "N/A"
    assert fmt.criterion_cell(unscored).text == "Unscored"
    cell = fmt.criterion_cell({"id": "a", "status": "scored", "na": False, "value": 0.5})
    assert (cell.text, cell.tone) == ("50%", "red")


def test_web_viewmodels_format_date_and_seconds():
    assert fmt.format_date("2026-03-02T09:14:00") == "2026-03-02 09:14"
    assert fmt.format_date(None) == "—"
    assert fmt.format_date("yesterday") == "yesterday"
    assert fmt.format_seconds(None) == ""
    assert fmt.format_seconds(125.4) == "2:05"


def test_web_viewmodels_links_round_trip_names():
    href = cvm.agent_href("Grace O'Kafor & Co")
    parts = urlsplit(href)
    assert parts.path == "/conversations"
    assert parse_qs(parts.query) == {"agent": ["Grace O'Kafor & Co"]}
    assert cvm.review_href("c-001") == "/conversations/c-001"
    assert cvm.review_href("a/b c") == "/conversations/a%2Fb%20c"


def test_web_viewmodels_parse_score_bounds():
    assert fmt.parse_score("") is None
    assert fmt.parse_score(" 75 ") == 75.0
    with pytest.raises(ValueError):
        fmt.parse_score("abc")
    with pytest.raises(ValueError):
        fmt.parse_score("101")


def test_web_viewmodels_sections_in_reading_order():
    rows = [{"conversation": "a", "score": 1, "zeta": 1, "follow_up": 2, "empathy": 3}]
    keys = fmt.section_keys(rows, cvm.ROW_FIELDS)
    assert keys == ["empathy", "follow_up", "zeta"]
    assert [c.label for c in fmt.columns(keys)] == ["Empathy", "Follow-up", "Zeta"]


# Calls: redaction placeholders, processing status, speech analytics.


def test_web_viewmodels_split_text_splits_out_redaction_placeholders():
    text = "My card [CARD] and phone [PHONE]."
    segments = tm.split_text(text, [])
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.redaction) for s in segments] == [
        ("My card ", False),
        ("[CARD]", True),
        (" and phone ", False),
        ("[PHONE]", True),
        (".", False),
    ]
    # Inside evidence the span stays one mark (one highlight per evidence span).
    marked = tm.split_text(text, [(0, 14)])
    assert [(s.text, s.mark, s.redaction) for s in marked][:2] == [
        ("My card [CARD]", True, False),
        (" and phone ", False, False),
    ]
    assert tm.split_text("[NOT-A-PLACEHOLDER]", []) == [tm.Segment(text="[NOT-A-PLACEHOLDER]")]


def test_web_viewmodels_turn_views_carry_start_seconds_for_seeking():
    view = {
        "turns": [
            {"speaker": "agent", "text": "Hello", "start": 72.4, "end": 74.0},
            {"speaker": "customer", "text": "Hi", "start": None, "end": None},
        ]
    }
    first, second = tm.turn_views(view)
    assert (first.time, first.start, first.seekable) == ("1:12", 72.4, True)
    assert (second.time, second.start, second.seekable) == ("", 0.0, False)


@pytest.mark.parametrize(
    ("status", "progress", "label", "tone", "percent", "pending", "failed", "shown"),
    [
        ("queued", None, "Queued", "gray", 0, True, False, True),
        ("processing", 0.456, "Processing 46%", "blue", 46, True, False, True),
        ("processing", 3.0, "Processing 100%", "blue", 100, True, False, True),
        ("processing", None, "Processing 0%", "blue", 0, True, False, True),
        ("failed", None, "Failed", "red", 0, False, True, True),
        ("ingested", 1.0, "Ingested", "gray", 0, False, False, False),
        ("", None, "", "gray", 0, False, False, False),
    ],
)
def test_web_viewmodels_status_view(status, progress, label, tone, percent, pending, failed, shown):
    view = fmt.status_view(status, progress, "left channel", "AudioError: bad file")
    assert (view.label, view.tone, view.percent) == (label, tone, percent)
    assert (view.pending, view.failed, view.shown) == (pending, failed, shown)
    assert view.reason == ("AudioError: bad file" if failed else "")


def test_web_viewmodels_failed_status_without_reason_says_so():
    assert fmt.status_view("failed").reason == "No reason was recorded."


def test_web_viewmodels_conversation_rows_take_progress_from_statuses():
    rows = [
        {"conversation": "c-1", "status": "processing", "channel": "call"},
        {"conversation": "c-2", "status": "ingested", "channel": "chat", "score": 91.0},
    ]
    statuses = {"c-1": {"status": "processing", "progress": 0.3, "stage": "decoding"}}
    first, second = cvm.conversation_rows(rows, [], statuses)
    assert first.state.label == "Processing 30%" and first.state.stage == "decoding"
    assert not second.state.shown and second.score.text == "91"
    # Without statuses the row's own status still gives a badge.
    assert cvm.conversation_rows(rows, [])[0].state.label == "Processing 0%"


SPEECH = {
    "duration": 72.02,
    "talk_seconds": {"agent": 40.12, "customer": 21.24},
    "talk_to_listen": 1.889,
    "silence_share": 0.15,
    "longest_silence": 14.6,
    "dead_air": [{"start": 30.0, "end": 44.6, "seconds": 14.6, "after_turn": 4}],
    "overtalk_count": 2,
    "overtalk_seconds": 0.86,
    "agent_interruptions": 1,
    "words_per_minute": {"agent": 200.4, "customer": None},
    "longest_agent_monologue": 9.5,
    "holds": [{"start": 10.0, "end": 70.0, "seconds": 60.0, "after_turn": 2}],
}


def test_web_viewmodels_speech_stats_label_every_metric():
    stats = {s.key: s.value for s in callvm.speech_stats(SPEECH)}
    assert stats == {
        "talk_agent": "40.1 s",
        "talk_customer": "21.2 s",
        "talk_to_listen": "1.89",
        "silence_share": "15%",
        "longest_silence": "14.6 s",
        "dead_air": "1 gap",
        "overtalk": "2 times, 0.9 s",
        "agent_interruptions": "1",
        "wpm_agent": "200 wpm",
        "wpm_customer": "—",
        "longest_agent_monologue": "9.5 s",
        "holds": "1 hold, 1:00",
    }
    assert all(s.label and s.hint for s in callvm.speech_stats(SPEECH))
    quiet = {s.key: s.value for s in callvm.speech_stats({"talk_to_listen": None})}
    assert quiet["talk_to_listen"] == "—" and quiet["overtalk"] == "0 times"
    assert quiet["dead_air"] == "0 gaps" and quiet["holds"] == "0 holds"


def test_web_viewmodels_gap_views_in_time_order_with_turn_numbers():
    gaps = callvm.gap_views(SPEECH)
    assert [(g.kind, g.time, g.seconds, g.after) for g in gaps] == [
        ("hold", "0:10", "1:00", "after turn #3"),
        ("dead_air", "0:30", "14.6 s", "after turn #5"),
    ]
    assert gaps[1].start == 30.0
    first = callvm.gap_views({"dead_air": [{"start": 1.0, "seconds": 11, "after_turn": -1}]})[0]
    assert first.after == ""


def test_web_viewmodels_call_view_shapes_the_analytics_panel():
    details = {
        "speech": SPEECH,
        "speaker_mode": "mono",
        "asr": {"engine": "faster-whisper", "model": "tiny.en"},
        "redactions": 3,
        "redaction_kinds": {"card": 2, "national_id": 1},
        "role_swaps": 1,
        "speaker_checks": {2: 1, 5: 3},
        "has_audio": True,
        "duration": 72.0,
    }
    call = callvm.call_view(details)
    assert call.measured and call.has_audio and call.mono
    assert call.duration == "1:12"
    assert (call.agent_share, call.customer_share, call.silence_share) == (56, 29, 15)
    assert call.talk_ratio == "1.89"
    assert call.speaker_mode.startswith("Mono")
    assert call.asr == "faster-whisper · tiny.en"
    assert call.redactions == 3
    assert call.redaction_text == "3 items redacted (2 card, 1 national id)"
    assert call.role_swaps == 1
    assert call.speaker_checks == "2 turns to check"
    assert len(call.stats) == 11 and len(call.gaps) == 2
    assert "talk_to_listen" not in {st.key for st in call.stats}  # the headline shows it


def test_web_viewmodels_call_view_says_how_many_repetition_loops_were_mended():
    asr = {"engine": "faster-whisper", "model": "tiny.en"}
    one = callvm.call_view({"asr": {**asr, "loops_mended": 1}, "duration": 5.0})
    assert one.asr == "faster-whisper · tiny.en · 1 repetition loop mended"
    two = callvm.call_view({"asr": {**asr, "loops_mended": 2}, "duration": 5.0})
    assert two.asr.endswith("2 repetition loops mended")
    assert callvm.call_view({"asr": {**asr, "loops_mended": 0}}).asr == "faster-whisper · tiny.en"


def test_web_viewmodels_call_view_of_an_unmeasured_call_and_of_none():
    call = callvm.call_view({"speaker_mode": "stereo", "redactions": 0, "has_audio": False})
    assert not call.measured and call.stats == [] and call.gaps == []
    assert call.talk_ratio == "—" and call.duration == "—"
    assert call.speaker_mode.startswith("Stereo") and not call.mono
    assert call.redaction_text == "Nothing redacted" and call.asr == "—"
    assert call.speaker_checks == ""
    assert callvm.call_view(None) == callvm.CallView()
    assert callvm.redaction_text(1, {"card": 1}) == "1 item redacted (1 card)"


def test_web_viewmodels_format_duration_and_audio_path():
    assert fmt.format_duration(None) == "—"
    assert fmt.format_duration(9.46) == "9.5 s"
    assert fmt.format_duration(61) == "1:01"
    assert callvm.audio_path("call 1/a") == "/api/v1/audio/call%201%2Fa"


def test_web_viewmodels_turn_views_flag_turns_whose_speaker_to_check():
    view = {
        "turns": [
            {"speaker": "agent", "text": "Hello, Bluebird Bank.", "start": 0.0},
            {"speaker": "customer", "text": "Hi, yes.", "start": 2.0},
            {"speaker": "agent", "text": "How can I help?", "start": 3.0},
        ]
    }
    turns = tm.turn_views(view, checks={1: 1, 2: 3})
    assert [t.speaker_check for t in turns] == [
        "",
        "Check the speaker: the voice is unclear on 1 word",
        "Check the speaker: the voice is unclear on 3 words",
    ]
    assert all(t.speaker_check == "" for t in tm.turn_views(view))
