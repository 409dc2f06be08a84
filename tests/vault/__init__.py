"""Tests of the vault domain layer (real SQLCipher files on disk)."""
