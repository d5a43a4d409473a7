"""The Presidio engine is built once, on a locally installed spaCy model, and never downloads."""

from __future__ import annotations

import socket

import pytest
import spacy

from trainer.privacy import Redactor
from trainer.privacy.engine import get_analyzer, load_redaction_nlp, model_name
from trainer.privacy.recognizers import RECOGNIZERS, build_recognizers


def test_engine_is_cached_and_uses_a_local_pipeline():
    analyzer = get_analyzer()
    assert get_analyzer() is analyzer
    assert analyzer.nlp_engine.nlp["en"] is load_redaction_nlp()
    assert model_name().startswith(("en_core_web_sm", "blank-en"))
    assert "lg" not in model_name()


def test_own_and_presidio_recognizers_are_registered_by_name():
    expected = {
        "card_readout",
        "security_code",
        "national_id",
        "phone_readout",
        "spoken_email",
        "street_address",
        "date_of_birth",
        "presidio_credit_card",
        "presidio_email",
        "presidio_phone",
        "presidio_us_ssn",
        "presidio_uk_nino",
    }
    assert expected <= set(RECOGNIZERS)
    assert [r.name for r in build_recognizers(["card_readout"])] == ["card_readout"]
    with pytest.raises(KeyError):
        build_recognizers(["no_such_recognizer"])


def test_no_network_and_no_model_download(monkeypatch):
    from trainer.privacy.recognizers import presidio

    def refuse(*args, **kwargs):
        raise AssertionError("redaction tried to download something")

    monkeypatch.setattr(spacy.cli, "download", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    presidio._offline_tldextract.cache_clear()  # rebuild the suffix list with the network off
    result = Redactor("all").redact("mail dana@example.co.uk or call (415) 555-0148")
    assert result.text == "mail [EMAIL] or call [PHONE]"


def test_engine_artifacts_are_presidios_with_lower_case_lemmas():
    """The array-read artifacts hold what Presidio's own engine gives when each lemma is the
    lower-case form: the same lemmas, token offsets and keywords."""
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    engine = get_analyzer().nlp_engine
    text = "Hi, my SSN is 078-05-1120 and I was BORN on the 3rd: call me at 10:30, please!"
    ((_, ours),) = list(engine.process_batch([text], language="en"))
    doc = load_redaction_nlp()(text)
    for token in doc:
        token.lemma_ = token.lower_
    theirs = SpacyNlpEngine._doc_to_nlp_artifact(engine, doc, "en")
    assert ours.lemmas == theirs.lemmas
    assert ours.tokens_indices == theirs.tokens_indices
    assert ours.keywords == theirs.keywords
    assert "10" in ours.keywords and "30" in ours.keywords  # "10:30" split at the colon
    assert "the" not in ours.keywords and "," not in ours.keywords


def test_engine_finds_a_match_token_as_presidio_does():
    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

    from trainer.privacy.engine import IndexedContextEnhancer

    doc = load_redaction_nlp()("  call me on 415-555-0148,  or   mail dana@example.com  x")
    indices = [t.idx for t in doc]
    for start in range(len(doc.text) - 1):
        expected = LemmaContextAwareEnhancer._find_index_of_match_token("w", start, doc, indices)
        assert IndexedContextEnhancer._find_index_of_match_token("w", start, doc, indices) == (
            expected
        ), start


def test_engine_context_words_still_raise_a_weak_match():
    """Presidio's context enhancement still runs for its own recognizers: a bare SSN-shaped
    number is kept only with "ssn" or "social security" before it."""
    assert Redactor("all").redact("my social security number is 078 05 1120").changed
    assert "[" in Redactor("all").redact("ssn 078-05-1120").text


def test_engine_phone_prefilter_skips_comma_lists_not_numbers():
    from trainer.privacy.recognizers.presidio import _PHONE_DIGITS

    for number in ("(020) 7946 0958", "415.555.0148", "+43 1234", "555 x 1234 12", "5-5-5-1-2-1"):
        assert _PHONE_DIGITS.search(number), number
    for text in ("1,2,3,4,5,6,7", "order 12345", "3-5 days"):
        assert not _PHONE_DIGITS.search(text), text
