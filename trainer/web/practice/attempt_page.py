"""The `/practice/<scenario>` page: brief, chat, mood meter, reply box, end screen."""

from __future__ import annotations

import reflex as rx

from trainer.web.components import error_callout, page, scheme, score_badge, testid
from trainer.web.practice import viewmodels as pvm
from trainer.web.practice.attempt_state import PracticeAttemptState
from trainer.web.practice.voice import composer


def _mood_meter(s: type[PracticeAttemptState]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(s.customer, "'s mood", size="2", weight="medium"),
            rx.spacer(),
            rx.badge(
                s.mood.label,
                color_scheme=scheme(s.mood.tone),
                variant="soft",
                custom_attrs=testid("mood-label"),
            ),
            rx.text(s.mood.value, "/10", size="2", weight="bold", custom_attrs=testid("mood")),
            align="center",
            width="100%",
        ),
        rx.progress(
            value=s.mood.percent,
            max=100,
            color_scheme=scheme(s.mood.tone),
            size="3",
            margin_top="0.4rem",
        ),
        rx.hstack(
            rx.text("calm", size="1", color_scheme="gray"),
            rx.spacer(),
            rx.text("angry", size="1", color_scheme="gray"),
            width="100%",
        ),
        id="mood-meter",
        custom_attrs={"data-testid": "mood-meter", "data-mood": s.mood.value},
        width="100%",
    )


def _bubble(b: rx.Var[pvm.ChatBubble]) -> rx.Component:
    return rx.flex(
        rx.box(
            rx.text(b.who, " · turn ", b.turn, size="1", color_scheme="gray"),
            rx.text(b.text, size="3", white_space="pre-wrap"),
            background_color=rx.cond(b.mine, rx.color("accent", 4), rx.color("gray", 3)),
            border_radius="12px",
            padding="0.6rem 0.9rem",
            max_width="75%",
        ),
        justify=rx.cond(b.mine, "end", "start"),
        width="100%",
        custom_attrs={"data-testid": "bubble", "data-speaker": b.speaker},
    )


def _feedback_item(item: rx.Var[pvm.FeedbackView]) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.badge(item.where, color_scheme=scheme(item.tone), variant="soft"),
            rx.text(item.title, weight="bold", size="2"),
            align="center",
            spacing="2",
        ),
        rx.text(item.message, size="2", margin_top="0.4rem"),
        rx.cond(
            item.better_reply != "",
            rx.box(
                rx.text("A better reply", size="1", color_scheme="grass", weight="medium"),
                rx.text("“", item.better_reply, "”", size="2", font_style="italic"),
                custom_attrs=testid("better-reply"),
                border_left=f"3px solid {rx.color('grass', 8)}",
                padding_left="0.75rem",
                margin_top="0.5rem",
            ),
        ),
        custom_attrs={"data-testid": "feedback-item", "data-turn": item.turn},
        width="100%",
    )


def _mood_chart(s: type[PracticeAttemptState]) -> rx.Component:
    return rx.recharts.line_chart(
        rx.recharts.line(
            data_key="mood",
            name="Mood",
            stroke="var(--tomato-9)",
            stroke_width=2,
            is_animation_active=False,
        ),
        rx.recharts.x_axis(data_key="reply", name="reply"),
        rx.recharts.y_axis(domain=[0, 10], width=30, allow_decimals=False),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.graphing_tooltip(),
        data=s.moods,
        width="100%",
        height=200,
    )


def _end_screen(s: type[PracticeAttemptState]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Attempt finished", size="5"),
                rx.spacer(),
                rx.badge(
                    s.outcome_label,
                    color_scheme=scheme(s.outcome_tone),
                    size="3",
                    custom_attrs={"data-testid": "outcome", "data-outcome": s.outcome},
                ),
                score_badge(s.score.text, s.score.tone, size="3", custom_attrs=testid("score")),
                rx.cond(
                    s.passed,
                    rx.badge(
                        rx.icon("circle-check", size=14),
                        "Passed",
                        color_scheme="grass",
                        size="3",
                        custom_attrs={"data-testid": "passed", "data-passed": "true"},
                    ),
                    rx.badge(
                        "Not passed (pass mark ",
                        s.pass_mark,
                        ")",
                        color_scheme="tomato",
                        size="3",
                        custom_attrs={"data-testid": "passed", "data-passed": "false"},
                    ),
                ),
                align="center",
                width="100%",
                spacing="2",
            ),
            rx.flex(
                rx.foreach(
                    s.sections,
                    lambda c: rx.hstack(
                        rx.text(c.label, size="2"),
                        score_badge(c.text, c.tone, size="1"),
                        spacing="2",
                        align="center",
                    ),
                ),
                wrap="wrap",
                gap="4",
            ),
            rx.text("The customer's mood over the replies", size="2", weight="medium"),
            rx.box(_mood_chart(s), width="100%", custom_attrs=testid("mood-chart")),
            rx.heading("Feedback", size="4"),
            rx.cond(
                s.feedback.length() > 0,
                rx.vstack(rx.foreach(s.feedback, _feedback_item), width="100%", spacing="2"),
                rx.callout(
                    "Nothing to improve: every criterion was met. Well done!",
                    icon="party-popper",
                    color_scheme="grass",
                    custom_attrs=testid("feedback-empty"),
                ),
            ),
            rx.hstack(
                rx.button(
                    rx.icon("rotate-ccw", size=14),
                    "Practise again",
                    on_click=PracticeAttemptState.restart,
                    id="practise-again",
                ),
                rx.link(
                    rx.button("Back to scenarios and history", variant="soft"),
                    href=s.home_href,
                    id="back-to-practice",
                ),
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        id="end-screen",
        custom_attrs=testid("end-screen"),
        width="100%",
    )


def practice_attempt_page() -> rx.Component:
    """The `/practice/<scenario>` page: brief, chat, mood meter, reply box, end screen."""
    s = PracticeAttemptState
    return page(
        rx.link("← All scenarios", href=s.home_href, size="2", id="all-scenarios"),
        error_callout(s.error),
        rx.cond(
            s.found,
            rx.grid(
                rx.vstack(
                    rx.card(
                        rx.vstack(
                            rx.hstack(
                                rx.heading(s.title, size="6", custom_attrs=testid("title")),
                                rx.badge(s.difficulty, variant="soft"),
                                align="center",
                            ),
                            rx.text(s.summary, size="2", custom_attrs=testid("brief")),
                            rx.cond(
                                s.policy != "",
                                rx.text(
                                    rx.text.strong("Policy: "),
                                    s.policy,
                                    size="2",
                                    color_scheme="gray",
                                ),
                            ),
                            rx.text(
                                "Practising as ",
                                rx.text.strong(s.trainee, custom_attrs=testid("trainee")),
                                " · pass mark ",
                                s.pass_mark,
                                " · ",
                                s.replies_left,
                                " replies left",
                                size="1",
                                color_scheme="gray",
                            ),
                            spacing="2",
                        ),
                        width="100%",
                    ),
                    rx.card(
                        rx.vstack(
                            rx.foreach(s.bubbles, _bubble),
                            spacing="3",
                            width="100%",
                            id="chat",
                        ),
                        width="100%",
                    ),
                    rx.cond(s.ended, _end_screen(s), composer(s)),
                    spacing="4",
                    width="100%",
                ),
                rx.vstack(
                    rx.card(_mood_meter(s), width="100%"),
                    rx.card(
                        rx.text("Skills practised", size="2", weight="medium"),
                        rx.flex(
                            rx.foreach(s.skills, lambda k: rx.badge(k, variant="outline")),
                            wrap="wrap",
                            gap="2",
                            margin_top="0.4rem",
                        ),
                        width="100%",
                    ),
                    position="sticky",
                    top="72px",
                    spacing="4",
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", md="3fr 1fr"),
                spacing="5",
                width="100%",
                margin_top="0.75rem",
            ),
            rx.cond(
                s.loaded & (s.error == ""),
                rx.center(
                    rx.text("No such scenario.", color_scheme="gray"),
                    padding="2rem",
                    custom_attrs=testid("not-found"),
                ),
            ),
        ),
        testid_name="practice-attempt-page",
    )
