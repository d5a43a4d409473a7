"""Signing in and out, and the signed-in user's own account (password)."""
