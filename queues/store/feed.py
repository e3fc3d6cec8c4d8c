"""The board versions as this process knows them, kept current without asking the database.

Every commit that moves a board (:func:`queues.store.events.bump`) hands the new versions of the
shards it bumped to its process's feed after the commit. The feed:

* applies them at once (this process's screens hear of its own writes with no delay), and
* on PostgreSQL announces them to every other process: ``NOTIFY hallq_board`` on a connection of
  its own, after the commit, batched, with ``synchronous_commit`` off. Every process that serves
  screens ``LISTEN``\\ s on that channel and applies what it hears.

Why not ``NOTIFY`` inside the writing transaction, where it would be atomic with the commit:
PostgreSQL holds one lock on its notification queue from a notifying transaction's pre-commit
until its commit record is flushed, so notifying writers commit one at a time. Measured here
(docs/benchmarks.md, "Push"): a two-statement transaction went from 5,200-5,500 commits/s to
1,800-3,000 with a ``pg_notify`` in it, and kept 4,500 with the same notifications sent beside
it by one announcer. What the announcer costs instead is a notification lost when a process dies
between its commit and its announcement: every feed re-reads all versions every
``resync_seconds`` (a few kilobytes), and a screen shows the change by then at the latest.

A zone's version is the sum of its shards' (:class:`~queues.store.models.BoardVersion`); a shard
only grows, so the feed keeps the highest value it has seen of each, and hearing a value twice or
late changes nothing. While the feed cannot vouch for its figures (not yet loaded, the listening
connection lost, the re-read failing) it is not :attr:`live`: polls read the database as before
and streams end, so screens poll.

On SQLite (one process serving the screens) the commits of the process are all the feed needs;
the re-read every ``resync_seconds`` picks up another process's writes (a CLI tool).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from queues.store.models import BoardVersion

if TYPE_CHECKING:
    from queues.store.db import Database

CHANNEL = "hallq_board"
PG_RESYNC_SECONDS = 10.0
SQLITE_RESYNC_SECONDS = 2.0
LISTEN_CHECK_SECONDS = 15.0
"""How long the listening connection waits for a notification before it checks it is alive."""
RETRY_SECONDS = 2.0
FEED_APPLICATION = "hallq feed"
"""The feed's own connections' name in ``pg_stat_activity`` (one listening, one announcing)."""

Shard = tuple[str, str, int]
"""(hall, zone, shard)"""
Bump = tuple[str, str, int, int]
"""(hall, zone, shard, the shard's version after the bump)"""

log = logging.getLogger("hallq.feed")

_v = BoardVersion.__table__.c
_ALL = select(_v.hall, _v.zone_code, _v.shard, _v.version)


def channel_of(conn: Any) -> str:
    """The channel of the deployment whose tables ``conn`` sees: channels are the database's,
    and two deployments in two schemas of one database must not hear each other."""
    schema = conn.execute("SELECT current_schema()").fetchone()[0] or ""
    return f"{CHANNEL}_{hashlib.blake2b(schema.encode(), digest_size=6).hexdigest()}"


def payload(bump: Bump) -> str:
    hall, zone, shard, version = bump
    return f"{hall} {zone} {shard} {version}"


def parse(text: str) -> Bump | None:
    """A notification's payload, or None for one that is not a feed's."""
    parts = text.split(" ")
    if len(parts) != 4:
        return None
    hall, zone, shard, version = parts
    try:
        return hall, zone, int(shard), int(version)
    except ValueError:
        return None


class BoardFeed:
    """One per database and process (its threads start on first use, after a fork too)."""

    def __init__(self, db: Database, *, resync_seconds: float | None = None) -> None:
        self._db = db
        self._postgres = db.dialect == "postgresql"
        self.resync_seconds = resync_seconds or (
            PG_RESYNC_SECONDS if self._postgres else SQLITE_RESYNC_SECONDS
        )
        self._cond = threading.Condition()
        self._zones: dict[tuple[str, str], dict[int, int]] = {}
        self._halls: dict[str, int] = {}
        self.generation = 0
        """Moves whenever a version moves or the feed goes live or down (for :meth:`wait`)."""
        self._synced_at = 0.0
        self._listening = not self._postgres
        self._pid: int | None = None
        self._announce_pid: int | None = None
        self._pending: list[Bump] = []
        self._to_announce = threading.Condition(threading.Lock())
        self._stopping = threading.Event()
        """Set to stop the threads of the current start (each start has its own)."""
        self._enabled = True

    @property
    def enabled(self) -> bool:
        """False: the process keeps no feed (polls read the database, no stream is offered)."""
        return self._enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        with self._cond:
            self._enabled = value
            self.generation += 1
            self._cond.notify_all()

    # --- what screens ask --------------------------------------------------------------------

    @property
    def live(self) -> bool:
        """The feed's figures are current: loaded, listening (PostgreSQL), re-read lately."""
        if not self.enabled:
            return False
        self.start()
        fresh = time.monotonic() - self._synced_at < 3 * self.resync_seconds
        return self._listening and fresh and self._synced_at > 0

    def wait_live(self, timeout: float) -> bool:
        """Start the feed if need be and wait up to ``timeout`` seconds for it to go live."""
        deadline = time.monotonic() + timeout
        while not self.live:
            left = deadline - time.monotonic()
            if left <= 0 or not self.enabled:
                return False
            with self._cond:
                self._cond.wait(min(left, 0.1))
        return True

    def version(self, hall: str, zone: str | None = None) -> int | None:
        """The board version of ``zone`` (None: the whole hall) in ``hall``; None while the feed
        is not live or does not know the zone (the caller asks the database)."""
        if not self.live:
            return None
        with self._cond:  # a re-read may be adding a shard meanwhile
            if zone is None:
                return self._halls.get(hall)
            shards = self._zones.get((hall, zone))
            return None if shards is None else sum(shards.values())

    def wait(self, generation: int, timeout: float) -> int:
        """Block until :attr:`generation` moves past ``generation`` or ``timeout`` passes;
        answers the generation then."""
        with self._cond:
            if self.generation == generation:
                self._cond.wait(timeout)
            return self.generation

    # --- what writers tell -------------------------------------------------------------------

    def committed(self, bumps: Iterable[Bump]) -> None:
        """A transaction of this process committed ``bumps``: apply them, and announce them to
        the other processes (PostgreSQL)."""
        bumps = list(bumps)
        if not bumps or not self.enabled:
            return
        self._apply(bumps)
        if self._postgres:
            with self._to_announce:
                self._pending.extend(bumps)
                self._to_announce.notify()
            self._start_announcer()

    # --- threads -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start listening and re-reading in this process (once; again in a forked child)."""
        pid = os.getpid()
        if self._pid == pid or not self.enabled:
            return
        with self._cond:
            if self._pid == pid:
                return
            self._pid = pid
            self._synced_at = 0.0
            self._listening = not self._postgres
            self._stopping = stopping = threading.Event()
        for target, name in ((self._resync_loop, "resync"), (self._listen_loop, "listen")):
            if name == "listen" and not self._postgres:
                continue
            thread = threading.Thread(
                target=target, args=(stopping,), name=f"hallq-feed-{name}", daemon=True
            )
            thread.start()

    def stop(self) -> None:
        """Stop the threads (a later use starts them again)."""
        with self._cond:
            self._pid = self._announce_pid = None
            self._synced_at = 0.0
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        with self._to_announce:
            self._to_announce.notify_all()

    def _start_announcer(self) -> None:
        pid = os.getpid()
        if self._announce_pid == pid:
            return
        with self._to_announce:
            if self._announce_pid == pid:
                return
            self._announce_pid = pid
            self._pending = self._pending[-1000:]
        stopping = self._stopping
        threading.Thread(
            target=self._announce_loop, args=(stopping,), name="hallq-feed-announce", daemon=True
        ).start()

    def _resync_loop(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            try:
                self.resync()
            except Exception as exc:  # the database is away: not live until it answers
                log.warning("board feed: re-read failed: %s", str(exc).splitlines()[0])
            stopping.wait(self.resync_seconds)

    def resync(self) -> None:
        """Read every shard's version (a few kilobytes) and apply what moved."""
        with self._db.network.read_engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(_ALL)]
            conn.rollback()
        self._apply(rows)  # type: ignore[arg-type]
        with self._cond:
            was = self._synced_at > 0
            self._synced_at = time.monotonic()
            if not was:
                self.generation += 1
                self._cond.notify_all()

    def _listen_loop(self, stopping: threading.Event) -> None:
        import psycopg

        url = self._db.network.engine.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        while not stopping.is_set():
            try:
                with psycopg.connect(
                    dsn, autocommit=True, connect_timeout=5, application_name=FEED_APPLICATION
                ) as conn:
                    conn.execute(f"LISTEN {channel_of(conn)}")
                    self.resync()  # after LISTEN: nothing committed since is missed
                    self._set_listening(True)
                    while not stopping.is_set():
                        for note in conn.notifies(timeout=LISTEN_CHECK_SECONDS, stop_after=256):
                            bump = parse(note.payload)
                            if bump is not None:
                                self._apply([bump])
                        conn.execute("SELECT 1")  # a connection that died silently raises here
            except Exception as exc:
                if not stopping.is_set():
                    log.warning("board feed: listening failed: %s", str(exc).splitlines()[0])
            self._set_listening(False)
            stopping.wait(RETRY_SECONDS)

    def _announce_loop(self, stopping: threading.Event) -> None:
        import psycopg

        url = self._db.network.engine.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        conn = None
        channel = CHANNEL
        while not stopping.is_set():
            with self._to_announce:
                while not self._pending and not stopping.is_set():
                    self._to_announce.wait(LISTEN_CHECK_SECONDS)
                batch, self._pending = self._pending, []
            if not batch:
                continue
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(
                        dsn, autocommit=True, connect_timeout=5, application_name=FEED_APPLICATION
                    )
                    conn.execute("SET synchronous_commit = off")
                    channel = channel_of(conn)
                conn.execute(
                    "SELECT pg_notify(%s, p) FROM unnest(%s::text[]) AS p",
                    (channel, [payload(b) for b in _latest(batch)]),
                )
            except Exception as exc:  # the others re-read within resync_seconds
                log.warning("board feed: announcing failed: %s", str(exc).splitlines()[0])
                if conn is not None:
                    conn.close()
                conn = None
                stopping.wait(RETRY_SECONDS)

    # --- state -------------------------------------------------------------------------------

    def _set_listening(self, listening: bool) -> None:
        with self._cond:
            if self._listening != listening:
                self._listening = listening
                self.generation += 1
                self._cond.notify_all()

    def _apply(self, bumps: Iterable[Bump]) -> None:
        moved = False
        with self._cond:
            for hall, zone, shard, version in bumps:
                shards = self._zones.setdefault((hall, zone), {})
                before = shards.get(shard, 0)
                if version > before:
                    shards[shard] = version
                    self._halls[hall] = self._halls.get(hall, 0) + version - before
                    moved = True
                elif shard not in shards:
                    shards[shard] = version
                    self._halls.setdefault(hall, 0)
            if moved:
                self.generation += 1
                self._cond.notify_all()


def _latest(batch: list[Bump]) -> list[Bump]:
    """The highest version of each shard in ``batch`` (the others say nothing more)."""
    top: dict[Shard, int] = {}
    for hall, zone, shard, version in batch:
        key = (hall, zone, shard)
        if version > top.get(key, -1):
            top[key] = version
    return [(*key, version) for key, version in top.items()]
