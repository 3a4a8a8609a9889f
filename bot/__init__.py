"""eventbot: find events, pick a seat, book it — all in a Telegram chat."""
