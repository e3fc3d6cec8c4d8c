"""Ticket numbers: per business day and prefix, contiguous from 1, never given twice.

The number comes from one counter row per (day, prefix), bumped with
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` inside the transaction that writes the ticket: the
row lock (PostgreSQL) or the database lock (SQLite, ``BEGIN IMMEDIATE``) makes concurrent kiosks
and processes take turns, and a transaction that rolls back gives its number back. Reading the
highest number and adding one would hand the same number to two kiosks.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from queues.models import DayCounter


def next_seq(session: Session, day: date, prefix: str) -> int:
    """Take the next number for ``prefix`` on ``day``, within the caller's transaction."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(DayCounter).values(day=day, prefix=prefix, last=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[DayCounter.day, DayCounter.prefix],
        set_={"last": DayCounter.last + 1},
    ).returning(DayCounter.last)
    return int(session.execute(stmt).scalar_one())


def format_number(prefix: str, seq: int) -> str:
    """``J`` and 12 give ``J012``: three digits at least, more when a day runs past 999."""
    return f"{prefix}{seq:03d}"
