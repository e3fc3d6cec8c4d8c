"""Webhook delivery lag: from the event to the receiver, at a busy hall's pace.

    .venv/bin/python bench/bench_webhooks.py [--db sqlite|postgresql] [--per-minute 40]
        [--seconds 120] [--slow]

``hallq worker`` runs as in production (its scheduler ticks webhook delivery every second, the
lanes POST after commit) on a fresh database with the shipped hall (config/hall.toml). Two
endpoints are registered on loopback receivers in this process (``HALLQ_WEBHOOK_LOCAL=1``): a
city dashboard that takes every event type, and a rating platform that takes ``finished`` and
``rated``. This process then plays ``--per-minute`` visitors a minute for ``--seconds`` (arriving at
random, a Poisson stream, the same one every run), each
through the real use cases: issued, called at a window that serves the matter, started,
finished, rated: four events the dashboard takes and two the platform takes.

Lag of each delivery: the receiver's clock when the POST arrived, less the event's
``occurred_at`` (the use case's clock, taken before its commit); both clocks are this machine's.
``--slow`` adds a third endpoint whose receiver takes 4 s to answer each POST (under the
worker's 5 s timeout): the other two endpoints' lag should not move.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from datetime import datetime

from common import HALL_FILE, ROOT, fresh_database, machine, percentile

from queues import services, webhooks
from queues.context import Context
from queues.hall import config as hall_config
from queues.store import events
from queues.store.db import Database
from tests.support_webhooks import Receiver

ALL = list(webhooks.TYPES)


def _window_and_service(ctx: Context) -> list[tuple[int, str]]:
    """Windows with one matter each that they call (several windows, as a hall's rush has)."""
    pairs = []
    for window, weights in sorted(ctx.config.weights_of_window.items()):
        for code in weights:
            svc = ctx.config.service(code)
            if svc is not None and svc.first_step is None:
                pairs.append((window, code))
                break
    return pairs[:10]


def _lags(receiver: Receiver) -> list[float]:
    out = []
    for got in receiver.received:
        body = json.loads(got.body)
        if body["data"].get("service") == "warm-up":
            continue
        out.append(got.at - datetime.fromisoformat(body["occurred_at"]).timestamp())
    return out


def _line(name: str, lags: list[float]) -> str:
    if not lags:
        return f"| {name} | 0 | – | – | – |"
    ms = [x * 1000 for x in lags]
    return (
        f"| {name} | {len(ms)} | {percentile(ms, 50):.0f} ms | {percentile(ms, 95):.0f} ms "
        f"| {max(ms):.0f} ms |"
    )


def bench(db_kind: str, per_minute: int, seconds: float, slow: bool) -> list[str]:
    dashboard, platform = Receiver().start(), Receiver().start()
    laggard = Receiver().start() if slow else None
    if laggard is not None:
        laggard.hold = threading.Event()  # never set: each POST waits its 4 s below

        def delay(_: object = None) -> None:
            time.sleep(4)

        laggard.hold.wait = lambda timeout=None: delay()  # type: ignore[method-assign,assignment]
    os.environ[webhooks.LOCAL_SETTING] = "1"
    with fresh_database(db_kind) as url:
        db = Database(url)
        ctx = Context(db=db, config=hall_config.load(HALL_FILE), open_always=True)
        webhooks.register(ctx, dashboard.url, ALL, "bench")
        webhooks.register(ctx, platform.url, ["finished", "rated"], "bench")
        if laggard is not None:
            webhooks.register(ctx, laggard.url, ALL, "bench")
        env = {
            **os.environ,
            "HALLQ_DATABASE_URL": url,
            "HALLQ_CONFIG": str(HALL_FILE),
            "HALLQ_PRINTER": "dummy:",
            "HALLQ_OPEN_ALWAYS": "1",
            webhooks.LOCAL_SETTING: "1",
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "cli", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            pairs = _window_and_service(ctx)
            for window, _ in pairs:
                services.resume(ctx, window, "bench")
            with db.for_hall(ctx.hall).write() as s:  # the worker is up once this one lands
                events.record(s, "booked", "bench", ctx.now(), service="warm-up")
            deadline = time.monotonic() + 60
            while dashboard.count() < 1 and time.monotonic() < deadline:
                time.sleep(0.1)
            if dashboard.count() == 0:
                raise RuntimeError("hallq worker delivered nothing within 60 s")
            dashboard.received.clear()
            visitors = int(per_minute * seconds / 60)
            arrivals = random.Random(1)
            start, due = time.monotonic(), 0.0
            for i in range(visitors):
                due += arrivals.expovariate(per_minute / 60)  # visitors come as they come
                time.sleep(max(0.0, start + due - time.monotonic()))
                window, service = pairs[i % len(pairs)]
                ticket = services.issue(ctx, service).ticket
                services.call_next(ctx, window, "bench")
                services.start(ctx, window, "bench")
                services.finish(ctx, window, "bench")
                services.rate(ctx, ticket.id, 5)
            expected = (visitors * 4, visitors * 2)
            deadline = time.monotonic() + 120
            while (dashboard.count(), platform.count()) < expected and time.monotonic() < deadline:
                time.sleep(0.2)
            played = time.monotonic() - start
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            db.dispose()
    for r in (dashboard, platform, laggard):
        if r is not None:
            r.stop()
    count = visitors * 4
    lines = [
        f"{machine()}; {db_kind}; {visitors} visitors in {played:.0f} s ({per_minute}/min, "
        f"{count / played:.1f} events/s, {(visitors * 6) / played:.1f} deliveries/s to the two "
        "endpoints)" + ("; a third endpoint answering in 4 s" if slow else ""),
        "",
        "| endpoint | deliveries | lag p50 | lag p95 | max |",
        "| --- | ---: | ---: | ---: | ---: |",
        _line("dashboard (every type)", _lags(dashboard)),
        _line("rating platform (finished, rated)", _lags(platform)),
    ]
    if laggard is not None:
        lines.append(_line("slow receiver (4 s an answer)", _lags(laggard)))
    missing = (visitors * 4 - dashboard.count(), visitors * 2 - platform.count())
    lines.append("")
    lines.append(f"undelivered at the end: dashboard {missing[0]}, platform {missing[1]}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--per-minute", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--slow", action="store_true")
    args = parser.parse_args()
    for line in bench(args.db, args.per_minute, args.seconds, args.slow):
        print(line)


if __name__ == "__main__":
    main()
