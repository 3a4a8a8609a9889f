"""Telegram in and out: one module per journey; registry.py lists them in order."""
