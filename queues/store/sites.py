"""Sites: a town centre with a PostgreSQL database of its own, its rows reaching the district's
database by logical replication (docs/deploy.md, "Town sites on their own database").

Rows of two halls never share a key: the configured ones are keyed by (hall, code), and the
surrogate ids (tickets, steps, events, print jobs, ratings, alerts, kiosk devices) are 64-bit
numbers that each database draws from a range of its own: site ``n`` (``HALLQ_SITE``) from
``n × 2^40 + 1`` up to ``(n + 1) × 2^40``; the district's database, or a single one, is site 0
(from 1). ``hallq init-db`` moves each such table's sequence into its site's range (forward
only, never back; running it again changes nothing). A site's rows replicated into the
district's database keep their ids, and the district's own never reach them.

SQLite is never a replication source: it is always site 0, and nothing here touches it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, text

from queues.store.db import Database
from queues.store.models import Base, HallRow

SITE_BITS = 40
"""Each site's ids span 2^40 (about 1.1 × 10^12) numbers per table."""
MAX_SITE = 2**23 - 1
"""The highest site number whose range still fits a signed 64-bit id."""


class SiteError(RuntimeError):
    """The database cannot take its site's ids; the message says why and what to do."""


def id_range(site: int) -> tuple[int, int]:
    """The first id of ``site`` and the first one past its range."""
    if not 0 <= site <= MAX_SITE:
        raise ValueError(f"site {site} must lie between 0 and {MAX_SITE}")
    return (site << SITE_BITS) + 1, (site + 1) << SITE_BITS


def site_of(row_id: int) -> int:
    """The site whose database made the row with id ``row_id``."""
    return (row_id - 1) >> SITE_BITS


def id_tables() -> list[Table]:
    """The tables of hall rows keyed by an id a database draws from a sequence."""
    return [
        mapper.local_table
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, HallRow)
        and isinstance(mapper.local_table, Table)
        and mapper.local_table.autoincrement_column is not None
    ]


@dataclass(frozen=True)
class Placed:
    """One table's id sequence: the next id it gave before and gives now."""

    table: str
    before: int
    after: int

    @property
    def moved(self) -> bool:
        return self.after != self.before


def place_ids(db: Database, site: int, *, move: bool = True) -> list[Placed]:
    """Move every hall table's id sequence into ``site``'s range (forward only); answers each
    table's sequence before and after. Idempotent. On SQLite only site 0 is allowed. With
    ``move=False`` nothing changes: the answer says what would move."""
    first, past = id_range(site)
    if db.dialect != "postgresql":
        if site != 0:
            raise SiteError(
                f"HALLQ_SITE={site} needs a PostgreSQL database: a site's rows reach the "
                "district's by PostgreSQL logical replication (SQLite is always site 0)"
            )
        return []
    placed = []
    with db.engine.begin() as conn:
        for table in sorted(id_tables(), key=lambda t: t.name):
            column = table.autoincrement_column.name
            names = {"t": table.name, "c": column}
            sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), names)
            kind = conn.scalar(
                text(
                    "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                    "WHERE attrelid = CAST(:t AS regclass) AND attname = :c"
                ),
                names,
            )
            if sequence is None or kind != "bigint":
                raise SiteError(
                    f"{table.name}.{column} is {kind} without a sequence of its own or not "
                    "64-bit: run `hallq init-db` of this version (its migrations make it bigint)"
                )
            if move:
                conn.exec_driver_sql(f"ALTER SEQUENCE {sequence} AS bigint")  # no-op when it is
            last, called = conn.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
            before = last + 1 if called else last
            highest = conn.scalar(
                text(
                    f'SELECT max("{column}") FROM "{table.name}" '
                    f'WHERE "{column}" >= :first AND "{column}" < :past'
                ),
                {"first": first, "past": past},
            )
            target = max(first, (highest or 0) + 1)
            if before >= past:
                raise SiteError(
                    f"{table.name}'s next id {before} lies past site {site}'s range "
                    f"({first}..{past - 1}): is HALLQ_SITE this database's site? "
                    f"(it looks like site {site_of(before)}'s)"
                )
            after = max(before, target)
            if move and after != before:
                conn.execute(text("SELECT setval(:s, :v, false)"), {"s": sequence, "v": after})
            placed.append(Placed(table.name, before, after))
    return placed


def unplaced(db: Database, site: int) -> list[str]:
    """The hall tables whose next id is not yet in ``site``'s range (`hallq init-db` with
    ``HALLQ_SITE`` not run yet)."""
    return [p.table for p in place_ids(db, site, move=False) if p.moved]
