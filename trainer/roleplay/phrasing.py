"""Optional: let an OpenAI-compatible endpoint (a local model server, say) phrase the customer.

The engine still decides everything: mood, facts revealed, outcome, and a draft line. The phraser
only rewords the draft in the persona's voice. Off by default; any failure (no server, timeout, a
bad answer, a reworded line that drops a fact) falls back to the engine's own line, so an attempt
never depends on the network.

Configure with `--llm-url`/`--llm-model` on `trainer roleplay`, or the environment:
TRAINER_ROLEPLAY_LLM_URL (e.g. http://127.0.0.1:11434/v1), TRAINER_ROLEPLAY_LLM_MODEL and, if the
server wants one, TRAINER_ROLEPLAY_LLM_KEY.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from trainer.roleplay.schema import Scenario

#: Lines kept exactly as the engine wrote them: scoring reads their confirmations and goodbyes.
KEEP_AS_WRITTEN = frozenset({"satisfied", "farewell", "wrap_up"})


@dataclass(frozen=True)
class PhraseRequest:
    """What the phraser gets: the scenario, the engine's draft and the conversation so far."""

    scenario: Scenario
    draft: str
    kind: str
    mood: int
    history: tuple[tuple[str, str], ...] = ()
    keep: tuple[str, ...] = ()


class Phraser(Protocol):
    """Anything that can reword a customer line."""

    def phrase(self, request: PhraseRequest) -> str:
        """The line to say (the draft itself when in doubt)."""
        ...


@dataclass
class OpenAIPhraser:
    """Rewords lines through `POST {base_url}/chat/completions` (OpenAI-compatible)."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 10.0
    temperature: float = 0.7
    seed: int = 0
    failures: list[str] = field(default_factory=list)

    @classmethod
    def from_env(cls) -> OpenAIPhraser | None:
        """A phraser from TRAINER_ROLEPLAY_LLM_URL/_MODEL/_KEY, or None when not configured."""
        url = os.environ.get("TRAINER_ROLEPLAY_LLM_URL")
        if not url:
            return None
        model = os.environ.get("TRAINER_ROLEPLAY_LLM_MODEL", "llama3.2")
        return cls(url, model, os.environ.get("TRAINER_ROLEPLAY_LLM_KEY"))

    def messages(self, request: PhraseRequest) -> list[dict[str, str]]:
        """The chat messages sent to the model."""
        scenario, persona = request.scenario, request.scenario.persona
        system = (
            f"You play {persona.name}, a customer in a customer-service training role-play. "
            f"Temperament: {persona.temperament}. Current mood: {request.mood}/10 "
            "(0 calm, 10 about to leave). "
            f"Situation: {scenario.situation.strip()} What you want: {scenario.goal.strip()} "
            "Rewrite the draft line in your own voice, in one to three short sentences. Keep its "
            "meaning, keep every number, name and code exactly, add no new facts, and do not "
            "resolve the problem yourself. Reply with the line only."
        )
        history = "\n".join(f"{speaker}: {text}" for speaker, text in request.history[-6:])
        user = f"Conversation so far:\n{history}\n\nDraft line: {request.draft}"
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def phrase(self, request: PhraseRequest) -> str:
        """The reworded line, or the draft when the server fails or drops something to keep."""
        if request.kind in KEEP_AS_WRITTEN:
            return request.draft
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        payload = {
            "model": self.model,
            "messages": self.messages(request),
            "temperature": self.temperature,
            "seed": self.seed,
            "max_tokens": 120,
        }
        try:
            response = httpx.post(
                self.base_url.rstrip("/") + "/chat/completions",
                json=payload,
                headers=headers,
                timeout=self.timeout,
            )
            response.raise_for_status()
            text = response.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
            self.failures.append(f"{type(exc).__name__}: {exc}")
            return request.draft
        return self._accept(text, request)

    def _accept(self, text: object, request: PhraseRequest) -> str:
        if not isinstance(text, str):
            self.failures.append("the answer was not text")
            return request.draft
        line = " ".join(text.strip().strip('"').split())
        if not line or len(line) > 4 * len(request.draft) + 200:
            self.failures.append("the answer was empty or far too long")
            return request.draft
        missing = [k for k in request.keep if k not in line]
        if missing:
            self.failures.append(f"the answer dropped {missing[0]!r}")
            return request.draft
        return line
