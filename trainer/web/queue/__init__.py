"""`/queue`: a reviewer's review queue (assignments, progress toward the goal, overdue items)."""
