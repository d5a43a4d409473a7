"""Map the free-form speaker labels found in chat logs ("Rep", "Client", "Sam") to roles.

Every reader resolves labels through one `SpeakerAliases`, so a label that works in a CSV export
works in a plain-text transcript too, and a team adds its own labels once (`--alias`, or the
`TRAINER_SPEAKER_ALIASES` environment variable) instead of per format.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from trainer.conversation import SPEAKERS
from trainer.errors import IngestError
from trainer.ingest.shown import quoted

ENV_VAR = "TRAINER_SPEAKER_ALIASES"

DEFAULT_ALIASES: dict[str, tuple[str, ...]] = {
    "agent": (
        "agent",
        "rep",
        "representative",
        "support",
        "advisor",
        "adviser",
        "associate",
        "staff",
        "operator",
        "csr",
        "specialist",
        "consultant",
        "assistant",
        "customer service",
        "support agent",
    ),
    "customer": (
        "customer",
        "client",
        "caller",
        "user",
        "member",
        "guest",
        "visitor",
        "consumer",
        "buyer",
        "patient",
    ),
    "system": ("system", "action", "bot", "event", "note", "automated", "auto"),
}


def normalize_label(label: str) -> str:
    """The form labels are compared in: trimmed, case-folded, inner whitespace collapsed."""
    return " ".join(label.split()).casefold()


def _check_role(label: str, role: str, where: str | None) -> str:
    key = normalize_label(role)
    if key not in SPEAKERS:
        raise IngestError(
            f"alias {label!r} maps to unknown role {role!r}",
            where=where,
            fix=f"use one of {', '.join(SPEAKERS)}, e.g. '{label}=agent'",
        )
    return key


class _DefaultsOrSelf:
    """Bind a method to the instance, or to a default instance when called on the class.

    So both `SpeakerAliases.with_extra({...})` (extends the defaults) and
    `SpeakerAliases.from_env().with_extra({...})` (extends that table) do what they read as.
    """

    def __init__(self, func):
        self.func = func
        self.__doc__ = func.__doc__

    def __get__(self, instance, owner):
        return self.func.__get__(instance if instance is not None else owner(), owner)


class SpeakerAliases:
    """An immutable table from normalized label to role (`agent`, `customer` or `system`)."""

    def __init__(self, table: Mapping[str, str] | None = None):
        """Start from `table` (label -> role); without one, from the built-in defaults."""
        if table is None:
            table = {alias: role for role, names in DEFAULT_ALIASES.items() for alias in names}
        self._table = {
            normalize_label(label): _check_role(label, role, None) for label, role in table.items()
        }

    @_DefaultsOrSelf
    def with_extra(self, extra: Mapping[str, str], *, where: str | None = None) -> SpeakerAliases:
        """A copy with `extra` labels added (they override existing ones with the same label).

        `where` names the source of `extra` (a flag, a variable) for the error on a bad role.
        """
        table = dict(self._table)
        for label, role in extra.items():
            if not normalize_label(label):
                raise IngestError("empty alias label", where=where, fix="write it as LABEL=ROLE")
            table[normalize_label(label)] = _check_role(label, role, where)
        return SpeakerAliases(table)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SpeakerAliases:
        """The defaults plus `TRAINER_SPEAKER_ALIASES` (e.g. `rep=agent,client=customer`)."""
        spec = (os.environ if environ is None else environ).get(ENV_VAR, "")
        return cls().with_extra(parse_aliases(spec, where=ENV_VAR), where=ENV_VAR)

    def as_dict(self) -> dict[str, str]:
        """The whole table, normalized label -> role."""
        return dict(self._table)

    def lookup(
        self, label: str, agent_name: str | None = None, customer_name: str | None = None
    ) -> str | None:
        """The role for `label`, or None when it is unknown or ambiguous (sniffing needs no error).

        The conversation's own agent and customer names (full, or first name alone) win over the
        table, because "Sam: ..." in Sam's own chat means Sam whatever the table says.
        """
        role = self._role(label, agent_name, customer_name)
        return None if role == _AMBIGUOUS else role

    def resolve(
        self, label: str, agent_name: str | None = None, customer_name: str | None = None
    ) -> str:
        """The role for `label`; raises IngestError (without `where`: the caller knows it)."""
        role = self._role(label, agent_name, customer_name)
        if role is not None and role != _AMBIGUOUS:
            return role
        label = label.strip()
        if not label:
            raise IngestError("empty speaker", fix="give every message a speaker label")
        if role == _AMBIGUOUS:
            raise IngestError(
                f"speaker {quoted(label)} matches both the agent ({agent_name}) "
                f"and the customer ({customer_name})",
                fix="use the full name or the role ('agent', 'customer') as the label",
            )
        # The label is quoted only when it cannot be a sensitive number (trainer.ingest.shown).
        shown = quoted(label)
        example = label if shown.startswith("'") else "LABEL"
        raise IngestError(
            f"unknown speaker {shown}",
            fix=f"add an alias, e.g. --alias '{example}=agent' "
            f"(or {ENV_VAR}='{example}=agent'); roles are agent, customer, system",
        )

    def _role(self, label: str, agent_name: str | None, customer_name: str | None) -> str | None:
        key = normalize_label(label)
        if not key:
            return None
        return _name_roles(agent_name, customer_name).get(key) or self._table.get(key)


# The role given to a name both parties answer to (two people called Sam).
_AMBIGUOUS = "?ambiguous"


def _name_roles(agent_name: str | None, customer_name: str | None) -> dict[str, str]:
    full: dict[str, set[str]] = {}
    first: dict[str, set[str]] = {}
    for role, name in (("agent", agent_name), ("customer", customer_name)):
        key = normalize_label(name or "")
        if key:
            full.setdefault(key, set()).add(role)
            first.setdefault(key.split()[0], set()).add(role)
    roles = {form: _only(rs) for form, rs in first.items()}
    # A full name beats the other party's first name: customer "Sam" next to agent "Sam Lee".
    roles.update({form: _only(rs) for form, rs in full.items()})
    return roles


def _only(roles: set[str]) -> str:
    return next(iter(roles)) if len(roles) == 1 else _AMBIGUOUS


def parse_aliases(spec: str, *, where: str | None = None) -> dict[str, str]:
    """Parse `rep=agent, client=customer` into a dict; raises IngestError naming `where`."""
    aliases: dict[str, str] = {}
    for item in spec.split(","):
        if not item.strip():
            continue
        label, sep, role = item.partition("=")
        if not sep or not label.strip() or not role.strip():
            raise IngestError(
                f"bad alias {item.strip()!r}",
                where=where,
                fix="write LABEL=ROLE pairs separated by commas, e.g. 'rep=agent,client=customer'",
            )
        aliases[label.strip()] = role.strip()
    return aliases
