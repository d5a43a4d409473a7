"""A live role-play attempt's state (`/practice/<scenario>`): the signed-in user plays it against
the simulated customer; replies typed, uploaded as audio, or recorded in the browser.

The attempt lives in the database (`trainer.services.roleplay`): the page holds only its id, so a
reply is one service call and a finished attempt is already stored."""

from __future__ import annotations

import asyncio
from pathlib import Path

import reflex as rx

from trainer.api.limits import RateLimiter, transcriptions_per_minute
from trainer.db.session import session_scope
from trainer.services import roleplay as rp
from trainer.web import formatting as fmt
from trainer.web import routes
from trainer.web.practice import viewmodels as pvm
from trainer.web.state import AppState, user_message

UPLOAD_ID = "reply-audio"
REPLY_INPUT = "reply-input"
AUDIO_TYPES = {
    "audio/*": [".wav", ".mp3", ".m4a", ".webm", ".ogg", ".opus", ".flac"],
    "video/webm": [".webm"],
}
TRANSCRIBE_ROUTE = "/api/v1/practice/transcribe"
_limiter: RateLimiter | None = None


def _upload_limiter() -> RateLimiter:
    """Spoken replies one user may upload a minute (the same rate as the API's recorder route,
    $TRAINER_TRANSCRIBE_PER_MINUTE)."""
    global _limiter
    if _limiter is None or _limiter.limit != transcriptions_per_minute():
        _limiter = RateLimiter(transcriptions_per_minute(), 60.0)
    return _limiter


class PracticeAttemptState(AppState):
    """One live attempt of the signed-in user: the brief, the chat, the mood and, once it
    ended, the result."""

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
    bubbles: list[pvm.ChatBubble] = []
    mood: pvm.MoodView = pvm.MoodView()
    moods: list[dict] = []
    replies_left: int = 0
    ended: bool = False
    outcome: str = ""
    outcome_label: str = ""
    outcome_tone: str = "gray"
    score: fmt.ScoreCell = fmt.ScoreCell()
    passed: bool = False
    sections: list[fmt.ScoreCell] = []
    feedback: list[pvm.FeedbackView] = []
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
        """Start a fresh attempt at the scenario the URL names."""
        return self.start(self.scenario_id)

    @rx.event
    def start(self, scenario: str):
        """Start an attempt (the customer speaks first); an unknown scenario leaves `found` off."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self._reset(scenario)
        try:
            with session_scope() as session:
                view = rp.start_attempt(session, actor, scenario)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.error, self.loaded = user_message(exc), True
            return None
        brief = view["brief"]
        self.trainee, self.home_href = actor.name, routes.PRACTICE
        self.title, self.summary, self.policy = brief["title"], brief["summary"], brief["policy"]
        self.customer, self.difficulty = brief["customer"], brief["difficulty"]
        self.skills = [pvm.skill_title(s) for s in brief["skills"]]
        self.pass_mark = int(brief["pass_mark"] or 0)
        self.attempt_id = int(view["attempt"])
        self.found = self.loaded = True
        self._live(view)
        return None

    @rx.event
    def restart(self):
        """Practise the same scenario again."""
        return self.start(self.scenario)

    def _reset(self, scenario: str) -> None:
        self.scenario, self.found, self.loaded, self.error = scenario, False, False, ""
        self.voice_error = self.voice_note = ""
        self.transcribing = self.recording = False
        self.attempt_id, self.bubbles, self.moods = 0, [], []
        self.mood, self.replies_left, self.ended = pvm.MoodView(), 0, False
        self.outcome, self.outcome_label, self.outcome_tone = "", "", "gray"
        self.score, self.passed, self.sections, self.feedback = fmt.ScoreCell(), False, [], []

    def _live(self, view: dict) -> None:
        first = self.customer.split()[0] if self.customer else "Customer"
        self.bubbles = pvm.chat_bubbles(view["turns"], first)
        self.mood = pvm.mood_view(view["mood"])
        self.moods = pvm.mood_points(view["moods"])
        self.replies_left = int(view["replies_left"])
        if "result" in view:
            self._result(view["result"])

    def _result(self, result: dict) -> None:
        self.ended = True
        self.outcome = result.get("outcome") or ""
        self.outcome_label = pvm.outcome_label(self.outcome)
        self.outcome_tone = pvm.outcome_tone(self.outcome)
        self.score = fmt.score_cell(result.get("score"), "score", "Score")
        self.passed = bool(result.get("passed"))
        self.sections = [
            fmt.score_cell(result["sections"][key], key, pvm.skill_title(key))
            for key in fmt.order_sections(result.get("sections", {}))
        ]
        self.feedback = pvm.feedback_views(result.get("feedback", []))
        if result.get("mood"):
            self.moods = pvm.mood_points(result["mood"])
            self.mood = pvm.mood_view(result["mood"][-1])

    @rx.event
    def send(self, form: dict):
        """Send the trainee's reply (the form's `reply` field); the customer answers."""
        text = str(form.get("reply") or "").strip()
        if not text or not self.attempt_id or self.ended:
            return
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error = self.voice_error = self.voice_note = ""
        try:
            with session_scope() as session:
                view = rp.send_reply(session, actor, self.attempt_id, text)
        except Exception as exc:  # noqa: BLE001 - shown as a message
            self.error = user_message(exc)
            return None
        self._live(view)
        return rx.scroll_to("end-screen" if self.ended else REPLY_INPUT)

    @rx.event
    def finish(self):
        """End the attempt now (the trainee hangs up) and show the result."""
        if not self.attempt_id or self.ended:
            return None
        actor = self.actor()
        if actor is None:
            return self.to_login()
        try:
            with session_scope() as session:
                result = rp.finish_attempt(session, actor, self.attempt_id)
        except Exception as exc:  # noqa: BLE001 - shown as a message
            self.error = user_message(exc)
            return None
        self._result(result)
        return rx.scroll_to("end-screen")

    @rx.event
    async def transcribe_upload(self, files: list[rx.UploadFile]):
        """Transcribe an uploaded spoken reply into the reply box (the trainee then sends it)."""
        if not files:
            return
        actor = self.actor()
        if actor is None:
            yield self.to_login()
            return
        wait = _upload_limiter().hit(f"{actor.id}:{actor.name}")
        if wait:
            self.voice_error = f"Too many recordings; try again in {int(wait) + 1} s."
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
