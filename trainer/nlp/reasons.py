"""The contact-reason classifier an organisation trains on its own labelled conversations.

TF-IDF over word 1-2-grams and a logistic regression (scikit-learn), read from what the customer
said. The project ships no model: `trainer reasons train FILE.csv` fits one on the
organisation's labels and saves it under the models folder; without one every contact's reason
stays unknown and repeat-contact FCR counts any repeat.

The saved file is a NumPy `.npz` of plain arrays (vocabulary, idf, coefficients, labels) loaded
with `allow_pickle=False`: a model file can never run code, and it does not depend on the
scikit-learn version's pickle layout.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from trainer.conversation import Conversation
from trainer.errors import DatasetError, ModelError
from trainer.speech.models import models_dir

if TYPE_CHECKING:  # scikit-learn takes a second to import: only when a model is trained or read
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

MODEL_ENV = "TRAINER_REASONS_MODEL"
MODEL_FILE = "contact_reasons.npz"
FORMAT_VERSION = 1
# Fixed vectorizer settings: the saved arrays are only meaningful with these.
VECTORIZER = {"ngram_range": (1, 2), "sublinear_tf": True, "strip_accents": "unicode"}
# Regularisation: chosen on the tuning half of generated and public intent data (see
# benchmarks/reasons_accuracy.py), never on held-out rows.
DEFAULT_C = 10.0
MAX_REASON_LENGTH = 120  # ConversationRecord.contact_reason's column width


def model_path() -> Path:
    """Where the organisation's model lives: $TRAINER_REASONS_MODEL, else contact_reasons.npz
    in the models folder ($TRAINER_MODELS_DIR, else var/models)."""
    explicit = os.environ.get(MODEL_ENV)
    return Path(explicit).resolve() if explicit else models_dir() / MODEL_FILE


def conversation_text(conversation: Conversation) -> str:
    """What the classifier reads: the customer's turns (they say why they got in touch), or
    every turn when the customer's are missing (a one-sided transcript)."""
    said = [t.text for t in conversation.turns if t.speaker == "customer"]
    return "\n".join(said or [t.text for t in conversation.turns])


@dataclass
class ReasonModel:
    """A fitted classifier and what it was trained on (`meta`: trained_at, examples, counts)."""

    vectorizer: TfidfVectorizer
    classifier: LogisticRegression
    meta: dict = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        """The reasons the model can answer, sorted."""
        return [str(c) for c in self.classifier.classes_]

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        """(reason, confidence 0-1) for each text."""
        if not texts:
            return []
        proba = self.classifier.predict_proba(self.vectorizer.transform(texts))
        best = proba.argmax(axis=1)
        labels = self.labels
        return [(labels[i], float(proba[row, i])) for row, i in enumerate(best)]


def _check_labels(texts: list[str], labels: list[str]) -> None:
    if len(texts) != len(labels):
        raise DatasetError(f"{len(texts)} texts but {len(labels)} reasons")
    counts = Counter(labels)
    if len(counts) < 2:
        raise DatasetError(
            f"only {len(counts)} distinct reason{'s' if len(counts) != 1 else ''} in the file",
            where="column 'reason'",
            fix="label conversations with at least two different reasons",
        )
    too_long = next((r for r in counts if len(r) > MAX_REASON_LENGTH), None)
    if too_long is not None:
        raise DatasetError(
            f"reason {too_long[:40]!r}... is longer than {MAX_REASON_LENGTH} characters",
            where="column 'reason'",
            fix="use short reason names",
        )


def train_reasons(texts: list[str], labels: list[str], *, c: float = DEFAULT_C) -> ReasonModel:
    """Fit a classifier on labelled texts; DatasetError when fewer than two reasons."""
    _check_labels(texts, labels)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(**VECTORIZER)
    matrix = vectorizer.fit_transform(texts)
    if matrix.shape[1] == 0:
        raise DatasetError("the texts have no words to learn from", where="column 'text'")
    classifier = LogisticRegression(C=c, max_iter=2000).fit(matrix, labels)
    meta = {
        "format": FORMAT_VERSION,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "examples": len(texts),
        "counts": dict(sorted(Counter(labels).items())),
        "c": c,
    }
    return ReasonModel(vectorizer, classifier, meta)


@dataclass(frozen=True)
class ReasonReport:
    """How a model did on labelled texts: accuracy, macro-F1 and a per-reason report."""

    examples: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    unknown_reasons: list[str]  # labelled in the file, never seen in training

    def as_json(self) -> dict:
        """The JSON shape `trainer reasons eval --format json` prints."""
        return {
            "examples": self.examples,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "per_class": self.per_class,
            "unknown_reasons": self.unknown_reasons,
        }


def evaluate_reasons(model: ReasonModel, texts: list[str], labels: list[str]) -> ReasonReport:
    """Score the model's predictions against labels (macro-F1 over every reason in either)."""
    if not texts or len(texts) != len(labels):
        raise DatasetError("nothing to evaluate", fix="give labelled rows")
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    predicted = [label for label, _ in model.predict(texts)]
    classes = sorted(set(labels) | set(model.labels))
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=classes, zero_division=0
    )
    per_class = {
        name: {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for name, p, r, f, s in zip(classes, precision, recall, f1, support, strict=True)
        if s or name in set(predicted)
    }
    return ReasonReport(
        examples=len(texts),
        accuracy=float(accuracy_score(labels, predicted)),
        macro_f1=float(
            f1_score(
                labels, predicted, labels=sorted(set(labels)), average="macro", zero_division=0
            )
        ),
        per_class=per_class,
        unknown_reasons=sorted(set(labels) - set(model.labels)),
    )


def save_model(model: ReasonModel, path: Path | None = None) -> Path:
    """Write the model's arrays to `path` (default `model_path()`), atomically: a reader never
    sees half a file."""
    path = path or model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    vocabulary = model.vectorizer.vocabulary_
    terms = np.empty(len(vocabulary), dtype=object)
    for term, index in vocabulary.items():
        terms[index] = term
    arrays = {
        "terms": terms.astype(str),
        "idf": model.vectorizer.idf_,
        "coef": model.classifier.coef_,
        "intercept": model.classifier.intercept_,
        "classes": np.asarray(model.labels, dtype=str),
        "meta": np.asarray(json.dumps(model.meta)),
    }
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez_compressed(stream, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_model(path: Path | None = None) -> ReasonModel | None:
    """The saved model, or None when there is none; ModelError when the file is unusable."""
    path = path or model_path()
    if not path.is_file():
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT_VERSION:
                raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT_VERSION}")
            vectorizer = TfidfVectorizer(**VECTORIZER)
            vectorizer.vocabulary_ = {str(t): i for i, t in enumerate(data["terms"])}
            vectorizer.idf_ = data["idf"]
            classifier = LogisticRegression()
            classifier.classes_ = data["classes"].astype(object)
            classifier.coef_ = data["coef"]
            classifier.intercept_ = data["intercept"]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(
            f"the contact-reason model cannot be read: {exc}",
            where=path.name,
            fix="train it again with 'trainer reasons train FILE.csv'",
        ) from None
    return ReasonModel(vectorizer, classifier, meta)
