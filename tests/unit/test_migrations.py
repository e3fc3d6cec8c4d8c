"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from queues.store import migrate
from queues.store.db import Database
from queues.store.models import Base


def test_migrated_schema_matches_models(any_url: str) -> None:
    db = Database(any_url)
    try:
        assert not migrate.pending(db)
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        db.dispose()


def test_fresh_database_is_pending_until_migrated(tmp_path: pytest.TempPathFactory) -> None:
    db = Database(f"sqlite:///{tmp_path}/new.db")
    assert migrate.pending(db)
    migrate.upgrade(db)
    assert not migrate.pending(db)
    migrate.upgrade(db)  # a second deploy changes nothing
    db.dispose()
