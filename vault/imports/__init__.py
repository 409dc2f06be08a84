"""Importing platform exports (Telegram, Meta, WhatsApp, e-mail): the registry of importers, the
options a defender chooses, the pipeline that stores an export with its provenance, the chats it
brings, and the parsers (``parsers/``) that read each platform's format."""
