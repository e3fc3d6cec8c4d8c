"""What password guessing costs the hall's writers: issuing tickets while others sign in.

On SQLite a write transaction holds the database's one write lock. A sign-in that checked its
password (scrypt, ~70 ms) inside its write transaction held every issue, call and finish behind
each guess; now the check runs between two short writes. This issues tickets through
``services.issue`` on SQLite alone, then while ``--guessers`` threads of the same process sign
in with wrong passwords as fast as they are answered, each guess a name and an address of its
own (the worst case: none is refused unchecked by the lock-out).

    .venv/bin/python bench/bench_sign_in.py [--tickets 300] [--guessers 6]

(Over HTTP a guess also takes a request thread for the length of its check: the lock-out is
what keeps one address from taking them all.)
"""

from __future__ import annotations

import argparse
import itertools
import threading
import time

from common import HALL_FILE, fresh_database, machine, summary

from queues import errors, services
from queues.access import staff
from queues.context import Context
from queues.hall import config as hall_config
from queues.store.db import Database


def issue(ctx: Context, tickets: int) -> list[float]:
    latencies = []
    for _ in range(tickets):
        t0 = time.perf_counter()
        services.issue(ctx, "tax")
        latencies.append(time.perf_counter() - t0)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--guessers", type=int, default=6)
    args = parser.parse_args()
    print(machine())
    with fresh_database("sqlite") as url:
        ctx = Context(db=Database(url), config=hall_config.load(HALL_FILE), open_always=True)
        issue(ctx, 20)  # warm up
        print(f"issuing alone:             {summary(issue(ctx, args.tickets))}")
        stop, numbers, lock = threading.Event(), itertools.count(), threading.Lock()
        answered: list[int] = []

        def guess() -> None:
            while not stop.is_set():
                with lock:
                    n = next(numbers)
                address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
                try:
                    staff.sign_in(ctx, f"guess{n}", "not the password", address)
                except errors.BadCredentials:
                    answered.append(n)

        threads = [threading.Thread(target=guess) for _ in range(args.guessers)]
        for thread in threads:
            thread.start()
        while len(answered) < args.guessers:  # every guesser has been answered once
            time.sleep(0.01)
        t0, before = time.perf_counter(), len(answered)
        latencies = issue(ctx, args.tickets)
        seconds, checked = time.perf_counter() - t0, len(answered) - before
        stop.set()
        for thread in threads:
            thread.join()
        print(
            f"with {args.guessers} threads guessing: {summary(latencies)} "
            f"({checked / seconds:.0f} guesses checked a second meanwhile)"
        )
        ctx.db.dispose()


if __name__ == "__main__":
    main()
