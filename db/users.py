"""Accounts: a Telegram user ID is the account; name and language follow what Telegram tells us."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User
from db.session import Database


@dataclass(frozen=True)
class Profile:
    """What Telegram tells about a user on every update; NUL (which PostgreSQL text can't hold) removed."""

    first_name: str
    last_name: str | None
    username: str | None

    @classmethod
    def clean(cls, first_name: str | None, last_name: str | None, username: str | None) -> Profile:
        first, last, user = (n.replace("\x00", "") if n else n for n in (first_name or "", last_name, username))
        return cls(first[:128], last, user)


# Built once (it runs on every update): SQLAlchemy reuses its cache key, and a plain connection
# skips the ORM session, whose set-up cost more than this one-row lookup.
_PROFILE = select(User.first_name, User.last_name, User.username, User.language).where(
    User.id == bindparam("user_id"))


async def remember(database: Database, user_id: int, profile: Profile, language: str) -> str:
    """Record who is writing (only when something Telegram tells us changed) and return the language
    to answer them in: the one they chose, else `language` for a new user."""
    async with database.engine.connect() as connection:
        row = (await connection.execute(_PROFILE, {"user_id": user_id})).first()
    if row is not None and Profile(*row[:3]) == profile:
        return row.language
    async with database.write() as session:
        stored = await upsert_user(session, user_id, first_name=profile.first_name, last_name=profile.last_name,
                                   username=profile.username, language=language)
        return stored.language


async def upsert_user(
    session: AsyncSession,
    user_id: int,
    *,
    first_name: str,
    last_name: str | None,
    username: str | None,
    language: str,
) -> User:
    """Create the user or refresh their name; the stored language is kept once chosen."""
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, first_name=first_name[:128], last_name=(last_name or None),
                    username=username, language=language)
        session.add(user)
    else:
        if (user.first_name, user.last_name, user.username) != (first_name[:128], last_name, username):
            user.first_name, user.last_name, user.username = first_name[:128], last_name, username
    await session.flush()
    return user


async def get_language(session: AsyncSession, user_id: int) -> str | None:
    return (await session.execute(select(User.language).where(User.id == user_id))).scalar_one_or_none()


async def set_language(session: AsyncSession, user_id: int, language: str) -> None:
    user = await session.get(User, user_id)
    if user is not None:
        user.language = language
