"""ABCD-style JSON (Action-Based Conversations Dataset): a list of conversations such as

    {"convo_id": 3592,
     "scenario": {"personal": {"customer_name": "crystal minh"}, "flow": "product_defect",
                  "subflow": "return_size"},
     "original": [["agent", "Hi!"], ["customer", "I need to return an item"],
                  ["action", "Account has been pulled up for Crystal Minh."]]}

`action` entries (what the agent did in the tools) become `system` turns. The dataset's own file,
`{"train": [...], "dev": [...], "test": [...]}`, reads too, each conversation noting its split.
Other fields (`delexed`, the order details) are ignored.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from trainer.conversation import Conversation, Turn
from trainer.ingest.locate import located
from trainer.ingest.registry import reader
from trainer.ingest.sample import Sample
from trainer.ingest.schema_errors import Invalid, field_path, raise_invalid
from trainer.ingest.speakers import SpeakerAliases
from trainer.ingest.validate import require_text, require_unique_ids

SPLITS = ("train", "dev", "test")


class _Personal(BaseModel):
    customer_name: str | None = None


class _Scenario(BaseModel):
    personal: _Personal = Field(default_factory=_Personal)
    flow: str | None = None
    subflow: str | None = None


class AbcdIn(BaseModel):
    """One ABCD conversation, only the fields Trainer uses."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    convo_id: str
    scenario: _Scenario = Field(default_factory=_Scenario)
    original: list[tuple[str, str]]

    @field_validator("original")
    @classmethod
    def _original(cls, value: list[tuple[str, str]]) -> list[tuple[str, str]]:
        if not value:
            raise Invalid("empty conversation (no turns)", fix="add its turns or remove it")
        return value


_MANY = TypeAdapter(list[AbcdIn])


def _parts(data: Any) -> list[tuple[tuple, str | None, list]]:
    """(location prefix, split name, items) for each list of conversations in the file."""
    if isinstance(data, list):
        return [((), None, data)]
    if isinstance(data, dict) and any(k in data for k in SPLITS):
        return [((k,), k, v) for k, v in data.items() if k in SPLITS and isinstance(v, list)]
    return []


def _is_abcd(item: Any) -> bool:
    return isinstance(item, dict) and "convo_id" in item and "original" in item


@reader("abcd_json", priority=20, description="ABCD-style JSON (convo_id, original)")
class AbcdJson:
    """ABCD-style JSON: conversations with `convo_id` and `original` [[speaker, text], ...]."""

    def sniff(self, sample: Sample) -> bool:
        """True for an ABCD conversation object, a list of them, or the dataset's split file."""
        data = sample.json
        if _is_abcd(data):
            return True
        return any(items and _is_abcd(items[0]) for _, _, items in _parts(data))

    def read(self, sample: Sample, aliases: SpeakerAliases) -> list[Conversation]:
        """Build one conversation per ABCD entry; raises IngestError at the field."""
        entries = _validated(sample)
        conversations = [
            _build(item, split, path, sample, aliases) for item, split, path in entries
        ]
        require_unique_ids(
            (c.external_id, sample.at_field(_join(path, "convo_id")))
            for c, (_, _, path) in zip(conversations, entries, strict=True)
        )
        return conversations


def _validated(sample: Sample) -> list[tuple[AbcdIn, str | None, str]]:
    """(entry, split, its field path) for every conversation in the file, validated."""
    if _is_abcd(sample.json):
        try:
            return [(AbcdIn.model_validate(sample.json), None, "")]
        except ValidationError as exc:
            raise_invalid(exc, sample)
    entries = []
    for prefix, split, items in _parts(sample.json):
        try:
            parsed = _MANY.validate_python(items)
        except ValidationError as exc:
            raise_invalid(exc, sample, prefix)
        entries += [(item, split, field_path(prefix + (i,))) for i, item in enumerate(parsed)]
    return entries


def _join(path: str, child: str) -> str:
    return f"{path}.{child}" if path else child


def _build(
    item: AbcdIn, split: str | None, path: str, sample: Sample, aliases: SpeakerAliases
) -> Conversation:
    name = item.scenario.personal.customer_name
    customer = name.strip().title() if name and name.strip() else None
    turns = []
    for t, (label, text) in enumerate(item.original):
        with located(sample.at_field(_join(path, f"original.{t}"))):
            turns.append(Turn(aliases.resolve(label, None, customer), require_text(text)))
    metadata = {
        key: value
        for key, value in (
            ("flow", item.scenario.flow),
            ("subflow", item.scenario.subflow),
            ("split", split),
        )
        if value
    }
    return Conversation(
        external_id=f"abcd-{item.convo_id}",
        turns=turns,
        channel="chat",
        customer=customer,
        metadata=metadata,
    )
