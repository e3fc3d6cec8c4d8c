"""A site's rows into the district's database by PostgreSQL logical replication (no home-made
sync): a publication at the site, a subscription at the district (``hallq replication``;
docs/deploy.md, "Town sites on their own database").

What is published is the site's halls as they are and as they worked: their configuration (set
at the site from its hall file), the day's numbering, tickets, steps, events, ratings, alerts and
the nightly roll-ups. What stays at the site: its staff (users, sessions, API tokens, sign-in
throttle), its secrets, its kiosk devices and printers and their print jobs, and the screens'
board versions. The district never writes a site's rows; its keys ((hall, code), and ids in the
site's own range, :mod:`queues.store.sites`) never meet the district's own.
"""

from __future__ import annotations

import re

import psycopg
from sqlalchemy import make_url

from queues.store.db import Database

PUBLICATION = "hallq_site"
PUBLISHED = (
    "zones",
    "services",
    "profiles",
    "profile_services",
    "windows",
    "window_day_services",
    "day_counters",
    "tickets",
    "steps",
    "events",
    "ratings",
    "alerts",
    "daily_stats",
    "window_days",
)
"""The tables of a site's halls that the district receives, in the order they are listed."""
NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


class ReplicationError(RuntimeError):
    """The databases cannot be set up for replication as asked; the message says why."""


def subscription_name(site: str) -> str:
    """The district's subscription (and the site's replication slot) for ``site``."""
    if not NAME.fullmatch(site):
        raise ReplicationError(
            f"site name {site!r}: lower-case letters, digits and _, a letter first, 40 at most"
        )
    return f"hallq_{site}"


def _libpq(url: str) -> str:
    """A SQLAlchemy URL as libpq takes it (no driver name), checked to be PostgreSQL's."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ReplicationError("logical replication is between PostgreSQL databases")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish_statements(db: Database) -> list[str]:
    """What ``hallq replication publish`` runs at the site (again: the table list is set)."""
    tables = ", ".join(PUBLISHED)
    if _exists(db, "SELECT 1 FROM pg_publication WHERE pubname = %s", PUBLICATION):
        return [f"ALTER PUBLICATION {PUBLICATION} SET TABLE {tables}"]
    return [f"CREATE PUBLICATION {PUBLICATION} FOR TABLE {tables}"]


def subscribe_statements(db: Database, site: str, site_url: str) -> list[str]:
    """What ``hallq replication subscribe`` runs at the district for ``site`` (its database at
    ``site_url``, as the district's server reaches it). Nothing when it already subscribes."""
    name = subscription_name(site)
    if _exists(db, "SELECT 1 FROM pg_subscription WHERE subname = %s", name):
        return []
    return [
        f"CREATE SUBSCRIPTION {name} CONNECTION {_quoted(_libpq(site_url))} "
        f"PUBLICATION {PUBLICATION} WITH (copy_data = true)"
    ]


def publish(db: Database) -> list[str]:
    """Publish the site's halls; refused unless the site's server has ``wal_level=logical``."""
    level = _one(db, "SHOW wal_level")
    if level != "logical":
        raise ReplicationError(
            f"wal_level is {level}: set wal_level = logical in the site's postgresql.conf and "
            "restart PostgreSQL, then publish"
        )
    statements = publish_statements(db)
    _run(db, statements)
    return statements


def subscribe(db: Database, site: str, site_url: str) -> list[str]:
    """Subscribe the district to ``site``; refused while the district's database already holds
    a hall of the site (its hall file loaded at the district): the first copy would meet those
    rows' keys and the subscription would stop."""
    statements = subscribe_statements(db, site, site_url)
    if statements:
        try:
            with psycopg.connect(_libpq(site_url), autocommit=True, connect_timeout=10) as conn:
                halls = [h for (h,) in conn.execute("SELECT DISTINCT hall FROM zones")]
        except psycopg.Error as exc:
            raise ReplicationError(
                f"the site's database does not answer from here ({str(exc).strip()}); "
                "--print-only prints the statement to run at the district"
            ) from None
        with _connect(db) as conn:
            here = [
                h
                for (h,) in conn.execute(
                    "SELECT DISTINCT hall FROM zones WHERE hall = ANY(%s) ORDER BY hall", (halls,)
                )
            ]
        if here:
            raise ReplicationError(
                f"the district's database already holds hall {', '.join(here)} of site {site} "
                "(its hall file was loaded here): a site's rows come only from the site; take "
                "the hall out of the district's network file and remove its rows here first"
            )
    _run(db, statements)
    return statements


def unsubscribe(db: Database, site: str) -> list[str]:
    """Drop the district's subscription of ``site`` (and the site's slot, when it answers)."""
    name = subscription_name(site)
    if not _exists(db, "SELECT 1 FROM pg_subscription WHERE subname = %s", name):
        return []
    statements = [f"DROP SUBSCRIPTION {name}"]
    _run(db, statements)
    return statements


def status(db: Database) -> list[tuple[str, bool, str | None, str | None, int]]:
    """The district's subscriptions: name, enabled, the last WAL position received, when the
    site last said something (None while the link is down), and how many times applying or
    copying its rows failed (a key met, a column missing: the subscription retries and stalls)."""
    with _connect(db) as conn:
        return [
            (name, enabled, lsn, str(at) if at else None, int(errors or 0))
            for name, enabled, lsn, at, errors in conn.execute(
                "SELECT s.subname, s.subenabled, st.received_lsn::text, st.last_msg_receipt_time, "
                "ss.apply_error_count + ss.sync_error_count "
                "FROM pg_subscription s LEFT JOIN pg_stat_subscription st "
                "ON st.subid = s.oid AND st.relid IS NULL "
                "LEFT JOIN pg_stat_subscription_stats ss ON ss.subid = s.oid ORDER BY s.subname"
            )
        ]


def _connect(db: Database) -> psycopg.Connection:
    if db.dialect != "postgresql":
        raise ReplicationError("logical replication is between PostgreSQL databases")
    return psycopg.connect(_libpq(db.url.render_as_string(hide_password=False)), autocommit=True)


def _one(db: Database, sql: str) -> str:
    with _connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


def _exists(db: Database, sql: str, value: str) -> bool:
    with _connect(db) as conn:
        return conn.execute(sql, (value,)).fetchone() is not None


def _run(db: Database, statements: list[str]) -> None:
    """Each statement on its own, outside a transaction (CREATE SUBSCRIPTION must be)."""
    with _connect(db) as conn:
        for statement in statements:
            conn.execute(statement)
