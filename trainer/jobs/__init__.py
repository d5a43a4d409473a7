"""Background work on a real task queue (Huey): SQLite by default, Redis for many machines."""
