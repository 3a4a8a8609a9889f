"""Settings, read once from the environment or `.env` (pydantic-settings)."""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, quote_plus
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.logs import redact
from db.session import MAX_OVERFLOW, POOL_SIZE, POOL_TIMEOUT

# The shape BotFather hands out: "<bot id>:<35 url-safe characters>".
TOKEN_PATTERN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///./eventbot.db"
    # Database connections of one bot process: kept open, opened on top under load, and how long an
    # update waits for one when all are busy. With N processes on one PostgreSQL server keep
    # N x (pool + overflow) + a few under its max_connections (README, "How many workers").
    database_pool_size: int = Field(default=POOL_SIZE, ge=1)
    database_max_overflow: int = Field(default=MAX_OVERFLOW, ge=0)
    database_pool_timeout: float = Field(default=POOL_TIMEOUT, gt=0)
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Asia/Almaty"
    telegram_base_url: str | None = None
    telegram_base_file_url: str | None = None
    log_level: str = "INFO"
    max_seats_per_user: int = Field(default=4, ge=1, le=50)
    default_language: str = "ru"
    # Webhook mode (off unless WEBHOOK_URL is set): Telegram posts updates to this public URL.
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_path: str = "telegram"
    webhook_secret: SecretStr | None = None
    # Several workers in polling mode: exactly one polls Telegram (Telegram allows one getUpdates at a
    # time); the others set POLL_UPDATES=false and only handle what the poller stored in the shared inbox.
    poll_updates: bool = True
    # A chat (or group, with its minus sign) told about unexpected errors; none when empty.
    operator_chat_id: int | None = None
    # /healthz and /metrics in polling mode (none when empty); in webhook mode the webhook server has them.
    http_port: int | None = Field(default=None, ge=1, le=65535)
    http_listen: str = "0.0.0.0"

    @field_validator("database_url")
    @classmethod
    def database_url_parses(cls, value: str) -> str:
        try:
            make_url(value)
        except ArgumentError:
            raise ValueError("not a database URL (e.g. sqlite+aiosqlite:///./eventbot.db)") from None
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            return frozenset(int(p) for p in parts if p)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("bot_token", mode="before")
    @classmethod
    def strip_token(cls, value: object) -> object:
        # A stray space from .env must not leave the real token unredacted in logs.
        return value.strip() if isinstance(value, str) else value

    @field_validator("log_level")
    @classmethod
    def known_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("timezone")
    @classmethod
    def known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_language")
    @classmethod
    def known_language(cls, value: str) -> str:
        from views.texts import LANGUAGES

        if value not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def token_problem(self) -> str | None:
        """Why the token can't be used, in one line, or None when it looks right."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            return "BOT_TOKEN is not set. Get one from @BotFather and put it in .env (see .env.example)."
        if not TOKEN_PATTERN.match(self.bot_token.get_secret_value().strip()):
            return "BOT_TOKEN does not look like a bot token (expected something like 123456789:AAE...)."
        return None

    def secrets(self) -> dict[str, str]:
        """What must never be logged or reported, each with the name it is shown as instead: the bot
        token, the webhook secret, and the database password (as typed in the URL, and decoded)."""
        found = {}
        if self.bot_token:
            found[self.bot_token.get_secret_value()] = "BOT_TOKEN"
        if self.webhook_secret:
            found[self.webhook_secret.get_secret_value()] = "WEBHOOK_SECRET"
        password = database_password(self.database_url)
        if password:
            for spelling in (password, quote(password, safe=""), quote_plus(password)):
                found[spelling] = "DATABASE_PASSWORD"
        return found

    def redact(self, text: str) -> str:
        """`text` with every secret scrubbed out, as the logs have it: for text that leaves the process."""
        return redact(text, self.secrets())

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids


def database_password(url: str) -> str | None:
    try:
        return make_url(url).password
    except ArgumentError:  # not a URL at all: nothing in it can be told apart as the password
        return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
