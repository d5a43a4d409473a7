"""What every command group shares: the `trainer` Typer app, the consoles, the error wrapper
that prints a TrainerError as one line, progress bars, table output, and the acting user
(`--as USER`, else the local admin)."""

from __future__ import annotations

import functools
from enum import StrEnum

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from trainer.access import Actor
from trainer.errors import TrainerError

app = typer.Typer(help="Trainer: QA and training for customer-service teams.", no_args_is_help=True)

out = Console()
err = Console(stderr=True)
_acting: dict[str, str | None] = {"as": None}


@app.callback()
def _global_options(
    as_user: str | None = typer.Option(
        None, "--as", help="Act as this user (name or email); default: the local admin."
    ),
) -> None:
    """Trainer: QA and training for customer-service teams."""
    _acting["as"] = as_user


def acting_actor(session) -> Actor:
    """Who a command acts as: the user named by `--as`, else the local admin (every change is
    still in the audit log under that name)."""
    if not _acting["as"]:
        return Actor.local_admin()
    from trainer.services.accounts import require_user

    user = require_user(session, _acting["as"])
    if not user.active:
        raise TrainerError(f"{user.name} is deactivated", where="--as")
    return Actor.of(user)


def set_acting(name: str | None) -> None:
    """Set the `--as` user (tests call commands without the callback)."""
    _acting["as"] = name


def user_errors(fn):
    """Print a TrainerError as one clear line and exit 2, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TrainerError as exc:
            err.print(f"[bold red]error[/] {exc.format()}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except Exception as exc:
            from trainer.jobs.outage import describe_outage

            outage = describe_outage(exc)  # the database or Redis went away mid-command
            if outage is None:
                raise
            err.print(f"[bold red]error[/] {outage.format()}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def _progress(total: int, label: str) -> Progress:
    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
        disable=total < 2 or not err.is_terminal,
    )


class TextOrJson(StrEnum):
    text = "text"
    json = "json"


class ReportFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def check_files(paths, load, describe) -> None:
    """Validate files one by one: `OK path (what describe(loaded) says)`, or the error naming
    the file, the path inside it and the fix; exit 2 when any failed."""
    failed = False
    for path in paths:
        try:
            loaded = load(path)
        except TrainerError as exc:
            failed = True
            err.print(f"[bold red]error[/] {exc.format()}", highlight=False, soft_wrap=True)
            continue
        out.print(f"OK {path} ({describe(loaded)})", highlight=False, soft_wrap=True)
    if failed:
        raise typer.Exit(2)


def _print_table(table: Table) -> None:
    # Piped output has no terminal width; rich would squeeze tables into 80 columns.
    console = out if out.is_terminal else Console(width=160)
    console.print(table)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"
