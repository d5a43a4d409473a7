"""National identity numbers beyond the US and UK ones (see national_id.py), each accepted only
when its check digit or letter is right:

* Canada SIN: 9 digits (typed 3-3-3 or read aloud), Luhn; with no context word it must be
  grouped 3-3-3.
* Spain DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter): check letter mod 23.
* Italy codice fiscale: 16 characters, check letter.
* Netherlands BSN: 9 digits, "eleven test"; only after a context word (the test alone passes
  one 9-digit order number in eleven).
* France NIR: 15 digits (typed with or without its usual spaces, or read aloud), key mod 97.
* Ireland PPSN: 7 digits and one or two letters, check letter mod 23.
* India Aadhaar: 12 digits (4-4-4 or after a context word), Verhoeff check digit.
"""

from __future__ import annotations

import re

from trainer.privacy.checksums import (
    aadhaar_valid,
    bsn_valid,
    codice_fiscale_valid,
    dni_valid,
    nir_valid,
    ppsn_valid,
    sin_valid,
)
from trainer.privacy.context import phrase_regex
from trainer.privacy.numbers import digit_runs
from trainer.privacy.recognizers import register
from trainer.privacy.recognizers.base import Hit, TrainerRecognizer

# Words that announce one of these numbers (the US/UK ones are in patterns.CONTEXT).
_CONTEXT = phrase_regex(
    (
        "sin",
        "sin number",
        "social insurance",
        "social insurance number",
        "bsn",
        "burgerservicenummer",
        "citizen service number",
        "nir",
        "securite sociale",
        "sécurité sociale",
        "insee",
        "pps",
        "ppsn",
        "pps number",
        "aadhaar",
        "aadhar",
        "dni",
        "nie",
        "nif",
        "codice fiscale",
        "fiscal code",
        "tax code",
        "id number",
        "identity number",
        "national id",
    )
)
_CONTEXT_WORDS = 8
_WORD = re.compile(r"\w+")
_DNI = re.compile(r"(?<![\w-])([XYZ]?\d{7,8})[ -]?([A-Z])(?![\w-])", re.IGNORECASE)
_CF_DIGIT = "[0-9LMNPQRSTUV]"
_CODICE_FISCALE = re.compile(
    rf"(?<![\w])[A-Z]{{6}}{_CF_DIGIT}{{2}}[A-Z]{_CF_DIGIT}{{2}}[A-Z]{_CF_DIGIT}{{3}}[A-Z](?![\w])",
    re.IGNORECASE,
)
_PPSN = re.compile(r"(?<![\w-])\d{7}[ -]?[A-W][A-IW]?(?![\w-])", re.IGNORECASE)
_NIR_CORSICA = re.compile(r"(?<![\w])[12]\s?\d{2}\s?\d{2}\s?2[AB]\s?\d{3}\s?\d{3}\s?\d{2}(?![\w])")


@register("national_id_intl")
class InternationalIdRecognizer(TrainerRecognizer):
    ENTITY = "NATIONAL_ID"
    NAME = "national_id_intl"

    def find(self, text: str):
        contexts = [m.end() for m in _CONTEXT.finditer(text)]
        for run in digit_runs(text):
            digits = run.digits
            near = _after_context(text, contexts, run.start)
            if len(digits) == 9:
                if sin_valid(digits) and (near or run.grouping == (3, 3, 3)):
                    yield Hit(run.start, run.end, 0.85 if near else 0.7, "Canada SIN (Luhn)")
                elif near and bsn_valid(digits):
                    yield Hit(run.start, run.end, 0.85, "Netherlands BSN (eleven test)")
            elif len(digits) == 15 and nir_valid(digits):
                yield Hit(run.start, run.end, 0.95, "France NIR (key mod 97)")
            elif len(digits) == 12 and aadhaar_valid(digits):
                if near or run.grouping == (4, 4, 4):
                    yield Hit(run.start, run.end, 0.8, "India Aadhaar (Verhoeff)")
        for m in _NIR_CORSICA.finditer(text):
            if nir_valid(re.sub(r"\s", "", m.group())):
                yield Hit(m.start(), m.end(), 0.95, "France NIR (key mod 97)")
        for m in _DNI.finditer(text):
            if dni_valid(m.group(1) + m.group(2)):
                yield Hit(m.start(), m.end(), 0.85, "Spain DNI/NIE (check letter)")
        for m in _CODICE_FISCALE.finditer(text):
            if codice_fiscale_valid(m.group()):
                yield Hit(m.start(), m.end(), 0.9, "Italy codice fiscale (check letter)")
        for m in _PPSN.finditer(text):
            if ppsn_valid(re.sub(r"[ -]", "", m.group())):
                yield Hit(m.start(), m.end(), 0.85, "Ireland PPSN (check letter)")


def _after_context(text: str, contexts: list[int], pos: int) -> bool:
    """True when a context phrase ends at most a few words before `pos`."""
    return any(
        end <= pos and len(_WORD.findall(text, end, pos)) <= _CONTEXT_WORDS for end in contexts
    )
