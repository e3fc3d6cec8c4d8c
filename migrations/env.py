"""Alembic environment: the URL comes from ``HALLQ_DATABASE_URL`` or from ``hallq init-db``."""

from __future__ import annotations

import os

from alembic import context

from queues.store.db import DEFAULT_URL, Database
from queues.store.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    db = Database(os.environ.get("HALLQ_DATABASE_URL", DEFAULT_URL))
    with db.engine.connect() as conn:
        _migrate(conn)
    db.dispose()


def _render_item(kind: str, obj: object, autogen_context: object) -> str | bool:
    """Write hallq's column types as plain SQLAlchemy types, so migrations never import models."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
