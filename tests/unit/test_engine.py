"""The scoring engine end to end on conversations: rubric in, evaluation with evidence out."""

from trainer.scoring.engine import score_conversation
from trainer.scoring.rubric import find_rubric, parse_rubric

from ..conftest import GOOD_CHAT, POOR_CHAT, make_conversation


def test_engine_good_chat_outscores_poor_chat_in_every_section():
    rubric = find_rubric("customer_service")
    good = score_conversation(make_conversation(GOOD_CHAT, customer="Dana Ruiz"), rubric)
    poor = score_conversation(make_conversation(POOR_CHAT, customer="Dana Ruiz"), rubric)
    assert good.score == 100.0
    for section in ("empathy", "clarity", "resolution", "follow_up"):
        assert good.sections[section] > poor.sections[section] + 40, section
    assert poor.sections["empathy"] == 0.0  # dismissive language auto-fails the section
    assert poor.score < 30


def test_engine_every_scored_result_explains_itself():
    rubric = find_rubric("customer_service")
    result = score_conversation(make_conversation(POOR_CHAT), rubric)
    assert result.rubric == "customer_service@4"
    for criterion in result.criteria:
        assert criterion.score.explanation
        assert criterion.detector and criterion.detector.endswith(".v1")
        if criterion.score.status == "scored":
            assert 0.0 <= criterion.score.value <= 1.0
        for evidence in criterion.score.evidence:
            text = POOR_CHAT[evidence.turn][1]
            assert text[evidence.start : evidence.end] == evidence.quote


def _one_criterion(**extra):
    criterion = {"id": "c", "title": "C", "guidance": "g", **extra}
    return parse_rubric(
        {
            "id": "r",
            "version": 1,
            "title": "R",
            "sections": [{"id": "s", "title": "S", "criteria": [criterion]}],
        }
    )


def test_engine_criterion_without_detector_is_unscored_for_a_human():
    result = score_conversation(make_conversation(GOOD_CHAT), _one_criterion())
    assert result.criteria[0].score.status == "unscored"
    assert result.needs_review and result.score is None


def test_engine_na_not_allowed_becomes_unscored():
    rubric = _one_criterion(na_allowed=False, detector={"name": "empathy.acknowledgement.v1"})
    result = score_conversation(
        make_conversation([("customer", "hours?"), ("agent", "9-5")]), rubric
    )
    assert result.criteria[0].score.status == "unscored"
    assert "N/A is not allowed" in result.criteria[0].score.explanation


def test_engine_channel_restricted_criterion_is_na_elsewhere():
    rubric = _one_criterion(channels=["call"], detector={"name": "call_handling.closing.v1"})
    result = score_conversation(make_conversation(GOOD_CHAT, channel="chat"), rubric)
    assert result.criteria[0].score.na
