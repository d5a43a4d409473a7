"""Speech analytics and speaker grouping on hand-made timelines (no audio needed)."""

import pytest

from trainer.speech.engines.base import Segment, Transcript, Word
from trainer.speech.metrics import measure
from trainer.speech.speakers import SpeakerTurn, assign_roles, group_turns, stereo_turns


def words(text: str, start: float, seconds_per_word: float = 0.4) -> list[Word]:
    out, t = [], start
    for token in text.split():
        out.append(Word(token, t, t + seconds_per_word - 0.05))
        t += seconds_per_word
    return out


def turn(speaker: str, text: str, start: float, spw: float = 0.4) -> SpeakerTurn:
    return SpeakerTurn(speaker, words(text, start, spw))


def transcript(*pieces: tuple[str, float]) -> Transcript:
    segments = tuple(
        Segment(text, start, start + 0.4 * len(text.split()), tuple(words(text, start)))
        for text, start in pieces
    )
    return Transcript(segments, 60.0, "test", "none")


def test_speech_metrics_talk_silence_and_ratio():
    turns = [
        turn("agent", "hello thanks for calling this is sam", 0.0),  # 7 words, 0-2.75
        turn("customer", "my bill is wrong", 4.0),  # 4-5.55
        turn("agent", "let me fix that now", 6.0),  # 6-7.95
    ]
    m = measure(turns, duration=10.0)
    assert m.talk_seconds["agent"] == pytest.approx(2.75 + 1.95)
    assert m.talk_seconds["customer"] == pytest.approx(1.55)
    assert m.talk_to_listen == pytest.approx((2.75 + 1.95) / 1.55)
    assert m.silence_share == pytest.approx((10 - 2.75 - 1.95 - 1.55) / 10)
    assert m.longest_silence == pytest.approx(2.05)  # 7.95 -> 10.0
    assert m.dead_air == [] and m.holds == []
    assert m.words_per_minute["agent"] == pytest.approx(12 / ((2.75 + 1.95) / 60))


def test_speech_metrics_dead_air_versus_announced_hold():
    turns = [
        turn("agent", "what is your order number", 0.0),
        turn("customer", "it is one two three", 3.0),
        turn("agent", "okay", 20.0),  # 15 s of unannounced silence before this
        turn("agent", "let me put you on a short hold", 22.0),
        turn("customer", "sure", 40.0),
    ]
    m = measure(turns, duration=41.0)
    assert len(m.dead_air) == 1
    assert m.dead_air[0]["seconds"] == pytest.approx(20.0 - 4.95)
    assert m.dead_air[0]["after_turn"] == 1
    assert len(m.holds) == 1 and m.holds[0]["after_turn"] == 3
    assert m.longest_silence > 15


def test_speech_metrics_overtalk_and_interruptions():
    turns = [
        turn("customer", "i have been waiting for weeks and nobody", 0.0),  # 0 - 3.15
        turn("agent", "i understand", 2.0),  # starts while the customer speaks
        turn("customer", "ok", 5.0),
    ]
    m = measure(turns, duration=6.0)
    assert m.overtalk_count == 1
    assert m.overtalk_seconds == pytest.approx(2.75 - 2.0, abs=0.01)  # agent 2.0-2.75
    assert m.agent_interruptions == 1


def test_speech_metrics_longest_agent_monologue():
    turns = [
        turn("agent", "one two three four five", 0.0),
        turn("agent", "six seven eight", 2.5),  # same stretch, short pause
        turn("customer", "yes", 4.0),
        turn("agent", "nine", 5.0),
    ]
    assert measure(turns, duration=6.0).longest_agent_monologue == pytest.approx(3.65)


def test_speech_stereo_turns_follow_word_times_across_channels():
    left = transcript(("hello this is sam", 0.0), ("i have refunded it", 6.0))
    right = transcript(("hi i was charged twice", 2.0))
    turns = assign_roles(stereo_turns(left, right), stereo_agent="left")
    assert [(t.speaker, t.text) for t in turns] == [
        ("agent", "hello this is sam"),
        ("customer", "hi i was charged twice"),
        ("agent", "i have refunded it"),
    ]
    swapped = assign_roles(stereo_turns(left, right), stereo_agent="right")
    assert swapped[0].speaker == "customer"


def test_speech_group_turns_splits_on_long_pauses():
    labelled = [("A", w) for w in words("one two", 0.0)] + [("A", w) for w in words("three", 5.0)]
    assert [t.text for t in group_turns(labelled)] == ["one two", "three"]


def test_speech_roles_mono_prefers_the_greeter():
    turns = [
        turn("S1", "hi I need help with my bill", 0.0),
        turn("S0", "hello thanks for calling Bluebird Bank this is Sam", 3.0),
        turn("S1", "thanks", 7.0),
    ]
    named = assign_roles(turns)
    assert [t.speaker for t in named] == ["customer", "agent", "customer"]


def test_speech_roles_mono_falls_back_to_first_speaker():
    turns = [turn("S1", "good morning", 0.0), turn("S0", "morning I have a question", 2.0)]
    assert [t.speaker for t in assign_roles(turns)] == ["agent", "customer"]
