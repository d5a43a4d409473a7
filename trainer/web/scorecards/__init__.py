"""The agent scorecard (`/scorecard`)."""
