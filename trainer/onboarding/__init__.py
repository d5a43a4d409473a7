"""Onboarding: learning paths (ordered role-play steps kept as YAML in `scenarios/paths/`) and
the certificate a person earns by finishing one. Core code: no database, no web."""
