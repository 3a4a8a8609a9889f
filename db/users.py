"""Accounts: a Telegram user ID is the account; name and language follow what Telegram tells us."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User


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
