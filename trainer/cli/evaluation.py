"""`trainer eval ...`: detectors and scores measured against human labels and references."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from trainer.cli.common import app, out, user_errors

eval_app = typer.Typer(help="Measure detectors against human labels.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


class EvalSplit(StrEnum):
    """Which rows of an evaluation file to use (see trainer.evaluation.empathy.split_of)."""

    all = "all"
    tune = "tune"
    holdout = "holdout"


@eval_app.command("empathy")
@user_errors
def eval_empathy(
    data: Annotated[Path, typer.Option(help="EPITOME-format CSV to evaluate on.")],
    baseline_train: Annotated[
        Path | None,
        typer.Option(
            help="CSV to train the TF-IDF baseline on (default: cross-validate on --data)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    split: Annotated[
        EvalSplit,
        typer.Option(help="Rows of --data: all, or the fixed tune or holdout half of it."),
    ] = EvalSplit.all,
) -> None:
    """Empathy detectors against EPITOME human labels, beside a TF-IDF + LR baseline."""
    from trainer.evaluation.empathy import evaluate_empathy, render_report

    report_ = evaluate_empathy(data, baseline_train, split=split.value)
    if as_json:
        print(json.dumps(report_.as_json(), indent=2))
    else:
        out.print(render_report(report_), highlight=False)


@eval_app.command("satisfaction")
@user_errors
def eval_satisfaction(
    data: Annotated[Path, typer.Option(help="USS-format TSV of rated dialogues.")],
    rubric: Annotated[str, typer.Option(help="Rubric id to score the dialogues with.")] = (
        "customer_service"
    ),
    split: Annotated[
        EvalSplit,
        typer.Option(help="Dialogues of --data: all, or the fixed tune or holdout half."),
    ] = EvalSplit.all,
    detector: Annotated[
        list[str] | None,
        typer.Option(
            "--detector",
            help="A registered detector to report beside the rubric's (repeatable; "
            "default: the satisfaction.* family).",
        ),
    ] = None,
    criteria: Annotated[
        bool, typer.Option("--criteria", help="Also list every criterion's figure.")
    ] = False,
    bootstrap: Annotated[
        int, typer.Option(min=0, help="Resamples for the 95% intervals (0: none).")
    ] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Spearman of the rubric's overall, section and criterion scores with users' satisfaction
    ratings, beside a length-only and a TF-IDF baseline."""
    from trainer.evaluation.satisfaction import evaluate_satisfaction, render_satisfaction
    from trainer.scoring.rubric import find_rubric

    report_ = evaluate_satisfaction(
        data, find_rubric(rubric), split=split.value, detectors=detector, bootstrap=bootstrap
    )
    if as_json:
        print(json.dumps(report_.as_json(), indent=2))
    else:
        out.print(render_satisfaction(report_, criteria=criteria), highlight=False)


@eval_app.command("strategies")
@user_errors
def eval_strategies(
    data: Annotated[Path, typer.Option(help="ESConv-format file of labelled supporter replies.")],
    split: Annotated[
        EvalSplit,
        typer.Option(help="Replies of --data: all, or the fixed tune or holdout half."),
    ] = EvalSplit.all,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Precision and recall of the empathy, checking-understanding and exploration detectors
    against the support strategies annotators labelled."""
    from trainer.evaluation.strategies import evaluate_strategies, render_strategies

    report_ = evaluate_strategies(data, split=split.value)
    if as_json:
        print(json.dumps(report_.as_json(), indent=2))
    else:
        out.print(render_strategies(report_), highlight=False)


@eval_app.command("politeness")
@user_errors
def eval_politeness(
    data: Annotated[Path, typer.Option(help="Politeness CSV (Request, Normalized Score).")],
    split: Annotated[
        EvalSplit,
        typer.Option(help="Requests of --data: all, or the fixed tune or holdout half."),
    ] = EvalSplit.all,
    detector: Annotated[str, typer.Option(help="The tone detector to measure.")] = (
        "tone.politeness.v1"
    ),
    bootstrap: Annotated[
        int, typer.Option(min=0, help="Resamples for the 95% intervals (0: none).")
    ] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Spearman of a tone detector with people's politeness ratings of requests, beside a
    length-only and a TF-IDF baseline."""
    from trainer.evaluation.politeness import evaluate_politeness, render_politeness

    report_ = evaluate_politeness(data, split=split.value, detector=detector, bootstrap=bootstrap)
    if as_json:
        print(json.dumps(report_.as_json(), indent=2))
    else:
        out.print(render_politeness(report_), highlight=False)


@eval_app.command("reasons")
@user_errors
def eval_reasons(
    data: Annotated[
        Path, typer.Option(help="Labelled CSV to train on (text and reason/category columns).")
    ],
    test: Annotated[
        Path | None,
        typer.Option(help="Labelled CSV to test on (default: the holdout half of --data)."),
    ] = None,
    c: Annotated[float, typer.Option("--c", help="Regularisation C of the classifier.")] = 10.0,
    worst: Annotated[
        int, typer.Option(min=0, help="How many of the hardest reasons to list.")
    ] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Accuracy and macro-F1 of the contact-reason classifier on rows it was not trained on
    (nothing is saved: 'trainer reasons train' saves a model)."""
    from trainer.evaluation.reasons import evaluate_reason_files, render_reasons

    report_ = evaluate_reason_files(data, test, c=c)
    if as_json:
        print(json.dumps(report_.as_json(), indent=2))
    else:
        out.print(render_reasons(report_, worst=worst), highlight=False)


@eval_app.command("asr")
@user_errors
def eval_asr(
    audio: Annotated[Path | None, typer.Option(help="A call recording.")] = None,
    reference: Annotated[
        Path | None, typer.Option(help="Its reference transcript, NIST STM format.")
    ] = None,
    folder: Annotated[
        Path | None,
        typer.Option(help="Every recording in this folder with an STM beside it (many voices)."),
    ] = None,
    engine: Annotated[str | None, typer.Option(help="faster-whisper or openai-whisper.")] = None,
    model: Annotated[str | None, typer.Option(help="Model name or local path.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """WER, speaker attribution, loops mended and real-time factor of a call against its STM
    reference (--audio and --reference), or of every call in a --folder with the distribution
    (median and 10th percentile of speaker accuracy)."""
    from trainer.errors import DatasetError
    from trainer.evaluation.asr import (
        evaluate_asr,
        evaluate_asr_folder,
        render_asr,
        render_asr_folder,
    )

    if folder is not None:
        if audio is not None or reference is not None:
            raise DatasetError(
                "--folder evaluates every call in it", where="--audio", fix="give one or the other"
            )
        many = evaluate_asr_folder(folder, engine, model)
        if as_json:
            print(json.dumps(many.as_json(), indent=2))
        else:
            out.print(render_asr_folder(many), highlight=False)
        return
    if audio is None or reference is None:
        raise DatasetError(
            "give --audio and --reference, or --folder",
            where="--audio" if audio is None else "--reference",
        )
    report_ = evaluate_asr(audio, reference, engine, model)
    if as_json:
        print(json.dumps(report_.as_json(), indent=2))
    else:
        out.print(render_asr(report_), highlight=False)
