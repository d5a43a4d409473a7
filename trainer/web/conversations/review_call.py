"""A call's pieces of the review: the recording's player, the card shown while it is being
transcribed, and the speech analytics panel."""

from __future__ import annotations

import reflex as rx

from trainer.web.components import testid
from trainer.web.components.backend import BACKEND_ORIGIN
from trainer.web.conversations import call_viewmodels as callvm
from trainer.web.conversations.review_state import AUDIO_ID, ReviewState


def audio_player() -> rx.Component:
    """The call's (redacted) recording; clicking a turn or its time plays from there."""
    s = ReviewState
    return rx.cond(
        s.audio_src != "",
        rx.box(
            rx.el.audio(
                src=BACKEND_ORIGIN + s.audio_src,
                controls=True,
                preload="metadata",
                id=AUDIO_ID,
                custom_attrs=testid("call-audio"),
                width="100%",
                height="40px",
            ),
            rx.text(
                "Personal data is silenced in the recording. Click a turn to play from there.",
                size="1",
                color_scheme="gray",
            ),
            width="100%",
            margin_bottom="0.75rem",
            id="call-player",
        ),
        rx.cond(
            s.is_call & ~s.progress.pending & ~s.progress.failed,
            rx.callout(
                "No recording to play for this call.",
                icon="volume-x",
                color_scheme="gray",
                size="1",
                margin_bottom="0.75rem",
                custom_attrs=testid("no-audio"),
            ),
        ),
    )


def processing_card() -> rx.Component:
    """What a call being transcribed shows in place of its transcript."""
    s = ReviewState
    return rx.vstack(
        rx.hstack(
            rx.spinner(size="2"),
            rx.text(
                rx.cond(
                    s.progress.status == "queued",
                    "Waiting to be transcribed…",
                    "Transcribing this call…",
                ),
                weight="medium",
            ),
            align="center",
            spacing="2",
        ),
        rx.progress(value=s.progress.percent, max=100, width="100%", size="2"),
        rx.text(
            s.progress.percent,
            "% done",
            rx.cond(s.progress.stage != "", rx.text.span(" · ", s.progress.stage), ""),
            size="1",
            color_scheme="gray",
            custom_attrs=testid("processing-detail"),
        ),
        rx.text(
            "The transcript, speech analytics and scores appear here when it is done.",
            size="1",
            color_scheme="gray",
        ),
        spacing="2",
        padding="1rem 0",
        width="100%",
        custom_attrs=testid("processing"),
    )


def _stat(stat: rx.Var[callvm.SpeechStat]) -> rx.Component:
    return rx.vstack(
        rx.text(stat.label, size="1", color_scheme="gray"),
        rx.text(stat.value, size="3", weight="medium", custom_attrs=testid("speech-stat-value")),
        spacing="0",
        title=stat.hint,
        padding="0.4rem 0.6rem",
        border_radius="6px",
        background_color=rx.color("gray", 2),
        custom_attrs={"data-testid": "speech-stat", "data-stat": stat.key},
    )


def _gap(gap: rx.Var[callvm.GapView]) -> rx.Component:
    s = ReviewState
    return rx.hstack(
        rx.badge(
            gap.label,
            color_scheme=rx.cond(gap.kind == "hold", "blue", "amber"),
            variant="soft",
            size="1",
        ),
        rx.text(gap.seconds, size="2", weight="medium"),
        rx.text("at ", gap.time, " ", gap.after, size="1", color_scheme="gray"),
        rx.spacer(),
        rx.cond(
            s.call.has_audio,
            rx.icon_button(
                rx.icon("play", size=12),
                size="1",
                variant="ghost",
                on_click=s.seek(gap.start),
                aria_label="Play from here",
            ),
        ),
        align="center",
        spacing="2",
        width="100%",
        custom_attrs={"data-testid": "speech-gap", "data-kind": gap.kind},
    )


def _legend(color: str, label: str, share: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.box(width="10px", height="10px", border_radius="2px", background_color=color),
        rx.text(label, " ", rx.text.strong(share, "%"), size="1"),
        spacing="1",
        align="center",
    )


def _fact(label: str, value: rx.Var, name: str) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="1", color_scheme="gray", min_width="7.5rem"),
        rx.text(value, size="1", weight="medium", custom_attrs=testid(name)),
        spacing="2",
        align="baseline",
    )


def speech_panel() -> rx.Component:
    """A transcribed call's speech analytics: who talked how much, silences, overtalk, pace,
    holds, and how the transcript was made (speaker mode, ASR engine, redactions)."""
    s = ReviewState
    c = s.call
    agent_color, customer_color = rx.color("accent", 9), rx.color("teal", 8)
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("audio-lines", size=18, color=rx.color("accent", 10)),
                rx.heading("Speech analytics", size="4"),
                rx.spacer(),
                rx.badge(
                    rx.icon("clock", size=12), c.duration, variant="surface", color_scheme="gray"
                ),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.vstack(
                rx.hstack(
                    rx.vstack(
                        rx.text("Talk-to-listen", size="1", color_scheme="gray"),
                        rx.text(
                            c.talk_ratio,
                            size="6",
                            weight="bold",
                            custom_attrs=testid("talk-ratio"),
                        ),
                        spacing="0",
                        min_width="7rem",
                    ),
                    rx.vstack(
                        rx.flex(
                            rx.box(width=f"{c.agent_share}%", background_color=agent_color),
                            rx.box(width=f"{c.customer_share}%", background_color=customer_color),
                            rx.box(flex="1", background_color=rx.color("gray", 4)),
                            height="12px",
                            width="100%",
                            border_radius="6px",
                            overflow="hidden",
                            custom_attrs=testid("talk-bar"),
                        ),
                        rx.hstack(
                            _legend(agent_color, "Agent", c.agent_share),
                            _legend(customer_color, "Customer", c.customer_share),
                            _legend(rx.color("gray", 6), "Silence", c.silence_share),
                            spacing="3",
                            wrap="wrap",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    spacing="4",
                    align="center",
                    width="100%",
                ),
                rx.grid(
                    rx.foreach(c.stats, _stat),
                    columns="2",
                    gap="0.5rem",
                    width="100%",
                ),
                rx.cond(
                    c.gaps.length() > 0,
                    rx.vstack(
                        rx.text("Silences worth a look", size="1", weight="bold"),
                        rx.foreach(c.gaps, _gap),
                        spacing="1",
                        width="100%",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            rx.separator(size="4"),
            rx.vstack(
                _fact("Speakers", c.speaker_mode, "speaker-mode"),
                _fact("Speech to text", c.asr, "asr"),
                _fact("Redacted", c.redaction_text, "redactions"),
                rx.cond(
                    c.speaker_checks != "",
                    _fact("Unclear voices", c.speaker_checks, "speaker-checks"),
                ),
                rx.cond(
                    c.role_swaps > 0,
                    _fact("Speakers swapped", c.role_swaps, "role-swaps"),
                ),
                spacing="1",
                width="100%",
            ),
            rx.cond(
                c.mono & ~s.progress.pending,
                rx.text(
                    "Mono recording: agent and customer were told apart by voice. "
                    "If they are the wrong way round, use Swap speakers.",
                    size="1",
                    color_scheme="gray",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="speech-analytics",
        custom_attrs=testid("speech-analytics"),
    )
