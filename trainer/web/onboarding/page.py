"""`/onboarding`: the signed-in person's learning paths (steps, locks, statuses, a link to
practise each open step), a lead's team on their paths, the cohorts, and (HR, admins) the form
that creates a cohort."""

from __future__ import annotations

import reflex as rx

from trainer.web.components import (
    data_table,
    empty_state,
    error_callout,
    labelled,
    page,
    scheme,
    testid,
)
from trainer.web.onboarding import viewmodels as vm
from trainer.web.onboarding.state import OnboardingState

# A native control's look, close to the Radix inputs around it.
FIELD = {
    "padding": "0.35rem 0.5rem",
    "border": f"1px solid {rx.color('gray', 7)}",
    "border_radius": "var(--radius-2)",
    "background_color": rx.color("gray", 1),
    "font_size": "var(--font-size-2)",
}


def status_pill(label: rx.Var, tone: rx.Var, status: rx.Var, name: str) -> rx.Component:
    """A status ("Passed", "Past due") as a badge coloured by its tone."""
    return rx.badge(
        label,
        color_scheme=scheme(tone),
        variant="soft",
        radius="full",
        custom_attrs={"data-testid": name, "data-status": status},
    )


def _step(step: rx.Var[vm.StepCard]) -> rx.Component:
    return rx.hstack(
        rx.badge(step.number, variant="outline", color_scheme="gray", radius="full"),
        rx.cond(step.locked, rx.icon("lock", size=14, color=rx.color("gray", 9))),
        rx.vstack(
            rx.text(step.title, weight="medium", size="2"),
            rx.text(step.detail, size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.spacer(),
        rx.text("Best ", rx.text.strong(step.best), size="1", color_scheme="gray"),
        status_pill(step.label, step.tone, step.status, "step-status"),
        rx.cond(
            step.can_practise,
            rx.link(
                rx.button(rx.icon("play", size=14), "Practise", size="1"),
                href=step.href,
                custom_attrs=testid("step-practise"),
            ),
        ),
        align="center",
        width="100%",
        padding_y="0.35rem",
        custom_attrs={
            "data-testid": "step-card",
            "data-step": step.step,
            "data-status": step.status,
            "data-locked": rx.cond(step.locked, "true", "false"),
        },
    )


def path_card(card: rx.Var[vm.PathCard], name: str = "path-card") -> rx.Component:
    """A person's path: title, cohort, due date, overall status, the steps, the certificate.
    (Under rx.foreach, call it from a one-argument lambda: a second parameter would be given
    the item's index.)"""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading(card.title, size="4"),
                    rx.text(
                        rx.cond(card.cohort != "", "Cohort " + card.cohort + " · ", ""),
                        "Due ",
                        card.due_on,
                        " · ",
                        card.passed_steps,
                        " of ",
                        card.total_steps,
                        " steps passed",
                        size="2",
                        color_scheme="gray",
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                status_pill(card.label, card.tone, card.status, "path-status"),
                rx.cond(
                    card.certificate_href != "",
                    rx.link(
                        rx.button(
                            rx.icon("award", size=14), "Certificate", size="1", variant="soft"
                        ),
                        href=card.certificate_href,
                        is_external=True,
                        custom_attrs=testid("certificate-link"),
                    ),
                ),
                width="100%",
                align="start",
            ),
            rx.separator(size="4"),
            rx.foreach(card.steps, _step),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": name, "data-path": card.path, "data-person": card.name},
    )


def _team_card(card: rx.Var[vm.PathCard]) -> rx.Component:
    return rx.vstack(
        rx.text(rx.text.strong(card.name), size="3"),
        path_card(card, "team-path-card"),
        spacing="1",
        width="100%",
    )


def _cohort_row(row: rx.Var[vm.CohortRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(row.name, href=row.href, weight="medium", custom_attrs=testid("cohort-link"))
        ),
        rx.table.cell(row.path_title),
        rx.table.cell(row.start_on, white_space="nowrap"),
        rx.table.cell(row.due_on, white_space="nowrap"),
        rx.table.cell(row.members, custom_attrs=testid("cohort-members")),
        rx.table.cell(row.finished, custom_attrs=testid("cohort-finished")),
        custom_attrs={"data-testid": "cohort-row", "data-cohort": row.id, "data-name": row.name},
    )


def _person(name: rx.Var[str]) -> rx.Component:
    s = OnboardingState
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                checked=s.chosen.contains(name),
                on_change=lambda _checked: s.toggle(name),
                custom_attrs={"data-testid": "cohort-member", "data-person": name},
            ),
            rx.text(name, size="2"),
            spacing="2",
            align="center",
        ),
    )


def create_form() -> rx.Component:
    """The form HR creates a cohort with: name, path, start and due dates, the new hires."""
    s = OnboardingState
    return rx.card(
        rx.heading("Create a cohort", size="4", margin_bottom="0.75rem"),
        rx.form(
            rx.vstack(
                rx.flex(
                    labelled(
                        "Name",
                        rx.input(
                            name="name",
                            required=True,
                            width="16rem",
                            custom_attrs=testid("cohort-name"),
                        ),
                    ),
                    labelled(
                        "Learning path",
                        rx.el.select(
                            rx.foreach(
                                s.path_ids,
                                lambda pid: rx.el.option(s.path_labels[pid], value=pid),
                            ),
                            value=s.path_choice,
                            on_change=s.set_path_choice,
                            width="20rem",
                            custom_attrs=testid("cohort-path"),
                            **FIELD,
                        ),
                    ),
                    labelled(
                        "Start",
                        rx.input(name="start", type="date", custom_attrs=testid("cohort-start")),
                    ),
                    labelled(
                        "Due",
                        rx.input(
                            name="due",
                            type="date",
                            required=True,
                            custom_attrs=testid("cohort-due"),
                        ),
                    ),
                    spacing="3",
                    wrap="wrap",
                ),
                labelled(
                    "New hires (trainees and agents)",
                    rx.flex(rx.foreach(s.people, _person), spacing="4", wrap="wrap"),
                ),
                rx.button("Create cohort", type="submit", custom_attrs=testid("cohort-create")),
                spacing="3",
                align="start",
            ),
            on_submit=s.create_cohort,
            reset_on_submit=False,
        ),
        margin_bottom="1rem",
    )


def onboarding_page() -> rx.Component:
    """The `/onboarding` page."""
    s = OnboardingState
    return page(
        rx.heading("Onboarding", size="7", margin_bottom="0.25rem"),
        rx.text(
            "Learning paths of role-plays, in order: each step unlocks when the one before it "
            "is passed. Finishing a path earns a certificate.",
            size="2",
            color_scheme="gray",
            margin_bottom="1rem",
        ),
        error_callout(s.error),
        rx.cond(
            s.my_paths.length() > 0,
            rx.vstack(
                rx.heading("My learning path", size="5"),
                rx.foreach(s.my_paths, lambda card: path_card(card)),
                spacing="3",
                width="100%",
                margin_bottom="1.5rem",
                id="my-paths",
            ),
        ),
        rx.cond(
            s.loaded & ~s.can_manage & ~s.follows_team & (s.my_paths.length() == 0),
            empty_state("No learning path is assigned to you yet.", name="my-paths-empty"),
        ),
        rx.cond(s.can_manage, create_form()),
        rx.cond(
            s.follows_team,
            rx.vstack(
                rx.heading("My team's paths", size="5"),
                rx.foreach(s.team_paths, _team_card),
                rx.cond(
                    s.loaded & (s.team_paths.length() == 0),
                    empty_state("No one in your teams has a learning path.", name="team-empty"),
                ),
                spacing="3",
                width="100%",
                margin_bottom="1.5rem",
                id="team-paths",
            ),
        ),
        rx.cond(
            s.can_manage | s.follows_team | (s.cohorts.length() > 0),
            rx.vstack(
                rx.heading("Cohorts", size="5"),
                data_table(
                    ["Cohort", "Path", "Start", "Due", "Members", "Finished"],
                    rx.foreach(s.cohorts, _cohort_row),
                    table_id="cohorts",
                    empty=rx.cond(
                        s.loaded & (s.cohorts.length() == 0),
                        empty_state("No cohorts yet.", name="cohorts-empty"),
                    ),
                ),
                spacing="3",
                width="100%",
            ),
        ),
        testid_name="onboarding-page",
    )
