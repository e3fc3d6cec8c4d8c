"""Text messages across a worker that is killed mid-run (``kill -9``): restarted, it sends the
rest, and a text goes twice only if it was in the gateway's hands at the kill (the one message
being sent: the gateway took it, the database never heard); the gateway deduplicates on its id.

The worker is ``hallq worker`` as deployed, in a process of its own, sending to a stand-in
gateway on loopback (tests/gateway.py) that takes a while over each message so the kill lands
mid-run. The lease is cut to two seconds in the child (production code has no switch for it)
so the claim the dead worker held is taken again without a minute's wait.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from queues import notices, services
from queues.context import utcnow
from queues.store.models import Notification
from tests.gateway import Gateway
from tests.support import MAIN_HALL, ROOT, make_context

SECRET = "the gateway's secret"
SHORT_LEASE = """
import sys
from datetime import timedelta
from queues import notices

notices.LEASE = timedelta(seconds=2)
from cli import main
main(sys.argv[1:])
"""


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _worker(url: str, tmp_path: Path, gateway: Gateway) -> subprocess.Popen:
    env = {
        **os.environ,
        "HALLQ_DATABASE_URL": url,
        "HALLQ_CONFIG": str(MAIN_HALL),
        "HALLQ_PRINTER": "dummy:",
        "HALLQ_OPEN_ALWAYS": "1",
        "HALLQ_PRINT_JOURNAL": str(tmp_path / f"journal-{uuid.uuid4().hex[:6]}.jsonl"),
        "HALLQ_NOTIFY": gateway.url,
        "HALLQ_NOTIFY_SECRET": SECRET,
    }
    return subprocess.Popen(
        [sys.executable, "-c", SHORT_LEASE, "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log").open("w"),
    )


def test_texts_are_sent_once_across_a_killed_worker(sqlite_url: str, tmp_path: Path) -> None:
    ctx = make_context(sqlite_url, utcnow, open_always=True)  # the real clock: the worker's
    gateway = Gateway(SECRET, delay=0.15).start()
    workers: list[subprocess.Popen] = []
    try:
        services.resume(ctx, 8, "clerk:test")
        tickets = [services.issue(ctx, "social-insurance").ticket for _ in range(30)]
        for n, ticket in enumerate(tickets):
            notices.opt_in(ctx, ticket.id, f"138{n:08d}", "zh")
        for _ in tickets:
            services.call_next(ctx, 8, "clerk:test")
            services.finish(ctx, 8, "clerk:test")
        with ctx.db.read() as s:
            ids = set(s.scalars(select(Notification.id)))
        assert len(ids) == 60  # each ticket told it is near (at once, or as the line moved),
        # then called

        workers.append(_worker(sqlite_url, tmp_path, gateway))
        assert _wait_for(lambda: gateway.count() >= 10, 60), gateway.count()
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(10)
        at_kill = gateway.count()
        with ctx.db.read() as s:
            in_hand = set(
                s.scalars(select(Notification.id).where(Notification.status == "sending"))
            )
        assert at_kill < len(ids), "the kill came after the last text: nothing to test"

        workers.append(_worker(sqlite_url, tmp_path, gateway))
        assert _wait_for(lambda: set(gateway.taken) == ids, 90), (len(gateway.taken), len(ids))
        with ctx.db.read() as s:
            assert set(s.scalars(select(Notification.status))) == {"sent"}
        twice = {i for i, n in gateway.taken.items() if n > 1}
        assert twice <= in_hand  # only what was in flight at the kill
        assert len(twice) <= 1  # one message at a time: at most the one being sent
        assert max(gateway.taken.values()) <= 2
        assert gateway.bad_signatures == 0
    finally:
        for w in workers:
            if w.poll() is None:
                w.terminate()
                w.wait(10)
        gateway.stop()
        ctx.db.dispose()
