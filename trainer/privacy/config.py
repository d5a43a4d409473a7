"""What to redact and whether the original may be kept: kinds, placeholders, environment settings.

    TRAINER_REDACT=card,cvv,email    redact only these kinds (default: all kinds)
    TRAINER_REDACT=none              redact nothing
    TRAINER_STORE_UNREDACTED=1       storage code may also keep the original text

Kinds: card, cvv, expiry, pin, national_id, phone, email, address, dob (aliases such as "ssn",
"nino", "credit_card", "date_of_birth", "otp" are accepted).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from trainer.errors import TrainerError

ENV_KINDS = "TRAINER_REDACT"
ENV_STORE_UNREDACTED = "TRAINER_STORE_UNREDACTED"


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
            "US Social Security and UK National Insurance numbers",
        ),
        Kind("phone", "[PHONE]", ("PHONE_NUMBER",), "phone numbers"),
        Kind("email", "[EMAIL]", ("EMAIL_ADDRESS",), "email addresses"),
        Kind("address", "[ADDRESS]", ("STREET_ADDRESS",), "street addresses and postcodes"),
        Kind("dob", "[DOB]", ("DATE_OF_BIRTH",), "dates of birth"),
    )
}
ALL_KINDS: frozenset[str] = frozenset(KINDS)
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
    """The kinds $TRAINER_REDACT names; every kind when it is unset or empty."""
    value = os.environ.get(ENV_KINDS, "").strip()
    return parse_kinds(value, where=ENV_KINDS) if value else ALL_KINDS


def resolve_kinds(kinds: Iterable[str] | str | None) -> frozenset[str]:
    """The kinds a Redactor uses: the argument when given, else $TRAINER_REDACT, else all."""
    return kinds_from_env() if kinds is None else parse_kinds(kinds)


def store_unredacted_allowed() -> bool:
    """True only when TRAINER_STORE_UNREDACTED=1 (or true/yes/on).

    Storage code must store `Redaction.text` (never `.original`) unless this returns True.
    """
    return os.environ.get(ENV_STORE_UNREDACTED, "").strip().lower() in {"1", "true", "yes", "on"}
