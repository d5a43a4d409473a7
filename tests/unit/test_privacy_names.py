"""TRAINER_REDACT_NAMES=1: people's names become [NAME] (NER, introductions, the conversation's
own agent and customer), and the name detectors still see that a name was used."""

from __future__ import annotations

import pytest

from trainer.conversation import Conversation, Turn
from trainer.privacy import ALL_KINDS, Redactor, parse_kinds, redact_conversation
from trainer.privacy.config import ENV_REDACT_NAMES, NAME_PLACEHOLDER, kinds_from_env
from trainer.scoring.context import ScoringContext
from trainer.scoring.detectors.call_handling import GreetingParams, greeting
from trainer.scoring.detectors.empathy import NameParams, uses_name

CHAT = [
    ("agent", "Hi, thanks for calling Bluebird Bank, this is Sam Lee. How can I help?"),
    ("customer", "Hi, my name is Dana Ruiz and my card 4111 1111 1111 1111 was charged twice."),
    ("agent", "I'm sorry about that, Dana, I can see the duplicate charge."),
    ("customer", "thanks, dana ruiz here again, it was Helen Morris who called before"),
]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRAINER_REDACT", raising=False)
    monkeypatch.delenv("TRAINER_STORE_UNREDACTED", raising=False)
    monkeypatch.delenv(ENV_REDACT_NAMES, raising=False)


def conversation(turns=CHAT, **kwargs) -> Conversation:
    kwargs.setdefault("agent", "Sam Lee")
    kwargs.setdefault("customer", "Dana Ruiz")
    return Conversation("n-1", [Turn(s, t) for s, t in turns], **kwargs)  # type: ignore[arg-type]


def test_privacy_names_are_off_by_default():
    assert "name" not in ALL_KINDS and "name" not in kinds_from_env()
    clean, _ = redact_conversation(conversation())
    text = " ".join(t.text for t in clean.turns)
    assert "Dana" in text and "Sam Lee" in text and NAME_PLACEHOLDER not in text
    assert "[CARD]" in text


def test_privacy_names_setting_and_kind(monkeypatch):
    monkeypatch.setenv(ENV_REDACT_NAMES, "1")
    assert "name" in kinds_from_env() and "name" in Redactor().kinds
    assert parse_kinds("person, card") == {"name", "card"}
    assert "name" not in parse_kinds("all")  # opt-in: "all" keeps its old meaning


def test_privacy_names_redacted_from_every_source(monkeypatch):
    monkeypatch.setenv(ENV_REDACT_NAMES, "1")
    clean, spans = redact_conversation(conversation())
    texts = [t.text for t in clean.turns]
    joined = " ".join(texts).lower()
    for name in ("sam", "lee", "dana", "ruiz"):  # typed, and in ASR's lower case
        assert name not in joined.split() and name not in joined.replace(",", " ").split()
    assert "helen morris" not in joined  # a third person (capitalised): found by NER
    assert "Bluebird Bank" in texts[0]  # a company, not a person
    assert texts[0].startswith("Hi, thanks for calling Bluebird Bank, this is [NAME].")
    assert "[CARD]" in texts[1]  # the other kinds still apply
    assert any(s.kind == "name" for turn in spans for s in turn.spans)


def test_privacy_names_introductions_without_known_names(monkeypatch):
    monkeypatch.setenv(ENV_REDACT_NAMES, "1")
    redactor = Redactor()
    assert redactor.redact("Hello, my name is Priya Shah.").text == "Hello, my name is [NAME]."
    assert redactor.redact("I'm Sorry about that").text == "I'm Sorry about that"


def test_privacy_names_detectors_still_see_a_name_was_used(monkeypatch):
    monkeypatch.setenv(ENV_REDACT_NAMES, "1")
    plain_ctx = ScoringContext(conversation())
    clean, _ = redact_conversation(conversation())
    ctx = ScoringContext(clean)
    used, used_plain = uses_name(ctx, NameParams()), uses_name(plain_ctx, NameParams())
    assert used.value == used_plain.value == 1.0
    assert used.evidence[0].quote == NAME_PLACEHOLDER
    assert greeting(ctx, GreetingParams()).value == greeting(plain_ctx, GreetingParams()).value
    # no metadata: the customer's self-introduction, redacted, still names them
    anonymous = Conversation("n-2", clean.turns)
    assert ScoringContext(anonymous).customer_first_name == NAME_PLACEHOLDER
    assert uses_name(ScoringContext(anonymous), NameParams()).value == 1.0


def test_privacy_names_the_agents_own_name_is_not_the_customers():
    turns = [
        ("agent", "Hi, this is [NAME]. How can I help?"),
        ("customer", "my card was charged twice"),
        ("agent", "I can fix that for you."),
    ]
    ctx = ScoringContext(conversation(turns))
    result = uses_name(ctx, NameParams())
    assert result.value == 0.0 and not result.evidence
