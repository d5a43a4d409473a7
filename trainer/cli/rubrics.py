"""Rubrics: check files, list the shipped ones, list detectors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainer.cli.common import app, check_files, out, user_errors

rubric_app = typer.Typer(help="Check and list rubrics.", no_args_is_help=True)
app.add_typer(rubric_app, name="rubric")


@rubric_app.command("check")
@user_errors
def rubric_check(files: Annotated[list[Path], typer.Argument(help="Rubric YAML files.")]) -> None:
    """Validate rubric files: OK, or an error naming the file, the path inside it and the fix."""
    from trainer.scoring.rubric import load_rubric

    check_files(
        files,
        load_rubric,
        lambda rubric: (
            f"{rubric.ref}: {len(rubric.sections)} sections, {len(rubric.criteria())} criteria"
        ),
    )


@rubric_app.command("list")
@user_errors
def rubric_list() -> None:
    """List the rubrics shipped in rubrics/."""
    from trainer.scoring.rubric import RUBRICS_DIR, load_rubric

    for path in sorted(RUBRICS_DIR.glob("*.y*ml")):
        rubric = load_rubric(path)
        out.print(f"{rubric.ref}  {rubric.title}  ({path.name})", highlight=False)


@app.command()
def detectors() -> None:
    """List registered detectors by versioned name."""
    from trainer.scoring.registry import registry

    for spec in registry:
        out.print(f"{spec.name:42} {spec.description}", highlight=False)
