"""Check digits of the identifiers the recognizers look for: IBAN (ISO 13616 mod 97) and the
national ids a contact centre hears (Canada SIN, Spain DNI/NIE, Italy codice fiscale,
Netherlands BSN, France NIR, Ireland PPSN, India Aadhaar).

A checksum is what lets a recognizer redact an identifier with no context word, while leaving
the order numbers and product codes that merely look like one.
"""

from __future__ import annotations

from trainer.privacy.numbers import luhn_valid

# IBAN length per country (ISO 13616 registry, the SEPA countries and the others a European
# contact centre meets).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def iban_valid(value: str) -> bool:
    """True for a well-formed IBAN (any case, no separators) whose mod-97 check passes."""
    iban = value.upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban[2:4].isdigit() or not iban.isalnum():
        return False
    moved = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


def sin_valid(digits: str) -> bool:
    """Canada's Social Insurance Number: 9 digits, Luhn, never starting with 0 or 8."""
    return len(digits) == 9 and digits.isdigit() and digits[0] not in "08" and luhn_valid(digits)


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_valid(value: str) -> bool:
    """Spain's DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter): letter = n mod 23."""
    value = value.upper()
    if len(value) != 9 or not value[-1].isalpha():
        return False
    body = value[:-1]
    if body[0] in "XYZ":
        body = str("XYZ".index(body[0])) + body[1:]
    return body.isdigit() and _DNI_LETTERS[int(body) % 23] == value[-1]


# What a character in an odd position (1st, 3rd, ...) is worth; 0-9 and A-Z share the values.
_CF_ODD = tuple(
    int(n) for n in "1 0 5 7 9 13 15 17 19 21 2 4 18 20 11 3 6 8 12 14 16 10 22 25 24 23".split()
)


def codice_fiscale_valid(value: str) -> bool:
    """Italy's codice fiscale: 16 characters whose last is a check letter over the other 15."""
    value = value.upper()
    if len(value) != 16 or not value.isalnum() or not value[-1].isalpha():
        return False
    total = 0
    for i, ch in enumerate(value[:15]):  # a duplicate's letters L-V for digits count as letters
        n = int(ch) if ch.isdigit() else ord(ch) - ord("A")
        total += _CF_ODD[n] if i % 2 == 0 else n
    return chr(ord("A") + total % 26) == value[15]


def bsn_valid(digits: str) -> bool:
    """The Netherlands' BSN: 9 digits passing the "eleven test" (weights 9..2, and -1)."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def nir_valid(digits: str) -> bool:
    """France's NIR (numéro de sécurité sociale): 13 digits + a 2-digit key = 97 - n mod 97.
    Corsica's 2A/2B departments count as 19/18."""
    value = digits.upper().replace("2A", "19", 1).replace("2B", "18", 1)
    if len(value) != 15 or not value.isdigit() or value[0] not in "12378":
        return False
    return 97 - int(value[:13]) % 97 == int(value[13:])


def ppsn_valid(value: str) -> bool:
    """Ireland's PPS number: 7 digits, a check letter (weighted sum mod 23), maybe a letter."""
    value = value.upper()
    if len(value) not in (8, 9) or not value[:7].isdigit() or not value[7:].isalpha():
        return False
    total = sum(int(d) * w for d, w in zip(value[:7], range(8, 1, -1), strict=True))
    if len(value) == 9 and value[8] != "W":
        total += (ord(value[8]) - ord("A") + 1) * 9
    letters = "WABCDEFGHIJKLMNOPQRSTUV"
    return letters[total % 23] == value[7]


_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def aadhaar_valid(digits: str) -> bool:
    """India's Aadhaar number: 12 digits, not starting 0 or 1, Verhoeff check digit."""
    if len(digits) != 12 or not digits.isdigit() or digits[0] in "01":
        return False
    check = 0
    for i, d in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[i % 8][int(d)]]
    return check == 0
