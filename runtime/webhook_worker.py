"""The webhook worker: POSTs each delivery after its event is committed, signed, with retries.

**Each endpoint is served on its own.** Every endpoint with deliveries due has a lane: a thread
that claims that endpoint's due deliveries (oldest first, a few at a time) and sends them one
after another (:mod:`runtime.lanes`). A receiver that is slow, or down and answering only with
the connect timeout (``TIMEOUT_SECONDS``), holds up its own lane and no other endpoint's.

``tick`` runs every second as a job of the scheduler (``hallq serve`` or ``hallq worker``, in
the process that holds the runner lock) and returns at once: it finds the endpoints with
deliveries due, across every hall, and wakes their lanes. Lanes claim only while ticks keep
coming, so a process that lost the runner lock stops within seconds. ``run_once`` ticks and
waits for the lanes (the tests and the benchmark's single loop).

Each try: the URL is checked again (:func:`queues.webhooks.check_url`: a name that now
resolves into the server's own network is refused) and the connection goes to the address that
was checked; the body is the delivery's stored text, byte for byte, with ``X-Hallq-Event``,
``X-Hallq-Timestamp`` (Unix seconds of this try), ``X-Hallq-Signature`` (``sha256=`` and the hex
HMAC-SHA256 of ``<timestamp>.<body>``) and ``X-Hallq-Delivery`` (the delivery's id, the same on
every try). 2xx is delivered; any other answer, a redirect included, is tried again later.
"""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from queues import webhooks
from queues.context import utcnow
from queues.errors import HallqError
from queues.rules.webhook import signature
from queues.store.db import Database
from runtime.lanes import TICK_GRACE, Lane, Lanes

log = logging.getLogger("hallq.webhooks")
TIMEOUT_SECONDS = 5.0
"""Connect and answer, each: a receiver slower than this is tried again later."""
CLAIM = 10
USER_AGENT = "hallq-webhooks/1"


class _PinnedHTTP(http.client.HTTPConnection):
    """A connection to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def send(
    task: webhooks.Task, *, timeout: float = TIMEOUT_SECONDS, now: float | None = None
) -> Outcome:
    """One try of one delivery; never raises."""
    try:
        target = webhooks.check_url(task.url)
    except HallqError as exc:
        return Outcome(None, exc.message("en"))
    stamp = str(int(now if now is not None else time.time()))
    payload = task.body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Hallq-Event": task.type,
        "X-Hallq-Timestamp": stamp,
        "X-Hallq-Signature": signature(task.secret, stamp, task.body),
        "X-Hallq-Delivery": str(task.delivery_id),
    }
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    conn = kind(target.host, target.addresses[0], target.port, timeout)
    try:
        conn.request("POST", target.path, body=payload, headers=headers)
        answer = conn.getresponse()
        answer.read(65536)
        if 200 <= answer.status < 300:
            return Outcome(answer.status, None)
        return Outcome(answer.status, f"HTTP {answer.status} {answer.reason}"[:200])
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500])
    finally:
        conn.close()


@dataclass
class WebhookWorker:
    db: Database
    """The network's database: the worker serves every hall's endpoints."""
    clock: Callable[[], datetime] = utcnow
    name: str = "webhook-worker"
    timeout: float = TIMEOUT_SECONDS
    sent: int = field(default=0, init=False)
    """Deliveries delivered since the worker started."""
    _lanes: Lanes[int, Lane[int]] = field(init=False)
    """A lane per endpoint, keyed by the webhook's id."""
    _lock: threading.Condition = field(default_factory=threading.Condition, init=False)

    def __post_init__(self) -> None:
        self.db = self.db.network
        self._lanes = Lanes(
            self.name,
            Lane,
            self._serve_batch,
            log=log,
            waits="webhook %s waits: %s",
            failed="webhook %s failed; going on",
            grace=TICK_GRACE,
        )

    def tick(self) -> None:
        """Wake the lane of every endpoint with deliveries due; returns at once."""
        self._lanes.tick()
        busy = self._lanes.busy()
        for hook in webhooks.due_hooks(self.db, self.clock(), exclude=busy):
            self._wake(hook)

    def run_once(self) -> int:
        """Send what is due and wait until every lane is done; answers how many delivered."""
        before = self.sent
        self.tick()
        self.wait_idle()
        return self.sent - before

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self._lanes.wait_idle(timeout)

    def _wake(self, hook: int) -> None:
        self._lanes.wake(hook)

    def stop(self, timeout: float = 10.0) -> None:
        self._lanes.stop(timeout)

    def _serve_batch(self, lane: Lane[int], _members: list[object]) -> bool:
        tasks = webhooks.claim(self.db, self.name, lane.key, self.clock(), CLAIM)
        if not tasks:
            return False
        for task in tasks:
            self._deliver(task)
        return True

    def _deliver(self, task: webhooks.Task) -> None:
        outcome = send(task, timeout=self.timeout)
        if outcome.ok:
            webhooks.delivered(self.db, task.delivery_id, self.clock(), outcome.status_code or 200)
            with self._lock:
                self.sent += 1
            return
        log.info(
            "webhook %s delivery %s not taken: %s", task.webhook_id, task.delivery_id, outcome.error
        )
        webhooks.failed(
            self.db, task.delivery_id, self.clock(), outcome.error or "?", outcome.status_code
        )
