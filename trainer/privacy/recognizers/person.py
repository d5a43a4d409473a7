"""People's names, for TRAINER_REDACT_NAMES=1 (the `name` kind is opt-in; see config.py).

Three sources, any of which marks a name:
  * the statistical NER of the installed spaCy model (`en_core_web_sm` or its PyPI re-upload;
    never downloaded): PERSON entities, minus ones ending in a company word ("Bluebird Bank",
    which the small model calls a person);
  * self-introductions: a capitalised name after "my name is", "this is", "I'm", "speaking with"
    ("this is Sam Lee"), which also works with no model installed;
  * the conversation's own agent and customer names (`names=` of Redactor.redact_many, passed
    by redact_conversation), matched in any case, so ASR's lower-case "dana" goes too.
The NER pipeline runs only when names are asked for, so the default redaction costs nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import spacy
from presidio_analyzer import Pattern, PatternRecognizer
from spacy.language import Language

from trainer.nlp.pipeline import MODEL_PREFERENCE
from trainer.nlp.tokenizer import bound_tokenizer
from trainer.privacy.recognizers import register
from trainer.privacy.recognizers.base import Hit, TrainerRecognizer

ENTITY = "PERSON"
_COMPANY_WORDS = frozenset(
    "bank banking inc ltd llc plc corp corporation company co group airlines airways insurance "
    "telecom mobile energy services support team store shop motors finance credit union".split()
)
_NAME = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
_INTRODUCTION = re.compile(
    rf"\b(?:(?i:my\s+name\s+is|my\s+name's|this\s+is|i\s+am|i'm|speaking\s+with|you're\s+"
    rf"speaking\s+to|call\s+me))\s+(?P<name>{_NAME}(?:\s+{_NAME})?)\b"
)
# Capitalised words after an introduction that are not names ("this is Bluebird Bank" is caught
# by the company words; "I'm Sorry" by these).
_NOT_NAMES = frozenset(
    "sorry afraid glad happy here calling not so very just really still also going the a an "
    "that this it fine good great okay ok sure".split()
)


@lru_cache(maxsize=1)
def load_ner() -> Language | None:
    """The installed model with only its NER (and the tok2vec it may need); None without one."""
    for name in MODEL_PREFERENCE:
        if not spacy.util.is_package(name):
            continue
        try:
            return bound_tokenizer(
                spacy.load(
                    name, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
                )
            )
        except OSError:
            continue
    return None


@register("person_name")
class PersonNameRecognizer(TrainerRecognizer):
    ENTITY = ENTITY
    NAME = "person_name"

    def find(self, text: str):
        nlp = load_ner()
        if nlp is not None and "ner" in nlp.pipe_names:
            for ent in nlp(text).ents:
                if ent.label_ == "PERSON" and not _company(ent.text):
                    yield Hit(ent.start_char, ent.end_char, 0.7, "a person's name (NER)")
        for m in _INTRODUCTION.finditer(text):
            name = m.group("name")
            if name.split()[0].lower() in _NOT_NAMES or _company(name):
                continue
            yield Hit(m.start("name"), m.end("name"), 0.75, "a name given in an introduction")


def known_names_recognizer(names: Iterable[str | None]) -> PatternRecognizer | None:
    """A one-off recognizer for the conversation's own people: each full name and its parts
    (two letters or more), any case, whole words only."""
    parts: set[str] = set()
    for name in names:
        if not name or "@" in name:
            continue
        words = re.findall(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", name)
        parts.update(w for w in words if len(w) >= 2 and w.lower() not in _COMPANY_WORDS)
        if len(words) > 1:
            parts.add(" ".join(words))
    if not parts:
        return None
    alternation = "|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True))
    return PatternRecognizer(
        supported_entity=ENTITY,
        name="known_names",
        patterns=[Pattern("known name", rf"(?<![\w'])(?:{alternation})(?![\w])", 0.8)],
        global_regex_flags=re.IGNORECASE,
        context=[],
    )


def _company(name: str) -> bool:
    return name.split()[-1].lower().strip(".,") in _COMPANY_WORDS
