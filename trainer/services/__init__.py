"""Use cases shared by the CLI, the workers and the web app (which only calls these and below)."""
