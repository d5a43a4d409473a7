"""The optional OpenAI-compatible phraser, against a fake server on 127.0.0.1: it rewords the
customer's lines while the engine keeps mood and outcome, and falls back on any failure."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from trainer.roleplay.attempt import Attempt, run_script
from trainer.roleplay.loader import find_scenario
from trainer.roleplay.phrasing import OpenAIPhraser

GOOD = [
    "Hi Dana, this is Sam at Northwind. I'm so sorry, that's really frustrating. "
    "Could I have your full name and the order number, please?",
    "Thanks, Dana. I can see two charges of $94.00. The second one is a duplicate.",
    "I've refunded the duplicate charge. You'll see it within 3-5 business days, "
    "and you'll get a confirmation email today.",
    "Is there anything else I can help with?",
    "Have a great day, Dana!",
]


class FakeServer:
    """A tiny OpenAI-compatible chat server; `mode` picks how it answers."""

    def __init__(self) -> None:
        self.mode = "reword"
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(
                    {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
                )
                if server.mode == "error":
                    self.send_response(500)
                    self.end_headers()
                    return
                if server.mode == "slow":
                    time.sleep(0.5)
                draft = body["messages"][-1]["content"].split("Draft line: ", 1)[1]
                content = {
                    "reword": f"Right, so... {draft}",
                    "drop_facts": "I'd rather not say.",
                    "slow": draft,
                }.get(server.mode)
                payload = (
                    b"not json"
                    if server.mode == "garbage"
                    else json.dumps({"choices": [{"message": {"content": content}}]}).encode()
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    fake = FakeServer()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def dana():
    return find_scenario("double-charge")


def test_roleplay_phrasing_rewords_lines_and_sends_openai_requests(server, dana):
    phraser = OpenAIPhraser(server.url, "tiny-model", api_key="secret", seed=3)
    attempt = Attempt(dana, phraser=phraser)
    turn = attempt.reply(GOOD[0])
    said = attempt.turns[-1].text
    assert said.startswith("Right, so... ") and turn.text in said
    assert "3348917502" in said and not phraser.failures
    request = server.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer secret"
    assert request["body"]["model"] == "tiny-model" and request["body"]["seed"] == 3
    assert request["body"]["messages"][0]["role"] == "system"
    assert "Dana Ruiz" in request["body"]["messages"][0]["content"]


def test_roleplay_phrasing_leaves_mood_and_outcome_to_the_engine(server, dana):
    plain = run_script(dana, GOOD)
    phrased = run_script(dana, GOOD, phraser=OpenAIPhraser(server.url, "m"))
    assert phrased.outcome == plain.outcome == "resolved"
    assert phrased.mood == plain.mood and phrased.passed
    said = [t.text for t in phrased.conversation.turns if t.speaker == "customer"]
    assert any(s.startswith("Right, so...") for s in said)
    # the satisfied and goodbye lines, which scoring reads, stay as the engine wrote them
    kinds_sent = len(server.requests)
    assert kinds_sent < len(said) - 1


@pytest.mark.parametrize("mode", ["error", "garbage", "drop_facts", "slow"])
def test_roleplay_phrasing_falls_back_to_the_engine_line(server, dana, mode):
    server.mode = mode
    phraser = OpenAIPhraser(server.url, "m", timeout=0.2)
    attempt = Attempt(dana, phraser=phraser)
    turn = attempt.reply(GOOD[0])
    assert attempt.turns[-1].text == turn.text
    assert phraser.failures


def test_roleplay_phrasing_unreachable_server_is_not_fatal(dana):
    phraser = OpenAIPhraser("http://127.0.0.1:9/v1", "m", timeout=0.2)
    result = run_script(dana, GOOD, phraser=phraser)
    assert result.passed and phraser.failures


def test_roleplay_phrasing_is_off_unless_configured(monkeypatch):
    monkeypatch.delenv("TRAINER_ROLEPLAY_LLM_URL", raising=False)
    assert OpenAIPhraser.from_env() is None
    monkeypatch.setenv("TRAINER_ROLEPLAY_LLM_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("TRAINER_ROLEPLAY_LLM_MODEL", "qwen2.5")
    phraser = OpenAIPhraser.from_env()
    assert phraser is not None and phraser.model == "qwen2.5" and phraser.api_key is None
