"""Fuzz harness: see docs/fuzzing.md."""
