"""Ticket numbers: per business day and prefix, contiguous from 1, never given twice.

The number comes from one counter row per (day, prefix), bumped with
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` inside the transaction that writes the ticket: the
row lock (PostgreSQL) or the database lock (SQLite, ``BEGIN IMMEDIATE``) makes concurrent kiosks
and processes take turns, and a transaction that rolls back gives its number back. Reading the
highest number and adding one would hand the same number to two kiosks.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Insert, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from queues.models import DayCounter


def _upsert(dialect: str) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = DayCounter.__table__
    stmt = insert(table).values(day=bindparam("day"), prefix=bindparam("prefix"), last=1)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.day, table.c.prefix], set_={"last": table.c.last + 1}
    ).returning(table.c.last)


_UPSERT = {name: _upsert(name) for name in ("sqlite", "postgresql")}


def next_seq(session: Session, day: date, prefix: str) -> int:
    """Take the next number for ``prefix`` on ``day``, within the caller's transaction."""
    stmt = _UPSERT[session.get_bind().dialect.name]
    return int(session.execute(stmt, {"day": day, "prefix": prefix}).scalar_one())


def format_number(prefix: str, seq: int) -> str:
    """``J`` and 12 give ``J012``: three digits at least, more when a day runs past 999."""
    return f"{prefix}{seq:03d}"
