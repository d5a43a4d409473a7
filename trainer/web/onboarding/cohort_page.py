"""`/onboarding/<id>`: a cohort's funnel (a stacked bar per step and the counts behind it) and
the member × step grid that shows who is stuck where, with certificate links."""

from __future__ import annotations

import reflex as rx

from trainer.web.components import data_table, empty_state, error_callout, page, testid
from trainer.web.onboarding import viewmodels as vm
from trainer.web.onboarding.page import status_pill
from trainer.web.onboarding.state import CohortState


def _funnel_chart() -> rx.Component:
    s = CohortState
    return rx.recharts.bar_chart(
        *[
            rx.recharts.bar(
                data_key=status,
                name=vm.STATUS_LABELS[status],
                stack_id="people",
                fill=vm.STATUS_COLOURS[status],
                is_animation_active=False,
            )
            for status in vm.STATUS_ORDER
        ],
        rx.recharts.x_axis(data_key="step"),
        rx.recharts.y_axis(allow_decimals=False, width=30),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        data=s.chart,
        width="100%",
        height=260,
    )


def _count(value: rx.Var[int], status: str) -> rx.Component:
    return rx.table.cell(
        value,
        text_align="center",
        custom_attrs={"data-testid": f"funnel-{status}"},
    )


def _funnel_row(row: rx.Var[vm.FunnelRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.title),
        *[_count(getattr(row, status), status) for status in vm.STATUS_ORDER],
        rx.table.cell(row.locked, text_align="center", custom_attrs=testid("funnel-locked")),
        custom_attrs={"data-testid": "funnel-row", "data-step": row.step},
    )


def _cell(cell: rx.Var[vm.GridCell]) -> rx.Component:
    return rx.table.cell(
        rx.hstack(
            rx.cond(cell.locked, rx.icon("lock", size=12, color=rx.color("gray", 9))),
            status_pill(cell.label, cell.tone, cell.status, "grid-status"),
            spacing="1",
            align="center",
        ),
        title=cell.title,
        custom_attrs={
            "data-testid": "grid-cell",
            "data-step": cell.step,
            "data-status": cell.status,
        },
    )


def _grid_row(row: rx.Var[vm.GridRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(
                rx.cond(row.stuck, rx.icon("circle-alert", size=14, color=rx.color("tomato", 9))),
                rx.text(row.name, weight="medium"),
                spacing="1",
                align="center",
            ),
        ),
        rx.table.cell(status_pill(row.label, row.tone, row.status, "member-status")),
        rx.table.cell(row.current, custom_attrs=testid("member-current")),
        rx.foreach(row.cells, _cell),
        rx.table.cell(
            rx.cond(
                row.certificate_href != "",
                rx.link(
                    rx.hstack(rx.icon("file-down", size=14), rx.text("PDF"), spacing="1"),
                    href=row.certificate_href,
                    is_external=True,
                    custom_attrs=testid("certificate-link"),
                ),
                rx.text(vm.MISSING, color_scheme="gray"),
            )
        ),
        custom_attrs={
            "data-testid": "grid-row",
            "data-person": row.name,
            "data-status": row.status,
        },
    )


def _grid() -> rx.Component:
    s = CohortState
    return rx.card(
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Member"),
                        rx.table.column_header_cell("Path"),
                        rx.table.column_header_cell("Where"),
                        rx.foreach(s.steps, lambda title: rx.table.column_header_cell(title)),
                        rx.table.column_header_cell("Certificate"),
                    )
                ),
                rx.table.body(rx.foreach(s.grid, _grid_row)),
                variant="ghost",
                size="2",
                width="100%",
                id="cohort-grid",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.cond(
            s.loaded & (s.grid.length() == 0),
            empty_state("No members yet.", name="grid-empty"),
        ),
        width="100%",
    )


def cohort_page() -> rx.Component:
    """The `/onboarding/<id>` page."""
    s = CohortState
    return page(
        rx.link("← Onboarding", href="/onboarding", size="2", custom_attrs=testid("back")),
        error_callout(s.error),
        rx.cond(
            s.found,
            rx.vstack(
                rx.heading(s.name, size="7", custom_attrs=testid("cohort-title")),
                rx.text(
                    s.path_title,
                    " (",
                    s.path_id,
                    ") · ",
                    s.start_on,
                    " to ",
                    s.due_on,
                    " · ",
                    rx.text.strong(s.finished, custom_attrs=testid("cohort-finished")),
                    " of ",
                    s.member_count,
                    " finished",
                    size="2",
                    color_scheme="gray",
                ),
                rx.card(
                    rx.heading("Funnel", size="4", margin_bottom="0.5rem"),
                    _funnel_chart(),
                    id="funnel-chart",
                    width="100%",
                ),
                data_table(
                    ["Step", *vm.STATUS_LABELS.values(), "Locked"],
                    rx.foreach(s.funnel, _funnel_row),
                    table_id="funnel",
                ),
                rx.heading("Who is where", size="4", margin_top="0.5rem"),
                _grid(),
                spacing="3",
                width="100%",
            ),
        ),
        testid_name="cohort-page",
    )
