"""`trainer reasons train|eval|apply`: the organisation's own contact-reason classifier."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from trainer.cli.common import TextOrJson, _print_table, acting_actor, app, out, user_errors
from trainer.errors import DatasetError

reasons_app = typer.Typer(
    help="Contact reasons from a classifier trained on your own labelled conversations.",
    no_args_is_help=True,
)
app.add_typer(reasons_app, name="reasons")

CSV_HELP = "CSV with columns text (or conversation_id) and reason."


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read the file: {exc.strerror}", where=str(path)) from None


@reasons_app.command("train")
@user_errors
def reasons_train(
    csv_file: Annotated[Path, typer.Argument(help=CSV_HELP)],
    format: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.text,
) -> None:
    """Train the contact-reason model (admins) and save it under the models folder
    ($TRAINER_REASONS_MODEL, else $TRAINER_MODELS_DIR or var/models)."""
    from trainer.db.session import session_scope
    from trainer.services.reasons import train_from_csv

    data = _read(csv_file)
    with session_scope() as session:
        summary = train_from_csv(session, acting_actor(session), data, csv_file.name)
    if format is TextOrJson.json:
        print(json.dumps(summary, indent=2))
        return
    reasons = ", ".join(f"{name} {count}" for name, count in summary["reasons"].items())
    out.print(
        f"trained on {summary['examples']} conversations, {len(summary['reasons'])} reasons "
        f"({reasons}); saved to {summary['path']}",
        highlight=False,
        soft_wrap=True,
    )
    out.print("next: 'trainer reasons apply' classifies the stored conversations", highlight=False)


@reasons_app.command("eval")
@user_errors
def reasons_eval(
    csv_file: Annotated[Path, typer.Argument(help=CSV_HELP + " Not the training rows.")],
    format: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.text,
) -> None:
    """Accuracy, macro-F1 and a per-reason report of the saved model on labelled conversations
    it was not trained on."""
    from trainer.db.session import session_scope
    from trainer.services.reasons import evaluate_csv

    data = _read(csv_file)
    with session_scope() as session:
        report = evaluate_csv(session, acting_actor(session), data, csv_file.name)
    if format is TextOrJson.json:
        print(json.dumps(report.as_json(), indent=2))
        return
    out.print(
        f"{report.examples} conversations: accuracy {report.accuracy:.3f}, "
        f"macro-F1 {report.macro_f1:.3f}",
        highlight=False,
    )
    table = Table("reason", "precision", "recall", "F1", "support")
    for name, row in report.per_class.items():
        table.add_row(
            name, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}",
            str(row["support"]),
        )  # fmt: skip
    _print_table(table)
    if report.unknown_reasons:
        out.print(
            "reasons the model never saw in training: " + ", ".join(report.unknown_reasons),
            highlight=False,
            soft_wrap=True,
        )


@reasons_app.command("apply")
@user_errors
def reasons_apply(
    only_unknown: Annotated[
        bool, typer.Option("--only-unknown", help="Leave conversations that have a reason.")
    ] = False,
    min_confidence: Annotated[
        float,
        typer.Option(
            help="Below this confidence (0-1) the reason stays unknown (any repeat counts)."
        ),
    ] = 0.0,
    format: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.text,
) -> None:
    """Classify stored conversations with the saved model (admins); FCR then counts a repeat
    only when both contacts share a reason."""
    from trainer.db.session import session_scope
    from trainer.services.reasons import apply_reasons

    with session_scope() as session:
        summary = apply_reasons(
            session, acting_actor(session), only_unknown=only_unknown, min_confidence=min_confidence
        )
    if format is TextOrJson.json:
        print(json.dumps(summary, indent=2))
        return
    reasons = ", ".join(f"{name} {count}" for name, count in summary["reasons"].items())
    out.print(
        f"classified {summary['classified']} conversations ({reasons or 'none'}); "
        f"left unknown {summary['unknown']}",
        highlight=False,
        soft_wrap=True,
    )
