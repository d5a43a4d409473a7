"""Measuring detectors against human labels (`trainer eval ...`)."""
