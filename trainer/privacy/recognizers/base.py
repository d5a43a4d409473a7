"""The base every own recognizer shares: a Presidio LocalRecognizer that yields plain hits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from presidio_analyzer import AnalysisExplanation, LocalRecognizer, RecognizerResult


class Hit(NamedTuple):
    """One finding: a character span, a confidence and why."""

    start: int
    end: int
    score: float
    why: str


class TrainerRecognizer(LocalRecognizer):
    """A Presidio recognizer for one entity, written as `find(text) -> hits`.

    Subclasses set ENTITY and NAME and implement `find`. Context words are handled inside `find`
    (so Presidio's own context enhancer leaves these results alone).
    """

    ENTITY = ""
    NAME = ""

    def __init__(self) -> None:
        super().__init__(
            supported_entities=[self.ENTITY], supported_language="en", name=self.NAME, context=[]
        )

    def load(self) -> None:  # nothing to load: patterns compile at import time
        pass

    def find(self, text: str) -> Iterable[Hit]:
        raise NotImplementedError

    def analyze(self, text, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        if entities and self.ENTITY not in entities:
            return []
        results = []
        for hit in self.find(text):
            start, end = _trim(text, hit.start, hit.end)
            if end <= start:
                continue
            results.append(
                RecognizerResult(
                    entity_type=self.ENTITY,
                    start=start,
                    end=end,
                    score=hit.score,
                    analysis_explanation=AnalysisExplanation(
                        recognizer=self.name, original_score=hit.score, textual_explanation=hit.why
                    ),
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
                    },
                )
            )
        return results


_EDGE = " \t\r\n,.;:-–—/"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end
