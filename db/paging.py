"""Paged lists (events, bookings, an organiser's events): one page, and the page it really is."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    count: int       # in the whole list
    number: int      # 0-based, after clamping


async def clamped_page(fetch: Callable[..., Awaitable[tuple[list[T], int]]], number: int, per_page: int) -> Page[T]:
    """Page `number` of a list, fetched as fetch(offset=, limit=) -> (rows, count). A page past the end
    (the list shrank since its button was made) gives the last page instead of an empty one."""
    rows, count = await fetch(offset=number * per_page, limit=per_page)
    if not rows and count and number > 0:
        number = (count - 1) // per_page
        rows, count = await fetch(offset=number * per_page, limit=per_page)
    return Page(rows, count, number)
