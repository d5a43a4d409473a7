"""Onboarding pages: cohorts, learning paths and who is where."""
