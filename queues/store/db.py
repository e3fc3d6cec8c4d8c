"""Engine and sessions for SQLite (the embedded default) and PostgreSQL (scaled).

SQLite runs in WAL mode with Python's own transaction handling switched off: a writing
transaction starts with ``BEGIN IMMEDIATE``, so two writers queue on the database lock instead
of failing half-way with "database is locked"; reads start with a plain ``BEGIN`` and run beside
the writer (in WAL mode a reader never waits for a writer). PostgreSQL runs at READ COMMITTED;
the code that needs more takes row locks.

A pooled PostgreSQL connection is not pinged at every checkout (a round trip per request, a
tenth of an issue's): only one that sat idle in the pool longer than IDLE_PING_SECONDS, or whose
socket has something to read although nothing was asked (a backend that was terminated, or a
server that restarted, says so before it closes), is pinged first, and replaced if dead. A dead
connection the check misses fails at its first statement: SQLAlchemy then invalidates the whole
pool (its "optimistic" disconnect handling), and :meth:`Database.transact` runs the transaction
once more on a fresh connection, since nothing of it reached the database.

SQLite has one writer lock for the whole file. When another program holds it (a script, a
backup tool, a stuck migration), a write waits **at most WRITE_WAIT_SECONDS in all** (its turn
among this process's threads, then SQLite's busy handler, from one deadline) and then gives up
with ``StoreBusy``: the kiosk says "please wait", the API answers 503 with ``Retry-After``, and
the request thread is free again. An unbounded wait would hold every request thread in turn,
and the wallboards and ``/healthz`` would queue behind them.
"""

from __future__ import annotations

import copy
import itertools
import logging
import random
import select
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal, TypeVar

from sqlalchemy import URL, Engine, create_engine, event, func, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ColumnElement

from queues.errors import StoreBusy, StoreNotMigrated, StoreUnavailable
from queues.store import events
from queues.store.feed import BoardFeed
from queues.store.scope import HALL, HALL_PARAM

DEFAULT_URL = "sqlite:///var/hallq.db"
DIALECTS = ("sqlite", "postgresql")
WRITE_WAIT_SECONDS = 3.0
"""The longest a write waits for SQLite's writer lock, in all, before it gives up (StoreBusy)."""
BLOCKED_WAIT_SECONDS = 0.5
"""The wait while the last write gave up: long enough for someone else's ordinary write, short
enough that a burst of taps on a blocked database does not hold every request thread in turn."""
TOOL_WAIT_SECONDS = 10.0
"""SQLite's wait for writes outside ``Database.write`` (migrations): nobody stands at a kiosk."""
REPLICA_RETRY_SECONDS = 15.0
"""After the read replica failed to answer, reports read the primary this long before trying it
again (a replica that is down does not cost every report a connection timeout)."""
REPLICA_CONNECT_SECONDS = 3
IDLE_PING_SECONDS = 10.0
"""A pooled PostgreSQL connection idle longer than this is pinged before it is used again."""
Health = Literal["ok", "busy", "unavailable"]
ReplicaHealth = Literal["none", "ok", "unavailable"]

log = logging.getLogger("hallq.store")

_write_deadline: ContextVar[float | None] = ContextVar("hallq_write_deadline", default=None)
_statements_run: ContextVar[list[int] | None] = ContextVar("hallq_statements_run", default=None)
"""How many statements of the current :meth:`Database.transact` try ran (on PostgreSQL)."""
T = TypeVar("T")


class Database:
    """The connection to the network's database: ``write()`` and ``read()`` give sessions.

    ``for_hall(code)`` is the same database seen by one hall: its sessions see and write only
    that hall's rows (:mod:`queues.store.scope`). Views share the engine, the pool and, on
    SQLite, the process's writer lock."""

    hall: str | None = None
    """The hall this view's sessions are scoped to; None: the whole network."""

    def __init__(
        self, url: str = DEFAULT_URL, *, echo: bool = False, read_url: str | None = None
    ) -> None:
        self.url = make_url(url)
        self.dialect = self.url.get_backend_name()
        if self.dialect == "sqlite":
            self.engine = _sqlite_engine(url, echo=echo)
        elif self.dialect == "postgresql":
            if self.url.drivername == "postgresql":
                self.url = self.url.set(drivername="postgresql+psycopg")
            self.engine = _postgresql_engine(self.url, echo=echo)
        else:
            raise ValueError(
                f"unsupported database {self.url.drivername!r}: use sqlite:/// or postgresql://"
            )
        self._read_engine = (
            self.engine.execution_options(sqlite_begin="DEFERRED")
            if self.dialect == "sqlite"
            else self.engine
        )
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock() if self.dialect == "sqlite" else None
        self._flags = {"blocked": False}
        """The last write of this process gave up waiting for another writer (for /healthz)."""
        self._reader = sessionmaker(self._read_engine, expire_on_commit=False)
        self._batch: ContextVar[Session | None] = ContextVar(
            f"hallq_batch_{id(self)}", default=None
        )
        self._views: dict[str, Database] = {}
        self.feed = BoardFeed(self)
        """The board versions as this process knows them (:mod:`queues.store.feed`); every
        hall's view shares it."""
        self.replica = _Replica(read_url, self.dialect, echo=echo) if read_url else None
        """The streaming replica that :meth:`report` reads (``HALLQ_READ_DATABASE_URL``)."""

    def for_hall(self, code: str) -> Database:
        """This database as hall ``code`` sees it (one view per hall, made once)."""
        if self.hall is not None:
            raise ValueError("a hall's view has no view of another hall")
        view = self._views.get(code)
        if view is None:
            view = copy.copy(self)
            view.hall = code
            view._network = self
            view._views = {}
            view._writer = sessionmaker(self.engine, expire_on_commit=False, info={HALL: code})
            view._reader = sessionmaker(
                self._read_engine, expire_on_commit=False, info={HALL: code}
            )
            self._views[code] = view
        return view

    @property
    def network(self) -> Database:
        """The whole network's view of this database."""
        return self._network if self.hall is not None else self

    @contextmanager
    def write(self, wait: float | None = None) -> Iterator[Session]:
        """One writing transaction: committed when the block ends, rolled back on error.

        On SQLite the threads of one process take turns on a lock of their own first: SQLite's
        busy handler sleeps in steps of up to 100 ms, which a queue of request threads would
        feel as a long tail. Other processes still wait on the database lock. Both waits
        together last at most ``wait`` seconds (by default WRITE_WAIT_SECONDS, or
        BLOCKED_WAIT_SECONDS while the last write gave up); then ``StoreBusy``.
        """
        batch = self._batch.get()
        if batch is not None:  # inside a batch: a savepoint of the batch's transaction
            with _translate_errors(), _savepoint(batch):
                yield batch
            return
        if self._write_lock is None:
            with _translate_errors(), self._writer() as session, session.begin():
                yield session
            self.feed.committed(session.info.get(events.BUMPED, ()))
            return
        if wait is None:
            wait = BLOCKED_WAIT_SECONDS if self._flags["blocked"] else WRITE_WAIT_SECONDS
        deadline = time.monotonic() + wait
        if not self._write_lock.acquire(timeout=wait):
            self._flags["blocked"] = True
            raise StoreBusy(detail=f"another write of this process held the lock for {wait:g} s")
        token = _write_deadline.set(deadline)
        try:
            with _translate_errors(), self._writer() as session, session.begin():
                yield session
        except StoreBusy:
            self._flags["blocked"] = True
            raise
        else:
            self._flags["blocked"] = False
        finally:
            _write_deadline.reset(token)
            self._write_lock.release()
        self.feed.committed(session.info.get(events.BUMPED, ()))

    def transact(self, work: Callable[[Session], T]) -> T:
        """``work`` in one writing transaction (:meth:`write`), answered; run once more, on a
        fresh connection, when the pooled connection of the first try was dead before any
        statement of it ran (the database restarted since: nothing of the transaction reached
        it). A second failure, or one after a statement ran, is ``StoreUnavailable`` as ever."""
        for attempt in (1, 2):
            ran = [0]
            token = _statements_run.set(ran)
            try:
                with self.write() as session:
                    return work(session)
            except StoreUnavailable as exc:
                if attempt == 2 or ran[0] or not _connection_lost(exc):
                    raise
                log.warning("a pooled connection was dead before its transaction: once more")
            finally:
                _statements_run.reset(token)
        raise AssertionError("unreachable")

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot (SQLite: does not wait for the writer)."""
        batch = self._batch.get()
        if batch is not None:  # inside a batch: read what the batch has written so far
            yield batch
            return
        with _translate_errors(), self._reader() as session, session.begin():
            yield session

    @contextmanager
    def report(self) -> Iterator[Session]:
        """A read that may lag the last writes by the replica's delay: managers' figures
        (dashboards, reports, across halls), never what a clerk, kiosk or screen must see right
        after a write (docs/deploy.md, "Reading from a replica"). On the read replica when one
        is set and answers; else, and inside a batch, the same as :meth:`read`."""
        replica = self.replica if self._batch.get() is None else None
        session = replica.session(self.hall) if replica is not None else None
        if session is None:
            with self.read() as primary:
                yield primary
            return
        with _translate_errors(), session:
            try:
                yield session
            finally:
                session.rollback()

    def replica_health(self) -> ReplicaHealth:
        """``none`` without a read replica; ``unavailable`` while reports fall back to the
        primary because it does not answer; ``ok`` otherwise."""
        if self.replica is None:
            return "none"
        return "ok" if self.replica.answers() else "unavailable"

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Many use cases in one transaction, each in a savepoint of it (a failed one leaves no
        trace): for loading history (``hallq simulate``), where a commit per use case would cost
        more than the use case. Other writers wait until the batch ends. The board versions
        move once, at the end, for every zone the batch touched: nobody sees it before."""
        with self.write() as session:
            touched: set[str] = set()
            session.info[events.DEFERRED_BUMPS] = touched
            token = self._batch.set(session)
            try:
                yield
            finally:
                self._batch.reset(token)
                del session.info[events.DEFERRED_BUMPS]
            events.bump(session, *touched)

    @property
    def read_engine(self) -> Engine:
        """The engine of plain reads (SQLite: a deferred ``BEGIN``, never the writer lock)."""
        return self._read_engine

    @property
    def in_batch(self) -> bool:
        """This thread is inside :meth:`batch` (its writes are not committed yet)."""
        return self._batch.get() is not None

    def scalar(self, statement: Executable, params: dict[str, Any] | None = None) -> Any:
        """One read on a plain connection, no session: for the hottest reads (a screen's poll).
        Inside a batch it reads in the batch's transaction."""
        batch = self._batch.get()
        if batch is not None:
            return batch.scalar(statement, params)
        if self.hall is not None:
            params = {**(params or {}), HALL_PARAM.key: self.hall}
        with _translate_errors(), self._read_engine.connect() as conn:
            value = conn.execute(statement, params or {}).scalar()
            conn.rollback()
            return value

    def first(self, statement: Executable, params: dict[str, Any] | None = None) -> Any:
        """The first row of one read outside any transaction: on PostgreSQL in autocommit, one
        round trip where a transaction would take three (BEGIN, the read, ROLLBACK); for reads
        each request makes before its own transaction (a token's holder). Inside a batch it reads
        in the batch's transaction."""
        batch = self._batch.get()
        if batch is not None:
            return batch.execute(statement, params).first()
        engine = self._autocommit if self.dialect == "postgresql" else self._read_engine
        with _translate_errors(), engine.connect() as conn:
            row = conn.execute(statement, params or {}).first()
            if self.dialect != "postgresql":
                conn.rollback()
            return row

    def ping(self) -> bool:
        try:
            with self.read() as s:
                s.connection().exec_driver_sql("SELECT 1")
            return True
        except StoreUnavailable:
            return False

    def health(self) -> Health:
        """What ``/healthz`` says, without waiting for the writer lock: ``unavailable`` when
        the database cannot be read, ``busy`` while this process's writes give up waiting for
        another writer, ``ok`` otherwise. Busy lasts until a write gets through, or until a
        write that does not wait at all finds the lock free (so a quiet process does not stay
        busy after the other writer let go)."""
        if not self.ping():
            return "unavailable"
        if self._flags["blocked"] and not self._writable_now():
            return "busy"
        return "ok"

    def _writable_now(self) -> bool:
        try:
            with self.write(wait=0) as s:
                s.connection()  # BEGIN IMMEDIATE: takes the writer lock, or fails at once
            return True
        except StoreBusy:
            return False

    def dispose(self) -> None:
        self.feed.stop()
        self.engine.dispose()
        if self.replica is not None:
            self.replica.engine.dispose()

    def seconds_between(self, start: ColumnElement, end: ColumnElement) -> ColumnElement[float]:
        """An SQL expression for ``end - start`` in seconds, in this database's dialect."""
        if self.dialect == "sqlite":
            return (func.julianday(end) - func.julianday(start)) * 86400.0
        return func.extract("epoch", end - start)


class _Replica:
    """A read-only PostgreSQL standby (a streaming replica of the primary) for :meth:`report`.

    When it does not answer, reports read the primary (logged once, and said by ``/healthz``)
    and the replica is tried again after REPLICA_RETRY_SECONDS."""

    def __init__(self, url: str, primary_dialect: str, *, echo: bool) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() != "postgresql" or primary_dialect != "postgresql":
            raise ValueError(
                "a read replica (HALLQ_READ_DATABASE_URL) is a postgresql:// standby of a "
                "PostgreSQL primary"
            )
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.url = parsed
        self.engine = create_engine(
            parsed,
            echo=echo,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=10,
            connect_args={"connect_timeout": REPLICA_CONNECT_SECONDS},
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._retry_at = 0.0
        self.error: str | None = None
        """Why the replica was last left for the primary (None while it answers)."""

    def session(self, hall: str | None = None) -> Session | None:
        """A session on the replica, its connection made, seeing ``hall``'s rows (None: the
        network's); None while the replica does not answer."""
        if time.monotonic() < self._retry_at:
            return None
        session = self._sessions(info={HALL: hall} if hall is not None else {})
        try:
            session.connection()
        except DBAPIError as exc:
            session.close()
            self._failed(exc)
            return None
        if self.error is not None:
            log.warning("read replica answers again: reports read it again")
            self.error = None
        return session

    def answers(self) -> bool:
        session = self.session()
        if session is None:
            return False
        session.close()
        return True

    def _failed(self, exc: DBAPIError) -> None:
        self._retry_at = time.monotonic() + REPLICA_RETRY_SECONDS
        first = self.error is None
        self.error = str(exc.orig or exc).splitlines()[0]
        if first:
            log.warning("read replica unavailable, reports read the primary: %s", self.error)


def insert_for(dialect: str) -> Callable[..., postgresql.Insert | sqlite.Insert]:
    """``insert`` with ``ON CONFLICT`` for ``dialect``: an insert that loses a race to another
    one answers nothing (``DO NOTHING``) or bumps the row (``DO UPDATE``) instead of failing
    on the unique key, which on PostgreSQL would abort the whole transaction."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


_savepoints = itertools.count()


@contextmanager
def _savepoint(session: Session) -> Iterator[None]:
    """A savepoint in SQL, without the ORM's nested-transaction bookkeeping, which costs more
    than a use case's own statements. The ORM objects of a failed use case are dropped from the
    session (a batch keeps none between use cases)."""
    conn = session.connection()
    name = f"hallq_{next(_savepoints)}"
    conn.exec_driver_sql(f"SAVEPOINT {name}")
    try:
        yield
        session.flush()
    except BaseException:
        session.expunge_all()
        conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {name}")
        conn.exec_driver_sql(f"RELEASE SAVEPOINT {name}")
        raise
    conn.exec_driver_sql(f"RELEASE SAVEPOINT {name}")


def _postgresql_engine(url: URL, *, echo: bool) -> Engine:
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["hallq_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        since = record.info.get("hallq_idle_since")
        idle = since is not None and time.monotonic() - since > IDLE_PING_SECONDS
        if not idle and not _has_news(dbapi_connection):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool replaces it (up to three tries), as pre-ping would
            raise DisconnectionError(str(exc).splitlines()[0] if str(exc) else "") from exc

    @event.listens_for(engine, "after_cursor_execute")
    def _on_statement(*_args) -> None:  # type: ignore[no-untyped-def]
        ran = _statements_run.get()
        if ran is not None:
            ran[0] += 1

    return engine


def _has_news(dbapi_connection: Any) -> bool:
    """Whether an idle connection's socket has something to read: a backend says why before it
    closes (terminated, the server shutting down); a healthy idle connection was told nothing.
    Answers without a round trip; a socket that cannot be asked counts as news."""
    try:
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN)
        return bool(poller.poll(0))
    except Exception:  # closed, or not a socket: ask the database
        return True


def _connection_lost(exc: StoreUnavailable) -> bool:
    """Whether ``exc`` came of a connection found dead (SQLAlchemy invalidated it, and the pool's
    older connections with it)."""
    cause = exc.__cause__
    return isinstance(cause, DBAPIError) and bool(cause.connection_invalidated)


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": WRITE_WAIT_SECONDS, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode != "IMMEDIATE":
            connection.exec_driver_sql(f"BEGIN {mode}")
            return
        deadline = _write_deadline.get()
        _begin_immediate(
            connection.connection.driver_connection,
            time.monotonic() + TOOL_WAIT_SECONDS if deadline is None else deadline,
        )

    return engine


def _begin_immediate(conn: sqlite3.Connection, deadline: float) -> None:
    """Take SQLite's writer lock by ``deadline``, or raise StoreBusy.

    Tried every few milliseconds rather than through SQLite's busy handler, which sleeps 100 ms
    between tries after the first few: while other processes write back to back, such a waiter
    misses the lock's free moments and waits seconds for a turn (8 processes issuing at once
    made single writes wait 6-8 s that way).
    """
    conn.execute("PRAGMA busy_timeout=0")
    delay = 0.001
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() + delay > deadline:
                    raise StoreBusy(detail=str(exc)) from exc
            time.sleep(delay * random.uniform(0.5, 1.5))  # waiters spread out, not in step
            delay = min(delay * 2, 0.01)
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(WRITE_WAIT_SECONDS * 1000)}")


@contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except (OperationalError, InterfaceError, ProgrammingError) as exc:
        text = str(exc.orig or exc)
        if "no such table" in text or ("relation" in text and "does not exist" in text):
            raise StoreNotMigrated() from exc
        if "database is locked" in text:  # SQLite's busy handler gave up: another writer
            raise StoreBusy(detail=text.splitlines()[0]) from exc
        if isinstance(exc, ProgrammingError):
            raise
        raise StoreUnavailable(detail=text.splitlines()[0] if text else "") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise StoreUnavailable(detail=str(exc.orig or exc).splitlines()[0]) from exc
        raise
