"""Backing up and restoring the embedded SQLite database while hallq runs.

SQLite's online backup copies a consistent snapshot page by page while other connections go on
writing (``sqlite3.Connection.backup``); a copy of the file by ``cp`` during a write is not safe.
PostgreSQL has its own tools: ``pg_dump --format=custom`` and ``pg_restore`` (docs/deploy.md).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from queues.errors import HallqError
from queues.store.db import Database


class BackupError(HallqError):
    code = "backup"


def _sqlite_path(db: Database) -> Path:
    if db.dialect != "sqlite" or not db.url.database or db.url.database == ":memory:":
        raise BackupError(detail="postgresql")
    return Path(db.url.database)


def backup(db: Database, target: Path) -> int:
    """Copy the live database to ``target`` (a new file); answers its size in bytes."""
    source = _sqlite_path(db)
    if target.exists():
        raise BackupError(detail=f"exists:{target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst, pages=1024)
    finally:
        dst.close()
        src.close()
    return target.stat().st_size


def restore(db: Database, backup_file: Path) -> None:
    """Put ``backup_file`` in place of the database (stop hallq first): page by page through
    SQLite's backup, so the database's own WAL and locks stay consistent."""
    target = _sqlite_path(db)
    if not backup_file.is_file():
        raise BackupError(detail=f"missing:{backup_file}")
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"alembic_version", "tickets"} <= tables:
            raise BackupError(detail=f"not-hallq:{backup_file}")
        db.dispose()
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
