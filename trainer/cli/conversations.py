"""Conversations: ingest, score, show, report, swap speakers, export audio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from trainer.cli.common import (
    TextOrJson,
    _fmt,
    _print_table,
    _progress,
    acting_actor,
    app,
    err,
    out,
    user_errors,
)
from trainer.errors import TrainerError


@app.command()
@user_errors
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders: chat logs and call audio.")
    ],
    alias: Annotated[
        list[str] | None, typer.Option(help="Extra speaker alias LABEL=ROLE (repeatable).")
    ] = None,
    replace: Annotated[
        bool, typer.Option(help="Overwrite stored conversations with new content.")
    ] = False,
    score: Annotated[
        bool, typer.Option(help="Score ingested chats with the default rubric.")
    ] = False,
    engine: Annotated[
        str | None, typer.Option(help="ASR engine for calls: faster-whisper, openai-whisper.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="ASR model name or local path.")] = None,
    call_id: Annotated[
        str | None, typer.Option("--id", help="External id for a single call file.")
    ] = None,
    background: Annotated[
        bool, typer.Option(help="Queue call transcription for 'trainer worker'.")
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes to read and store chat files with.")
    ] = 1,
) -> None:
    """Read chat logs (JSON, CSV, plain text, ABCD JSON) and calls (wav, mp3, m4a, flac, ogg,
    opus) into the database. Calls are transcribed, redacted, measured and scored."""
    from trainer.ingest import find_files
    from trainer.ingest.speakers import SpeakerAliases
    from trainer.services.ingestion import ingest_paths

    extra = {}
    for item in alias or []:
        label, _, role = item.partition("=")
        if not role:
            raise TrainerError(f"bad alias {item!r}", where="--alias", fix="write it as LABEL=ROLE")
        extra[label] = role
    aliases = SpeakerAliases.from_env().with_extra(extra)
    total = len(find_files(paths))
    if call_id and total != 1:
        raise TrainerError("--id names one call", where="--id", fix="pass a single audio file")
    from trainer.db.retry import retry_count
    from trainer.db.session import session_scope

    with session_scope() as session:
        actor = acting_actor(session)
    retries_before = retry_count()
    with _progress(total, "ingest") as bar:
        task = bar.add_task("", total=total)
        summary = ingest_paths(
            actor,
            paths,
            aliases,
            replace=replace,
            call_id=call_id,
            progress=lambda p: bar.update(task, advance=1, description=p.name),
            workers=workers,
        )
    failed_calls = _transcribe_calls(summary.calls, engine, model, background)
    out.print(
        f"ingested {len(summary.ingested) + len(summary.calls) - len(failed_calls)}, "
        f"replaced {len(summary.replaced)}, unchanged {len(summary.unchanged)}, "
        f"skipped {len(summary.skipped)}, failed {len(summary.failed) + len(failed_calls)}"
    )
    if retries := retry_count() - retries_before:
        # Other writers held the SQLite file; say so, and that the retries stored everything.
        out.print(
            f"the database was busy: {retries} write(s) retried, "
            + ("all stored" if not summary.failed else "see the failures below"),
            highlight=False,
        )
    for _path, reason in summary.skipped:
        err.print(f"[yellow]skipped[/] {reason}", highlight=False, soft_wrap=True)
    for _path, reason in summary.failed:
        err.print(f"[bold red]failed[/] {reason}", highlight=False, soft_wrap=True)
    for cid, reason in failed_calls:
        err.print(f"[bold red]failed[/] call {cid}: {reason}", highlight=False, soft_wrap=True)
    if score and (summary.ingested or summary.replaced):
        _score(summary.ingested + summary.replaced, None, workers)
    if summary.failed or failed_calls:
        raise typer.Exit(1)


def _transcribe_calls(
    ids: list[str], engine: str | None, model: str | None, background: bool
) -> list[tuple[str, str]]:
    """Transcribe registered calls here with a progress bar, or queue them; return failures."""
    if not ids:
        return []
    if background:
        from trainer.jobs.queue import default_queue

        for cid in ids:
            default_queue().transcribe(cid, engine, model)
        out.print(f"queued {len(ids)} call(s) for transcription; run 'trainer worker'")
        return []
    from trainer.db.session import session_scope
    from trainer.services.calls import transcribe_stored
    from trainer.services.views import conversation_view

    failed = []
    with Progress(
        TextColumn("[bold]{task.fields[call]}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}% {task.description}"),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        for cid in ids:
            task = bar.add_task("", total=1.0, call=cid)
            status = transcribe_stored(
                cid,
                engine=engine,
                model=model,
                progress=lambda f, stage, t=task: bar.update(t, completed=f, description=stage),
            )
            if status == "failed":
                with session_scope() as session:
                    view = conversation_view(session, acting_actor(session), cid)
                    failed.append((cid, view["status_reason"]))
    return failed


def _score(ids: list[str] | None, rubric: str | None, workers: int = 1) -> None:
    from trainer.db.session import session_scope
    from trainer.services.scoring import rescore, resolve_rubric

    resolved = resolve_rubric(rubric)
    with session_scope() as session:
        actor = acting_actor(session)
        total = len(ids) if ids is not None else 0
        with _progress(max(total, 2), "score") as bar:
            task = bar.add_task("", total=total or None)
            summary = rescore(
                session,
                actor,
                ids,
                resolved,
                lambda cid: bar.update(task, advance=1, description=cid),
                workers=workers,
            )
    out.print(f"scored {len(summary.scored)} with {resolved.ref}, failed {len(summary.failed)}")
    for cid, reason in summary.failed:
        err.print(f"[bold red]failed[/] {cid}: {reason}", highlight=False, soft_wrap=True)
    if summary.failed:
        raise typer.Exit(1)


@app.command()
@user_errors
def score(
    conversations: Annotated[
        list[str] | None, typer.Argument(help="External ids to score.")
    ] = None,
    rubric: Annotated[str | None, typer.Option(help="Rubric id or YAML path.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Score every stored conversation.")] = False,
    background: Annotated[
        bool, typer.Option(help="Queue the work for 'trainer worker' instead of running it here.")
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes to score with (one per core is fastest).")
    ] = 1,
) -> None:
    """Score stored conversations against a rubric (re-scoring replaces the automatic one)."""
    if not all_ and not conversations:
        raise TrainerError("name conversations to score", fix="pass ids, or --all")
    ids = None if all_ else list(conversations or [])
    if background:
        from trainer.db.session import session_scope
        from trainer.jobs.queue import queue_url
        from trainer.services.scoring import queue_rescore

        with session_scope() as session:
            result = queue_rescore(session, acting_actor(session), ids, rubric)
        out.print(f"queued scoring job {result.id} on {queue_url()}", highlight=False)
        return
    _score(ids, rubric, workers)


@app.command()
@user_errors
def show(
    conversation: Annotated[str, typer.Argument(help="External id of the conversation.")],
    format: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.text,
) -> None:
    """Show a conversation with its scores, explanations and evidence."""
    from trainer.db.session import session_scope
    from trainer.services.views import conversation_view

    with session_scope() as session:
        view = conversation_view(session, acting_actor(session), conversation)
    if format is TextOrJson.json:
        print(json.dumps(view, indent=2, ensure_ascii=False))
        return
    out.print(
        f"[bold]{view['conversation']}[/] · {view['channel']} · agent {view['agent'] or '?'} "
        f"· customer {view['customer'] or '?'}",
        highlight=False,
    )
    if view["rubric"]:
        sections = "  ".join(f"{k} {_fmt(v)}" for k, v in view["sections"].items())
        out.print(
            f"score [bold]{_fmt(view['score'])}[/] ({view['rubric']})  {sections}", highlight=False
        )
    else:
        out.print("[yellow]not scored yet[/] (run 'trainer score " + view["conversation"] + "')")
    out.print()
    for i, turn in enumerate(view["turns"]):
        stamp = f"[{turn['start']:6.1f}s] " if turn["start"] is not None else ""
        out.print(
            f"{i + 1:>3} {stamp}[bold]{turn['speaker']:>8}[/]: {turn['text']}", highlight=False
        )
    if view["criteria"]:
        out.print()
        table = Table("section", "criterion", "value", "explanation", show_lines=False)
        for c in view["criteria"]:
            value = "N/A" if c["na"] else ("?" if c["value"] is None else f"{c['value']:.2f}")
            table.add_row(c["section"], c["id"], value, c["explanation"])
        _print_table(table)


@app.command("swap-roles")
@user_errors
def swap_roles_command(
    conversation: Annotated[str, typer.Argument(help="External id of the call.")],
) -> None:
    """Swap agent and customer on a call and re-score it."""
    from trainer.db.session import session_scope
    from trainer.services.calls import swap_roles

    with session_scope() as session:
        actor = acting_actor(session)
    metrics = swap_roles(actor, conversation)
    out.print(
        f"swapped roles on {conversation}; agent now talks {metrics['talk_seconds']['agent']:.0f} s"
        " and the call was re-scored",
        highlight=False,
    )


@app.command("export-audio")
@user_errors
def export_audio(
    conversation: Annotated[str, typer.Argument(help="External id of the call.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="WAV file to write.")],
    redacted: Annotated[
        bool, typer.Option("--redacted/--original", help="Silence redacted personal data.")
    ] = True,
) -> None:
    """Write a copy of a call's audio, with redacted personal data silenced by default."""
    import shutil

    from trainer.access import Action
    from trainer.db.session import session_scope
    from trainer.services.views import visible_conversation
    from trainer.speech.export import export_redacted

    with session_scope() as session:
        record = visible_conversation(
            session, acting_actor(session), conversation, Action.LISTEN_AUDIO
        )
        if record.channel != "call" or not record.source:
            raise TrainerError(f"{conversation!r} is not a call with audio", where=conversation)
        source, ranges = record.source, list((record.extra or {}).get("redactions") or [])
    if not Path(source).is_file():
        raise TrainerError(
            "the call's audio file is gone",
            where=source,
            fix="ingest the call again from its audio",
        )
    if redacted:
        export_redacted(source, ranges, out)
        out_note = f"{len(ranges)} redacted stretch(es) silenced"
    else:
        shutil.copyfile(source, out)
        out_note = "original audio, unredacted"
    err.print(f"wrote {out} ({out_note})", highlight=False)
