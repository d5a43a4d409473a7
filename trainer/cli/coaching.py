"""`trainer coaching ...`: a team lead's coaching sessions from the command line (open, list,
show, action items, close and reopen). Run as the lead with `trainer --as NAME coaching ...`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from trainer.cli.common import TextOrJson, _print_table, acting_actor, app, out, user_errors

coaching_app = typer.Typer(help="Coaching sessions for agents.", no_args_is_help=True)
action_app = typer.Typer(help="Action items of a coaching session.", no_args_is_help=True)
app.add_typer(coaching_app, name="coaching")
coaching_app.add_typer(action_app, name="action")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _print_view(view: dict) -> None:
    """A session as people read it in a terminal."""
    say = lambda text: out.print(text, highlight=False, markup=False, soft_wrap=True)  # noqa: E731
    say(f"#{view['id']} {view['title']} [{view['status']}]")
    say(f"agent: {view['agent']}   coach: {view['coach'] or '—'}")
    if view["criterion"]:
        say(f"criterion: {view['criterion_title']} ({view['criterion']})")
    if view["follow_up_on"]:
        say(f"follow-up: {view['follow_up_on']}")
    if view["shared_notes"]:
        say(f"notes: {view['shared_notes']}")
    if view.get("private_notes"):
        say(f"private notes: {view['private_notes']}")
    for item in view["action_items"]:
        mark = "x" if item["done"] else " "
        due = f" (due {item['due_on']})" if item["due_on"] else ""
        say(f"  [{mark}] {item['id']}: {item['text']}{due}")
    for conv in view["conversations"]:
        if not conv["visible"]:
            say(f"  conversation {conv['conversation']}: not visible")
            continue
        score = "—" if conv["score"] is None else f"{conv['score']:.0f}"
        missed = ", ".join(c["id"] for c in conv["criteria"]) or "none"
        say(f"  conversation {conv['conversation']}: score {score}; criteria: {missed}")
    if view["measures"]:
        before, after = view["measures"]["before"], view["measures"]["after"]
        say(
            f"{view['criterion']}: before {_percent(before['mean'])} (n={before['n']}), "
            f"after {_percent(after['mean'])} (n={after['n']})"
        )
    if view["practice"]:
        p = view["practice"]
        best = "—" if p["best_score"] is None else f"{p['best_score']:.0f}"
        say(
            f"practice: {p['id']} ({p['title']}): {p['attempts']} attempts, "
            f"{p['passed']} passed, best {best}"
        )


@coaching_app.command("open")
@user_errors
def coaching_open(
    agent: Annotated[str, typer.Option(help="The agent to coach (name or email).")],
    title: Annotated[str, typer.Option(help="What the session is about.")],
    criterion: Annotated[str | None, typer.Option(help="Rubric criterion id to work on.")] = None,
    conversation: Annotated[
        list[str] | None, typer.Option(help="Linked conversation id (repeatable).")
    ] = None,
    scenario: Annotated[
        str | None, typer.Option(help="Role-play scenario id to practise (scenarios/*.yaml).")
    ] = None,
    follow_up: Annotated[str | None, typer.Option(help="Follow-up date, YYYY-MM-DD.")] = None,
    note: Annotated[str | None, typer.Option(help="Notes the agent sees.")] = None,
    private_note: Annotated[
        str | None, typer.Option(help="Private notes (never shown to the agent).")
    ] = None,
    format: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.text,
) -> None:
    """Open a coaching session for an agent of your team (`trainer --as LEAD coaching open`)."""
    from trainer.db.session import session_scope
    from trainer.services.coaching import open_session

    with session_scope() as session:
        view = open_session(
            session,
            acting_actor(session),
            agent,
            title,
            criterion=criterion,
            conversations=conversation or [],
            scenario=scenario,
            follow_up=follow_up,
            shared_notes=note,
            private_notes=private_note,
        )
    if format is TextOrJson.json:
        print(json.dumps(view, indent=2))
    else:
        out.print(f"opened coaching session {view['id']} for {view['agent']}", highlight=False)


@coaching_app.command("list")
@user_errors
def coaching_list(
    agent: Annotated[str | None, typer.Option(help="Only this agent's sessions.")] = None,
    status: Annotated[str | None, typer.Option(help="open or closed.")] = None,
    format: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.text,
) -> None:
    """The coaching sessions you may read: your own (agents), your teams' (leads), all."""
    from trainer.db.session import session_scope
    from trainer.services.coaching import list_sessions

    with session_scope() as session:
        rows = list_sessions(session, acting_actor(session), agent=agent, status=status)
    if format is TextOrJson.json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        out.print("no coaching sessions ('trainer coaching open --agent NAME --title T')")
        return
    table = Table("id", "agent", "title", "status", "criterion", "scenario", "actions", "follow-up")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["agent"] or "—",
            row["title"],
            row["status"],
            row["criterion"] or "—",
            row["scenario"] or "—",
            f"{row['actions_done']}/{row['actions']}",
            row["follow_up_on"] or "—",
        )
    _print_table(table)


@coaching_app.command("show")
@user_errors
def coaching_show(
    session_id: Annotated[int, typer.Argument(help="The session's id.")],
    format: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.text,
) -> None:
    """One session: notes (private ones for its coach only), action items, linked
    conversations, before/after on the criterion, practice of the assigned scenario."""
    from trainer.db.session import session_scope
    from trainer.services.coaching import session_view

    with session_scope() as session:
        view = session_view(session, acting_actor(session), session_id)
    if format is TextOrJson.json:
        print(json.dumps(view, indent=2))
    else:
        _print_view(view)


@coaching_app.command("close")
@user_errors
def coaching_close(session_id: Annotated[int, typer.Argument(help="The session's id.")]) -> None:
    """Close a session (its coach)."""
    from trainer.db.session import session_scope
    from trainer.services.coaching import close_session

    with session_scope() as session:
        close_session(session, acting_actor(session), session_id)
    out.print(f"coaching session {session_id} closed", highlight=False)


@coaching_app.command("reopen")
@user_errors
def coaching_reopen(session_id: Annotated[int, typer.Argument(help="The session's id.")]) -> None:
    """Reopen a closed session (its coach)."""
    from trainer.db.session import session_scope
    from trainer.services.coaching import reopen_session

    with session_scope() as session:
        reopen_session(session, acting_actor(session), session_id)
    out.print(f"coaching session {session_id} reopened", highlight=False)


@action_app.command("add")
@user_errors
def action_add(
    session_id: Annotated[int, typer.Argument(help="The session's id.")],
    text: Annotated[str, typer.Argument(help="What the agent is to do.")],
    due: Annotated[str | None, typer.Option(help="Due date, YYYY-MM-DD.")] = None,
) -> None:
    """Add an action item to a session (its coach)."""
    from trainer.db.session import session_scope
    from trainer.services.coaching import add_action

    with session_scope() as session:
        item = add_action(session, acting_actor(session), session_id, text, due)
    out.print(f"action {item['id']} added to coaching session {session_id}", highlight=False)


@action_app.command("done")
@user_errors
def action_done(
    action_id: Annotated[int, typer.Argument(help="The action item's id.")],
    undo: Annotated[bool, typer.Option(help="Mark it not done again.")] = False,
) -> None:
    """Mark an action item done (the coach, or the agent for their own items)."""
    from trainer.db.session import session_scope
    from trainer.services.coaching import set_action_done

    with session_scope() as session:
        set_action_done(session, acting_actor(session), action_id, done=not undo)
    out.print(f"action {action_id} {'not done' if undo else 'done'}", highlight=False)
