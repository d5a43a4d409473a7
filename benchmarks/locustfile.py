"""Load on the REST API as a contact centre makes it: reviewers listing and opening
conversations, agents opening their own scorecards, an integration posting chats.

Reads the tokens `benchmarks/seed_load_db.py` wrote ($TRAINER_LOAD_TOKENS, default
/tmp/trainer-load-tokens.json). Run through `benchmarks/load_test.sh`, or by hand against a
running `trainer api`:

    TRAINER_LOAD_TOKENS=/tmp/trainer-load-tokens.json .venv/bin/locust \\
        -f benchmarks/locustfile.py --host http://127.0.0.1:8800 \\
        --headless -u 50 -r 10 -t 60s --csv /tmp/trainer-load
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path

from locust import HttpUser, between, task

TOKENS = json.loads(
    Path(os.environ.get("TRAINER_LOAD_TOKENS", "/tmp/trainer-load-tokens.json")).read_text()
)
# Each simulated person takes the next account of their kind (round robin).
_accounts = {kind: itertools.cycle(TOKENS[kind]) for kind in TOKENS}


def _take(kind: str) -> dict:
    return next(_accounts[kind])


class _Person(HttpUser):
    """A signed-in caller: every request carries the account's bearer token."""

    abstract = True
    kind = ""

    def on_start(self) -> None:
        """Take an account and its token."""
        self.account = _take(self.kind)
        self.client.headers["Authorization"] = f"Bearer {self.account['token']}"


class Reviewer(_Person):
    """Lists conversations (a page, a filter, a later page), opens one of those listed."""

    weight = 5
    kind = "reviewers"
    wait_time = between(1, 3)
    listed: list[str] = []

    def _list(self, params: dict, name: str) -> None:
        with self.client.get(
            "/api/v1/conversations", params=params, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            items = response.json()["items"]
            if items:
                self.listed = [item["conversation"] for item in items]

    @task(3)
    def newest(self) -> None:
        """The first page, newest first."""
        self._list({"per_page": 50}, "list: newest")

    @task(2)
    def one_agent(self) -> None:
        """One agent's conversations, a page or two in."""
        agent = random.choice(TOKENS["agents"])["name"]
        page = random.randint(1, 3)
        self._list({"agent": agent, "page": page, "per_page": 25}, "list: by agent")

    @task(1)
    def low_scores(self) -> None:
        """The low scorers (a score filter), to pick the next review."""
        self._list({"max_score": 60, "per_page": 50}, "list: score under 60")

    @task(1)
    def deep_page(self) -> None:
        """Paging far back."""
        self._list({"page": random.randint(20, 400), "per_page": 50}, "list: deep page")

    @task(4)
    def open_one(self) -> None:
        """The review page's data for one listed conversation."""
        if not self.listed:
            self.newest()
            return
        conversation = random.choice(self.listed)
        self.client.get(f"/api/v1/conversations/{conversation}", name="open conversation")


class Agent(_Person):
    """Opens their own scorecard (the last 30 days), now and then a criterion's drill-down."""

    weight = 3
    kind = "agents"
    wait_time = between(2, 5)

    @task(4)
    def scorecard(self) -> None:
        """Their scorecard."""
        self.client.get(
            "/api/v1/scorecards",
            params={"agent": self.account["name"]},
            name="own scorecard",
        )

    @task(1)
    def drilldown(self) -> None:
        """The conversations behind one criterion of it."""
        self.client.get(
            f"/api/v1/scorecards/agents/{self.account['name']}/criteria/apologises",
            name="own scorecard: criterion drill-down",
        )


class Integration(_Person):
    """A system posting each finished chat as it closes (ingested and scored at once)."""

    weight = 2
    kind = "integrations"
    wait_time = between(0.5, 1.5)

    @task
    def post_chat(self) -> None:
        """One new chat: 201 and a score."""
        agent = random.choice(TOKENS["agents"])["name"]
        chat = {
            "id": f"locust-{uuid.uuid4().hex}",
            "channel": "chat",
            "agent": agent,
            "customer": "Dana Ruiz",
            "started_at": datetime.now(UTC).isoformat(),
            "turns": [
                {"speaker": "customer", "text": "Hi, my parcel never arrived and I'm upset."},
                {
                    "speaker": "agent",
                    "text": "I'm so sorry, Dana, I understand how frustrating that is. "
                    "Let me check the tracking for you.",
                },
                {"speaker": "customer", "text": "Thanks. It was due on Monday."},
                {
                    "speaker": "agent",
                    "text": "It is at the local depot and will arrive tomorrow morning. "
                    "Is there anything else I can help you with today?",
                },
                {"speaker": "customer", "text": "No, that's all. Thank you!"},
            ],
        }
        with self.client.post(
            "/api/v1/conversations", json=chat, name="post chat", catch_response=True
        ) as response:
            if response.status_code != 201 or response.json().get("score") is None:
                response.failure(f"{response.status_code}: {response.text[:200]}")
