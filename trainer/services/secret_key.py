"""The server's secret key: $TRAINER_SECRET_KEY, which keys the stored hashes of login sessions
(HMAC-SHA256), so that someone who can write to the database cannot plant a session they know
the cookie of, and a copied database is useless without the key.

Outside demo mode the web app and `trainer api` refuse to start without it. The demo
(`TRAINER_DEMO=1`, which `make run` sets) keeps working with a key generated once per install
and kept in var/secret_key (readable by its owner only). Changing the key signs everybody out.
API tokens are stored as plain SHA-256 of 256 random bits: the CLI issues them, and it must not
depend on the server's key."""

from __future__ import annotations

import functools
import os
import secrets
import sys
from pathlib import Path

from trainer.errors import ConfigurationError

SECRET_ENV = "TRAINER_SECRET_KEY"
DEMO_ENV = "TRAINER_DEMO"
DEMO_KEY_FILE = Path("var") / "secret_key"
MIN_LENGTH = 32
MAKE_ONE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def demo_mode() -> bool:
    """True when $TRAINER_DEMO is 1/true/yes (`make run`): a generated key is allowed."""
    return os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes"}


def secret_key() -> bytes:
    """The key: $TRAINER_SECRET_KEY (at least 32 characters), else in demo mode the install's
    generated key. ConfigurationError (E010) saying how to set one otherwise."""
    value = os.environ.get(SECRET_ENV, "").strip()
    if value:
        if len(value) < MIN_LENGTH:
            raise ConfigurationError(
                f"{SECRET_ENV} is too short ({len(value)} characters; at least {MIN_LENGTH})",
                where=SECRET_ENV,
                fix=f"set it to a long random value, e.g. the output of {MAKE_ONE}",
            )
        return value.encode("utf-8")
    if demo_mode():
        return _install_key(str(DEMO_KEY_FILE.resolve()))
    raise ConfigurationError(
        f"{SECRET_ENV} is not set; the server needs it outside demo mode",
        where=SECRET_ENV,
        fix=(
            f"export {SECRET_ENV}=<a long random value> (make one with {MAKE_ONE}) and keep it "
            f"the same across restarts and servers; or try the demo with `make run` "
            f"({DEMO_ENV}=1)"
        ),
    )


def require_secret_key() -> None:
    """Refuse to start a server without a usable key (raises ConfigurationError, E010)."""
    secret_key()


@functools.cache
def _install_key(path: str) -> bytes:
    """The demo key kept at `path`, made on first use (owner-only), the same on every start."""
    file = Path(path)
    try:
        return file.read_bytes().strip() or _write_key(file)
    except FileNotFoundError:
        return _write_key(file)


def _write_key(file: Path) -> bytes:
    file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48).encode("ascii")
    temporary = file.with_name(f".{file.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    try:
        # A hard link appears whole or not at all: two servers starting at once agree on one
        # key (the second reads the first's).
        os.link(temporary, file)
    except FileExistsError:
        key = file.read_bytes().strip()
    finally:
        temporary.unlink()
    return key


def refuse_to_start_without_key() -> None:
    """For server start-up: print the coded reason and exit (status 2) when there is no usable
    key, so the server never serves without one."""
    try:
        require_secret_key()
    except ConfigurationError as exc:
        print(f"Trainer cannot start: {exc.format()}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


def refuse_to_serve_without_key() -> None:
    """`refuse_to_start_without_key` when `reflex run` is starting the app (its compile context
    is "run"), so it stops before building the frontend; a no-op for imports by tests and tools."""
    if os.environ.get("REFLEX_COMPILE_CONTEXT") == "run":
        refuse_to_start_without_key()
