"""Presidio's own recognizers for the kinds we redact, configured to work offline.

* `presidio_credit_card`, `presidio_us_ssn`, `presidio_uk_nino`: used as shipped.
* `presidio_email`: the shipped regex, but its domain check uses tldextract's bundled suffix list
  (the default one fetches publicsuffix.org on first use, and nothing may download at run time).
* `presidio_phone`: python-phonenumbers for the regions in PHONE_REGIONS, dropping numbers that an
  identifier word announces ("order 3348917502") or another kind's word is nearer to.
"""

from __future__ import annotations

import re
from functools import lru_cache

from phonenumbers.phonenumberutil import _VALID_PUNCTUATION
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    PhoneRecognizer,
    UkNinoRecognizer,
    UsSsnRecognizer,
)

from trainer.privacy.context import nearest_category
from trainer.privacy.patterns import PHONE_COMPETING, PHONE_REGIONS
from trainer.privacy.recognizers import register


@lru_cache(maxsize=1)
def _offline_tldextract():
    import tldextract

    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's email recognizer with a domain check that never touches the network."""

    def validate_result(self, pattern_text: str) -> bool:
        return _offline_tldextract()(pattern_text).fqdn != ""


# A valid phone number has 6 digits or more (+43 and four digits is the shortest; US and GB
# national numbers have 10 and 7+), in blocks parted by at most 4 of python-phonenumbers' own
# punctuation marks (its candidate pattern: dashes, dots, slashes, spaces, brackets, "x"; not a
# comma). Text without such a stretch cannot hold one, and skipping phonenumbers there saves its
# parse of every shorter number (order 12345, 3-5 days, "1,2,3").
_PHONE_DIGITS = re.compile(rf"(?:\d[{_VALID_PUNCTUATION}X]{{0,4}}){{5}}\d")


class ContextPhoneRecognizer(PhoneRecognizer):
    """Presidio's phone recognizer, minus numbers an identifier word announces."""

    def analyze(self, text, entities, nlp_artifacts=None):
        if not _PHONE_DIGITS.search(text):
            return []
        results = super().analyze(text, entities, nlp_artifacts)
        return [
            r
            for r in results
            if nearest_category(text, r.start, PHONE_COMPETING) in (None, "phone")
        ]


register("presidio_credit_card")(lambda: CreditCardRecognizer(name="presidio_credit_card"))
register("presidio_email")(lambda: OfflineEmailRecognizer(name="presidio_email"))
register("presidio_phone")(
    lambda: ContextPhoneRecognizer(supported_regions=PHONE_REGIONS, name="presidio_phone")
)
register("presidio_us_ssn")(lambda: UsSsnRecognizer(name="presidio_us_ssn"))
register("presidio_uk_nino")(lambda: UkNinoRecognizer(name="presidio_uk_nino"))
