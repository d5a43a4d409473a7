"""Leases: who is working on a job since when, so a job whose worker died is found and redone.

A queue hands a job out once: a worker killed mid-job (SIGKILL, a lost machine) takes it along.
So before working, a worker records a lease in the database with columns that already exist:

- a call being transcribed: status 'processing', `status_reason` naming the host, the process
  id and a token, `updated_at` refreshed with every progress step (the heartbeat);
- a scoring job: an audit row `job.started` naming the worker and the job's arguments; the row
  `job.finished` is written in the same transaction as the scores.

A lease is stale when it is older than $TRAINER_STALE_JOB_MINUTES (default 30) or when its
process is known dead on this host. `trainer.jobs.recovery` re-queues stale jobs.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DEFAULT_STALE_MINUTES = 30.0
_LEASE = re.compile(r"on (?P<host>\S+) pid (?P<pid>\d+) \(lease (?P<token>[0-9a-f]+)\)")


@dataclass(frozen=True)
class Lease:
    """A claim on a job: the host and process doing it, and a token unique to this attempt."""

    host: str
    pid: int
    token: str

    @classmethod
    def mine(cls) -> Lease:
        """A new lease for this process."""
        return cls(socket.gethostname(), os.getpid(), uuid.uuid4().hex[:12])

    def reason(self, doing: str = "transcribing") -> str:
        """The text stored in `status_reason` while the job runs (people see it too)."""
        return f"{doing} on {self.host} pid {self.pid} (lease {self.token})"

    @property
    def worker(self) -> str:
        """`host:pid`, for audit rows and messages."""
        return f"{self.host}:{self.pid}"


def parse_lease(text: str | None) -> Lease | None:
    """The lease recorded in a `status_reason`, or None when it holds none."""
    match = _LEASE.search(text or "")
    if match is None:
        return None
    return Lease(match["host"], int(match["pid"]), match["token"])


def parse_worker(text: str | None) -> tuple[str, int] | None:
    """(host, pid) from a `host:pid` worker name, or None."""
    host, _, pid = (text or "").rpartition(":")
    return (host, int(pid)) if host and pid.isdigit() else None


def stale_after() -> timedelta:
    """$TRAINER_STALE_JOB_MINUTES as a timedelta (default 30 minutes)."""
    from trainer.errors import TrainerError

    raw = os.environ.get("TRAINER_STALE_JOB_MINUTES") or str(DEFAULT_STALE_MINUTES)
    try:
        minutes = float(raw)
    except ValueError:
        minutes = -1.0
    if not 0 <= minutes < 1e6:
        raise TrainerError(
            f"{raw!r} is not a number of minutes",
            where="TRAINER_STALE_JOB_MINUTES",
            fix="set it to how long a job may go without progress, e.g. 30",
        )
    return timedelta(minutes=minutes)


def process_alive(pid: int) -> bool:
    """Whether process `pid` runs on this host (a zombie, killed but not reaped, is dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def is_stale(
    host: str | None, pid: int | None, heartbeat: datetime | None, now: datetime | None = None
) -> bool:
    """A lease is stale when its worker is dead on this host, or when its last heartbeat is
    older than `stale_after()` (a worker on another host cannot be asked)."""
    if host == socket.gethostname() and pid is not None and not process_alive(pid):
        return True
    if heartbeat is None:
        return True
    now = now or datetime.now(UTC)
    if heartbeat.tzinfo is None:  # SQLite hands back naive UTC
        heartbeat = heartbeat.replace(tzinfo=UTC)
    return now - heartbeat >= stale_after()
