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


def upgrade(db: Database) -> None:
    """Bring the schema to the newest revision (a no-op when it is already there)."""
    cfg = _config()
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def pending(db: Database) -> bool:
    """Whether the database lags behind the newest migration (or was never migrated)."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current != head
