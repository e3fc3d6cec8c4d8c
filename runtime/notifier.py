"""The notifier: sends the text messages (:mod:`queues.notices`) after their cause is committed.

It runs where the print worker runs: a job of the scheduler's runner (``hallq serve``, or
``hallq worker`` beside web processes started with ``--no-worker``), so exactly one process of a
deployment sends, the one holding the runner lock (:mod:`runtime.scheduler`).

**Each channel is served on its own.** A hall's texts go through its ``[notify] channel`` or the
deployment's ``HALLQ_NOTIFY``; every channel has a lane, a thread that claims the due notices of
its halls (:func:`queues.notices.claim`, through the outbox's lifecycle) and sends them one
after another (:mod:`runtime.lanes`). A gateway that is down or slow to answer holds up its own
lane and no other, nor the printing or the scheduler's jobs. When the gateway fails a message,
the rest of that claim is put back for the same back-off without being tried (one timeout, not
twenty); a message the gateway refuses for good (a 4xx) is given up at once; every failure is on
``/staff``.

``tick`` runs every second and returns at once: it finds the halls with notices due (one query
over the network) and wakes their channels' lanes; lanes claim only while ticks keep coming, so
a process that lost the runner lock stops sending within seconds. ``run_once`` ticks and waits
for the lanes (the tests, the benchmark).

**Once only.** A notice is claimed by one worker (a conditional update), sent, then marked sent.
A worker killed after the gateway took a message and before the mark sends it again after the
lease (:data:`queues.notices.LEASE`) — the only way a message goes twice; the gateway
deduplicates on its ``id`` (:mod:`runtime.channels`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from queues import notices
from queues.context import utcnow
from queues.network import Network
from queues.store.db import Database
from runtime.channels import Channel, ChannelError, channel_for
from runtime.lanes import TICK_GRACE, Lane, Lanes

log = logging.getLogger("hallq.notify")
CLAIM = 20


@dataclass(eq=False)
class _Lane(Lane[str]):
    """One channel's queue (keyed by the channel's URI, its members the halls texting through
    it)."""

    channel: Channel = field(kw_only=True)


@dataclass
class Notifier:
    network: Network
    default_uri: str
    """``HALLQ_NOTIFY``: the channel of halls whose file names none."""
    secret: str | None = None
    """``HALLQ_NOTIFY_SECRET``: the key HTTP channels sign with."""
    name: str = "notifier"
    clock: Callable[[], datetime] = utcnow
    sent: int = field(default=0, init=False)
    """Messages the channels took since the notifier started."""
    failures: int = field(default=0, init=False)
    _lanes: Lanes[str, _Lane] = field(init=False)
    _lock: threading.Condition = field(default_factory=threading.Condition, init=False)

    def __post_init__(self) -> None:
        self._lanes = Lanes(
            self.name,
            lambda uri: _Lane(uri, channel=channel_for(uri, self.secret)),
            self._serve_batch,
            log=log,
            waits="texts through %s wait: %s",
            failed="texts through %s failed; going on",
            grace=TICK_GRACE,
        )
        for uri in {self.uri_of(code) for code in self.network.contexts}:
            channel_for(uri, self.secret)  # a channel hallq cannot use stops the start

    def uri_of(self, hall: str) -> str:
        return self.network.context(hall).config.notify.channel or self.default_uri

    @property
    def db(self) -> Database:
        """The deployment's database (the notifier claims across every hall of it)."""
        return self.network.context().db

    # --- the dispatcher -------------------------------------------------------------------

    def tick(self) -> None:
        """Wake the lane of every channel with notices due; returns without sending."""
        self._lanes.tick()
        for hall in notices.due_halls(self.db, self.clock()):
            if hall in self.network:
                self._wake(hall)

    def run_once(self, timeout: float | None = None) -> int:
        """Send what is due and wait until every lane is done; answers how many were sent."""
        before = self.sent
        self.tick()
        self.wait_idle(timeout)
        return self.sent - before

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self._lanes.wait_idle(timeout)

    def _wake(self, hall: str) -> None:
        self._lanes.wake(self.uri_of(hall), hall)

    def stop(self, timeout: float = 10.0) -> None:
        """End the lanes (each after the message it is sending)."""
        self._lanes.stop(timeout)

    # --- a lane -----------------------------------------------------------------------------

    def _serve_batch(self, lane: _Lane, halls: list[str]) -> bool:
        """Claim a batch of the due texts of ``lane``'s halls and send it."""
        configs = {h: self.network.context(h).config for h in halls}
        claimed = notices.claim(self.db, self.name, configs, lane.channel.uri, self.clock(), CLAIM)
        if not claimed:
            return False
        self._send_claim(lane, claimed)
        return True

    def _send_claim(self, lane: _Lane, claimed: list[notices.Delivery]) -> None:
        """Send a claim's messages in turn; after the gateway fails one, the rest wait for it."""
        down: ChannelError | None = None
        for message in claimed:
            if down is not None:
                notices.failed(self.db, message.id, str(down), self.clock())
                continue
            try:
                lane.channel.send(message)
            except ChannelError as exc:
                self.failures += 1
                log.warning("text %s through %s not sent: %s", message.id, lane.channel.uri, exc)
                notices.failed(self.db, message.id, str(exc), self.clock(), final=exc.final)
                if not exc.final:
                    down = exc
                continue
            except Exception as exc:  # the channel's own fault: that message waits, others go on
                log.exception("text %s through %s failed", message.id, lane.channel.uri)
                notices.failed(self.db, message.id, f"{type(exc).__name__}: {exc}", self.clock())
                continue
            notices.sent(self.db, message.id, self.clock())
            with self._lock:
                self.sent += 1
