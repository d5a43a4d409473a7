"""Which kinds are redacted (argument, $TRAINER_REDACT) and the keep-the-original setting."""

from __future__ import annotations

import pytest

from trainer.errors import TrainerError
from trainer.privacy import (
    ALL_KINDS,
    ENV_KINDS,
    ENV_STORE_UNREDACTED,
    KINDS,
    RedactionConfigError,
    Redactor,
    parse_kinds,
    store_unredacted_allowed,
)

TEXT = "card 4111 1111 1111 1111, email dana@example.com, call 555-0148"


@pytest.fixture(autouse=True)
def _default_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_KINDS, raising=False)
    monkeypatch.delenv(ENV_STORE_UNREDACTED, raising=False)


def test_default_is_every_kind():
    assert (
        Redactor().kinds
        == ALL_KINDS
        == frozenset(
            {
                "card",
                "cvv",
                "expiry",
                "pin",
                "national_id",
                "iban",
                "phone",
                "email",
                "address",
                "dob",
            }
        )
    )
    assert {k.placeholder for k in KINDS.values()} == {
        "[CARD]",
        "[CVV]",
        "[EXPIRY]",
        "[PIN]",
        "[SSN]",
        "[IBAN]",
        "[PHONE]",
        "[EMAIL]",
        "[ADDRESS]",
        "[DOB]",
        "[NAME]",  # opt-in (TRAINER_REDACT_NAMES=1), not in ALL_KINDS
    }


def test_only_card_leaves_email_and_phone():
    result = Redactor(kinds={"card"}).redact(TEXT)
    assert result.text == "card [CARD], email dana@example.com, call 555-0148"
    assert {k for *_, k in result.spans} == {"card"}


def test_kinds_by_argument_accept_strings_and_aliases():
    assert Redactor("email, phone").kinds == {"email", "phone"}
    assert Redactor(["SSN", "date-of-birth", "credit_card"]).kinds == {"national_id", "dob", "card"}
    assert Redactor("all").kinds == ALL_KINDS


def test_kinds_by_environment(monkeypatch):
    monkeypatch.setenv(ENV_KINDS, "email")
    assert Redactor().redact(TEXT).text == "card 4111 1111 1111 1111, email [EMAIL], call 555-0148"
    # an explicit argument wins over the environment
    assert Redactor({"phone"}).redact(TEXT).text.endswith("call [PHONE]")


@pytest.mark.parametrize("value", ["none", "NONE", " none "])
def test_none_redacts_nothing(monkeypatch, value):
    monkeypatch.setenv(ENV_KINDS, value)
    result = Redactor().redact(TEXT)
    assert result.text == TEXT and result.spans == []
    assert Redactor(set()).redact(TEXT).text == TEXT


def test_unknown_kind_is_a_coded_error(monkeypatch):
    with pytest.raises(RedactionConfigError) as caught:
        parse_kinds("card, passport")
    assert isinstance(caught.value, TrainerError)
    assert "passport" in str(caught.value) and caught.value.code.startswith("E")
    monkeypatch.setenv(ENV_KINDS, "cards")
    with pytest.raises(RedactionConfigError, match=ENV_KINDS):
        Redactor()


@pytest.mark.parametrize(
    ("value", "allowed"),
    [(None, False), ("", False), ("0", False), ("no", False), ("1", True), ("true", True)],
)
def test_store_unredacted_needs_an_explicit_setting(monkeypatch, value, allowed):
    if value is not None:
        monkeypatch.setenv(ENV_STORE_UNREDACTED, value)
    assert store_unredacted_allowed() is allowed
