"""PII redaction: each kind, typed and spoken, becomes its placeholder; spans point at the text."""

from __future__ import annotations

import pickle

import pytest

from trainer.privacy import ENV_KINDS, ENV_STORE_UNREDACTED, RedactedSpan, Redaction, Redactor


@pytest.fixture(autouse=True)
def _default_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_KINDS, raising=False)
    monkeypatch.delenv(ENV_STORE_UNREDACTED, raising=False)


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor(kinds="all")


# (text, the exact stretch that must be redacted, its kind)
CASES = [
    # card: typed, broken-up, spoken, mixed, "double"/"triple"/"oh", partial after context
    ("my card number is 4111 1111 1111 1111", "4111 1111 1111 1111", "card"),
    ("it's 4111-1111-1111-1111 thanks", "4111-1111-1111-1111", "card"),
    ("4111, 111, 111", "4111, 111, 111", "card"),
    ("the card is 4111, 111, 111", "4111, 111, 111", "card"),
    ("card number is four one one one", None, None),  # 4 digits: not enough on its own
    (
        "four one one one one one one one one one one one one one one one",
        "four one one one one one one one one one one one one one one one",
        "card",
    ),
    ("my card number four one one one one one one one", "four one one one one one one one", "card"),
    (
        "card number four one one one, 1111 1111 1111",
        "four one one one, 1111 1111 1111",
        "card",
    ),
    (
        "the long number on the front is double five oh oh, oh oh oh oh, triple oh four",
        "double five oh oh, oh oh oh oh, triple oh four",
        "card",
    ),
    ("card number 4111 1111 11", "4111 1111 11", "card"),  # ASR dropped digits
    # cvv
    ("security code is 123", "123", "cvv"),
    ("the three digits on the back are one two three", "one two three", "cvv"),
    ("CVV: 9876", "9876", "cvv"),
    ("and the CVC, um, it's seven four two", "seven four two", "cvv"),
    # national ids
    ("my social is 123-45-6789", "123-45-6789", "national_id"),
    ("SSN 536 22 8721", "536 22 8721", "national_id"),
    (
        "social security number one two three four five six seven eight nine",
        "one two three four five six seven eight nine",
        "national_id",
    ),
    ("last four of my social are 6789", "6789", "national_id"),
    ("NI number AB 12 34 56 C", "AB 12 34 56 C", "national_id"),
    (
        "my national insurance number is q q one two three four five six c",
        "q q one two three four five six c",
        "national_id",
    ),
    # phone
    (
        "call me on five five five, zero one four eight",
        "five five five, zero one four eight",
        "phone",
    ),
    ("my number is (415) 555-0148", "(415) 555-0148", "phone"),
    ("you can reach me at +44 20 7946 0958", "+44 20 7946 0958", "phone"),
    ("it's 555-0148", "555-0148", "phone"),
    (
        "my mobile is oh seven seven double oh nine double oh one two three",
        "oh seven seven double oh nine double oh one two three",
        "phone",
    ),
    # email
    ("my email is dana@example.com", "dana@example.com", "email"),
    ("it's dana at example dot com", "dana at example dot com", "email"),
    ("dana dot ruiz at gmail dot co dot uk", "dana dot ruiz at gmail dot co dot uk", "email"),
    ("my email is dana ruiz at gmail dot com", "dana ruiz at gmail dot com", "email"),
    # address
    ("I live at 14 Birch Road", "14 Birch Road", "address"),
    ("ship to 6821 1st Ave please", "6821 1st Ave", "address"),
    ("221B Baker Street, London NW1 6XE", "221B Baker Street, London NW1 6XE", "address"),
    ("it's fourteen birch road", "fourteen birch road", "address"),
    (
        "six eight two one first avenue, apartment 4B",
        "six eight two one first avenue, apartment 4B",
        "address",
    ),
    (
        "22 Harbour View, Unit 5, Portland, OR 97209",
        "22 Harbour View, Unit 5, Portland, OR 97209",
        "address",
    ),
    ("my zip code is 90210", "90210", "address"),
    ("ship it to 12 rose court", "12 rose court", "address"),
    ("3 Elm Way", "3 Elm Way", "address"),
    ("PO Box 4471", "PO Box 4471", "address"),
    # card read digit by digit, with the homophones ASR writes for lone digits
    (
        "my card number is for two for two, for two for two, for two for two, for two for two",
        "for two for two, for two for two, for two for two, for two for two",
        "card",
    ),
    (
        "it's four two four two, for two four two, four two for two, four to four two",
        "four two four two, for two four two, four two for two, four to four two",
        "card",
    ),
    ("I paid for two for two months", None, None),
    ("it went from one to two to three to four to five to six to seven to eight", None, None),
    # PINs, passcodes, one-time codes
    ("my PIN is one two three four", "one two three four", "pin"),
    ("the code we sent you is 482913", "482913", "pin"),
    ("your one-time passcode is 4 8 2 9 1 3", "4 8 2 9 1 3", "pin"),
    ("the order PIN is not needed, order 4821", None, None),
    # card expiry dates
    ("the expiry date is 04/27", "04/27", "expiry"),
    ("it expires oh four twenty seven", "oh four twenty seven", "expiry"),
    ("valid thru April 2027", "April 2027", "expiry"),
    ("expiry is April twenty twenty seven", "April twenty twenty seven", "expiry"),
    ("delivery in April 2027", None, None),
    # date of birth
    (
        "date of birth is third of March nineteen fifty one",
        "third of March nineteen fifty one",
        "dob",
    ),
    ("I was born on 3 March 1951", "3 March 1951", "dob"),
    ("DOB 03/03/1951", "03/03/1951", "dob"),
    ("my birthday is March 3rd, 1951", "March 3rd, 1951", "dob"),
    (
        "date of birth: oh three oh three one nine five one",
        "oh three oh three one nine five one",
        "dob",
    ),
]


@pytest.mark.parametrize(("text", "secret", "kind"), CASES, ids=[c[0][:40] for c in CASES])
def test_each_kind_is_redacted_with_its_placeholder(redactor, text, secret, kind):
    result = redactor.redact(text)
    if secret is None:
        assert result.text == text and result.spans == []
        return
    start = text.index(secret)
    assert (start, start + len(secret), kind) in result.spans, result.spans
    placeholder = RedactedSpan(0, 0, kind).placeholder
    assert placeholder in result.text
    assert secret not in result.text


def test_placeholders_are_typed(redactor):
    text = (
        "card 4111 1111 1111 1111, cvv 123, ssn 123-45-6789, phone (415) 555-0148, "
        "email dana@example.com, at 14 Birch Road, born on 3 March 1951"
    )
    assert redactor.redact(text).text == (
        "card [CARD], cvv [CVV], ssn [SSN], phone [PHONE], email [EMAIL], at [ADDRESS], "
        "born on [DOB]"
    )


def test_spans_point_at_the_original_text(redactor):
    text = "Sure: my email is dana at example dot com and my number is 555-0148."
    result = redactor.redact(text)
    assert [text[s:e] for s, e, _ in result.spans] == ["dana at example dot com", "555-0148"]
    assert [k for *_, k in result.spans] == ["email", "phone"]
    assert result.text == "Sure: my email is [EMAIL] and my number is [PHONE]."
    assert result.original == text
    # placeholder_spans locate the placeholders in the redacted text
    assert [result.text[s:e] for s, e, _ in result.placeholder_spans] == ["[EMAIL]", "[PHONE]"]


def test_spans_are_sorted_disjoint_and_trimmed(redactor):
    text = "card 4111 1111 1111 1111 , cvv 123 , call 555-0148 ."
    spans = redactor.redact(text).spans
    assert spans == sorted(spans)
    for (_, end, _), (start, _, _) in zip(spans, spans[1:], strict=False):
        assert end <= start
    for start, end, _ in spans:
        assert text[start:end] == text[start:end].strip(" ,.")


def test_context_from_the_previous_turn(redactor):
    assert redactor.redact("seven four two").text == "seven four two"
    asked = "And the three digit security code on the back?"
    assert redactor.redact("seven four two", context=asked).text == "[CVV]"
    dob = "Can you confirm your date of birth?"
    assert redactor.redact("March third, fifty one", context=dob).text == "[DOB]"
    card = "Can you read me the long number on the front?"
    assert redactor.redact("sure, 4111 1111 11", context=card).text == "sure, [CARD]"


def test_redact_many_matches_redact(redactor):
    texts = ["card 4111 1111 1111 1111", "Okay.", "", "call me on 555-0148", "by Friday"]
    many = redactor.redact_many(texts)
    assert [r.text for r in many] == [redactor.redact(t).text for t in texts]
    assert [r.original for r in many] == texts


@pytest.mark.parametrize(
    "text",
    [
        "my card number is 4111 1111 1111 1111 and the cvv is 123",
        "it's dana at example dot com, 14 Birch Road, London NW1 6XE",
        "call me on five five five, zero one four eight, born on 3 March 1951",
        "ssn 123-45-6789 and NI number AB 12 34 56 C",
        "the card is 4111, 111, 111 and my number is (415) 555-0148",
        "Order AO-55812, dana@example.com, order 3348917502, $94.00 in 3-5 business days",
        "[CARD] [CVV] [SSN] [PHONE] [EMAIL] [ADDRESS] [DOB]",
    ],
)
def test_redaction_is_idempotent(redactor, text):
    once = redactor.redact(text)
    twice = redactor.redact(once.text)
    assert twice.text == once.text
    assert twice.spans == []


def test_original_is_kept_in_memory_only(redactor, monkeypatch):
    result = redactor.redact("my card is 4111 1111 1111 1111")
    assert isinstance(result, Redaction)
    assert "4111" not in repr(result)
    assert "4111" not in str(result.to_dict())
    assert result.to_dict() == {"text": "my card is [CARD]", "spans": [[11, 30, "card"]]}
    restored = pickle.loads(pickle.dumps(result))
    assert restored.text == result.text and restored.spans == result.spans
    assert restored.original is None
    monkeypatch.setenv(ENV_STORE_UNREDACTED, "1")
    assert pickle.loads(pickle.dumps(result)).original == result.original
