"""Money: an integer number of minor units and a currency, never a float."""
from __future__ import annotations

# ISO 4217 minor-unit exponent; Telegram Stars (XTR) have none.
CURRENCY_EXPONENT = {"KZT": 2, "RUB": 2, "USD": 2, "EUR": 2, "XTR": 0}
MAX_MINOR = 2**31 - 1  # prices are INTEGER columns in minor units


def parse_money(text: str, currency: str) -> int:
    """'5000', '5 000', '1500.50' -> minor units. Raises ValueError on anything else."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not cleaned or cleaned.count(".") > 1 or not cleaned.replace(".", "").isdigit():
        raise ValueError(text)
    exponent = CURRENCY_EXPONENT.get(currency, 2)
    whole, _, frac = cleaned.partition(".")
    if len(frac) > exponent:
        raise ValueError(text)
    value = int(whole or "0") * 10**exponent + int((frac or "0").ljust(exponent, "0") if exponent else 0)
    if value > MAX_MINOR:
        raise ValueError(text)
    return value
