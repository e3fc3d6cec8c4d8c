"""The counter console's newer actions beside call-next, in-process: 特呼 (call a given number),
a no-show taken back, and the console's view with the line of who waits.

    .venv/bin/python bench/bench_console.py              # SQLite and PostgreSQL
    .venv/bin/python bench/bench_console.py --db postgres --rounds 300

One window (20, tax, of the shipped hall) with ``--rounds`` × 2 tickets waiting. Each round: the
console's view (``counters.console`` with the clerk, as the screen redraws it); call-next, then
finish; 特呼 of the last ticket in line (the farthest from the front: the lookup by number does
not depend on the place), then finish; call-next, no-show, undo, finish. For each: the SQL
statements between ``BEGIN`` and ``COMMIT`` and the time (median, p95, p99).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from common import HALL_FILE, fresh_database, machine, summary
from sqlalchemy import event

from queues import services
from queues.context import Context
from queues.hall import config as hall_config
from queues.read import counters
from queues.store.db import Database

CLERK = "clerk:bench"
WINDOW = 20


def bench(url: str, rounds: int) -> list[str]:
    ctx = Context(db=Database(url), config=hall_config.load(HALL_FILE), open_always=True)
    services.resume(ctx, WINDOW, CLERK)
    numbers = [
        services.issue(ctx, "tax", predict=False).ticket.number for _ in range(rounds * 3 + 20)
    ]
    sent = [0]
    event.listen(
        ctx.db.engine, "before_cursor_execute", lambda *_: sent.__setitem__(0, sent[0] + 1)
    )
    times: dict[str, list[float]] = {}
    statements: dict[str, list[int]] = {}

    def timed(name: str, action: Callable[[], object]) -> None:
        sent[0] = 0
        t0 = time.perf_counter()
        action()
        times.setdefault(name, []).append(time.perf_counter() - t0)
        statements.setdefault(name, []).append(sent[0])

    def finish() -> None:
        services.finish(ctx, WINDOW, CLERK)

    for n in range(rounds + 5):
        if n == 5:  # the first five warm connections and caches up
            times.clear()
            statements.clear()
        timed("console view", lambda: counters.console(ctx, WINDOW, CLERK))
        timed("call-next", lambda: services.call_next(ctx, WINDOW, CLERK))
        finish()
        last = numbers.pop()
        timed("特呼 (call a number)", lambda n=last: services.call_number(ctx, WINDOW, CLERK, n))
        finish()
        services.call_next(ctx, WINDOW, CLERK)
        timed("no-show", lambda: services.no_show(ctx, WINDOW, CLERK))
        timed("console view, undo offered", lambda: counters.console(ctx, WINDOW, CLERK))
        timed("undo no-show", lambda: services.undo_no_show(ctx, WINDOW, CLERK))
        finish()
    ctx.db.dispose()
    return [
        f"  {name}: {statistics.mode(statements[name])} statements, {summary(times[name])}"
        for name in times
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    print(machine())
    for kind in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        with fresh_database(kind) as url:
            print(f"{kind}, {args.rounds} rounds:")
            print("\n".join(bench(url, args.rounds)))


if __name__ == "__main__":
    main()
