"""What to redact and whether the original may be kept: kinds, placeholders, environment settings.

    TRAINER_REDACT=card,cvv,email    redact only these kinds (default: all kinds)
    TRAINER_REDACT=none              redact nothing
    TRAINER_STORE_UNREDACTED=1       storage code may also keep the original text
    TRAINER_REDACT_NAMES=1           also replace people's names with [NAME] (spaCy PERSON)

Kinds: card, cvv, expiry, pin, national_id, iban, phone, email, address, dob, and the opt-in
name (aliases such as "ssn", "nino", "credit_card", "date_of_birth", "otp", "person" are
accepted).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from trainer.errors import TrainerError

ENV_KINDS = "TRAINER_REDACT"
ENV_STORE_UNREDACTED = "TRAINER_STORE_UNREDACTED"
ENV_REDACT_NAMES = "TRAINER_REDACT_NAMES"


class RedactionConfigError(TrainerError):
    """A redaction setting that names an unknown kind."""

    code = "E800"


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of personal data: its placeholder and the Presidio entities that carry it."""

    name: str
    placeholder: str
    entities: tuple[str, ...]
    description: str


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("card", "[CARD]", ("CREDIT_CARD",), "payment card numbers"),
        Kind("cvv", "[CVV]", ("CARD_SECURITY_CODE",), "card security codes"),
        Kind("expiry", "[EXPIRY]", ("CARD_EXPIRY",), "card expiry dates"),
        Kind("pin", "[PIN]", ("PIN_CODE",), "PINs, passcodes and one-time codes"),
        Kind(
            "national_id",
            "[SSN]",
            ("NATIONAL_ID", "US_SSN", "UK_NINO"),
            "national identity numbers (US SSN, UK NI, Canada SIN, Spain DNI/NIE, Italy codice "
            "fiscale, Netherlands BSN, France NIR, Ireland PPSN, India Aadhaar)",
        ),
        Kind("iban", "[IBAN]", ("IBAN_CODE",), "international bank account numbers (IBAN)"),
        Kind("phone", "[PHONE]", ("PHONE_NUMBER",), "phone numbers"),
        Kind("email", "[EMAIL]", ("EMAIL_ADDRESS",), "email addresses"),
        Kind("address", "[ADDRESS]", ("STREET_ADDRESS",), "street addresses and postcodes"),
        Kind("dob", "[DOB]", ("DATE_OF_BIRTH",), "dates of birth"),
        Kind("name", "[NAME]", ("PERSON",), "people's names (only when asked for: opt-in)"),
    )
}
# Names are opt-in (TRAINER_REDACT_NAMES=1 or naming the kind): "all" means every other kind.
OPT_IN_KINDS: frozenset[str] = frozenset({"name"})
ALL_KINDS: frozenset[str] = frozenset(KINDS) - OPT_IN_KINDS
NAME_PLACEHOLDER = "[NAME]"
ALIASES: dict[str, str] = {
    "credit_card": "card",
    "card_number": "card",
    "security_code": "cvv",
    "expiry_date": "expiry",
    "expiration": "expiry",
    "passcode": "pin",
    "otp": "pin",
    "one_time_code": "pin",
    "cvc": "cvv",
    "ssn": "national_id",
    "nino": "national_id",
    "national_insurance": "national_id",
    "phone_number": "phone",
    "email_address": "email",
    "street_address": "address",
    "date_of_birth": "dob",
    "birth_date": "dob",
    "bank_account": "iban",
    "iban_code": "iban",
    "person": "name",
    "names": "name",
}
ENTITY_KIND: dict[str, str] = {e: k.name for k in KINDS.values() for e in k.entities}
PLACEHOLDERS: frozenset[str] = frozenset(k.placeholder for k in KINDS.values())


def parse_kinds(value: str | Iterable[str], *, where: str = "kinds") -> frozenset[str]:
    """Kind names from "card, email" or an iterable; "all" means every kind, "none" none."""
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [str(i).strip().lower().replace("-", "_") for i in items]
    names = [n for n in names if n]
    if names == ["none"]:
        return frozenset()
    if "all" in names:
        return ALL_KINDS
    unknown = [n for n in names if n not in KINDS and n not in ALIASES]
    if unknown:
        raise RedactionConfigError(
            f"unknown redaction kind(s): {', '.join(unknown)}",
            where=where,
            fix=f"use a comma list of {', '.join(KINDS)}, or 'all' or 'none'",
        )
    return frozenset(ALIASES.get(n, n) for n in names)


def kinds_from_env() -> frozenset[str]:
    """The kinds $TRAINER_REDACT names (every default kind when it is unset or empty), plus
    names when TRAINER_REDACT_NAMES=1."""
    value = os.environ.get(ENV_KINDS, "").strip()
    kinds = parse_kinds(value, where=ENV_KINDS) if value else ALL_KINDS
    return kinds | {"name"} if redact_names_enabled() else kinds


def redact_names_enabled() -> bool:
    """True when TRAINER_REDACT_NAMES=1 (or true/yes/on): people's names become [NAME]."""
    return os.environ.get(ENV_REDACT_NAMES, "").strip().lower() in {"1", "true", "yes", "on"}


def resolve_kinds(kinds: Iterable[str] | str | None) -> frozenset[str]:
    """The kinds a Redactor uses: the argument when given, else $TRAINER_REDACT, else all."""
    return kinds_from_env() if kinds is None else parse_kinds(kinds)


def store_unredacted_allowed() -> bool:
    """True only when TRAINER_STORE_UNREDACTED=1 (or true/yes/on).

    Storage code must store `Redaction.text` (never `.original`) unless this returns True.
    """
    return os.environ.get(ENV_STORE_UNREDACTED, "").strip().lower() in {"1", "true", "yes", "on"}
