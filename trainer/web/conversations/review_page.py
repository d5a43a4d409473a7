"""The `/conversations/<id>` page: header, the transcript (a call's player above it; turns a
reviewer may correct) beside the speech analytics, the criteria with the review form, and the
submitted reviews with their disputes."""

from __future__ import annotations

import reflex as rx

from trainer.web.coaching.page import coach_link
from trainer.web.components import error_callout, page, testid
from trainer.web.components.transcript import transcript_turn
from trainer.web.components.transcript_model import TurnView
from trainer.web.conversations.dispute_parts import reviews_panel
from trainer.web.conversations.review_call import audio_player, processing_card, speech_panel
from trainer.web.conversations.review_form import FIELD, review_bar, review_status
from trainer.web.conversations.review_parts import criteria_panel, header, not_found
from trainer.web.conversations.review_state import ReviewState

SPEAKER_OPTIONS = (("agent", "Agent"), ("customer", "Customer"), ("system", "System"))


def _turn_editor() -> rx.Component:
    s = ReviewState
    return rx.vstack(
        rx.el.textarea(
            value=s.edit_text,
            on_change=s.set_edit_text,
            rows=3,
            width="100%",
            aria_label="Corrected text",
            custom_attrs=testid("turn-edit-text"),
            **FIELD,
        ),
        rx.hstack(
            rx.el.select(
                *[rx.el.option(label, value=value) for value, label in SPEAKER_OPTIONS],
                value=s.edit_speaker,
                on_change=s.set_edit_speaker,
                aria_label="Speaker",
                custom_attrs=testid("turn-edit-speaker"),
                **FIELD,
            ),
            rx.button(
                "Save and re-score",
                size="1",
                type="button",
                loading=s.correcting,
                on_click=s.save_edit,
                custom_attrs=testid("turn-edit-save"),
            ),
            rx.button(
                "Cancel",
                size="1",
                variant="soft",
                color_scheme="gray",
                type="button",
                on_click=s.cancel_edit,
                custom_attrs=testid("turn-edit-cancel"),
            ),
            spacing="2",
            align="center",
        ),
        rx.cond(
            s.edit_error != "",
            rx.text(
                s.edit_error, size="1", color_scheme="red", custom_attrs=testid("turn-edit-error")
            ),
        ),
        spacing="2",
        width="100%",
    )


def _turn(turn: rx.Var[TurnView]) -> rx.Component:
    """A turn, with its correction note (the original on hover, or opened) and the editor."""
    s = ReviewState
    note = s.turn_notes[turn.index]
    return rx.vstack(
        transcript_turn(turn, s.call.has_audio, s.seek_turn),
        rx.hstack(
            rx.cond(
                note.corrected,
                rx.el.details(
                    rx.el.summary(
                        rx.badge(
                            rx.icon("pencil", size=10),
                            "corrected",
                            color_scheme="indigo",
                            variant="soft",
                            size="1",
                            title=note.summary,
                            custom_attrs=testid("turn-corrected"),
                        ),
                        cursor="pointer",
                        list_style="none",
                    ),
                    rx.text(
                        note.summary,
                        size="1",
                        color_scheme="gray",
                        custom_attrs=testid("turn-original"),
                    ),
                ),
            ),
            rx.cond(
                s.can_correct & (s.editing != turn.index),
                rx.button(
                    rx.icon("pencil", size=10),
                    "edit",
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    type="button",
                    on_click=s.start_edit(turn.index),
                    title="Correct this turn's text or speaker",
                    custom_attrs=testid(f"turn-edit-{turn.index}"),
                ),
            ),
            spacing="2",
            justify=rx.cond(turn.speaker == "agent", "end", "start"),
            width="100%",
        ),
        rx.cond(s.editing == turn.index, _turn_editor()),
        spacing="1",
        width="100%",
    )


def transcript() -> rx.Component:
    """The turns, agent on the right, customer on the left, system turns muted in the middle;
    a call's player above them (it stays in view while the turns scroll)."""
    s = ReviewState
    return rx.card(
        rx.flex(
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
                rx.cond(
                    s.can_swap & s.is_call & ~s.progress.pending & (s.turns.length() > 0),
                    rx.button(
                        rx.icon("arrow-left-right", size=14),
                        "Swap speakers",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        loading=s.swapping,
                        on_click=s.swap_speakers,
                        title="Agent and customer are the wrong way round: swap them, "
                        "then re-measure and re-score the call",
                        custom_attrs=testid("swap-speakers"),
                    ),
                ),
                align="center",
                spacing="3",
                margin_bottom="0.75rem",
                width="100%",
            ),
            audio_player(),
            rx.cond(
                s.progress.pending,
                processing_card(),
                rx.cond(
                    s.turns.length() == 0,
                    rx.text(
                        rx.cond(
                            s.progress.failed,
                            "No transcript: transcribing this call failed (see the reason above).",
                            "This conversation has no turns.",
                        ),
                        size="2",
                        color_scheme="gray",
                        custom_attrs=testid("no-turns"),
                    ),
                ),
            ),
            rx.vstack(
                rx.foreach(s.turns, _turn),
                spacing="2",
                width="100%",
                id="transcript",
                overflow_y="auto",
                flex="1 1 auto",
                min_height="0",
                padding="2px",
            ),
            direction="column",
            max_height="calc(100vh - 120px)",
        ),
        position="sticky",
        top="72px",
        id="transcript-card",
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
                    rx.vstack(
                        coach_link(s.selected),
                        rx.cond(s.is_call & s.call.measured, speech_panel()),
                        review_status(),
                        criteria_panel(),
                        rx.cond(s.can_review, review_bar()),
                        reviews_panel(),
                        spacing="4",
                        width="100%",
                    ),
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
