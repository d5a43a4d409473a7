"""pandas analytics over stored evaluations: scorecards, trends, agreement."""
