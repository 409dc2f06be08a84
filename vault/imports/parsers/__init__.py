"""Importers for platform exports: Telegram, Meta (Facebook/Messenger/Instagram), WhatsApp, e-mail."""
