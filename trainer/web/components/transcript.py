"""The transcript: turns as bubbles (agent right, customer left, system muted in the middle),
evidence of the selected criterion marked inside the text, redaction placeholders as badges, and
on calls each turn's time as a button that plays the recording from there."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from trainer.web.components.layout import testid
from trainer.web.components.transcript_model import Segment, TurnView


def segment(piece: rx.Var[Segment]) -> rx.Component:
    """A piece of a turn's text: evidence (marked), a redaction placeholder, or plain text."""
    return rx.cond(
        piece.mark,
        rx.el.mark(
            piece.text,
            class_name="evidence",
            custom_attrs=testid("evidence"),
            background_color=rx.color("yellow", 5),
            color="inherit",
            border_radius="3px",
            padding_x="2px",
            box_shadow=f"0 0 0 1px {rx.color('yellow', 8)}",
        ),
        rx.cond(
            piece.redaction,
            rx.el.span(
                piece.text,
                class_name="redaction",
                title="Personal data removed before storing",
                custom_attrs=testid("redaction"),
                font_family="var(--code-font-family)",
                font_size="0.75em",
                font_weight="600",
                letter_spacing="0.02em",
                color=rx.color("gray", 11),
                background_color=rx.color("gray", 4),
                border=f"1px solid {rx.color('gray', 6)}",
                border_radius="4px",
                padding="0 4px",
                white_space="nowrap",
            ),
            rx.text.span(piece.text),
        ),
    )


def _time(turn: rx.Var[TurnView], playable: rx.Var, seek: Callable) -> rx.Component:
    return rx.cond(
        turn.time != "",
        rx.cond(
            playable,
            rx.el.button(
                rx.icon("play", size=10),
                turn.time,
                type="button",
                on_click=seek(turn.index).stop_propagation,
                aria_label=f"Play from {turn.time}",
                title="Play the recording from here",
                custom_attrs=testid("turn-time"),
                display="inline-flex",
                align_items="center",
                gap="3px",
                font_size="var(--font-size-1)",
                color=rx.color("accent", 11),
                background="none",
                border="none",
                padding="0",
                cursor="pointer",
                _hover={"text_decoration": "underline"},
            ),
            rx.text(turn.time, size="1", color_scheme="gray", custom_attrs=testid("turn-time")),
        ),
    )


def transcript_turn(
    turn: rx.Var[TurnView], has_audio: rx.Var, seek: Callable[[rx.Var], rx.EventSpec]
) -> rx.Component:
    """One turn; `seek(index)` is the event that plays the call from the turn's start (used
    when `has_audio` and the turn has a time)."""
    is_agent = turn.speaker == "agent"
    is_system = turn.speaker == "system"
    playable = has_audio & turn.seekable
    bubble = rx.box(
        rx.hstack(
            rx.text(turn.label, size="1", weight="bold"),
            rx.text(
                "#", turn.number, size="1", color_scheme="gray", custom_attrs=testid("turn-number")
            ),
            _time(turn, playable, seek),
            rx.cond(
                turn.speaker_check != "",
                rx.badge(
                    rx.icon("circle_help", size=11),
                    "check speaker",
                    color_scheme="amber",
                    variant="soft",
                    size="1",
                    title=turn.speaker_check,
                    custom_attrs=testid("speaker-check"),
                ),
            ),
            spacing="2",
            align="center",
            justify=rx.cond(is_agent, "end", "start"),
        ),
        rx.text(
            rx.foreach(turn.segments, segment),
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
        cursor=rx.cond(playable, "pointer", "auto"),
        _hover={"box_shadow": rx.cond(playable, f"0 0 0 1px {rx.color('accent', 7)}", "none")},
        on_click=seek(turn.index),
    )
    return rx.flex(
        bubble,
        id=f"turn-{turn.index}",
        justify=rx.match(turn.speaker, ("agent", "end"), ("system", "center"), "start"),
        width="100%",
        custom_attrs={
            "data-testid": "turn",
            "data-speaker": turn.speaker,
            "data-start": turn.start,
            "data-highlighted": rx.cond(turn.highlighted, "true", "false"),
        },
    )
