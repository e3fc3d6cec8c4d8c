"""How fast a window works: call-next, start and finish, and pause/resume, in-process.

    .venv/bin/python bench/bench_counter.py              # SQLite and PostgreSQL
    .venv/bin/python bench/bench_counter.py --db postgres --rounds 300

One window (20, tax) with ``--rounds`` tickets waiting calls, starts and finishes each in turn,
then pauses and resumes as often. For each use case: the SQL statements it sends between
``BEGIN`` and ``COMMIT`` (counted by SQLAlchemy; the pool's ping, ``BEGIN`` and ``COMMIT`` come on
top of them), the CPU it takes in this process (SQLAlchemy and the driver: what a statement
costs the web worker), and its time. Statements are what a change to the locking costs on
PostgreSQL, where each is a round trip; on a shared machine the times are noisy beside them.
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
from queues.store.db import Database

CLERK = "clerk:bench"
Action = tuple[str, Callable[[Context], object]]
ACTIONS: list[Action] = [
    ("call-next", lambda ctx: services.call_next(ctx, 20, CLERK)),
    ("start", lambda ctx: services.start(ctx, 20, CLERK)),
    ("finish", lambda ctx: services.finish(ctx, 20, CLERK)),
]
STATE: list[Action] = [
    ("pause", lambda ctx: services.pause(ctx, 20, CLERK, "break")),
    ("resume", lambda ctx: services.resume(ctx, 20, CLERK)),
]


def bench(url: str, rounds: int) -> list[str]:
    ctx = Context(db=Database(url), config=hall_config.load(HALL_FILE), open_always=True)
    services.resume(ctx, 20, CLERK)
    for _ in range(rounds + 10):
        services.issue(ctx, "tax", predict=False)
    for _ in range(10):  # warm up connections and caches
        for _, action in ACTIONS:
            action(ctx)
    sent = [0]
    event.listen(
        ctx.db.engine, "before_cursor_execute", lambda *_: sent.__setitem__(0, sent[0] + 1)
    )
    statements: dict[str, list[int]] = {name: [] for name, _ in ACTIONS + STATE}
    times: dict[str, list[float]] = {name: [] for name, _ in ACTIONS + STATE}
    cpu: dict[str, float] = {name: 0.0 for name, _ in ACTIONS + STATE}
    for actions in (ACTIONS, STATE):
        for _ in range(rounds):
            for name, action in actions:
                sent[0] = 0
                t0, c0 = time.perf_counter(), time.process_time()
                action(ctx)
                times[name].append(time.perf_counter() - t0)
                cpu[name] += time.process_time() - c0
                statements[name].append(sent[0])
    ctx.db.dispose()
    return [
        f"  {name}: {statistics.mode(statements[name])} statements, "
        f"{cpu[name] / rounds * 1000:.2f} ms of this process's CPU, {summary(times[name])}"
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
