"""spaCy pipeline loading and the rule patterns (kept as data) the detectors match with."""
