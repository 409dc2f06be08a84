"""Screens of the terminal app; each calls only the public ``vault`` API."""
