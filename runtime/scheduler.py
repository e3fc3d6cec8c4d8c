"""The halls' clockwork (APScheduler 3.11), and the lock that lets only one process run it.

Jobs, for every hall of the network, each with its hall's context and in its hall's time zone
(a hall's close-out at its own closing time), named ``<hall>:<job>``:

* **close-out**, ``rules.close_out_after_minutes`` after closing time: tickets still waiting or
  called expire, every window closes (``services.expire_day``); a hall open around the clock
  only lets go of what is older than yesterday's queue;
* **roll-up**, at 23:50 and at start for any day missed: the day's figures into ``daily_stats``;
* **auto no-show**, every minute: a ticket called and not started for
  ``rules.auto_no_show_minutes`` is marked a no-show;
* **alerts**, every minute (:mod:`queues.read.alerts`);
* **sign-in tidy**, hourly: sign-in attempt counts whose window and lock are over are dropped;
* **booking no-shows**, every 2 minutes: bookings not checked in by their slot's start plus the
  grace time become no-shows (``bookings.sweep_no_shows``, which may bar a person);
* **remind**, at the hall's ``[notify] remind_at`` (18:00): the day-before text messages of the
  next working day's bookings (``notices.remind``);
* whatever the process adds (``hallq serve`` and ``hallq worker`` add print delivery).

APScheduler's own FAQ: two schedulers sharing a job store both run every job. So exactly one
process runs the jobs: the one that holds the **runner lock**, a file lock beside the SQLite
database (one host) or a PostgreSQL advisory lock kept on a connection of its own. A second
process waits for the lock and takes over when the first stops.

A database that goes away (a restart, a network blip) ends the advisory lock with its session:
the runner notices within RETRY_SECONDS, stops its jobs, and tries to take the lock again, at
growing intervals up to BACKOFF_LIMIT_SECONDS, until the database answers; whichever process
gets the lock first runs the jobs, the others wait as before. The runner's thread is vital
(:mod:`runtime.vital`): if it dies all the same, the process ends and is restarted.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import SQLAlchemyError

from queues import bookings, notices, services
from queues.access import staff
from queues.context import Context
from queues.errors import HallqError
from queues.network import Network
from queues.read import alerts, rollups
from queues.rules.lifecycle import Status
from queues.store.models import Step
from runtime.vital import vital

log = logging.getLogger("hallq.scheduler")
PG_LOCK_KEY = 0x68616C6D  # "halm"
_PG_LOCK = "(:k, hashtext(current_schema()))"
"""The runner lock's two keys: hallq's and its schema's. Advisory locks belong to the whole
database, so two deployments in two schemas of one database each get a runner of their own."""
RETRY_SECONDS = 5.0
BACKOFF_LIMIT_SECONDS = 15.0
"""The longest pause between tries while the database cannot be reached."""

Job = tuple[str, Callable[[], Any], Any]
"""(name, function, APScheduler trigger)."""
HallJob = Callable[[Context], Job]
"""A job every hall runs with its own context (``hallq serve``'s print delivery)."""


class RunnerLock:
    """Held by the one process that runs the scheduler."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._file: IO[str] | None = None
        self._conn: Connection | None = None
        self.unreachable = False
        """The last try could not reach the database (said once in the log, until it answers)."""

    def acquire(self) -> bool:
        """Take the lock if it is free; never waits, and never raises for a database that
        cannot be reached (it answers False)."""
        if self.ctx.db.dialect == "postgresql":
            return self._acquire_advisory()
        path = self._path()
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def _acquire_advisory(self) -> bool:
        conn: Connection | None = None
        try:
            conn = self.ctx.db.engine.connect()
            got = conn.execute(
                text(f"SELECT pg_try_advisory_lock{_PG_LOCK}"), {"k": PG_LOCK_KEY}
            ).scalar()
            conn.commit()
        except (SQLAlchemyError, OSError) as exc:
            if conn is not None:
                _discard(conn)
            self._lost(exc)
            return False
        self._reached()
        if got:
            self._conn = conn
            return True
        conn.close()
        return False

    def held(self) -> bool:
        """Whether the lock is still ours (a PostgreSQL connection can drop); never raises."""
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                self._conn.commit()
                return True
            except (SQLAlchemyError, OSError) as exc:
                self._lost(exc)
                return False
        return self._file is not None

    def _lost(self, exc: BaseException) -> None:
        if not self.unreachable:
            first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            log.warning(
                "the database cannot be reached for the runner lock (%s); trying again",
                first[0] if first else type(exc).__name__,
            )
        self.unreachable = True

    def _reached(self) -> None:
        if self.unreachable:
            log.info("the database answers again")
        self.unreachable = False

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text(f"SELECT pg_advisory_unlock{_PG_LOCK}"), {"k": PG_LOCK_KEY})
                self._conn.commit()
                self._conn.close()
            except (SQLAlchemyError, OSError):
                _discard(self._conn)  # never back into the pool still holding the lock
            self._conn = None
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def _path(self) -> Path:
        database = self.ctx.db.url.database
        if not database or database == ":memory:":
            return Path("var") / "hallq.scheduler.lock"
        return Path(database).with_suffix(".scheduler.lock")


def _discard(conn: Connection) -> None:
    """Close ``conn`` for good: its session (and any lock it holds) ends with it."""
    with contextlib.suppress(Exception):
        conn.invalidate()
    with contextlib.suppress(Exception):
        conn.close()


# --- the jobs -------------------------------------------------------------------------------------


def close_out(ctx: Context) -> int:
    """Expire today's leftovers and close every window (after closing time). A hall open around
    the clock has no closing time: only what is older than its queue expires."""
    day = None if ctx.open_always else ctx.business_day()
    return services.expire_day(ctx, day, actor="scheduler")


def roll_up(ctx: Context) -> int:
    """Today's figures, and those of any past day that was missed."""
    days = [*rollups.days_to_roll_up(ctx), ctx.business_day()]
    for day in days:
        rollups.rollup(ctx, day)
    return len(days)


def auto_no_show(ctx: Context) -> int:
    """Mark as no-shows the tickets called and not started for too long; answers how many."""
    minutes = ctx.config.rules.auto_no_show_minutes
    if not minutes:
        return 0
    cutoff = ctx.now() - timedelta(minutes=minutes)
    with ctx.db.read() as s:
        windows = list(
            s.scalars(
                select(Step.window_id).where(
                    Step.status == Status.CALLED,
                    Step.last_called_at < cutoff,
                    Step.window_id.is_not(None),
                )
            )
        )
    done = 0
    for window in windows:
        # the clerk may have acted since: started, finished, recalled, called the next one
        with contextlib.suppress(HallqError):
            services.no_show(ctx, window, "scheduler", called_before=cutoff)
            done += 1
    return done


def catch_up(ctx: Context) -> tuple[int, int]:
    """What a night with the server off left undone: past days' leftovers expire, their figures
    are rolled up. Answers (tickets expired, days rolled up)."""
    expired = services.expire_day(ctx, None, actor="scheduler")
    days = rollups.days_to_roll_up(ctx)
    for day in days:
        rollups.rollup(ctx, day)
    return expired, len(days)


def jobs(ctx: Context) -> list[Job]:
    cfg = ctx.config
    remind = cfg.notify.remind_at
    closing = datetime.combine(datetime.now(UTC).date(), cfg.hours.close) + timedelta(
        minutes=cfg.rules.close_out_after_minutes
    )
    return [
        (
            "close-out",
            lambda: close_out(ctx),
            CronTrigger(hour=closing.hour, minute=closing.minute, timezone=cfg.tz),
        ),
        ("roll-up", lambda: roll_up(ctx), CronTrigger(hour=23, minute=50, timezone=cfg.tz)),
        ("auto-no-show", lambda: auto_no_show(ctx), IntervalTrigger(seconds=60)),
        ("alerts", lambda: alerts.evaluate(ctx), IntervalTrigger(seconds=60)),
        ("sign-in-tidy", lambda: staff.tidy_sign_ins(ctx), IntervalTrigger(hours=1)),
        (
            "booking-no-shows",
            lambda: bookings.sweep_no_shows(ctx),
            IntervalTrigger(minutes=2),
        ),
        (
            "remind",
            lambda: notices.remind(ctx),
            CronTrigger(hour=remind.hour, minute=remind.minute, timezone=cfg.tz),
        ),
    ]


def _guarded(name: str, func: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        try:
            func()
        except HallqError as exc:
            log.warning("%s waits: %s", name, exc.message("en"))
        except Exception:
            log.exception("%s failed", name)

    run.__name__ = name
    return run


class Runner:
    """Waits for the runner lock, then runs every hall's jobs until stopped (or the lock is
    lost). Given one context, it runs that hall's (a network of one)."""

    def __init__(
        self,
        network: Network | Context,
        extra: list[Job] | None = None,
        name: str = "scheduler",
        retry: float = RETRY_SECONDS,
        per_hall: list[HallJob] | None = None,
    ) -> None:
        self.network = network if isinstance(network, Network) else Network.of_one(network)
        self.ctx = self.network.context()
        """The default hall's context: its database holds the runner lock (one for all halls)."""
        self.retry = retry
        self.lock = RunnerLock(self.ctx)
        self.extra = extra or []
        self.per_hall = per_hall or []
        self.name = name
        self.scheduler: BackgroundScheduler | None = None
        self.running = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Runner:
        """Run in a thread of its own, whose death ends the process (:mod:`runtime.vital`)."""
        body = vital(self._run, f"{self.name}'s runner thread")
        self._thread = threading.Thread(target=body, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def alive(self) -> bool:
        """Whether the runner's thread is still running (``stop`` timed out)."""
        return self._thread is not None and self._thread.is_alive()

    def wait(self) -> None:
        """Block until stopped (``hallq worker``)."""
        while not self._stop.wait(1.0):
            pass

    def hall_jobs(self) -> list[Job]:
        """Every hall's jobs, each bound to its hall's context, named ``<hall>:<job>``."""
        out: list[Job] = []
        for ctx in self.network:
            for name, func, trigger in [*jobs(ctx), *(make(ctx) for make in self.per_hall)]:
                out.append((f"{ctx.hall}:{name}", func, trigger))
        return out

    def _run(self) -> None:
        waiting_logged = False
        pause = self.retry
        while not self._stop.is_set():
            if not self.lock.acquire():
                if self.lock.unreachable:  # the lock said so; back off until it answers
                    self._stop.wait(pause)
                    pause = min(pause * 2, max(self.retry, BACKOFF_LIMIT_SECONDS))
                    continue
                pause = self.retry
                if not waiting_logged:
                    log.info("another process runs the scheduler; %s waits for it", self.name)
                    waiting_logged = True
                self._stop.wait(self.retry)
                continue
            pause, waiting_logged = self.retry, False
            log.info("%s runs the scheduler", self.name)
            try:
                self._serve()
            finally:
                self.lock.release()
                self.running.clear()

    def _serve(self) -> None:
        scheduler = BackgroundScheduler(
            timezone=self.ctx.config.tz,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        for name, func, trigger in [*self.hall_jobs(), *self.extra]:
            scheduler.add_job(_guarded(name, func), trigger, id=name, name=name)
        for ctx in self.network:
            _guarded(f"{ctx.hall}:catch-up", lambda c=ctx: catch_up(c))()
        scheduler.start()
        self.scheduler = scheduler
        self.running.set()
        try:
            while not self._stop.wait(self.retry):
                if not self.lock.held():
                    log.warning("%s lost the runner lock; stopping its jobs", self.name)
                    break
        finally:
            scheduler.shutdown(wait=True)
            self.scheduler = None
