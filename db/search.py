"""Finding upcoming events by words of their title, venue and description, ranked, with each user's
last query kept so its result pages can be turned.

The databases do the work with their own full-text machinery, set up by migration 0007: SQLite's
FTS5 (bm25 ranking) and PostgreSQL's tsvector over a GIN index (ts_rank). A title match ranks above
a venue match, a venue match above one in the description. Each word of the query must match the
start of a word of the event ("jaz" finds "Jazz"), in any letter case, Cyrillic, Kazakh or Latin.
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import Integer, column, func, literal_column, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.events import EventSummary, not_started, seat_counts, summaries
from db.models import Event, EventStatus, LastSearch, utcnow

MAX_QUERY = 200     # characters kept of what the user typed
MAX_TERMS = 8       # words of it searched for: more only narrows to nothing
# Words are runs of letters and digits; anything else (quotes, operators of either database's query
# language) separates them, so what the user types can only ever be words to look for.
WORD = re.compile(r"[^\W_]+")

# How much a match in each column weighs (bm25: title, venue, description; PostgreSQL: A, B, C).
SQLITE_WEIGHTS = "10.0, 4.0, 1.0"
_TOTAL, _TAKEN = seat_counts()
_FTS = table("events_search", column("rowid", Integer))
# The indexed expression of migration 0007, repeated exactly so PostgreSQL uses the GIN index.
PG_DOCUMENT = ("setweight(to_tsvector('simple'::regconfig, events.title), 'A')"
               " || setweight(to_tsvector('simple'::regconfig, events.venue_name), 'B')"
               " || setweight(to_tsvector('simple'::regconfig, events.description), 'C')")


def terms(query: str) -> list[str]:
    """The words searched for, case-folded (the indexes fold the events' text the same way)."""
    return WORD.findall(query[:MAX_QUERY].casefold())[:MAX_TERMS]


def _statement(dialect: str, words: list[str], now: datetime):
    upcoming = (Event.status == EventStatus.PUBLISHED.value, not_started(now))
    if dialect == "sqlite":
        match = " ".join(f'"{word}"*' for word in words)  # every word, each as a prefix
        rank = literal_column(f"bm25(events_search, {SQLITE_WEIGHTS})")  # lower is better
        base = (select(Event.id.label("id"), Event.starts_at.label("starts_at"), rank.label("rank"))
                .join(_FTS, _FTS.c.rowid == Event.id)
                .where(text("events_search MATCH :match").bindparams(match=match), *upcoming))
        return base.subquery(), True
    query = func.to_tsquery(literal_column("'simple'::regconfig"), " & ".join(f"{word}:*" for word in words))
    document = literal_column(PG_DOCUMENT)
    base = (select(Event.id.label("id"), Event.starts_at.label("starts_at"), func.ts_rank(document, query).label("rank"))
            .where(document.op("@@")(query), *upcoming))
    return base.subquery(), False


async def search_page(session: AsyncSession, query: str, *, offset: int, limit: int,
                      now: datetime | None = None) -> tuple[list[EventSummary], int]:
    """One page of the upcoming published events matching every word of `query`, best match first
    (then soonest), and how many match in all. A query with no words matches nothing."""
    words = terms(query)
    if not words:
        return [], 0
    found, lower_is_better = _statement(session.bind.dialect.name, words, now or utcnow())
    total_count = (await session.execute(select(func.count()).select_from(found))).scalar_one()
    # The page is cut from the ranked matches first; seats are counted for its few events only (the
    # counts in the outer select would otherwise run for every match before the sort).
    page = (select(found).order_by(found.c.rank.asc() if lower_is_better else found.c.rank.desc(),
                                   found.c.starts_at, found.c.id)
            .offset(offset).limit(limit).subquery())
    rows = await session.execute(
        select(Event, _TOTAL, _TAKEN).join(page, page.c.id == Event.id)
        .order_by(page.c.rank.asc() if lower_is_better else page.c.rank.desc(), page.c.starts_at, page.c.id))
    return summaries(rows), total_count


async def remember_query(session: AsyncSession, user_id: int, query: str) -> str:
    """Keep the user's latest search (replacing the one before); returns what was kept."""
    kept = query.strip()[:MAX_QUERY]
    row = await session.get(LastSearch, user_id)
    if row is None:
        session.add(LastSearch(user_id=user_id, query=kept, searched_at=utcnow()))
    else:
        row.query, row.searched_at = kept, utcnow()
    return kept


async def last_query(session: AsyncSession, user_id: int) -> str | None:
    return (await session.execute(select(LastSearch.query).where(LastSearch.user_id == user_id))).scalar_one_or_none()
