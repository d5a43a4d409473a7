"""The deployment files hang together: compose.yaml has every service with the settings Trainer
reads, the proxy's Caddyfile and the Dockerfile's sources exist, and every TRAINER_* setting
docs/deploy.md documents is one the code reads (Docker itself is not needed)."""

from __future__ import annotations

import re

import yaml

from tests.conftest import REPO

COMPOSE = yaml.safe_load((REPO / "compose.yaml").read_text())
TRAINER_SERVICES = ("migrate", "web", "worker")


def test_deploy_compose_has_every_service():
    assert set(COMPOSE["services"]) == {"postgres", "redis", "migrate", "web", "worker", "proxy"}
    worker = COMPOSE["services"]["worker"]
    assert worker["command"][:2] == ["trainer", "worker"]
    assert worker["deploy"]["replicas"] == "${TRAINER_WORKERS:-3}"
    assert COMPOSE["services"]["migrate"]["command"] == ["trainer", "db", "upgrade"]
    migrated = {"condition": "service_completed_successfully"}
    assert COMPOSE["services"]["web"]["depends_on"]["migrate"] == migrated
    assert worker["depends_on"]["migrate"] == migrated


def test_deploy_compose_points_trainer_at_postgres_and_redis():
    for name in TRAINER_SERVICES:
        env = COMPOSE["services"][name]["environment"]
        assert env["TRAINER_DATABASE_URL"].startswith("postgresql://trainer:")
        assert "@postgres:5432/trainer" in env["TRAINER_DATABASE_URL"]
        assert env["TRAINER_QUEUE_URL"] == "redis://redis:6379/0"
        assert env["TRAINER_SECRET_KEY"].startswith("${TRAINER_SECRET_KEY:?")  # required
        assert "trainer-data:/app/var" in COMPOSE["services"][name]["volumes"]


def test_deploy_proxy_terminates_tls_in_front_of_the_web_app():
    proxy = COMPOSE["services"]["proxy"]
    assert "443:443" in proxy["ports"]
    mount = next(v for v in proxy["volumes"] if v.endswith("/etc/caddy/Caddyfile:ro"))
    caddyfile = (REPO / mount.split(":")[0]).read_text()
    assert "reverse_proxy web:3000" in caddyfile
    assert "tls {$TRAINER_TLS:internal}" in caddyfile


def test_deploy_dockerfile_copies_what_exists():
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    sources = re.findall(r"^COPY (.+) \S+$", dockerfile, flags=re.MULTILINE)
    for line in sources:
        for source in line.split():
            assert (REPO / source).exists(), source
    build = COMPOSE["x-trainer"]["build"]
    assert (REPO / build["context"] / build["dockerfile"]).is_file()


def test_deploy_docs_name_only_settings_the_code_reads():
    documented = set(re.findall(r"`(TRAINER_[A-Z_]+)`", (REPO / "docs/deploy.md").read_text()))
    compose_only = {"TRAINER_WORKERS", "TRAINER_WORKER_THREADS", "TRAINER_DOMAIN", "TRAINER_TLS"}
    files = [*(REPO / "trainer").rglob("*.py"), REPO / "deploy" / "smoke.py"]
    code = "\n".join(p.read_text() for p in files)
    unread = {name for name in documented - compose_only if name not in code}
    assert not unread
    assert {"TRAINER_DATABASE_URL", "TRAINER_QUEUE_URL", "TRAINER_SECRET_KEY"} <= documented
