"""Database migrations (Alembic), run by ``hallq init-db`` once per deploy."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from queues.store.db import Database

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(db: Database, hall: str | None = None) -> None:
    """Bring the schema to the newest revision (a no-op when it is already there).

    ``hall``: the code of the hall whose rows a database from before the network holds (the
    network's default hall); its rows become that hall's.

    On SQLite, foreign keys are not checked while the migrations rebuild tables (SQLite's own
    advice for changing a table's keys), and checked once at the end."""
    cfg = _config()
    cfg.attributes["hall"] = hall
    with db.engine.connect() as connection:
        if db.dialect == "sqlite":
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
                if db.dialect == "sqlite":
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
        finally:
            if db.dialect == "sqlite":
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def pending(db: Database) -> bool:
    """Whether the database lags behind the newest migration (or was never migrated)."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current != head
