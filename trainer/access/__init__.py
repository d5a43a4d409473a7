"""Identity and permissions: who is acting (`Actor`), what each role may do (`policy`), and the
password hashing behind local accounts. Every service asks this package first."""

from trainer.access.actor import Actor
from trainer.access.policy import Action, authorize, can, scope_of, visible_conversations

__all__ = ["Action", "Actor", "authorize", "can", "scope_of", "visible_conversations"]
