"""Storage and the rules over it, free of Telegram."""
