"""The migrations build exactly the schema the models describe, and every one can be undone.

Runs on a fresh SQLite file, and (when TEST_DATABASE_URL is set) on a throwaway PostgreSQL database
of its own on the same server: these tests drop tables, so never the shared test database.
"""
from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Index, MetaData, UniqueConstraint, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.schema import CreateIndex

from db.migrate import alembic_config, upgrade_sync
from db.models import ACTIVE_BOOKING_STATUSES, Base, Booking, BookingStatus, OutboxMessage, in_models
from db.session import create_engine
from tests.conftest import PG_URL

SEAT_INDEX = "uq_bookings_active_seat"


def on(url: str, work: Callable[[Connection], Any]) -> Any:
    """Run `work` over a connection to `url` (the engine is this app's own, with its SQLite set-up)."""

    async def _run() -> Any:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(_run())


async def _admin(*statements: str) -> None:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not PG_URL, reason="set TEST_DATABASE_URL to check the PostgreSQL schema too"))])
def empty_database(request, tmp_path) -> Iterator[str]:
    """The URL of an empty database nobody else uses."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'schema.db'}"
        return
    url = make_url(PG_URL)
    name = f"{url.database}_schema_{os.getpid()}"
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    asyncio.run(_admin(drop, f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(drop))


def differences(metadata: MetaData) -> Callable[[Connection], list]:
    def compare(connection: Connection) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "compare_server_default": True,
                                                               "include_name": in_models})
        return compare_metadata(context, metadata)

    return compare


def index_definitions(connection: Connection) -> dict[str, str]:
    """Every index as the database itself stores it, predicate included (which reflection drops)."""
    if connection.dialect.name == "sqlite":
        rows = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                                       " AND tbl_name != 'alembic_version'"))
    else:
        rows = connection.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                                       " AND tablename != 'alembic_version'"))
    return {name: " ".join(definition.split()) for name, definition in rows}


def schema(connection: Connection) -> dict[str, Any]:
    """Tables, columns, keys, constraints and indexes, comparable between two moments."""
    inspector = inspect(connection)
    tables = {}
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        tables[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                        for c in inspector.get_columns(table)],
            "primary key": inspector.get_pk_constraint(table),
            "foreign keys": sorted(map(repr, inspector.get_foreign_keys(table))),
            "unique": sorted(map(repr, inspector.get_unique_constraints(table))),
        }
    return {"tables": tables, "indexes": index_definitions(connection)}


def unique_column_sets(connection: Connection, table: str) -> list[list[str]]:
    inspector = inspect(connection)
    return ([c["column_names"] for c in inspector.get_unique_constraints(table)]
            + [i["column_names"] for i in inspector.get_indexes(table) if i["unique"]])


def test_the_migrations_build_exactly_the_models_schema(empty_database):
    upgrade_sync(empty_database)
    found = on(empty_database, differences(Base.metadata))
    assert found == [], "migrations and db/models.py differ (write a migration):\n" + "\n".join(map(repr, found))

    # The comparison does see indexes and unique constraints: a model without one is reported.
    lacking = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(lacking)
    bookings, outbox = lacking.tables["bookings"], lacking.tables["outbox"]
    bookings.indexes = {i for i in bookings.indexes if i.name != "ix_bookings_event_status"}
    outbox.constraints = {c for c in outbox.constraints if not isinstance(c, UniqueConstraint)}
    reported = {(kind, item.name) for kind, item, *_ in on(empty_database, differences(lacking))}
    assert reported == {("remove_index", "ix_bookings_event_status"), ("remove_constraint", "uq_outbox_key")}


def test_a_seat_is_sold_once_by_the_same_partial_index_in_model_and_database(empty_database):
    """Alembic does not compare an index's WHERE clause, so this does: the index the migrations made
    covers exactly the active statuses, and is the index the model would make."""
    statuses = {s.value for s in ACTIVE_BOOKING_STATUSES}
    model_index = next(i for i in Booking.__table__.indexes if i.name == SEAT_INDEX)
    assert model_index.unique and [c.name for c in model_index.columns] == ["seat_id"]
    predicates = {dialect: str(model_index.dialect_options[dialect]["where"]) for dialect in ("sqlite", "postgresql")}
    assert predicates["sqlite"] == predicates["postgresql"], "one rule on both databases"
    assert all(f"'{s}'" in predicates["sqlite"] for s in statuses)
    assert all(f"'{s.value}'" not in predicates["sqlite"] for s in BookingStatus if s.value not in statuses)

    upgrade_sync(empty_database)

    def migrated_and_from_model(connection: Connection) -> tuple[str, str]:
        migrated = index_definitions(connection)[SEAT_INDEX]
        # DDL is transactional on SQLite and PostgreSQL: the swap is rolled back with the rest.
        connection.execute(text(f"DROP INDEX {SEAT_INDEX}"))
        connection.execute(CreateIndex(model_index))
        from_model = index_definitions(connection)[SEAT_INDEX]
        connection.rollback()
        assert index_definitions(connection)[SEAT_INDEX] == migrated
        return migrated, from_model

    migrated, from_model = on(empty_database, migrated_and_from_model)
    assert migrated.startswith("CREATE UNIQUE INDEX") and " WHERE " in migrated, migrated
    assert all(f"'{s}'" in migrated for s in statuses) and "'cancelled'" not in migrated, migrated
    assert migrated == from_model


def test_an_outbox_key_is_unique_in_model_and_database(empty_database):
    """A notice queued twice (a second tap, a redelivered update) must collide on its key."""
    table = OutboxMessage.__table__
    model_unique = ([[c.name for c in u.columns] for u in table.constraints if isinstance(u, UniqueConstraint)]
                    + [[c.name for c in i.columns] for i in table.indexes if isinstance(i, Index) and i.unique])
    assert ["key"] in model_unique

    upgrade_sync(empty_database)
    assert ["key"] in on(empty_database, lambda connection: unique_column_sets(connection, "outbox"))


def test_every_migration_downgrades_to_the_schema_before_it(empty_database):
    config = alembic_config(empty_database)
    revisions = [r.revision for r in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))]
    assert revisions, "no migrations found"

    seen = {"base": on(empty_database, schema)}
    assert seen["base"]["tables"] == {}
    for revision in revisions:
        upgrade_sync(empty_database, revision)
        seen[revision] = on(empty_database, schema)

    for revision, before in reversed(list(zip(revisions, ["base", *revisions]))):
        command.downgrade(config, before)
        assert on(empty_database, schema) == seen[before], f"downgrade of {revision} did not undo it"

    upgrade_sync(empty_database)
    assert on(empty_database, schema) == seen[revisions[-1]]
    assert on(empty_database, differences(Base.metadata)) == []
