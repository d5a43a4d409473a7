"""`trainer cohort ...`, `trainer path ...` and `trainer certificate`: onboarding from the
command line (cohorts of new hires, learning paths, progress and certificates).

Scripted role-plays counted toward a trainee's path are `trainer roleplay SCENARIO --trainee
NAME --script FILE` (trainer/cli/roleplay.py)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from trainer.cli.common import (
    ReportFormat,
    _print_table,
    acting_actor,
    app,
    check_files,
    out,
    user_errors,
)
from trainer.errors import TrainerError

cohort_app = typer.Typer(help="Cohorts of new hires on a learning path.", no_args_is_help=True)
path_app = typer.Typer(help="Learning paths: list, check, assign.", no_args_is_help=True)
app.add_typer(cohort_app, name="cohort")
app.add_typer(path_app, name="path")

STATUS_LABELS = {
    "not_started": "not started",
    "in_progress": "in progress",
    "passed": "passed",
    "past_due": "PAST DUE",
    "did_not_pass": "DID NOT PASS",
}


def split_names(text: str | None) -> list[str]:
    """`"Riley Park, Noor Haddad"` -> the names (blank ones dropped)."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def progress_json(members: list[dict]) -> list[dict]:
    """One object per member: `name` and `steps`, a list of `{"step", "status"}`."""
    return [
        {
            "name": m["name"],
            "steps": [{"step": s["step"], "status": s["status"]} for s in m["steps"]],
        }
        for m in members
    ]


def _progress_table(members: list[dict], steps: list[str]) -> Table:
    table = Table("name", *steps, "path")
    for m in members:
        cells = []
        for s in m["steps"]:
            label = STATUS_LABELS.get(s["status"], s["status"])
            if s["locked"]:
                label += " (locked)"
            elif s["attempts"]:
                label += f" {s['passes']}/{s['attempts']}"
            cells.append(label)
        table.add_row(m["name"], *cells, STATUS_LABELS.get(m["status"], m["status"]))
    return table


@cohort_app.command("create")
@user_errors
def cohort_create(
    name: Annotated[str, typer.Argument(help="The cohort's name (unique).")],
    path: Annotated[str, typer.Option("--path", help="Learning path id (trainer path list).")],
    due: Annotated[str, typer.Option("--due", help="Due date, YYYY-MM-DD.")],
    members: Annotated[
        str, typer.Option("--members", help="Trainees or agents, comma separated.")
    ] = "",
    start: Annotated[
        str | None, typer.Option("--start", help="Start date, YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Create a cohort and assign its path to each member (HR, admins)."""
    from trainer.db.session import session_scope
    from trainer.services.onboarding import create_cohort

    with session_scope() as session:
        view = create_cohort(
            session, acting_actor(session), name, path, due, split_names(members), start_on=start
        )
    out.print(
        f"cohort {view['name']!r} (id {view['id']}) on {view['path']}, {view['start_on']} to "
        f"{view['due_on']}: {', '.join(view['members']) or 'no members yet'}",
        highlight=False,
        soft_wrap=True,
    )


@cohort_app.command("enrol")
@user_errors
def cohort_enrol(
    cohort: Annotated[str, typer.Argument(help="Cohort name or id.")],
    members: Annotated[str, typer.Option("--members", help="Names, comma separated.")],
) -> None:
    """Add people to a cohort (HR, admins)."""
    from trainer.db.session import session_scope
    from trainer.services.onboarding import enrol

    with session_scope() as session:
        view = enrol(session, acting_actor(session), cohort, split_names(members))
    out.print(f"{view['name']}: {', '.join(view['members'])}", highlight=False, soft_wrap=True)


@cohort_app.command("remove")
@user_errors
def cohort_remove(
    cohort: Annotated[str, typer.Argument(help="Cohort name or id.")],
    member: Annotated[str, typer.Argument(help="The person to take out.")],
) -> None:
    """Take someone out of a cohort (certificates they earned stay)."""
    from trainer.db.session import session_scope
    from trainer.services.onboarding import remove_member

    with session_scope() as session:
        view = remove_member(session, acting_actor(session), cohort, member)
    out.print(
        f"{view['name']}: {', '.join(view['members']) or 'no members'}",
        highlight=False,
        soft_wrap=True,
    )


@cohort_app.command("progress")
@user_errors
def cohort_progress_cmd(
    cohort: Annotated[str, typer.Argument(help="Cohort name or id.")],
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
) -> None:
    """Each member's status per step (json: one object per member, `name` and `steps`)."""
    from trainer.db.session import session_scope
    from trainer.services.onboarding import cohort_progress

    with session_scope() as session:
        view = cohort_progress(session, acting_actor(session), cohort)
    if format is ReportFormat.json:
        print(json.dumps(progress_json(view["members"]), indent=2))
        return
    if format is ReportFormat.csv:
        from trainer.services.cells import safe_row

        writer = csv.writer(sys.stdout)
        writer.writerow(safe_row(["name", *[s["step"] for s in view["path"]["steps"]]]))
        for m in view["members"]:
            writer.writerow(safe_row([m["name"], *[s["status"] for s in m["steps"]]]))
        return
    out.print(
        f"[bold]{view['name']}[/] on {view['path']['title']} ({view['path']['id']}), due "
        f"{view['due_on']}: {view['finished']} of {len(view['members'])} finished",
        highlight=False,
        soft_wrap=True,
    )
    _print_table(_progress_table(view["members"], [s["step"] for s in view["path"]["steps"]]))


@cohort_app.command("list")
@user_errors
def cohort_list() -> None:
    """The cohorts you may see, with their members and how many finished."""
    from trainer.db.session import session_scope
    from trainer.services.onboarding import list_cohorts

    with session_scope() as session:
        rows = list_cohorts(session, acting_actor(session))
    table = Table("id", "name", "path", "start", "due", "members", "finished")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["name"],
            row["path"],
            row["start_on"] or "—",
            row["due_on"] or "—",
            str(len(row["members"])),
            str(row["finished"]),
        )
    _print_table(table)


@path_app.command("list")
@user_errors
def path_list() -> None:
    """The learning paths in scenarios/paths/ and their steps."""
    from trainer.onboarding.paths import list_paths

    table = Table("id", "version", "title", "steps")
    for path in list_paths():
        steps = ", ".join(
            f"{s.id} (≥{s.pass_mark:g}"
            + (f" ×{s.min_passes}" if s.min_passes > 1 else "")
            + (f", ≤{s.max_attempts} tries" if s.max_attempts else "")
            + ")"
            for s in path.steps
        )
        table.add_row(path.id, str(path.version), path.title, steps)
    _print_table(table)


@path_app.command("check")
@user_errors
def path_check(files: Annotated[list[Path], typer.Argument(help="Path YAML files.")]) -> None:
    """Validate path files: OK, or an error naming the file, the field and the fix."""
    from trainer.onboarding.paths import load_path

    check_files(
        files,
        load_path,
        lambda p: f"{p.ref}: {len(p.steps)} steps, first {p.steps[0].id}",
    )


@path_app.command("assign")
@user_errors
def path_assign(
    person: Annotated[str, typer.Argument(help="The trainee or agent.")],
    path: Annotated[str, typer.Option("--path", help="Learning path id.")],
    due: Annotated[str | None, typer.Option("--due", help="Due date, YYYY-MM-DD.")] = None,
) -> None:
    """Assign a path to one person (or change its due date). HR, admins."""
    from trainer.db.session import session_scope
    from trainer.services.onboarding import assign_path

    with session_scope() as session:
        view = assign_path(session, acting_actor(session), person, path, due)
    out.print(
        f"{view['person']}: {view['path']} due {view['due_on'] or '(no date)'}", highlight=False
    )


@path_app.command("progress")
@user_errors
def path_progress(
    person: Annotated[str, typer.Argument(help="The trainee or agent.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A person's learning paths, step by step."""
    from trainer.db.session import session_scope
    from trainer.services.onboarding import people_progress

    with session_scope() as session:
        rows = people_progress(session, acting_actor(session), person)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        out.print(f"{person} has no learning path assigned", highlight=False)
    for row in rows:
        out.print(
            f"[bold]{row['path_title']}[/] ({row['path']}), due {row['due_on'] or '—'}: "
            f"{STATUS_LABELS[row['status']]}",
            highlight=False,
        )
        _print_table(_progress_table([row], [s["step"] for s in row["steps"]]))


@app.command("certificate")
@user_errors
def certificate(
    person: Annotated[str, typer.Argument(help="Whose certificate.")],
    path: Annotated[str, typer.Option("--path", help="Learning path id.")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the PDF.")],
) -> None:
    """Write a person's certificate of a finished learning path as a PDF."""
    from trainer.db.session import session_scope
    from trainer.services.onboarding import certificate_pdf, find_certificate

    with session_scope() as session:
        actor = acting_actor(session)
        cert = find_certificate(session, actor, person, path)
        data = certificate_pdf(session, actor, cert["id"])
    try:
        out_file.write_bytes(data)
    except OSError as exc:
        raise TrainerError(
            f"cannot write the PDF: {exc.strerror}", where=str(out_file), fix="check the folder"
        ) from None
    out.print(
        f"certificate {cert['id']} of {cert['person']} ({cert['path']}@{cert['path_version']}, "
        f"issued {cert['issued_at'][:10]}) written to {out_file}",
        highlight=False,
        soft_wrap=True,
    )
