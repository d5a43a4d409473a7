"""IBANs and national ids of several countries are redacted only when their checksums pass."""

from __future__ import annotations

import time

import pytest

from trainer.privacy import ENV_KINDS, Redactor
from trainer.privacy.checksums import (
    aadhaar_valid,
    bsn_valid,
    codice_fiscale_valid,
    dni_valid,
    iban_valid,
    nir_valid,
    ppsn_valid,
    sin_valid,
)


@pytest.fixture(autouse=True)
def _default_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_KINDS, raising=False)
    monkeypatch.delenv("TRAINER_REDACT_NAMES", raising=False)


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor(kinds="all")


IBANS = [
    ("my IBAN is GB29 NWBK 6016 1331 9268 19, thanks", "GB29 NWBK 6016 1331 9268 19"),
    ("iban: GB29NWBK60161331926819.", "GB29NWBK60161331926819"),
    ("de89-3704-0044-0532-0130-00", "de89-3704-0044-0532-0130-00"),
    ("pay to DE89 3704 0044 0532 0130 00 today", "DE89 3704 0044 0532 0130 00"),
    ("FR14 2004 1010 0505 0001 3M02 606", "FR14 2004 1010 0505 0001 3M02 606"),
    ("NL91ABNA0417164300 is mine", "NL91ABNA0417164300"),
    (
        "it's G B two nine N W B K six zero one six one three three one nine two six eight one "
        "nine, got it?",
        "G B two nine N W B K six zero one six one three three one nine two six eight one nine",
    ),
]


@pytest.mark.parametrize(("text", "secret"), IBANS, ids=[t[:30] for t, _ in IBANS])
def test_privacy_iban_redacted_spaced_unspaced_dashed_and_spoken(redactor, text, secret):
    result = redactor.redact(text)
    assert secret not in result.text
    assert "[IBAN]" in result.text
    assert [s.kind for s in result.spans] == ["iban"]
    span = result.spans[0]
    assert text[span.start : span.end] == secret


@pytest.mark.parametrize(
    "text",
    [
        "order GB29 NWBK 6016 1331 9268 18 (one digit off)",
        "the part is DE12 and the code AB12CD",
        "postcode SW1A 1AA, flight BA2490",
        "GB29NWBK6016133192681912345 runs on",
    ],
)
def test_privacy_iban_ordinary_codes_stay(redactor, text):
    assert "[IBAN]" not in redactor.redact(text).text


def test_privacy_iban_checksum():
    assert iban_valid("GB29NWBK60161331926819")
    assert iban_valid("de89370400440532013000")
    assert not iban_valid("GB29NWBK60161331926818")
    assert not iban_valid("GB29NWBK6016133192681")  # one short for GB
    assert not iban_valid("QQ29NWBK60161331926819")  # no such country


IDS = [
    ("my SIN is 130 692 544", "130 692 544"),
    ("it's 130-692-544", "130-692-544"),
    ("social insurance number one three zero six nine two five four four", None),
    ("mi DNI es 12345678Z", "12345678Z"),
    ("NIE X1234567L please", "X1234567L"),
    ("codice fiscale RSSMRA85T10A562S", "RSSMRA85T10A562S"),
    ("my BSN is 111222333", "111222333"),
    ("NIR 2 55 08 14 168 025 38", "2 55 08 14 168 025 38"),
    ("PPS number 1234567T", "1234567T"),
    ("1234567FA is my PPSN", "1234567FA"),
    ("aadhaar 2341 2341 2346", "2341 2341 2346"),
]


@pytest.mark.parametrize(("text", "secret"), IDS, ids=[t[:30] for t, _ in IDS])
def test_privacy_national_ids_of_several_countries(redactor, text, secret):
    result = redactor.redact(text)
    assert result.spans, text
    if secret:
        assert secret not in result.text
        span = result.spans[0]
        assert text[span.start : span.end] == secret
    assert not any(ch.isdigit() for ch in result.text)


@pytest.mark.parametrize(
    "text",
    [
        "order 130692544",  # Luhn-valid 9 digits, but not grouped like a SIN, no SIN word
        "model 12345678A",  # wrong DNI letter
        "ref RSSMRA85T10A562X",  # wrong codice fiscale letter
        "tracking 1234567A",  # wrong PPSN letter
        "reference 2341 2341 2345",  # wrong Verhoeff digit
    ],
)
def test_privacy_national_ids_need_their_checksum(redactor, text):
    assert redactor.redact(text).text == text


def test_privacy_national_id_checksums():
    assert sin_valid("130692544") and not sin_valid("130692545")
    assert dni_valid("12345678Z") and not dni_valid("12345678A")
    assert dni_valid("X1234567L") and not dni_valid("X1234567A")
    assert codice_fiscale_valid("RSSMRA85T10A562S")
    assert not codice_fiscale_valid("RSSMRA85T10A562A")
    assert bsn_valid("111222333") and not bsn_valid("111222334")
    assert nir_valid("255081416802538") and not nir_valid("255081416802539")
    assert ppsn_valid("1234567T") and ppsn_valid("1234567FA") and not ppsn_valid("1234567A")
    assert aadhaar_valid("234123412346") and not aadhaar_valid("234123412345")


def test_privacy_iban_time_is_linear():
    """Long runs of IBAN-looking starts and spoken letters never take long (each candidate looks
    at most one IBAN's length ahead)."""
    redactor = Redactor(kinds="iban")
    small, big = "GB29 " * 1_000, "GB29 " * 10_000
    spoken_small, spoken_big = "g b two nine " * 500, "g b two nine " * 5_000
    timings = []
    for text in (small, big, spoken_small, spoken_big):
        began = time.perf_counter()
        redactor.redact(text)
        timings.append(time.perf_counter() - began)
    # 10x the text: well under 30x the time (quadratic would be 100x); generous for shared CPUs
    assert timings[1] < 30 * timings[0] + 0.5
    assert timings[3] < 30 * timings[2] + 0.5
