"""Every text a user reads, looked up by key and language. One catalog module per language."""
from __future__ import annotations

from views.texts import en, ru

CATALOGS: dict[str, dict[str, str]] = {"ru": ru.TEXTS, "en": en.TEXTS}
LANGUAGES: tuple[str, ...] = ("ru", "en")
LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}
FALLBACK = "en"


def language_for(telegram_code: str | None, default: str = "ru") -> str:
    """Map Telegram's language_code ("ru", "en-US", "kk") onto a catalog we have."""
    if not telegram_code:
        return default
    base = telegram_code.split("-")[0].lower()
    if base in CATALOGS:
        return base
    if base in {"kk", "uk", "be", "ky", "uz", "tg"}:  # neighbours who more often read Russian
        return "ru"
    return default


def t(lang: str, key: str, /, **values: object) -> str:
    catalog = CATALOGS.get(lang) or CATALOGS[FALLBACK]
    template = catalog.get(key)
    if template is None:
        template = CATALOGS[FALLBACK][key]
    return template.format(**values) if values else template
