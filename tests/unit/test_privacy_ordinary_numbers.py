"""What is not personal data stays: prices, times, delivery dates, case and order numbers.

Decision on order numbers: a number announced by an identifier word ("order", "case number",
"tracking number", "reference", "account number", ...) is kept unless it is a complete Luhn-valid
card number. A bare 10-digit number with no context at all is redacted as a phone number (it
may well be one; over-redacting is the safer failure).
"""

from __future__ import annotations

import pytest

from trainer.privacy import ENV_KINDS, Redactor


@pytest.fixture(autouse=True)
def _default_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_KINDS, raising=False)


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor("all")


@pytest.mark.parametrize(
    "text",
    [
        "order 3348917502",
        "Order number 3348917502, placed yesterday.",
        "my account number is 12345678",
        "tracking number 1234 5678 9012 3456",
        "That's $94.00 and you'll see it within 3-5 business days.",
        "The refund of $1,200.50 lands by Friday.",
        "It will arrive by Friday, or on the 3rd of June at the latest.",
        "It will arrive 03/06/2026.",
        "Your case number is CS-48213.",
        "Your reference is MF-R-4411, serial HT-2X-77310.",
        "We open at 8am, the technician comes between 8 and 12, or 10:30.",
        "I called 3 times, on May 3rd and June 4th, and spent 45 minutes on hold.",
        "I was charged twice for my order and I'm really frustrated.",
        "the card ending in 1234",
        "I'm paying for 500 Mbps and getting 40, on the 20GB plan.",
        "Version 2.3.1 of the app, 20% off, 3,160 points.",
        "I waited 3 times on the way",
        "I'm at home, so look at example dot com for details",
        "It's on the 2nd floor, room 204",
        "this is the third time I've asked, one more time and I cancel",
        "Can I take the long number on the front of the card?",
        "in one simple way, a five star place, a ten minute walk",
        "I saw it on social media, 2019 was great",
        "The technician will call 30 minutes before arriving.",
    ],
)
def test_ordinary_text_is_unchanged(redactor, text):
    result = redactor.redact(text)
    assert result.text == text, result.spans


def test_order_number_beside_an_email(redactor):
    assert redactor.redact("dana@example.com, order 3348917502").text == "[EMAIL], order 3348917502"


def test_bare_ten_digits_are_treated_as_a_phone(redactor):
    assert redactor.redact("3348917502").text == "[PHONE]"


def test_luhn_valid_card_is_redacted_even_after_an_identifier_word(redactor):
    assert redactor.redact("order 4111 1111 1111 1111").text == "order [CARD]"


def test_order_numbers_are_redacted_when_asked_for_as_phone_context(redactor):
    # a phone word nearer than the identifier word wins
    text = "order 3348917502, and my phone number is 3348917503"
    assert redactor.redact(text).text == "order 3348917502, and my phone number is [PHONE]"
