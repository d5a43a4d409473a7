"""Rubrics, the detector registry, and the score formula."""
