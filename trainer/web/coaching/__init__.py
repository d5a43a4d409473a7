"""Coaching: the sessions list and new-session form (`/coaching`), one session (`/coaching/<id>`)
and the review page's "Coach this agent" link."""
