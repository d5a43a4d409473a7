"""Email addresses spoken or half-typed: "dana at example dot com", "dana dot ruiz at gmail dot
co dot uk", "d a n a at example.com", "dana@example dot com".

The address must end in a known top-level domain (SPOKEN_TLDS) and use a spoken "at" or "dot"
(plain typed addresses are Presidio's). The local part is one word, spelled letters, or words
joined by spoken dot/underscore/dash; when an "email is" context comes right before, up to two
more name words in between are taken too ("my email is dana ruiz at gmail dot com").
"""

from __future__ import annotations

import re

from trainer.privacy.patterns import EMAIL_LOCAL_STOPWORDS, SPOKEN_TLDS
from trainer.privacy.recognizers import register
from trainer.privacy.recognizers.base import Hit, TrainerRecognizer

_JOIN = r"(?:\s+(?:dot|underscore|dash|hyphen|minus)\s+|[._-])"
_WORD = r"[a-z0-9](?:[a-z0-9+]*[a-z0-9])?"
_SPELLED = r"(?:[a-z]\s){1,20}[a-z]"
_DOT = r"(?:\s*\.\s*|\s+dot\s+)"
_TLD = "|".join(sorted(SPOKEN_TLDS, key=len, reverse=True))
# At most this many joined words in a local part ("dana dot m dot ruiz dash 84" has 3 joins):
# unbounded, every "-" of "1-1-1-..." would start a scan to its end, quadratic in the text.
_MAX_JOINS = 10
_EMAIL = re.compile(
    rf"""
    (?<![\w@.])
    (?P<local>(?:{_SPELLED}|{_WORD})(?:{_JOIN}{_WORD}){{0,{_MAX_JOINS}}})
    (?P<at>\s*@\s*|\s+at\s+)
    (?P<domain>{_WORD}(?:-{_WORD})*(?:{_DOT}{_WORD}(?:-{_WORD})*)*{_DOT}(?:{_TLD}))
    (?![\w@])
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SPOKEN = re.compile(r"\s(?:at|dot)\s|\s@|@\s|\s\.|\.\s", re.IGNORECASE)
# "my email is dana ruiz at ...": the words between the context and the address belong to it.
_LEAD_IN = re.compile(
    r"(?:e[\s-]?mail(?:\s+address)?|address)(?:\s+(?:is|it's|its|was))?\s*:?\s+"
    r"(?P<names>(?:(?!(?:is|it's|its|was|me|to)\s)[a-z]+\s+){1,2})$",
    re.IGNORECASE,
)


@register("spoken_email")
class SpokenEmailRecognizer(TrainerRecognizer):
    ENTITY = "EMAIL_ADDRESS"
    NAME = "spoken_email"

    def find(self, text: str):
        for m in _EMAIL.finditer(text):
            if not _SPOKEN.search(m.group()):
                continue  # a plain typed address: Presidio's email recognizer has it
            first = re.split(r"[\s._-]", m.group("local"), maxsplit=1)[0].lower()
            if first in EMAIL_LOCAL_STOPWORDS:
                continue
            start = m.start()
            lead = _LEAD_IN.search(text, max(0, start - 60), start)
            if lead:
                start = lead.start("names")
            yield Hit(start, m.end(), 0.85, "email address spelled out")
