"""The contact-reason classifier: trained on a small generated labelled set, evaluated on rows it
never saw, saved and loaded without pickle, read from CSV, and used by repeat-contact FCR."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from trainer.analytics.fcr import contact_outcomes
from trainer.conversation import Conversation, Turn
from trainer.errors import DatasetError, ModelError
from trainer.nlp.reason_labels import read_labelled
from trainer.nlp.reasons import (
    conversation_text,
    evaluate_reasons,
    load_model,
    model_path,
    save_model,
    train_reasons,
)

TOPICS = {
    "billing": ["charged twice", "double charge on my card", "a payment I don't recognise",
                "my invoice is wrong", "billed for something I cancelled"],
    "delivery": ["my parcel hasn't arrived", "the package is late", "tracking says delivered "
                 "but nothing came", "my order is stuck in transit", "the courier never showed"],
    "login": ["I can't log in", "my password reset email never comes", "my account is locked",
              "the app says invalid password", "two-factor code doesn't work"],
    "cancel": ["I want to cancel my subscription", "please close my account",
               "stop my membership renewing", "end my plan this month", "I'd like to unsubscribe"],
}  # fmt: skip
OPENERS = ["Hi,", "Hello.", "Hey there,", "Good morning,", ""]
CLOSERS = ["Can you help?", "This is frustrating.", "Thanks.", "What can you do?", ""]


def generated(n: int, seed: int) -> tuple[list[str], list[str]]:
    """n labelled customer messages, a topic phrase between varied openers and closers."""
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        reason = rng.choice(sorted(TOPICS))
        texts.append(f"{rng.choice(OPENERS)} {rng.choice(TOPICS[reason])}. {rng.choice(CLOSERS)}")
        labels.append(reason)
    return texts, labels


@pytest.fixture(scope="module")
def trained():
    texts, labels = generated(160, seed=1)
    return train_reasons(texts, labels)


def test_reasons_held_out_accuracy_and_report(trained):
    texts, labels = generated(80, seed=2)  # another draw: rows the model never saw
    report = evaluate_reasons(trained, texts, labels)
    assert report.examples == 80
    assert report.accuracy >= 0.95 and report.macro_f1 >= 0.95
    assert set(report.per_class) == set(TOPICS)
    assert sum(row["support"] for row in report.per_class.values()) == 80
    assert report.unknown_reasons == []
    assert trained.meta["examples"] == 160 and set(trained.meta["counts"]) == set(TOPICS)


def test_reasons_unseen_reason_is_reported_and_lowers_the_score(trained):
    texts, labels = generated(20, seed=3)
    report = evaluate_reasons(trained, [*texts, "where is my refund"], [*labels, "refund"])
    assert report.unknown_reasons == ["refund"]
    assert report.per_class["refund"]["recall"] == 0.0
    assert report.accuracy < 1.0


def test_reasons_save_and_load_give_the_same_predictions(trained, tmp_path):
    path = save_model(trained, tmp_path / "models" / "reasons.npz")
    loaded = load_model(path)
    texts, _ = generated(30, seed=4)
    assert loaded.labels == trained.labels
    before, after = trained.predict(texts), loaded.predict(texts)
    assert [r for r, _ in before] == [r for r, _ in after]
    assert np.allclose([c for _, c in before], [c for _, c in after])
    # the file holds plain arrays only: no pickled objects can be loaded from it
    with np.load(path, allow_pickle=False) as data:
        assert {"terms", "idf", "coef", "intercept", "classes", "meta"} <= set(data.files)


def test_reasons_model_path_and_missing_or_broken_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_REASONS_MODEL", str(tmp_path / "r.npz"))
    assert model_path() == (tmp_path / "r.npz").resolve()
    assert load_model() is None  # no model trained: reasons stay unknown
    (tmp_path / "r.npz").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot be read"):
        load_model()


def test_reasons_training_needs_two_reasons():
    with pytest.raises(DatasetError, match="at least two"):
        train_reasons(["charged twice", "double charge"], ["billing", "billing"])


def test_reasons_read_labelled_csv_text_or_ids_and_errors():
    rows = read_labelled(b'Text,Category\n"charged twice, help",billing\n\n', "a.csv")
    assert [(r.text, r.reason, r.line) for r in rows] == [("charged twice, help", "billing", 2)]
    rows = read_labelled(b"conversation_id,reason\nc-1,delivery\n", "b.csv")
    assert rows[0].conversation_id == "c-1" and rows[0].text is None
    with pytest.raises(DatasetError, match="missing columns") as missing:
        read_labelled(b"message,topic\nhi,x\n", "c.csv")
    assert missing.value.where == "c.csv:1"
    with pytest.raises(DatasetError, match="empty reason") as empty:
        read_labelled(b"text,reason\nhi,billing\nhello,\n", "d.csv")
    assert empty.value.where.startswith("d.csv:3")


def test_reasons_read_the_customer_turns():
    conversation = Conversation(
        "x", [Turn("agent", "How can I help?"), Turn("customer", "I was charged twice")]
    )
    assert conversation_text(conversation) == "I was charged twice"


def test_reasons_classifier_decides_which_repeats_fcr_counts(trained):
    t0 = datetime(2026, 3, 2, tzinfo=UTC)
    messages = {
        "a": "I was charged twice",
        "b": "my parcel hasn't arrived",
        "c": "still charged twice",
    }
    reasons = dict(
        zip(messages, [r for r, _ in trained.predict(list(messages.values()))], strict=True)
    )
    assert reasons == {"a": "billing", "b": "delivery", "c": "billing"}
    contacts = pd.DataFrame(
        {
            "conversation": cid,
            "agent": "Sam Lee",
            "teams": [],
            "started_at": t0 + timedelta(days=day),
            "customer_ref": "C-1",
            "customer": "Dana",
            "reason": reasons[cid],
        }
        for cid, day in (("a", 0), ("b", 1), ("c", 3))
    )
    repeats = contact_outcomes(contacts, 7, t0 + timedelta(days=30)).set_index("conversation")
    # the delivery contact on day 1 is not a repeat of the billing one; day 3's billing one is
    assert repeats.loc["a", "repeat"] == "c" and repeats.loc["b", "repeat"] is None
    # without the classifier, any repeat counts
    unknown = contact_outcomes(contacts.assign(reason=None), 7, t0 + timedelta(days=30))
    assert unknown.set_index("conversation").loc["a", "repeat"] == "b"
