"""Lanes: one thread per destination, woken by the scheduler's tick (the delivery workers' loop).

The print worker (:mod:`kiosk.worker`, a lane per printer), the notifier (:mod:`.notifier`, a
lane per channel) and the webhook worker (:mod:`.webhook_worker`, a lane per endpoint) deliver
the same way, and this is that way, once. A lane is started by its first :meth:`Lanes.wake` (a
daemon thread named ``<worker>:<key>``); each wake makes it claim and deliver batch after batch
(the worker's ``serve_batch``, which answers False when nothing was left to claim) for as long as
ticks keep coming (:data:`TICK_GRACE`), so a process that lost the runner lock
(:mod:`.scheduler`) stops delivering within seconds. A :class:`~queues.errors.HallqError` (the
database away) or any other ``Exception`` ends that wake's round, logged, and the lane waits for
the next wake; what no ``except Exception`` keeps (the tests' stand-in for a kill) ends the lane
and is raised by :meth:`Lanes.wait_idle` in the thread that waits.

It lives in ``runtime`` because it is process machinery, threads and their stopping, with no
meaning in the hall's domain (so not :mod:`queues`); it imports nothing of hallq but the errors,
and ``kiosk`` importing it keeps the imports one way (``runtime`` never imports ``kiosk``, and
nothing here brings in Dash or Flask).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from queues.errors import HallqError

TICK_GRACE = 5.0
"""Lanes go on claiming this long after the last tick, then wait for the next one."""

K = TypeVar("K", bound=Hashable)


@dataclass(eq=False)
class Lane(Generic[K]):
    """One destination's queue: its thread and what woke it (the halls or kiosks it serves)."""

    key: K
    members: set[Any] = field(default_factory=set)
    wake: threading.Event = field(default_factory=threading.Event)
    busy: bool = False
    thread: threading.Thread | None = None


L = TypeVar("L", bound=Lane[Any])


class Lanes(Generic[K, L]):
    """The lanes of one worker, keyed by destination.

    ``new_lane(key)`` makes a lane's state; ``serve_batch(lane, members)`` claims and delivers
    one batch for it (``members``: what woke it, as it was when this round began) and answers
    whether it found anything; ``waits`` and ``failed`` are the log's words when a round ends
    on a :class:`~queues.errors.HallqError` (``%s``: the lane's key, then the error) or on
    anything else (``%s``: the key).
    """

    def __init__(
        self,
        name: str,
        new_lane: Callable[[K], L],
        serve_batch: Callable[[L, list[Any]], bool],
        *,
        log: logging.Logger,
        waits: str,
        failed: str,
        grace: float = TICK_GRACE,
    ) -> None:
        self.name = name
        self._new_lane = new_lane
        self._serve_batch = serve_batch
        self._log = log
        self._waits = waits
        self._failed = failed
        self._grace = grace
        self.lanes: dict[K, L] = {}
        self.lock = threading.Condition()
        self.ticked = 0.0
        self.stopping = False
        self._died: BaseException | None = None

    def tick(self) -> None:
        """Let the lanes claim for another :data:`TICK_GRACE`."""
        self.ticked = time.monotonic()

    def busy(self) -> list[K]:
        """The keys of the lanes that have work."""
        with self.lock:
            return [key for key, lane in self.lanes.items() if lane.busy]

    def wake(self, key: K, member: Any = None) -> None:
        """Wake ``key``'s lane (starting it on first use); ``member`` joins what it serves."""
        with self.lock:
            if self.stopping:
                return
            lane = self.lanes.get(key)
            if lane is None:
                lane = self.lanes[key] = self._new_lane(key)
                lane.thread = threading.Thread(
                    target=self._serve, args=(lane,), name=f"{self.name}:{key}", daemon=True
                )
                lane.thread.start()
            if member is not None:
                lane.members.add(member)
            lane.busy = True
            lane.wake.set()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no lane has work; answers False if ``timeout`` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.lock:
            while True:
                if self._died is not None:
                    died, self._died = self._died, None
                    raise died
                if not any(lane.busy for lane in self.lanes.values()):
                    return True
                self.ticked = time.monotonic()  # whoever waits keeps the lanes going
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self.lock.wait(timeout=1.0 if left is None else min(left, 1.0))

    def stop(self, timeout: float = 10.0) -> None:
        """End the lanes (each after the delivery it is making)."""
        with self.lock:
            self.stopping = True
            lanes = list(self.lanes.values())
            for lane in lanes:
                lane.wake.set()
        for lane in lanes:
            if lane.thread is not None:
                lane.thread.join(timeout)

    def _serve(self, lane: L) -> None:
        while True:
            lane.wake.wait()
            with self.lock:
                if self.stopping:
                    lane.busy = False
                    self.lock.notify_all()
                    return
                lane.wake.clear()
                members = list(lane.members)
            try:
                while not self.stopping and time.monotonic() - self.ticked < self._grace:
                    if not self._serve_batch(lane, members):
                        break
            except HallqError as exc:
                self._log.warning(self._waits, lane.key, exc.message("en"))
            except Exception:
                self._log.exception(self._failed, lane.key)
            except BaseException as exc:
                with self.lock:
                    del self.lanes[lane.key]
                    self._died = exc
                    self.lock.notify_all()
                return
            with self.lock:
                if not lane.wake.is_set():
                    lane.busy = False
                    self.lock.notify_all()
