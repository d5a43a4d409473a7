"""Conversations: the list (`/conversations`) and a conversation's review
(`/conversations/<id>`)."""
