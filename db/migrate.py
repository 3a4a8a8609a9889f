"""Bring the schema up to date with Alembic, from code (no alembic.ini to carry around)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_sync(url: str, revision: str = "head") -> None:
    """Migrate in a fresh event loop; for the CLI, outside any running loop."""
    command.upgrade(alembic_config(url), revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate over an existing engine, from inside a running loop (bot start-up, tests)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))

    def _run(connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()


if __name__ == "__main__":  # pragma: no cover - developer convenience
    import sys

    upgrade_sync(sys.argv[1] if len(sys.argv) > 1 else "sqlite+aiosqlite:///./eventbot.db")
