"""The `trainer` command: ingest, score, show, report, rubrics, database and demo data."""

from __future__ import annotations

import functools
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from trainer.errors import TrainerError
from trainer.roleplay.cli import app as roleplay_app

app = typer.Typer(help="Trainer: QA and training for customer-service teams.", no_args_is_help=True)
rubric_app = typer.Typer(help="Check and list rubrics.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure detectors against human labels.", no_args_is_help=True)
app.add_typer(rubric_app, name="rubric")
app.add_typer(db_app, name="db")
app.add_typer(eval_app, name="eval")
app.add_typer(roleplay_app)  # `trainer roleplay` and `trainer scenario ...`

out = Console()
err = Console(stderr=True)


def user_errors(fn):
    """Print a TrainerError as one clear line and exit 2, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TrainerError as exc:
            err.print(f"[bold red]error[/] {exc.format()}", highlight=False, soft_wrap=True)
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
    with _progress(total, "ingest") as bar:
        task = bar.add_task("", total=total)
        summary = ingest_paths(
            paths,
            aliases,
            replace=replace,
            call_id=call_id,
            progress=lambda p: bar.update(task, advance=1, description=p.name),
        )
    failed_calls = _transcribe_calls(summary.calls, engine, model, background)
    out.print(
        f"ingested {len(summary.ingested) + len(summary.calls) - len(failed_calls)}, "
        f"replaced {len(summary.replaced)}, unchanged {len(summary.unchanged)}, "
        f"skipped {len(summary.skipped)}, failed {len(summary.failed) + len(failed_calls)}"
    )
    for _path, reason in summary.skipped:
        err.print(f"[yellow]skipped[/] {reason}", highlight=False, soft_wrap=True)
    for _path, reason in summary.failed:
        err.print(f"[bold red]failed[/] {reason}", highlight=False, soft_wrap=True)
    for cid, reason in failed_calls:
        err.print(f"[bold red]failed[/] call {cid}: {reason}", highlight=False, soft_wrap=True)
    if score and (summary.ingested or summary.replaced):
        _score(summary.ingested + summary.replaced, None)
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
                    failed.append((cid, conversation_view(session, cid)["status_reason"]))
    return failed


def _score(ids: list[str] | None, rubric: str | None) -> None:
    from trainer.db.session import session_scope
    from trainer.services.scoring import resolve_rubric, score_stored

    resolved = resolve_rubric(rubric)
    with session_scope() as session:
        total = len(ids) if ids is not None else 0
        with _progress(max(total, 2), "score") as bar:
            task = bar.add_task("", total=total or None)
            summary = score_stored(
                session, ids, resolved, lambda cid: bar.update(task, advance=1, description=cid)
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
) -> None:
    """Score stored conversations against a rubric (re-scoring replaces the automatic one)."""
    if not all_ and not conversations:
        raise TrainerError("name conversations to score", fix="pass ids, or --all")
    ids = None if all_ else list(conversations or [])
    if background:
        from trainer.jobs.queue import default_queue, queue_url
        from trainer.services.scoring import resolve_rubric

        resolve_rubric(rubric)  # fail now on a bad rubric, not later in the worker
        result = default_queue().score(ids, rubric)
        out.print(f"queued scoring job {result.id} on {queue_url()}", highlight=False)
        return
    _score(ids, rubric)


@app.command()
@user_errors
def worker(
    workers: Annotated[int, typer.Option(help="Worker threads.")] = 2,
) -> None:
    """Run queue consumers (start one per machine; they share TRAINER_QUEUE_URL)."""
    from trainer.jobs.queue import default_queue, queue_url

    err.print(f"worker consuming {queue_url()} with {workers} thread(s)", highlight=False)
    consumer = default_queue().huey.create_consumer(workers=workers, worker_type="thread")
    consumer.run()


def _print_table(table: Table) -> None:
    # Piped output has no terminal width; rich would squeeze tables into 80 columns.
    console = out if out.is_terminal else Console(width=160)
    console.print(table)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


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
        view = conversation_view(session, conversation)
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


@app.command()
@user_errors
def report(
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
) -> None:
    """Section averages per agent."""
    import pandas as pd

    from trainer.db.session import session_scope
    from trainer.services.views import scorecard

    with session_scope() as session:
        rows = scorecard(session)
    if format is ReportFormat.json:
        print(json.dumps(rows, indent=2))
        return
    frame = pd.DataFrame(rows)
    if format is ReportFormat.csv:
        sys.stdout.write(frame.to_csv(index=False))
        return
    if frame.empty:
        out.print("no scored conversations yet (run 'trainer demo' or 'trainer ingest … --score')")
        return
    table = Table(*[str(c) for c in frame.columns])
    for row in rows:
        table.add_row(*[_fmt(v) if isinstance(v, float) else str(v) for v in row.values()])
    _print_table(table)


@rubric_app.command("check")
@user_errors
def rubric_check(files: Annotated[list[Path], typer.Argument(help="Rubric YAML files.")]) -> None:
    """Validate rubric files: OK, or an error naming the file, the path inside it and the fix."""
    from trainer.scoring.rubric import load_rubric

    failed = False
    for path in files:
        try:
            rubric = load_rubric(path)
        except TrainerError as exc:
            failed = True
            err.print(f"[bold red]error[/] {exc.format()}", highlight=False, soft_wrap=True)
            continue
        out.print(
            f"OK {path} ({rubric.ref}: {len(rubric.sections)} sections, "
            f"{len(rubric.criteria())} criteria)",
            highlight=False,
        )
    if failed:
        raise typer.Exit(2)


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


@db_app.command("upgrade")
@user_errors
def db_upgrade() -> None:
    """Apply migrations to the configured database (commands also do this on their own)."""
    from trainer.db.migrate import current_revision
    from trainer.db.session import database_url, get_sessionmaker

    maker = get_sessionmaker()
    engine = maker.kw["bind"]
    out.print(
        f"database at revision {current_revision(engine)} ({_safe_url(database_url())})",
        highlight=False,
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
@user_errors
def demo() -> None:
    """Seed the demo data: sample chats, people and teams, scored with the default rubric."""
    from trainer.services.demo import seed_demo

    result = seed_demo(progress=lambda msg: err.print(f"[dim]{msg}[/]", highlight=False))
    out.print(
        f"demo ready: {result['conversations']} conversations ({result.get('calls', 0)} calls), "
        f"{result['scored']} scored, {result['agents']} agents"
    )


@app.command("swap-roles")
@user_errors
def swap_roles_command(
    conversation: Annotated[str, typer.Argument(help="External id of the call.")],
) -> None:
    """Swap agent and customer on a call and re-score it."""
    from trainer.services.calls import swap_roles

    metrics = swap_roles(conversation)
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

    from trainer.db.repository import require_conversation
    from trainer.db.session import session_scope
    from trainer.speech.export import export_redacted

    with session_scope() as session:
        record = require_conversation(session, conversation)
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


models_app = typer.Typer(
    help="Speech models (local only: nothing is downloaded).", no_args_is_help=True
)
app.add_typer(models_app, name="models")


@models_app.command("convert")
@user_errors
def models_convert(
    out: Annotated[Path | None, typer.Option(help="Where to write the .pt checkpoint.")] = None,
) -> None:
    """Build openai-whisper's PyTorch checkpoint from the packaged CTranslate2 tiny.en weights."""
    from trainer.speech.models import convert_packaged

    path = Path(convert_packaged(out))
    err.print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)", highlight=False)


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


@eval_app.command("asr")
@user_errors
def eval_asr(
    audio: Annotated[Path, typer.Option(help="A call recording.")],
    reference: Annotated[Path, typer.Option(help="Its reference transcript, NIST STM format.")],
    engine: Annotated[str | None, typer.Option(help="faster-whisper or openai-whisper.")] = None,
    model: Annotated[str | None, typer.Option(help="Model name or local path.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """WER, speaker attribution and real-time factor of a call against its STM reference."""
    from trainer.evaluation.asr import evaluate_asr, render_asr

    report_ = evaluate_asr(audio, reference, engine, model)
    if as_json:
        print(json.dumps(report_.as_json(), indent=2))
    else:
        out.print(render_asr(report_), highlight=False)


def main() -> None:
    """Entry point of the `trainer` script."""
    app()


if __name__ == "__main__":
    main()
