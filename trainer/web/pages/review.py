"""A conversation's review: header with scores, the transcript, and each criterion's result.

Selecting a criterion marks its evidence (character spans in turns) inside the transcript and
scrolls the first marked turn into view.
"""

from __future__ import annotations

import json

import reflex as rx

from trainer.db.session import session_scope
from trainer.errors import NotFoundError, TrainerError
from trainer.services.views import conversation_view
from trainer.web import routes
from trainer.web import viewmodels as vm
from trainer.web.layout import error_callout, page, score_badge, testid


class ReviewState(rx.State):
    """One conversation's review. The service's dict stays on the backend (`_view`)."""

    external_id: str = ""
    found: bool = False
    loaded: bool = False
    error: str = ""
    agent: str = ""
    customer: str = ""
    channel: str = ""
    date: str = ""
    status: str = ""
    status_reason: str = ""
    rubric: str = ""
    score: vm.ScoreCell = vm.ScoreCell()
    sections: list[vm.ScoreCell] = []
    groups: list[vm.SectionGroup] = []
    turns: list[vm.TurnView] = []
    selected: str = ""
    selected_title: str = ""
    highlighted: list[str] = []
    _view: dict = {}

    @rx.event
    def on_load(self):
        """Load the conversation the URL names."""
        return self.load_conversation(self.conversation_id)

    @rx.event
    def load_conversation(self, external_id: str):
        """Load a conversation's review; an unknown id leaves `found` false with a message."""
        self.external_id, self.found, self.loaded, self.error = external_id, False, False, ""
        self._view, self.groups, self.turns, self.sections = {}, [], [], []
        self.selected, self.selected_title, self.highlighted = "", "", []
        try:
            with session_scope() as session:
                view = conversation_view(session, external_id)
        except NotFoundError:
            self.loaded = True
            return
        except TrainerError as exc:
            self.error, self.loaded = exc.format(), True
            return
        self._view = view
        self.found = self.loaded = True
        self.agent = view.get("agent") or vm.MISSING
        self.customer = view.get("customer") or vm.MISSING
        self.channel = view.get("channel") or vm.MISSING
        self.date = vm.format_date(view.get("started_at"))
        self.status = view.get("status") or ""
        self.status_reason = view.get("status_reason") or ""
        self.rubric = view.get("rubric") or ""
        self.score = vm.score_cell(view.get("score"), "score", "Overall")
        self.groups = vm.section_groups(view)
        self.sections = [g.score for g in self.groups]
        self.turns = vm.turn_views(view)

    @rx.event
    def select_criterion(self, criterion_id: str):
        """Mark a criterion's evidence in the transcript (selecting it again clears the marks)."""
        if criterion_id == self.selected or not self._view:
            return self.clear_selection()
        criterion = next((c for c in self._view["criteria"] if c["id"] == criterion_id), None)
        if criterion is None:
            return self.clear_selection()
        self.selected, self.selected_title = criterion_id, criterion.get("title") or criterion_id
        self.turns = vm.turn_views(self._view, criterion_id)
        self.highlighted = vm.evidence_quotes(self._view, criterion_id)
        first = next((t.index for t in self.turns if t.highlighted), None)
        if first is None:
            return None
        return rx.call_script(
            f"document.getElementById({json.dumps(f'turn-{first}')})"
            "?.scrollIntoView({behavior: 'smooth', block: 'nearest'})"
        )

    @rx.event
    def clear_selection(self):
        """Remove the evidence marks."""
        self.selected, self.selected_title, self.highlighted = "", "", []
        self.turns = vm.turn_views(self._view)


def _segment(segment: rx.Var[vm.Segment]) -> rx.Component:
    return rx.cond(
        segment.mark,
        rx.el.mark(
            segment.text,
            class_name="evidence",
            custom_attrs=testid("evidence"),
            background_color=rx.color("yellow", 5),
            color="inherit",
            border_radius="3px",
            padding_x="2px",
            box_shadow=f"0 0 0 1px {rx.color('yellow', 8)}",
        ),
        rx.text.span(segment.text),
    )


def _turn(turn: rx.Var[vm.TurnView]) -> rx.Component:
    is_agent = turn.speaker == "agent"
    is_system = turn.speaker == "system"
    bubble = rx.box(
        rx.hstack(
            rx.text(turn.label, size="1", weight="bold"),
            rx.text(
                "#", turn.number, size="1", color_scheme="gray", custom_attrs=testid("turn-number")
            ),
            rx.cond(turn.time != "", rx.text(turn.time, size="1", color_scheme="gray")),
            spacing="2",
            justify=rx.cond(is_agent, "end", "start"),
        ),
        rx.text(
            rx.foreach(turn.segments, _segment),
            size="2",
            white_space="pre-wrap",
            custom_attrs=testid("turn-text"),
            color=rx.cond(is_system, rx.color("gray", 10), "inherit"),
            font_style=rx.cond(is_system, "italic", "normal"),
        ),
        padding="0.6rem 0.8rem",
        border_radius="12px",
        max_width=rx.cond(is_system, "100%", "85%"),
        background_color=rx.match(
            turn.speaker,
            ("agent", rx.color("accent", 3)),
            ("customer", rx.color("gray", 1)),
            rx.color("gray", 3),
        ),
        border=rx.cond(
            turn.highlighted,
            f"2px solid {rx.color('yellow', 9)}",
            f"1px solid {rx.color('gray', 5)}",
        ),
    )
    return rx.flex(
        bubble,
        id=f"turn-{turn.index}",
        justify=rx.match(turn.speaker, ("agent", "end"), ("system", "center"), "start"),
        width="100%",
        custom_attrs={
            "data-testid": "turn",
            "data-speaker": turn.speaker,
            "data-highlighted": rx.cond(turn.highlighted, "true", "false"),
        },
    )


def transcript() -> rx.Component:
    """The turns, agent on the right, customer on the left, system turns muted in the middle."""
    s = ReviewState
    return rx.card(
        rx.hstack(
            rx.heading("Transcript", size="4"),
            rx.spacer(),
            rx.cond(
                s.selected != "",
                rx.hstack(
                    rx.text(
                        "Evidence for: ",
                        rx.text.strong(s.selected_title),
                        size="1",
                        color_scheme="gray",
                        custom_attrs=testid("selected-criterion"),
                    ),
                    rx.icon_button(
                        rx.icon("x", size=12),
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=s.clear_selection,
                        custom_attrs=testid("clear-selection"),
                        aria_label="Clear evidence highlight",
                    ),
                    align="center",
                    spacing="1",
                ),
            ),
            align="center",
            margin_bottom="0.75rem",
        ),
        rx.vstack(rx.foreach(s.turns, _turn), spacing="2", width="100%", id="transcript"),
        position="sticky",
        top="72px",
        max_height="calc(100vh - 88px)",
        overflow_y="auto",
        id="transcript-card",
    )


def _criterion(criterion: rx.Var[vm.CriterionView]) -> rx.Component:
    s = ReviewState
    selected = s.selected == criterion.id
    has_evidence = criterion.evidence_count > 0
    return rx.box(
        rx.hstack(
            score_badge(
                criterion.score.text, criterion.score.tone, custom_attrs=testid("criterion-score")
            ),
            rx.vstack(
                rx.text(
                    criterion.title,
                    size="2",
                    weight="medium",
                    custom_attrs=testid("criterion-title"),
                ),
                rx.text(
                    criterion.explanation,
                    size="1",
                    color_scheme="gray",
                    custom_attrs=testid("criterion-explanation"),
                ),
                rx.cond(
                    has_evidence,
                    rx.hstack(
                        rx.icon("highlighter", size=12),
                        rx.text(
                            criterion.evidence_count,
                            rx.cond(
                                criterion.evidence_count == 1, " evidence span", " evidence spans"
                            ),
                            size="1",
                        ),
                        spacing="1",
                        align="center",
                        color=rx.color("accent", 11),
                    ),
                ),
                spacing="1",
                align="start",
            ),
            spacing="3",
            align="start",
        ),
        id=f"criterion-{criterion.id}",
        width="100%",
        on_click=s.select_criterion(criterion.id),
        cursor="pointer",
        padding="0.6rem 0.75rem",
        border_radius="8px",
        border=rx.cond(
            selected, f"2px solid {rx.color('accent', 9)}", f"1px solid {rx.color('gray', 4)}"
        ),
        background_color=rx.cond(selected, rx.color("accent", 2), rx.color("gray", 1)),
        _hover={"background_color": rx.color("accent", 2)},
        role="button",
        title=criterion.detector,
        tab_index=0,
        custom_attrs={
            "data-testid": "criterion",
            "data-criterion": criterion.id,
            "data-selected": rx.cond(selected, "true", "false"),
            "data-evidence": criterion.evidence_count,
        },
    )


def _group(group: rx.Var[vm.SectionGroup]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(group.title, size="3"),
            score_badge(group.score.text, group.score.tone),
            align="center",
            spacing="2",
        ),
        rx.foreach(group.criteria, _criterion),
        spacing="2",
        width="100%",
        custom_attrs={"data-testid": "section", "data-section": group.id},
    )


def criteria_panel() -> rx.Component:
    """Criteria grouped by section; click one to see its evidence."""
    return rx.vstack(
        rx.text(
            "Select a criterion to highlight its evidence in the transcript.",
            size="1",
            color_scheme="gray",
        ),
        rx.foreach(ReviewState.groups, _group),
        rx.cond(
            ReviewState.groups.length() == 0,
            rx.callout(
                "This conversation has not been scored yet. Run `trainer score` to score it.",
                icon="info",
                color_scheme="gray",
                custom_attrs=testid("unscored"),
            ),
        ),
        spacing="4",
        width="100%",
        id="criteria",
    )


def _meta(label: str, value: rx.Var, name: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="2", weight="medium", custom_attrs=testid(f"review-{name}")),
        spacing="0",
    )


def header() -> rx.Component:
    """Id, people, channel, date, rubric, the overall score and section badges."""
    s = ReviewState
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.link(
                        rx.icon("arrow-left", size=16),
                        href=routes.CONVERSATIONS,
                        color_scheme="gray",
                        aria_label="Back to conversations",
                    ),
                    rx.heading(s.external_id, size="6", custom_attrs=testid("review-id")),
                    rx.badge(s.status, variant="surface", color_scheme="gray"),
                    align="center",
                    spacing="3",
                ),
                rx.hstack(
                    _meta("Agent", s.agent, "agent"),
                    _meta("Customer", s.customer, "customer"),
                    _meta("Channel", s.channel, "channel"),
                    _meta("Date", s.date, "date"),
                    _meta("Rubric", rx.cond(s.rubric != "", s.rubric, vm.MISSING), "rubric"),
                    spacing="6",
                    wrap="wrap",
                ),
                rx.hstack(
                    rx.foreach(
                        s.sections,
                        lambda cell: rx.badge(
                            cell.label,
                            rx.text.strong(cell.text),
                            color_scheme=rx.match(
                                cell.tone,
                                ("green", "grass"),
                                ("amber", "amber"),
                                ("red", "tomato"),
                                "gray",
                            ),
                            variant="soft",
                            size="2",
                            custom_attrs={"data-testid": "section-badge", "data-section": cell.key},
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="3",
                align="start",
            ),
            rx.spacer(),
            rx.vstack(
                rx.text("Overall", size="1", color_scheme="gray"),
                score_badge(
                    s.score.text, s.score.tone, size="3", custom_attrs=testid("review-score")
                ),
                align="center",
                spacing="1",
            ),
            gap="1rem",
            width="100%",
        ),
        rx.cond(
            s.status_reason != "",
            rx.callout(
                s.status_reason, icon="triangle-alert", color_scheme="amber", margin_top="0.75rem"
            ),
        ),
        width="100%",
        margin_bottom="1rem",
        id="review-header",
    )


def not_found() -> rx.Component:
    """What an unknown id shows."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("search-x")),
        rx.callout.text(
            rx.text.strong("Conversation not found. "),
            "No conversation ",
            rx.code(ReviewState.external_id),
            " is stored. It may not have been ingested yet, or the link is wrong. ",
            rx.link("Back to the conversations list", href=routes.CONVERSATIONS),
        ),
        color_scheme="orange",
        size="2",
        custom_attrs=testid("not-found"),
    )


def review_page() -> rx.Component:
    """The `/conversations/[conversation_id]` page."""
    s = ReviewState
    return page(
        error_callout(s.error),
        rx.cond(
            s.found,
            rx.box(
                header(),
                rx.grid(
                    transcript(),
                    criteria_panel(),
                    columns=rx.breakpoints(initial="1", md="2"),
                    gap="1.25rem",
                    width="100%",
                    grid_template_columns=rx.breakpoints(
                        initial="1fr", md="minmax(0, 3fr) minmax(0, 2fr)"
                    ),
                    align_items="start",
                ),
            ),
            rx.cond(
                s.loaded & (s.error == ""),
                not_found(),
                rx.cond(s.error == "", rx.center(rx.spinner(size="3"), padding="3rem")),
            ),
        ),
        testid_name="review-page",
    )
