"""The acting user, as the policies see it: a small immutable value, safe to pass between
sessions, threads and requests (a `User` row is tied to its session)."""

from __future__ import annotations

from dataclasses import dataclass, field

from trainer.db.models import ROLES, User

LOCAL_ADMIN_NAME = "local admin (CLI)"


@dataclass(frozen=True)
class Actor:
    """Who is acting: the user's id, name, role and team ids. `id` None is the local admin the
    CLI acts as unless `--as USER` is given."""

    id: int | None
    name: str
    role: str
    team_ids: frozenset[int] = field(default_factory=frozenset)
    email: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")

    @classmethod
    def of(cls, user: User) -> Actor:
        """The actor for a stored user."""
        return cls(user.id, user.name, user.role, user.team_ids, user.email)

    @classmethod
    def local_admin(cls) -> Actor:
        """The CLI's default actor: an admin with no account (audit rows name it)."""
        return cls(None, LOCAL_ADMIN_NAME, "admin")

    @property
    def is_admin(self) -> bool:
        """True for the admin role."""
        return self.role == "admin"
