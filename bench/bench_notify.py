"""Text-message lag: from a call to the SMS gateway receiving its texts, at a busy hall's pace.

    .venv/bin/python bench/bench_notify.py [--db sqlite|postgres] [--speed 20] [--seconds 60]

The shipped hall (config/hall.toml: 35 windows) on a fresh database; ``hallq worker`` runs as
in production (its scheduler ticks the notifier every second) and sends to a stand-in gateway
on loopback (``tests.gateway``, which checks every signature). Every window has a line of
tickets whose visitors all left a number (到号提醒). Each window calls its next ticket every 2-4
minutes (uniformly at random), as a busy hall's windows do, sped up ``--speed`` times; each call
writes, in its own transaction, the called text and the near texts of the line it shortened.

Measured for each text written by a call: the time from the call's commit (the event) to the
gateway receiving the text; the texts written when the visitors left their numbers are sent
before the clock starts. Goal (issue 13): p95 ≤ 2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import HALL_FILE, ROOT, fresh_database, machine, percentile
from sqlalchemy import func, select

from queues import notices, services
from queues.context import Context, utcnow
from queues.errors import HallqError
from queues.hall import config as hall_config
from queues.store.db import Database
from queues.store.models import Notification
from tests.gateway import Gateway

SECRET = "bench secret"
CLERK = "clerk:bench"


def _wait(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _written(db: Database) -> int:
    with db.network.read() as s:
        return int(s.scalar(select(func.count()).select_from(Notification)) or 0)


def bench(kind: str, speed: float, seconds: float, per_window: int) -> list[str]:
    gateway = Gateway(SECRET).start()
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, fresh_database(kind) as url:
        db = Database(url)
        ctx = Context(db=db, config=hall_config.load(HALL_FILE), clock=utcnow, open_always=True)
        cfg = ctx.config
        windows = [w.id for w in cfg.windows]
        first_service = {w: next(iter(cfg.weights_of_window[w])) for w in windows}
        for w in windows:
            services.resume(ctx, w, CLERK)
        n = 0
        for _ in range(per_window):
            for w in windows:
                ticket = services.issue(ctx, first_service[w]).ticket
                notices.opt_in(ctx, ticket.id, f"139{n:08d}", "zh")
                n += 1
        env = {
            **os.environ,
            "HALLQ_DATABASE_URL": url,
            "HALLQ_CONFIG": str(HALL_FILE),
            "HALLQ_PRINTER": "dummy:",
            "HALLQ_OPEN_ALWAYS": "1",
            "HALLQ_PRINT_JOURNAL": str(Path(tmp) / "journal.jsonl"),
            "HALLQ_NOTIFY": gateway.url,
            "HALLQ_NOTIFY_SECRET": SECRET,
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "cli", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            backlog = _written(db)
            if not _wait(lambda: gateway.count() >= backlog, 120):
                raise RuntimeError(f"the worker sent {gateway.count()} of {backlog} at start")
            events: dict[int, float] = {}
            lock = threading.Lock()
            rng = random.Random(13)
            due = {w: time.time() + rng.uniform(0, 180) / speed for w in windows}
            end = time.time() + seconds
            calls = 0
            last_id = 0
            with db.network.read() as s:
                last_id = int(s.scalar(select(func.max(Notification.id))) or 0)
            while time.time() < end:
                w = min(due, key=due.__getitem__)
                time.sleep(max(0.0, due[w] - time.time()))
                with contextlib.suppress(HallqError):  # nothing held yet
                    services.finish(ctx, w, CLERK)
                called = services.call_next(ctx, w, CLERK)
                at = time.time()
                calls += called is not None
                with db.network.read() as s:
                    new = list(s.scalars(select(Notification.id).where(Notification.id > last_id)))
                with lock:
                    for i in new:
                        events[i] = at
                last_id = max([last_id, *new])
                due[w] = at + rng.uniform(120, 240) / speed
            _wait(lambda: all(i in gateway.received_at for i in events), 60)
        finally:
            worker.terminate()
            worker.wait(30)
            gateway.stop()
        db.dispose()
    lags = [gateway.received_at[i] - at for i, at in events.items() if i in gateway.received_at]
    missing = len(events) - len(lags)
    pace = len(windows) * 60 / 180 * speed
    lines.append(
        f"  {kind}: {len(windows)} windows, one call each every 2-4 min × {speed:g} "
        f"(about {pace:.0f} calls a minute), {seconds:.0f} s: {calls} calls, "
        f"{len(events)} texts written by them"
    )
    if lags:
        lines.append(
            f"  lag, call committed → gateway received: p50 {percentile(lags, 50):.2f} s, "
            f"p95 {percentile(lags, 95):.2f} s, max {max(lags):.2f} s; "
            f"not received: {missing}; duplicates: "
            f"{sum(1 for c in gateway.taken.values() if c > 1)}; bad signatures: "
            f"{gateway.bad_signatures}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--per-window", type=int, default=12)
    args = parser.parse_args()
    print(machine())
    for line in bench(args.db, args.speed, args.seconds, args.per_window):
        print(line)


if __name__ == "__main__":
    main()
