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
