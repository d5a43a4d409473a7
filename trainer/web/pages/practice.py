"""Role-play practice: the scenario library with a trainee's results, their attempt history and
skill progress (`/practice`), and a live attempt against the simulated customer
(`/practice/<scenario>`): chat, mood meter, spoken replies (upload or microphone), end screen.

The attempt lives in the database (`trainer.services.roleplay`): the page holds only its id, so a
reply is one service call and a finished attempt is already stored for the trainee.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import reflex as rx

from trainer.db.session import session_scope
from trainer.errors import NotFoundError, TrainerError
from trainer.roleplay.progress import PROGRESS_SKILLS
from trainer.services import roleplay as rp
from trainer.web import routes
from trainer.web import viewmodels as vm
from trainer.web.api import TRANSCRIBE_ROUTE
from trainer.web.layout import error_callout, page, score_badge, testid
from trainer.web.pages.review import BACKEND_ORIGIN

UPLOAD_ID = "reply-audio"
REPLY_INPUT = "reply-input"
AUDIO_TYPES = {
    "audio/*": [".wav", ".mp3", ".m4a", ".webm", ".ogg", ".opus", ".flac"],
    "video/webm": [".webm"],
}
FALLBACK_TRAINEE = "Trainee"
TONE_SCHEMES = (("green", "grass"), ("amber", "amber"), ("red", "tomato"))


class PracticeState(rx.State):
    """The library, the selected trainee's history and their per-skill progress chart."""

    trainees: list[str] = []
    trainee: str = ""
    cards: list[vm.ScenarioCard] = []
    history: list[vm.AttemptRow] = []
    chart: list[dict] = []
    skill_lines: list[vm.SkillLine] = []
    attempts: int = 0
    passed_attempts: int = 0
    scenarios_passed: int = 0
    error: str = ""
    loaded: bool = False

    @rx.event
    def on_load(self):
        """Load the trainees and the one the URL names (`?trainee=`), else the first."""
        self.error = ""
        try:
            with session_scope() as session:
                self.trainees = rp.list_trainees(session)
        except TrainerError as exc:
            self.error, self.loaded = exc.format(), True
            return
        wanted = self.router.url.query_parameters.get("trainee") or self.trainee
        if wanted and wanted not in self.trainees:
            self.trainees = [wanted, *self.trainees]
        self._load(wanted or (self.trainees[0] if self.trainees else ""))

    @rx.event
    def select_trainee(self, name: str):
        """Show another trainee's results (and keep the choice in the address)."""
        self._load(name)
        return rx.call_script(
            f"window.history.replaceState(null, '', {vm.practice_home_href(name)!r})"
        )

    def _load(self, trainee: str) -> None:
        self.trainee, self.error = trainee, ""
        self.history, self.chart, self.skill_lines = [], [], []
        self.attempts = self.passed_attempts = self.scenarios_passed = 0
        progress: dict = {}
        attempts: list[dict] = []
        try:
            library = rp.scenario_library()
            if trainee:
                with session_scope() as session:
                    try:
                        attempts = rp.list_attempts(session, trainee)
                        progress = rp.trainee_progress(session, trainee)
                    except NotFoundError:
                        attempts, progress = [], {}
        except TrainerError as exc:
            self.error, self.cards, self.loaded = exc.format(), [], True
            return
        self.cards = vm.scenario_cards(library, progress, trainee)
        titles = {card["id"]: card["title"] for card in library}
        self.history = vm.attempt_rows(attempts, titles, trainee)
        if progress:
            self.chart, self.skill_lines = vm.progress_chart(attempts, progress)
            self.attempts = int(progress.get("attempts", 0))
            self.passed_attempts = int(progress.get("passed_attempts", 0))
            self.scenarios_passed = len(progress.get("scenarios_passed", []))
        self.loaded = True


class PracticeAttemptState(rx.State):
    """One live attempt: the brief, the chat, the mood and, once it ended, the result."""

    scenario: str = ""
    trainee: str = ""
    title: str = ""
    summary: str = ""
    policy: str = ""
    customer: str = ""
    difficulty: str = ""
    skills: list[str] = []
    pass_mark: int = 0
    attempt_id: int = 0
    bubbles: list[vm.ChatBubble] = []
    mood: vm.MoodView = vm.MoodView()
    moods: list[dict] = []
    replies_left: int = 0
    ended: bool = False
    outcome: str = ""
    outcome_label: str = ""
    outcome_tone: str = "gray"
    score: vm.ScoreCell = vm.ScoreCell()
    passed: bool = False
    sections: list[vm.ScoreCell] = []
    feedback: list[vm.FeedbackView] = []
    found: bool = False
    loaded: bool = False
    error: str = ""
    voice_error: str = ""
    voice_note: str = ""
    transcribing: bool = False
    recording: bool = False
    home_href: str = routes.PRACTICE

    @rx.event
    def on_load(self):
        """Start a fresh attempt at the scenario the URL names, for `?trainee=`."""
        trainee = self.router.url.query_parameters.get("trainee") or ""
        return self.start(self.scenario_id, trainee)

    @rx.event
    def start(self, scenario: str, trainee: str = ""):
        """Start an attempt (the customer speaks first); an unknown scenario leaves `found` off."""
        self._reset(scenario)
        try:
            with session_scope() as session:
                trainee = trainee or next(iter(rp.list_trainees(session)), FALLBACK_TRAINEE)
                view = rp.start_attempt(session, trainee, scenario)
        except TrainerError as exc:
            self.error, self.loaded = exc.format(), True
            return
        brief = view["brief"]
        self.trainee, self.home_href = trainee, vm.practice_home_href(trainee)
        self.title, self.summary, self.policy = brief["title"], brief["summary"], brief["policy"]
        self.customer, self.difficulty = brief["customer"], brief["difficulty"]
        self.skills = [vm.skill_title(s) for s in brief["skills"]]
        self.pass_mark = int(brief["pass_mark"] or 0)
        self.attempt_id = int(view["attempt"])
        self.found = self.loaded = True
        self._live(view)

    @rx.event
    def restart(self):
        """Practise the same scenario again."""
        return self.start(self.scenario, self.trainee)

    def _reset(self, scenario: str) -> None:
        self.scenario, self.found, self.loaded, self.error = scenario, False, False, ""
        self.voice_error = self.voice_note = ""
        self.transcribing = self.recording = False
        self.attempt_id, self.bubbles, self.moods = 0, [], []
        self.mood, self.replies_left, self.ended = vm.MoodView(), 0, False
        self.outcome, self.outcome_label, self.outcome_tone = "", "", "gray"
        self.score, self.passed, self.sections, self.feedback = vm.ScoreCell(), False, [], []

    def _live(self, view: dict) -> None:
        first = self.customer.split()[0] if self.customer else "Customer"
        self.bubbles = vm.chat_bubbles(view["turns"], first)
        self.mood = vm.mood_view(view["mood"])
        self.moods = vm.mood_points(view["moods"])
        self.replies_left = int(view["replies_left"])
        if "result" in view:
            self._result(view["result"])

    def _result(self, result: dict) -> None:
        self.ended = True
        self.outcome = result.get("outcome") or ""
        self.outcome_label = vm.outcome_label(self.outcome)
        self.outcome_tone = vm.outcome_tone(self.outcome)
        self.score = vm.score_cell(result.get("score"), "score", "Score")
        self.passed = bool(result.get("passed"))
        self.sections = [
            vm.score_cell(result["sections"][key], key, vm.skill_title(key))
            for key in vm.order_sections(result.get("sections", {}))
        ]
        self.feedback = vm.feedback_views(result.get("feedback", []))
        if result.get("mood"):
            self.moods = vm.mood_points(result["mood"])
            self.mood = vm.mood_view(result["mood"][-1])

    @rx.event
    def send(self, form: dict):
        """Send the trainee's reply (the form's `reply` field); the customer answers."""
        text = str(form.get("reply") or "").strip()
        if not text or not self.attempt_id or self.ended:
            return
        self.error = self.voice_error = self.voice_note = ""
        try:
            with session_scope() as session:
                view = rp.send_reply(session, self.attempt_id, text)
        except TrainerError as exc:
            self.error = exc.format()
            return
        self._live(view)
        return rx.scroll_to("end-screen" if self.ended else REPLY_INPUT)

    @rx.event
    def finish(self):
        """End the attempt now (the trainee hangs up) and show the result."""
        if not self.attempt_id or self.ended:
            return
        try:
            with session_scope() as session:
                result = rp.finish_attempt(session, self.attempt_id)
        except TrainerError as exc:
            self.error = exc.format()
            return
        self._result(result)
        return rx.scroll_to("end-screen")

    @rx.event
    async def transcribe_upload(self, files: list[rx.UploadFile]):
        """Transcribe an uploaded spoken reply into the reply box (the trainee then sends it)."""
        if not files:
            return
        upload = files[0]
        data = await upload.read()
        name = Path(getattr(upload, "name", None) or upload.filename or "reply").name
        self.transcribing, self.voice_error, self.voice_note = True, "", ""
        yield
        text, error = await asyncio.to_thread(rp.transcribe_reply_bytes, data, Path(name).suffix)
        self.transcribing = False
        yield self._transcribed(text, error, f"Transcribed {name}")

    @rx.event
    def recording_started(self, result: dict | None):
        """The browser's recorder answered: recording, or why not."""
        result = result or {}
        self.recording = bool(result.get("recording"))
        self.voice_error = str(result.get("error") or "")
        self.voice_note = "Recording… press Stop when you are done." if self.recording else ""

    @rx.event
    def stop_recording(self):
        """Stop the microphone and send the recording to be transcribed."""
        self.recording, self.transcribing, self.voice_note = False, True, ""
        return rx.call_script(
            recorder_js("stop"), callback=PracticeAttemptState.recording_transcribed
        )

    @rx.event
    def recording_transcribed(self, result: dict | None):
        """The transcript of the recording (or why there is none)."""
        result = result or {}
        self.transcribing = False
        return self._transcribed(
            str(result.get("text") or ""), str(result.get("error") or ""), "Transcribed"
        )

    def _transcribed(self, text: str, error: str, note: str):
        if error or not text:
            self.voice_error = error or "No words were recognised; try again or type the reply."
            return None
        self.voice_error, self.voice_note = "", f"{note}: check the text, then press Send."
        return rx.set_value(REPLY_INPUT, text)


# The browser's recorder (MediaRecorder, webm/opus), defined once on `window`; `stop` posts the
# recording to TRANSCRIBE_ROUTE on the backend (its origin is on the #practice-api element).
RECORDER_JS = """
window.trainerRecorder = window.trainerRecorder || {
  rec: null, chunks: [],
  async start() {
    if (!navigator.mediaDevices || !window.MediaRecorder) {
      return {error: "This browser cannot record audio here; upload a recording instead."};
    }
    let stream;
    try { stream = await navigator.mediaDevices.getUserMedia({audio: true}); }
    catch (e) { return {error: "The microphone is not available (" + e.name + "); "
                        + "allow it in the browser, or upload a recording."}; }
    const type = MediaRecorder.isTypeSupported("audio/webm;codecs=opus")
      ? "audio/webm;codecs=opus" : "";
    this.chunks = [];
    this.rec = new MediaRecorder(stream, type ? {mimeType: type} : undefined);
    this.rec.ondataavailable = (e) => { if (e.data && e.data.size) this.chunks.push(e.data); };
    this.rec.start();
    return {recording: true};
  },
  stop() {
    const rec = this.rec;
    this.rec = null;
    if (!rec) return Promise.resolve({error: "Nothing was recorded."});
    return new Promise((resolve) => {
      rec.onstop = async () => {
        rec.stream.getTracks().forEach((t) => t.stop());
        const blob = new Blob(this.chunks, {type: rec.mimeType || "audio/webm"});
        const el = document.getElementById("practice-api");
        const url = (el ? el.dataset.origin : "") + "__ROUTE__";
        try {
          const r = await fetch(url, {method: "POST", body: blob,
                                      headers: {"Content-Type": blob.type || "audio/webm"}});
          const data = await r.json().catch(() => ({}));
          resolve(r.ok ? {text: data.text || ""}
                       : {error: data.detail || ("Transcription failed (" + r.status + ")")});
        } catch (e) { resolve({error: "Could not reach the server: " + e.message}); }
      };
      rec.stop();
    });
  },
};
""".replace("__ROUTE__", TRANSCRIBE_ROUTE)


def recorder_js(action: str) -> str:
    """JavaScript that defines the recorder if needed and runs `start` or `stop`."""
    return f"{RECORDER_JS}\nwindow.trainerRecorder.{action}()"


# --- components ------------------------------------------------------------------------------


def _scheme(tone: rx.Var) -> rx.Var:
    return rx.match(tone, *TONE_SCHEMES, "gray")


def _trainee_picker(s: type[PracticeState]) -> rx.Component:
    return rx.hstack(
        rx.text("Trainee", size="2", weight="medium", color_scheme="gray"),
        rx.select(
            s.trainees,
            value=s.trainee,
            on_change=s.select_trainee,
            placeholder="Choose a trainee",
            id="trainee-select",
            custom_attrs=testid("trainee-select"),
        ),
        align="center",
        spacing="2",
    )


def _stat(label: str, value: rx.Var, name: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray"),
            rx.heading(value, size="6", custom_attrs=testid(name)),
            spacing="1",
        ),
        min_width="150px",
    )


def _card(card: rx.Var[vm.ScenarioCard]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(card.title, size="4", weight="bold"),
                rx.spacer(),
                rx.badge(
                    card.difficulty,
                    color_scheme=_scheme(card.difficulty_tone),
                    variant="soft",
                    custom_attrs=testid("difficulty"),
                ),
                width="100%",
                align="start",
            ),
            rx.text(
                rx.text.strong(card.customer),
                " · ",
                card.temperament,
                size="2",
                color_scheme="gray",
                custom_attrs=testid("persona"),
            ),
            rx.text(card.persona, size="2", color_scheme="gray", font_style="italic"),
            rx.text(card.summary, size="2", custom_attrs=testid("summary")),
            rx.flex(
                rx.foreach(
                    card.skills,
                    lambda skill: rx.badge(skill, variant="outline", color_scheme="gray"),
                ),
                wrap="wrap",
                gap="2",
                custom_attrs=testid("skills"),
            ),
            rx.spacer(),
            rx.hstack(
                rx.text("Pass mark ", rx.text.strong(card.pass_mark), size="2"),
                rx.spacer(),
                rx.text("Best", size="1", color_scheme="gray"),
                score_badge(card.best.text, card.best.tone, custom_attrs=testid("best")),
                rx.text("Latest", size="1", color_scheme="gray"),
                score_badge(card.latest.text, card.latest.tone, custom_attrs=testid("latest")),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                rx.cond(
                    card.passed,
                    rx.badge(
                        rx.icon("circle-check", size=14),
                        "Passed",
                        color_scheme="grass",
                        custom_attrs=testid("passed-badge"),
                    ),
                    rx.cond(
                        card.attempts > 0,
                        rx.badge("Not passed yet", color_scheme="gray", variant="soft"),
                    ),
                ),
                rx.text(card.attempts, " attempts", size="1", color_scheme="gray"),
                rx.spacer(),
                rx.link(
                    rx.button(rx.icon("play", size=14), "Practise", size="2"),
                    href=card.href,
                    custom_attrs=testid("practise"),
                ),
                align="center",
                width="100%",
            ),
            spacing="2",
            height="100%",
        ),
        custom_attrs={"data-testid": "scenario-card", "data-scenario": card.id},
    )


def _history_row(row: rx.Var[vm.AttemptRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.date, white_space="nowrap"),
        rx.table.row_header_cell(rx.link(row.title, href=row.href)),
        rx.table.cell(
            rx.badge(
                row.outcome_label,
                color_scheme=_scheme(row.outcome_tone),
                variant="soft",
                custom_attrs=testid("outcome"),
            )
        ),
        rx.table.cell(
            score_badge(row.score.text, row.score.tone, custom_attrs=testid("score")),
            text_align="center",
        ),
        rx.table.cell(
            rx.cond(
                row.passed,
                rx.badge("Passed", color_scheme="grass", custom_attrs=testid("passed")),
                rx.badge("Not passed", color_scheme="gray", custom_attrs=testid("passed")),
            ),
        ),
        custom_attrs={
            "data-testid": "history-row",
            "data-scenario": row.scenario,
            "data-outcome": row.outcome,
        },
    )


def _progress_chart(s: type[PracticeState]) -> rx.Component:
    return rx.recharts.line_chart(
        *[
            rx.recharts.line(
                data_key=skill,
                name=vm.skill_title(skill),
                stroke=vm.SKILL_COLOURS[skill],
                stroke_width=2,
                connect_nulls=True,
                is_animation_active=False,
            )
            for skill in PROGRESS_SKILLS
        ],
        rx.recharts.x_axis(data_key="label"),
        rx.recharts.y_axis(domain=[0, 100], width=40),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        data=s.chart,
        width="100%",
        height=280,
    )


def practice_page() -> rx.Component:
    """The `/practice` page: library, history, progress."""
    s = PracticeState
    return page(
        rx.hstack(
            rx.heading("Role-play practice", size="7"),
            rx.spacer(),
            _trainee_picker(s),
            align="center",
            margin_bottom="0.5rem",
        ),
        rx.text(
            "Practise conversations with a simulated customer. Pick a scenario; the customer's "
            "mood reacts to every reply, and the attempt is scored with the QA rubric.",
            size="2",
            color_scheme="gray",
            margin_bottom="1rem",
        ),
        error_callout(s.error),
        rx.hstack(
            _stat("Attempts", s.attempts, "stat-attempts"),
            _stat("Passed attempts", s.passed_attempts, "stat-passed"),
            _stat("Scenarios passed", s.scenarios_passed, "stat-scenarios"),
            spacing="3",
            margin_bottom="1.25rem",
            wrap="wrap",
        ),
        rx.heading("Scenarios", size="5", margin_bottom="0.75rem"),
        rx.grid(
            rx.foreach(s.cards, _card),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing="4",
            width="100%",
            id="scenario-library",
        ),
        rx.grid(
            rx.card(
                rx.heading("Attempt history", size="4", margin_bottom="0.5rem"),
                rx.cond(
                    s.history.length() > 0,
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Date"),
                                rx.table.column_header_cell("Scenario"),
                                rx.table.column_header_cell("Outcome"),
                                rx.table.column_header_cell("Score", text_align="center"),
                                rx.table.column_header_cell("Result"),
                            )
                        ),
                        rx.table.body(rx.foreach(s.history, _history_row)),
                        variant="ghost",
                        width="100%",
                    ),
                    rx.text(
                        "No finished attempts yet.",
                        color_scheme="gray",
                        size="2",
                        custom_attrs=testid("history-empty"),
                    ),
                ),
                id="attempt-history",
                overflow_x="auto",
            ),
            rx.card(
                rx.heading("Progress by skill", size="4", margin_bottom="0.5rem"),
                rx.cond(
                    s.chart.length() > 0,
                    _progress_chart(s),
                    rx.text(
                        "Scores per skill appear here after the first attempt.",
                        color_scheme="gray",
                        size="2",
                    ),
                ),
                id="progress-chart",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            margin_top="1.5rem",
            width="100%",
        ),
        testid_name="practice-page",
    )


# --- the attempt page ------------------------------------------------------------------------


def _mood_meter(s: type[PracticeAttemptState]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(s.customer, "'s mood", size="2", weight="medium"),
            rx.spacer(),
            rx.badge(
                s.mood.label,
                color_scheme=_scheme(s.mood.tone),
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
            color_scheme=_scheme(s.mood.tone),
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


def _bubble(b: rx.Var[vm.ChatBubble]) -> rx.Component:
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


def _composer(s: type[PracticeAttemptState]) -> rx.Component:
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


def _feedback_item(item: rx.Var[vm.FeedbackView]) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.badge(item.where, color_scheme=_scheme(item.tone), variant="soft"),
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
                    color_scheme=_scheme(s.outcome_tone),
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
                    rx.cond(s.ended, _end_screen(s), _composer(s)),
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
