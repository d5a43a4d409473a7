"""Start-up: spaCy loads without PyTorch, and PyTorch still imports for the code that needs it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHECK = """
import sys
import trainer
import spacy
import thinc.compat
print("torch" in sys.modules, thinc.compat.has_torch)
"""


def _run(code: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, **env},
    )
    return done.stdout.strip()


def test_startup_spacy_import_skips_torch_which_still_imports_after() -> None:
    pytest.importorskip("torch")
    code = CHECK + "import torch; print(torch.tensor([1, 2]).sum().item())"
    assert _run(code).splitlines() == ["False False", "3"]


def test_startup_storage_paths_import_neither_spacy_nor_sklearn() -> None:
    code = (
        "import sys, trainer.services.calls, trainer.db.repository, trainer.services.reasons; "
        "print('spacy' in sys.modules, 'sklearn' in sys.modules)"
    )
    assert _run(code) == "False False"


def test_startup_scoring_pipeline_loads_without_presidio_or_torch() -> None:
    # spaCy scans every `spacy_factories` entry point when a pipeline is built; Presidio's
    # imports its analyzer and PyTorch. Scoring needs neither; redaction still loads Presidio.
    code = (
        "import sys\n"
        "from trainer.nlp.pipeline import load_nlp\n"
        "nlp = load_nlp()\n"
        "print('presidio_analyzer' in sys.modules, 'torch' in sys.modules)\n"
        "from trainer.privacy.engine import get_analyzer\n"
        "print('presidio_analyzer' in sys.modules, len(nlp('Hello there.')))\n"
    )
    assert _run(code).splitlines() == ["False False", "True 3"]
