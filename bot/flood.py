"""Telegram's flood control, read one way everywhere."""
from __future__ import annotations

from datetime import timedelta

from telegram.error import RetryAfter


def wait_of(error: RetryAfter) -> timedelta:
    """How long Telegram asks us to wait. PTB 22 gives seconds as an int, or a timedelta once
    PTB_TIMEDELTA is set (the coming default); both read the same here."""
    wait = error.retry_after
    return wait if isinstance(wait, timedelta) else timedelta(seconds=float(wait))
