"""A year of the default hall's history: how long `hallq simulate` takes (issue 5).

    .venv/bin/python bench/bench_simulate.py [--days 364] [--workers 2] [--db sqlite|postgres]

Plays ``--days`` calendar days ending well before today into a fresh database, through the
same use cases as real use, closing out and rolling up each day. Goal: a year (~60,000 tickets)
in under two minutes.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

from common import HALL_FILE, fresh_database, machine

from queues.context import Context
from queues.hall import config as hall_config
from queues.store.db import Database
from simulation import simulate as sim


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=364)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    print(machine())
    start = date.today() - timedelta(days=args.days + 7)
    with fresh_database(args.db) as url:
        ctx = Context(db=Database(url), config=hall_config.load(HALL_FILE))
        began = time.perf_counter()
        results = sim.simulate_days(ctx, start, args.days, seed=1, workers=args.workers)
        seconds = time.perf_counter() - began
        ctx.db.dispose()
    tickets = sum(r.issued for r in results)
    print(
        f"{args.db}, {args.workers} workers: {len(results)} working days, {tickets} tickets "
        f"in {seconds:.1f} s ({seconds / tickets * 1000:.2f} ms a ticket, "
        f"{tickets / seconds:.0f} tickets/s)"
    )


if __name__ == "__main__":
    main()
