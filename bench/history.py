"""Years of history for the benchmarks, made from one simulated year (SQLite).

A year simulated through the use cases takes two minutes; a million tickets would take half an
hour. So the benchmark simulates one year and copies it further into the past, whole, shifted by
52 weeks a copy (weekdays stay weekdays): tickets, steps, ratings, events and the nightly
roll-ups, with new row ids and public ids. Every copied year is as busy as the simulated one.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Date, DateTime, Integer

from queues.store.models import Base

SHIFT_DAYS = 364
CLONED = ("tickets", "steps", "ratings", "events", "daily_stats", "window_days")


def _columns(table: str) -> list[tuple[str, str]]:
    """(name, kind) of a table's columns: kind is id, ticket, step, date, datetime or plain."""
    out = []
    for c in Base.metadata.tables[table].columns:
        kind = "plain"
        if c.name == "id" and isinstance(c.type, Integer):
            kind = "id"
        elif c.name == "ticket_id":
            kind = "ticket"
        elif c.name == "step_id":
            kind = "step"
        elif c.name == "public_id":
            kind = "public"
        elif isinstance(c.type, Date):
            kind = "date"
        elif isinstance(getattr(c.type, "impl", c.type), DateTime) or isinstance(c.type, DateTime):
            kind = "datetime"
        out.append((c.name, kind))
    return out


def _expr(name: str, kind: str, copy: int, offsets: dict[str, int]) -> str:
    shift = f"'-{SHIFT_DAYS * copy} days'"
    if kind == "id":
        return f"{name} + :off_self"
    if kind == "ticket":
        return f"{name} + {offsets['tickets'] * copy}"
    if kind == "step":
        return f"{name} + {offsets['steps'] * copy}"
    if kind == "public":
        return f"{name} || '-{copy}'"
    if kind == "date":
        return f"date({name}, {shift})"
    if kind == "datetime":  # keep SQLAlchemy's form: 'YYYY-MM-DD HH:MM:SS.ffffff'
        return f"strftime('%Y-%m-%d %H:%M:%S', {name}, {shift}) || substr({name}, 20)"
    return name


def extend(path: Path, copies: int, before: date, timezone: str = "Asia/Shanghai") -> int:
    """Add ``copies`` years of history before the simulated one (the rows of days before
    ``before``); answers the tickets in the database afterwards."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    first_today = conn.execute(
        "SELECT min(id) FROM tickets WHERE day >= ?", (before.isoformat(),)
    ).fetchone()[0]
    limits = {
        "tickets": ("id < ?", first_today or 1 << 62),
        "steps": ("day < ?", before.isoformat()),
        "ratings": ("ticket_id < ?", first_today or 1 << 62),
        "events": ("(ticket_id IS NULL OR ticket_id < ?)", first_today or 1 << 62),
        "daily_stats": ("day < ?", before.isoformat()),
        "window_days": ("day < ?", before.isoformat()),
    }
    offsets = {
        t: conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0]
        for t in ("tickets", "steps", "ratings", "events")
    }
    base_first = conn.execute("SELECT min(day) FROM daily_stats").fetchone()[0] or "0000"
    limits["daily_stats"] = ("day < :v AND day >= '" + base_first + "'", before.isoformat())
    limits["window_days"] = ("day < :v AND day >= '" + base_first + "'", before.isoformat())
    midnight = datetime.combine(before, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)
    events_cut = midnight.strftime("%Y-%m-%d %H:%M:%S")
    for copy in range(1, copies + 1):
        for table in CLONED:
            cols = _columns(table)
            names = ", ".join(n for n, _ in cols)
            exprs = ", ".join(_expr(n, k, copy, offsets) for n, k in cols)
            where, value = limits[table]
            params: dict[str, object] = {"off_self": offsets.get(table, 0) * copy, "v": value}
            sql = f"INSERT INTO {table} ({names}) SELECT {exprs} FROM {table} WHERE "
            sql += where.replace("?", ":v")
            if table in offsets:
                sql += f" AND id <= {offsets[table]}"
            if table == "events":
                sql += " AND at < :cut"
                params["cut"] = events_cut
            conn.execute(sql, params)
        conn.commit()
    tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    conn.close()
    return tickets


def trim(path: Path, keep_from: date) -> int:
    """Drop the history before ``keep_from``; answers the tickets left."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    day = keep_from.isoformat()
    gone = "(SELECT id FROM tickets WHERE day < :d)"
    for sql in (
        f"DELETE FROM ratings WHERE ticket_id IN {gone}",
        f"DELETE FROM events WHERE ticket_id IN {gone}",
        f"DELETE FROM print_jobs WHERE ticket_id IN {gone}",
        "DELETE FROM steps WHERE day < :d",
        "DELETE FROM tickets WHERE day < :d",
        "DELETE FROM daily_stats WHERE day < :d",
        "DELETE FROM window_days WHERE day < :d",
    ):
        conn.execute(sql, {"d": day})
    conn.commit()
    conn.execute("VACUUM")
    tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    conn.close()
    return tickets
