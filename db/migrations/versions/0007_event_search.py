"""event search: full-text search over events' title, venue and description; each user's last search

SQLite: an FTS5 table with external content (the text stays in `events`; the table holds only the
index), kept in step by triggers. The unicode61 tokenizer folds case in Latin, Cyrillic and the
Kazakh letters (Ә Ғ Қ Ң Ө Ұ Ү Һ І) alike. PostgreSQL: a GIN index over the weighted tsvector of the
'simple' configuration (no stemming: the texts come in Russian, Kazakh and English), which
db/search.py queries with the same expression.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.models

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

COLUMNS = "title, venue_name, description"
SQLITE_UP = [
    "CREATE VIRTUAL TABLE events_search USING fts5(title, venue_name, description, content='events',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER events_search_insert AFTER INSERT ON events BEGIN"
    f" INSERT INTO events_search(rowid, {COLUMNS}) VALUES (new.id, new.title, new.venue_name, new.description); END",
    f"CREATE TRIGGER events_search_delete AFTER DELETE ON events BEGIN"
    f" INSERT INTO events_search(events_search, rowid, {COLUMNS})"
    f" VALUES ('delete', old.id, old.title, old.venue_name, old.description); END",
    f"CREATE TRIGGER events_search_update AFTER UPDATE OF {COLUMNS} ON events BEGIN"
    f" INSERT INTO events_search(events_search, rowid, {COLUMNS})"
    f" VALUES ('delete', old.id, old.title, old.venue_name, old.description);"
    f" INSERT INTO events_search(rowid, {COLUMNS}) VALUES (new.id, new.title, new.venue_name, new.description); END",
    "INSERT INTO events_search(events_search) VALUES ('rebuild')",  # the events already there
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS events_search_update",
    "DROP TRIGGER IF EXISTS events_search_delete",
    "DROP TRIGGER IF EXISTS events_search_insert",
    "DROP TABLE IF EXISTS events_search",
]
# Must stay the expression db/search.py matches against, or PostgreSQL won't use the index.
PG_DOCUMENT = ("setweight(to_tsvector('simple'::regconfig, title), 'A')"
               " || setweight(to_tsvector('simple'::regconfig, venue_name), 'B')"
               " || setweight(to_tsvector('simple'::regconfig, description), 'C')")


def upgrade() -> None:
    op.create_table(
        'last_searches',
        sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('query', sa.String(length=200), nullable=False),
        sa.Column('searched_at', db.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_last_searches_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_last_searches')),
    )
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_UP:
            op.execute(statement)
    else:
        op.execute(f"CREATE INDEX ix_events_search ON events USING gin (({PG_DOCUMENT}))")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_DOWN:
            op.execute(statement)
    else:
        op.execute("DROP INDEX IF EXISTS ix_events_search")
    op.drop_table('last_searches')
