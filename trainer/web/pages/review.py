"""A conversation's review: header with scores, the transcript, and each criterion's result.

Selecting a criterion marks its evidence (character spans in turns) inside the transcript and
scrolls the first marked turn into view. A call adds its recording (clicking a turn plays from
the turn's start), its speech analytics, and a button to swap agent and customer; while a call
is still being transcribed the page shows its progress and polls until the transcript is there.
"""

from __future__ import annotations

import asyncio
import json

import reflex as rx
from reflex.constants import Dirs
from reflex.utils.imports import ImportVar
from reflex.vars.base import VarData

from trainer.db.session import session_scope
from trainer.errors import NotFoundError, TrainerError
from trainer.services.calls import swap_roles
from trainer.services.views import call_details, conversation_statuses, conversation_view
from trainer.web import routes
from trainer.web import viewmodels as vm
from trainer.web.layout import error_callout, page, score_badge, status_badge, testid

AUDIO_ID = "call-audio"
POLL_SECONDS = 2.0
POLL_LIMIT = 1800  # an hour of polling at most, then a reload resumes it
# The backend's origin as the browser sees it (the same in dev, two ports, and prod, one port).
BACKEND_ORIGIN = rx.Var(
    _js_expr="getBackendURL(env.PING).origin",
    _var_data=VarData(
        imports={
            f"$/{Dirs.STATE_PATH}": "getBackendURL",
            "$/env.json": ImportVar(tag="env", is_default=True),
        }
    ),
).to(str)


def seek_script(seconds: float, audio_id: str = AUDIO_ID) -> str:
    """JavaScript that moves the call's player to `seconds` and plays from there."""
    return (
        f"(() => {{ const a = document.getElementById({json.dumps(audio_id)}); if (!a) return; "
        f"a.currentTime = {max(0.0, float(seconds)):.2f}; "
        "const p = a.play(); if (p) p.catch(() => {}); })()"
    )


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
    is_call: bool = False
    progress: vm.StatusView = vm.StatusView()
    call: vm.CallView = vm.CallView()
    audio_src: str = ""
    swapping: bool = False
    _view: dict = {}
    _checks: dict = {}
    _polling: bool = False

    @rx.event
    def on_load(self):
        """Load the conversation the URL names."""
        return self.load_conversation(self.conversation_id)

    @rx.event
    def load_conversation(self, external_id: str):
        """Load a conversation's review; an unknown id leaves `found` false with a message.

        A call still queued or being transcribed starts polling its status."""
        self._load(external_id)
        if self.progress.pending:
            return ReviewState.poll_status
        return None

    def _load(self, external_id: str) -> None:
        self.external_id, self.found, self.loaded, self.error = external_id, False, False, ""
        self._view, self.groups, self.turns, self.sections = {}, [], [], []
        self.selected, self.selected_title, self.highlighted = "", "", []
        self.is_call, self.call, self.audio_src = False, vm.CallView(), ""
        self.progress = vm.StatusView()
        try:
            with session_scope() as session:
                view = conversation_view(session, external_id)
                details = call_details(session, external_id)
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
        self._checks = dict((details or {}).get("speaker_checks") or {})
        self.turns = vm.turn_views(view, checks=self._checks)
        self.progress = vm.status_view(
            self.status,
            (details or {}).get("progress"),
            (details or {}).get("stage"),
            self.status_reason,
        )
        if details is not None:
            self.is_call = True
            self.call = vm.call_view(details)
            self.audio_src = vm.audio_path(external_id) if self.call.has_audio else ""

    def _poll_once(self) -> bool:
        """Re-read the status of the call on the page; True while it is still pending. When it
        is done (or failed) the whole review is loaded again."""
        try:
            with session_scope() as session:
                found = conversation_statuses(session, [self.external_id]).get(self.external_id)
        except TrainerError as exc:
            self.error = exc.format()
            return False
        if found and found["status"] in vm.PENDING:
            self.status = found["status"]
            self.progress = vm.status_view(
                found["status"], found["progress"], found["stage"], found["reason"]
            )
            return True
        self._load(self.external_id)
        return False

    @rx.event(background=True)
    async def poll_status(self):
        """Every two seconds, while the call on the page is queued or processing, refresh its
        progress; load the transcript and scores once it is done."""
        async with self:
            if self._polling:
                return
            self._polling = True
            external_id = self.external_id
        try:
            for _ in range(POLL_LIMIT):
                await asyncio.sleep(POLL_SECONDS)
                async with self:
                    if self.external_id != external_id or not self.progress.pending:
                        return
                    if not self._poll_once():
                        return
        finally:
            async with self:
                self._polling = False

    @rx.event
    def seek_turn(self, index: int):
        """Play the call's recording from the start of turn `index` (nothing for a chat)."""
        if not (self.is_call and self.call.has_audio) or not 0 <= index < len(self.turns):
            return None
        turn = self.turns[index]
        return rx.call_script(seek_script(turn.start)) if turn.seekable else None

    @rx.event
    def seek(self, seconds: float):
        """Play the call's recording from `seconds` (a dead-air gap or hold)."""
        if not (self.is_call and self.call.has_audio):
            return None
        return rx.call_script(seek_script(seconds))

    @rx.event
    def swap_speakers(self):
        """Swap agent and customer on this call (a wrong mono attribution), re-measure and
        re-score it, and show the result."""
        if not self.is_call or self.progress.pending or self.swapping:
            return
        self.swapping = True
        yield
        try:
            swap_roles(self.external_id)
        except TrainerError as exc:
            self.swapping = False
            self.error = exc.format()
            return
        self._load(self.external_id)
        self.swapping = False

    @rx.event
    def select_criterion(self, criterion_id: str):
        """Mark a criterion's evidence in the transcript (selecting it again clears the marks)."""
        if criterion_id == self.selected or not self._view:
            return self.clear_selection()
        criterion = next((c for c in self._view["criteria"] if c["id"] == criterion_id), None)
        if criterion is None:
            return self.clear_selection()
        self.selected, self.selected_title = criterion_id, criterion.get("title") or criterion_id
        self.turns = vm.turn_views(self._view, criterion_id, self._checks)
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
        self.turns = vm.turn_views(self._view, checks=self._checks)


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
        rx.cond(
            segment.redaction,
            rx.el.span(
                segment.text,
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
            rx.text.span(segment.text),
        ),
    )


def _turn(turn: rx.Var[vm.TurnView]) -> rx.Component:
    s = ReviewState
    is_agent = turn.speaker == "agent"
    is_system = turn.speaker == "system"
    playable = s.call.has_audio & turn.seekable
    time = rx.cond(
        turn.time != "",
        rx.cond(
            playable,
            rx.el.button(
                rx.icon("play", size=10),
                turn.time,
                type="button",
                on_click=s.seek_turn(turn.index).stop_propagation,
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
    bubble = rx.box(
        rx.hstack(
            rx.text(turn.label, size="1", weight="bold"),
            rx.text(
                "#", turn.number, size="1", color_scheme="gray", custom_attrs=testid("turn-number")
            ),
            time,
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
        cursor=rx.cond(playable, "pointer", "auto"),
        _hover={"box_shadow": rx.cond(playable, f"0 0 0 1px {rx.color('accent', 7)}", "none")},
        on_click=s.seek_turn(turn.index),
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
                    s.is_call & ~s.progress.pending & (s.turns.length() > 0),
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


def _stat(stat: rx.Var[vm.SpeechStat]) -> rx.Component:
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


def _gap(gap: rx.Var[vm.GapView]) -> rx.Component:
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
                rx.cond(
                    ReviewState.progress.pending,
                    "Scores appear once the call is transcribed.",
                    rx.cond(
                        ReviewState.progress.failed,
                        "Not scored: this conversation failed before it could be scored.",
                        "This conversation has not been scored yet. "
                        "Run `trainer score` to score it.",
                    ),
                ),
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
                    rx.cond(
                        s.progress.shown,
                        status_badge(s.progress),
                        rx.badge(
                            s.status,
                            variant="surface",
                            color_scheme="gray",
                            custom_attrs=testid("review-status"),
                        ),
                    ),
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
                s.status_reason,
                icon="triangle-alert",
                color_scheme=rx.cond(s.progress.failed, "red", "amber"),
                margin_top="0.75rem",
                custom_attrs=testid("status-reason"),
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
                    rx.vstack(
                        rx.cond(s.is_call & s.call.measured, speech_panel()),
                        criteria_panel(),
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
