"""The reply box of a live attempt: text, a spoken reply uploaded as audio, or one recorded with
the microphone."""

from __future__ import annotations

import reflex as rx

from trainer.web.components import testid
from trainer.web.components.backend import BACKEND_ORIGIN
from trainer.web.practice.attempt_state import (
    AUDIO_TYPES,
    REPLY_INPUT,
    UPLOAD_ID,
    PracticeAttemptState,
    recorder_js,
)


def _voice(s: type[PracticeAttemptState]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.upload.root(
                rx.button(
                    rx.icon("upload", size=14),
                    "Upload a spoken reply",
                    variant="soft",
                    type="button",
                ),
                id=UPLOAD_ID,
                accept=AUDIO_TYPES,
                max_files=1,
                multiple=False,
                no_keyboard=True,
                on_drop=PracticeAttemptState.transcribe_upload(
                    rx.upload_files(upload_id=UPLOAD_ID)
                ),
                custom_attrs=testid("audio-upload"),
            ),
            rx.cond(
                s.recording,
                rx.button(
                    rx.icon("square", size=14),
                    "Stop and transcribe",
                    color_scheme="tomato",
                    type="button",
                    on_click=PracticeAttemptState.stop_recording,
                    id="stop-recording",
                ),
                rx.button(
                    rx.icon("mic", size=14),
                    "Record",
                    variant="soft",
                    type="button",
                    disabled=s.transcribing,
                    on_click=rx.call_script(
                        recorder_js("start"), callback=PracticeAttemptState.recording_started
                    ),
                    id="record-reply",
                ),
            ),
            rx.cond(
                s.transcribing,
                rx.hstack(
                    rx.spinner(size="2"),
                    rx.text("Transcribing…", size="2"),
                    custom_attrs=testid("transcribing"),
                    align="center",
                ),
            ),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(
            s.voice_error != "",
            rx.callout(
                s.voice_error,
                icon="mic-off",
                color_scheme="amber",
                size="1",
                custom_attrs=testid("voice-error"),
            ),
        ),
        rx.cond(
            s.voice_note != "",
            rx.text(s.voice_note, size="1", color_scheme="gray", custom_attrs=testid("voice-note")),
        ),
        rx.el.span(id="practice-api", custom_attrs={"data-origin": BACKEND_ORIGIN}),
        spacing="2",
        width="100%",
    )


def composer(s: type[PracticeAttemptState]) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text_area(
                name="reply",
                id=REPLY_INPUT,
                placeholder="Type your reply to the customer… (Enter sends, Shift+Enter: new line)",
                enter_key_submit=True,
                rows="3",
                width="100%",
                custom_attrs=testid("reply-input"),
            ),
            rx.hstack(
                _voice(s),
                rx.spacer(),
                rx.button(
                    rx.icon("flag", size=14),
                    "Finish",
                    type="button",
                    variant="outline",
                    color_scheme="gray",
                    on_click=PracticeAttemptState.finish,
                    id="finish-attempt",
                ),
                rx.button(rx.icon("send", size=14), "Send", type="submit", id="send-reply"),
                align="start",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=PracticeAttemptState.send,
        reset_on_submit=True,
        width="100%",
        id="reply-form",
    )
