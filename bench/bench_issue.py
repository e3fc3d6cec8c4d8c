"""How fast hallq issues tickets: through ``services.issue`` and over HTTP.

Goals (issue 2): services.issue on SQLite >= 500 tickets/s; over HTTP against ``hallq serve``
with 8 concurrent clients >= 150 tickets/s with p99 <= 100 ms and no error; the same on
PostgreSQL.

    .venv/bin/python bench/bench_issue.py              # SQLite and PostgreSQL
    .venv/bin/python bench/bench_issue.py --db sqlite  # one of them

A busy day in the default hall is about 300 tickets; each run issues a busy day's tickets (spread
over the kiosk's services in round robin, nobody served, so the queues only grow) and then
keeps going to ``--tickets``, reporting both stretches.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import subprocess
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from common import HALL_FILE, fresh_database, machine, running_server, summary

from queues import services
from queues.context import Context
from queues.hall import config as hall_config
from queues.store.db import Database

LUA = Path(__file__).with_name("issue.lua")


def kiosk_services() -> list[str]:
    return [s.code for s in hall_config.load(HALL_FILE).services if s.kiosk]


def bench_services(url: str, tickets: int, threads: int) -> list[str]:
    ctx = Context(db=Database(url), config=hall_config.load(HALL_FILE), open_always=True)
    codes = kiosk_services()
    for _ in range(20):  # warm up connections and caches
        services.issue(ctx, codes[0])
    lines = []
    done = 20
    stretches = (("first busy day, to 300 waiting", 300), (f"on to {tickets} waiting", tickets))
    for label, upto in stretches:
        latencies: list[float] = []
        todo = iter(range(done, upto))
        lock = threading.Lock()

        def work(todo=todo, latencies=latencies, lock=lock) -> None:
            for i in todo:
                t0 = time.perf_counter()
                services.issue(ctx, codes[i % len(codes)])
                elapsed = time.perf_counter() - t0
                with lock:
                    latencies.append(elapsed)

        start = time.perf_counter()
        workers = [threading.Thread(target=work) for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - start
        done = upto
        lines.append(
            f"  services.issue, {threads} thread(s), {label}: "
            f"{len(latencies) / elapsed:.0f} tickets/s; {summary(latencies)}"
        )
    ctx.db.dispose()
    return lines


def _issue_share(url: str, codes: list[str], start: int, count: int) -> list[float]:
    """One process's share of a parallel run: answer each ticket's latency."""
    ctx = Context(db=Database(url), config=hall_config.load(HALL_FILE), open_always=True)
    latencies = []
    for i in range(start, start + count):
        t0 = time.perf_counter()
        services.issue(ctx, codes[i % len(codes)])
        latencies.append(time.perf_counter() - t0)
    ctx.db.dispose()
    return latencies


def bench_processes(url: str, tickets: int, processes: int) -> list[str]:
    """Several processes issuing at once, as several web workers would."""
    codes = kiosk_services()
    share = tickets // processes
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=spawn) as pool:
        list(
            pool.map(
                _issue_share,
                [url] * processes,
                [codes] * processes,
                [0] * processes,
                [5] * processes,
            )
        )  # start the workers and warm them up
        start = time.perf_counter()
        futures = [
            pool.submit(_issue_share, url, codes, 100 + k * share, share) for k in range(processes)
        ]
        latencies = [x for f in futures for x in f.result()]
        elapsed = time.perf_counter() - start
    return [
        f"  services.issue, {processes} processes, {len(latencies)} tickets: "
        f"{len(latencies) / elapsed:.0f} tickets/s; {summary(latencies)}"
    ]


def bench_http(url: str, seconds: int, clients: int) -> list[str]:
    """Load ``hallq serve`` with wrk (a C load generator: the client costs the server no CPU)."""
    if shutil.which("wrk") is None:
        return ["  HTTP: wrk is not installed (apt-get install wrk); skipped"]
    with running_server(url) as base:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "-s", str(LUA), base],
            capture_output=True,
            text=True,
            env={**os.environ, "HALLQ_BENCH_SERVICES": ",".join(kiosk_services())},
            check=True,
        ).stdout
    found = {
        key: float(value)
        for line in out.splitlines()
        if line.startswith("HALLQ ")
        for key, value in zip(line.split()[1::2], line.split()[2::2], strict=False)
    }
    rate = found["requests"] / found["seconds"]
    return [
        f"  HTTP POST /api/v1/tickets, {clients} clients for {seconds} s "
        f"({int(found['requests'])} tickets): {rate:.0f} tickets/s; "
        f"median {found['p50'] / 1000:.2f} ms, p95 {found['p95'] / 1000:.2f} ms, "
        f"p99 {found['p99'] / 1000:.2f} ms; errors {int(found['errors'])}"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10, help="length of the HTTP run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--only", choices=["services", "http"], default=None)
    parser.add_argument(
        "--threads", type=int, nargs="+", default=[1, 4], help="threads calling services.issue"
    )
    parser.add_argument("--processes", type=int, default=4, help="processes calling it (0: none)")
    args = parser.parse_args()
    print(f"# bench_issue.py, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for kind in kinds:
        print(f"{kind}:")
        if args.only in (None, "services"):
            for threads in args.threads:
                with fresh_database(kind) as url:
                    for line in bench_services(url, args.tickets, threads):
                        print(line, flush=True)
            if args.processes:
                with fresh_database(kind) as url:
                    for line in bench_processes(url, args.tickets, args.processes):
                        print(line, flush=True)
        if args.only in (None, "http"):
            with fresh_database(kind) as url:
                for line in bench_http(url, args.seconds, args.clients):
                    print(line, flush=True)


if __name__ == "__main__":
    main()
