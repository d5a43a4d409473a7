"""Calibration: the sessions list (`/calibration`) and one session's blind scoring and results
(`/calibration/<id>`)."""
