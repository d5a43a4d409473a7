"""Latency of authenticated REST API calls on the demo database, through a real server.

Seeds the demo data into a temporary SQLite file (chats only unless --calls), issues bearer
tokens for an admin and a lead, starts `trainer api` on a free loopback port, then times
`GET /api/v1/conversations`, the detail of one conversation and a login, sequentially, and
prints p50 / p95 / p99 in milliseconds.

    .venv/bin/python benchmarks/api_latency.py [--requests 300] [--calls]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
TRAINER = str(Path(sys.executable).parent / "trainer")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _time(client: httpx.Client, url: str, headers: dict, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return samples


def _time_logins(client: httpx.Client, n: int) -> list[float]:
    samples = []
    form = {"email": "jordan.kim@example.com", "password": "trainer-demo"}
    for _ in range(n):
        start = time.perf_counter()
        response = client.post("/auth/login", data=form, follow_redirects=False)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 303 or "error" in response.headers["location"]:
            raise SystemExit(f"login failed: {response.status_code} {response.headers}")
    return samples


def main() -> None:
    """Seed, serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--calls", action="store_true", help="transcribe the demo calls too")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="trainer-api-bench-"))
    env = os.environ | {
        "TRAINER_DATABASE_URL": f"sqlite:///{folder / 'trainer.db'}",
        "TRAINER_DEMO_CALLS": "1" if args.calls else "0",
    }
    subprocess.run([TRAINER, "demo"], env=env, cwd=REPO, check=True, capture_output=True)
    tokens = {
        role: subprocess.run(
            [TRAINER, "users", "token", email, "--name", "bench"],
            env=env,
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        for role, email in (
            ("admin", "alex.admin@example.com"),
            ("lead", "morgan.reyes@example.com"),
        )
    }
    port = _free_port()
    server = subprocess.Popen(
        [TRAINER, "api", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(100):
                try:
                    if client.get("/api/v1/openapi.json").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            results = {}
            for role, token in tokens.items():
                headers = {"Authorization": f"Bearer {token}"}
                listing = client.get("/api/v1/conversations", headers=headers).json()
                _time(client, "/api/v1/conversations", headers, 20)  # warm up
                results[f"list ({role}, {listing['total']} visible)"] = _time(
                    client, "/api/v1/conversations", headers, args.requests
                )
                first = listing["items"][0]["conversation"]
                results[f"detail ({role})"] = _time(
                    client, f"/api/v1/conversations/{first}", headers, args.requests // 3
                )
            # Signing in: one argon2id verification and a session row per POST.
            results["login (form post, argon2id)"] = _time_logins(client, 30)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"API latency, {args.requests} sequential requests, `trainer api` on SQLite ({base})")
    print(f"{'call':34} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean':>8}")
    for name, samples in results.items():
        print(
            f"{name:34} {len(samples):5d} {_percentile(samples, 0.5):8.1f} "
            f"{_percentile(samples, 0.95):8.1f} {_percentile(samples, 0.99):8.1f} "
            f"{statistics.mean(samples):8.1f}"
        )


if __name__ == "__main__":
    main()
