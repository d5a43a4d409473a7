"""`trainer roleplay` and `trainer scenario ...`: practise a scenario, validate and list them.

Role-plays played here are stored for the trainee named by `--trainee` (an account), recorded by
the acting user (the local admin unless `--as`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from trainer.cli.common import acting_actor, app, check_files, err, out, user_errors
from trainer.errors import TrainerError

scenario_app = typer.Typer(help="Check, list and show role-play scenarios.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")


def _phraser(llm_url: str | None, llm_model: str | None):
    from trainer.roleplay.phrasing import OpenAIPhraser

    if llm_url:
        return OpenAIPhraser(llm_url, llm_model or "llama3.2")
    return OpenAIPhraser.from_env()


def _mood_bar(mood: int) -> str:
    colour = "green" if mood <= 3 else "yellow" if mood <= 6 else "red"
    return f"[{colour}]mood {mood}/10[/]"


@app.command("roleplay")
@user_errors
def roleplay(
    scenario: Annotated[
        str, typer.Argument(help="Scenario id (see 'trainer scenario list') or YAML.")
    ],
    script: Annotated[
        Path | None, typer.Option(help="Play the trainee's replies from a file, one per line.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    seed: Annotated[int, typer.Option(help="Seed for the customer's line variety.")] = 0,
    trainee: Annotated[
        str | None,
        typer.Option(
            help="Store the attempt for this trainee (it counts toward their learning paths); "
            "recorded by the trainee themself, HR or an admin."
        ),
    ] = None,
    llm_url: Annotated[
        str | None,
        typer.Option(help="OpenAI-compatible endpoint to phrase the customer's lines (optional)."),
    ] = None,
    llm_model: Annotated[str | None, typer.Option(help="Model name for --llm-url.")] = None,
) -> None:
    """Practise a scenario: interactively, or from a script of replies (--script FILE)."""
    from trainer.roleplay.attempt import Attempt, read_script
    from trainer.roleplay.loader import find_scenario

    chosen = find_scenario(scenario)
    phraser = _phraser(llm_url, llm_model)
    attempt = Attempt(chosen, seed=seed, trainee=trainee, phraser=phraser)
    if script is not None:
        if not script.is_file():
            raise TrainerError("script file not found", where=str(script), fix="check the path")
        replies = read_script(script.read_text(encoding="utf-8"))
        if not replies:
            raise TrainerError("the script has no replies", where=str(script))
        for reply in replies:
            if attempt.ended:
                break
            attempt.reply(reply)
    else:
        _interactive(attempt, quiet=as_json)
    result = attempt.finish()
    data = result.as_json()
    if trainee:
        data["attempt"] = _store(trainee, result, seed)
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if script is not None:
        _print_transcript(data)
    _print_result(data)


def _store(trainee: str, result, seed: int) -> int:
    from trainer.db.session import session_scope
    from trainer.services.roleplay import record_result

    with session_scope() as session:
        return record_result(session, acting_actor(session), trainee, result, seed=seed).id


def _interactive(attempt, quiet: bool) -> None:
    console = err if quiet else out
    scenario = attempt.scenario
    console.print(f"[bold]{scenario.title}[/] ({scenario.difficulty})", highlight=False)
    console.print(scenario.summary.strip(), highlight=False)
    if scenario.policy:
        console.print(f"[dim]Policy: {scenario.policy.strip()}[/]", highlight=False)
    console.print("[dim]Type your replies; /quit ends the attempt.[/]\n")
    console.print(
        f"[bold]{scenario.persona.first_name}[/] ({_mood_bar(attempt.state.mood)}): "
        f"{attempt.last_customer_line}",
        highlight=False,
    )
    while not attempt.ended:
        try:
            reply = input("you> ")
        except EOFError:
            break
        if reply.strip() in {"/quit", "/q", "/exit"}:
            break
        if not reply.strip():
            continue
        answer = attempt.reply(reply)
        console.print(
            f"[bold]{scenario.persona.first_name}[/] ({_mood_bar(answer.mood)}): {answer.text}",
            highlight=False,
        )


def _print_transcript(data: dict) -> None:
    for turn in data["transcript"]:
        who = "you" if turn["speaker"] == "agent" else turn["speaker"]
        out.print(
            f"{turn['turn']:>3} [bold]{who:>8}[/]: {turn['text']}", highlight=False, soft_wrap=True
        )
    out.print()


def _print_result(data: dict) -> None:
    verdict = "[bold green]PASSED[/]" if data["passed"] else "[bold red]NOT PASSED[/]"
    score = "—" if data["score"] is None else f"{data['score']:.0f}"
    out.print(
        f"{verdict}  outcome {data['outcome']}  score {score} (pass mark {data['pass_mark']:.0f})"
        f"  mood {' → '.join(str(m) for m in data['mood'])}",
        highlight=False,
        soft_wrap=True,
    )
    sections = "  ".join(
        f"{k} {'—' if v is None else f'{v:.0f}'}" for k, v in data["sections"].items()
    )
    out.print(sections, highlight=False, soft_wrap=True)
    if data.get("attempt"):
        out.print(f"[dim]stored as attempt {data['attempt']}[/]", highlight=False)
    for item in data["feedback"]:
        out.print(f"• {item['message']}", highlight=False, soft_wrap=True)
        if item["better_reply"]:
            out.print(f"  [dim]try:[/] {item['better_reply']}", highlight=False, soft_wrap=True)


@scenario_app.command("check")
@user_errors
def scenario_check(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
) -> None:
    """Validate scenario files: OK, or an error naming the file, the path inside it and the fix."""
    from trainer.roleplay.loader import load_scenario

    check_files(
        files,
        load_scenario,
        lambda scenario: (
            f"{scenario.id}@{scenario.version}: {len(scenario.requirements)} requirements, "
            f"{len(scenario.facts)} facts, pass mark {scenario.scoring.pass_mark:g}"
        ),
    )


@scenario_app.command("list")
@user_errors
def scenario_list() -> None:
    """List the shipped scenarios."""
    from trainer.roleplay.loader import list_scenarios

    table = Table("id", "difficulty", "title", "skills")
    for scenario in list_scenarios():
        table.add_row(scenario.id, scenario.difficulty, scenario.title, ", ".join(scenario.skills))
    (out if out.is_terminal else Console(width=160)).print(table)


@scenario_app.command("show")
@user_errors
def scenario_show(scenario: Annotated[str, typer.Argument(help="Scenario id or YAML.")]) -> None:
    """Show a scenario's brief, persona and what counts as resolved (for trainers)."""
    from trainer.roleplay.loader import find_scenario

    s = find_scenario(scenario)
    p = s.persona
    out.print(f"[bold]{s.title}[/] ({s.id}@{s.version}, {s.difficulty})", highlight=False)
    out.print(s.summary.strip(), highlight=False)
    out.print(
        f"customer: {p.name} ({p.temperament}, starting mood {p.mood}/10, patience {p.patience}, "
        f"leaves at {p.leaves_at})",
        highlight=False,
    )
    out.print(f"wants: {s.goal.strip()}", highlight=False)
    out.print("resolved when the trainee has:", highlight=False)
    for r in s.requirements:
        out.print(f"  - {r.description}", highlight=False)
    out.print(f"scored with {s.scoring.rubric}, pass mark {s.scoring.pass_mark:g}", highlight=False)


@scenario_app.command("progress")
@user_errors
def scenario_progress(
    trainee: Annotated[str, typer.Argument(help="The trainee's name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A trainee's role-play progress: skills over attempts, scenarios passed."""
    from trainer.db.session import session_scope
    from trainer.services.roleplay import trainee_progress

    with session_scope() as session:
        report = trainee_progress(session, acting_actor(session), trainee)
    if as_json:
        print(json.dumps(report, indent=2))
        return
    out.print(
        f"[bold]{trainee}[/]: {report['attempts']} attempt(s), {report['passed_attempts']} passed; "
        f"scenarios passed: {', '.join(report['scenarios_passed']) or 'none yet'}",
        highlight=False,
    )
    table = Table("skill", "attempts", "first", "latest", "best", "change")
    for skill, row in report["skills"].items():
        table.add_row(
            skill,
            str(row["attempts"]),
            *[
                ("—" if row.get(k) is None else f"{row[k]:.0f}")
                for k in ("first", "latest", "best", "change")
            ],
        )
    (out if out.is_terminal else Console(width=160)).print(table)
    table = Table("scenario", "attempts", "best", "latest", "passed", "last outcome")
    for row in report["scenarios"]:
        table.add_row(
            row["scenario"],
            str(row["attempts"]),
            f"{row['best']:.0f}" if row["best"] is not None else "—",
            f"{row['latest']:.0f}" if row["latest"] is not None else "—",
            "yes" if row["passed"] else "no",
            str(row["last_outcome"]),
        )
    (out if out.is_terminal else Console(width=160)).print(table)
