"""Issuing on PostgreSQL against the database's own bound: hallq's issue SQL run by pgbench.

Issue 14, part 3 ("fewer round trips per ticket"): ``services.issue`` with 4 threads should
reach >= 0.8, and HTTP issuing >= 0.5, of the rate pgbench reaches running exactly the
statements one REST issue sends (``bench/issue.pgbench.sql``, 8 clients), measured in one run on
one fresh database.

    flock /tmp/hallq-bench.lock .venv/bin/python bench/bench_issue_pg.py
    .venv/bin/python bench/bench_issue_pg.py --statements    # what one REST issue sends

Every stretch starts from the same state: the tickets of the stretch before are deleted (the
day's counters stay, as they do after the day's first ticket), so each one's wait prediction
reads queues that grow from empty over the same number of seconds. Tickets go round the
kiosk's 31 services in turn, with a request id each, as ``bench/issue.lua`` posts them.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import HALL_FILE, ROOT, fresh_database, machine, summary
from sqlalchemy import event, make_url, text

from queues import services
from queues.context import Context
from queues.hall import config as hall_config
from queues.rules import issuing
from queues.store.db import Database
from tests.support import free_port, served_env, wait_healthy

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "issue.pgbench.sql"
BEFORE = HERE / "issue-before.pgbench.sql"
LUA = HERE / "issue.lua"
PGBENCH = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
VARIABLES = ("hall", "day", "service", "desk", "prefix", "zone", "related", "reach")


def context(url: str) -> Context:
    ctx = Context(db=Database(url), config=hall_config.load(HALL_FILE), open_always=True)
    ctx.issue_limit = 0
    return ctx


def kiosk_services() -> list[str]:
    return [s.code for s in hall_config.load(HALL_FILE).services if s.kiosk]


# --- the pgbench scripts --------------------------------------------------------------------


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def scripts(ctx: Context, template: Path, folder: Path) -> list[Path]:
    """One copy of ``template`` per kiosk service, its variables filled in as hallq fills them
    for that service (the desk queued for first, its prefix and zone, the queues its wait
    prediction reads: :func:`queues.line.load_snapshot`)."""
    cfg = ctx.config
    serving = cfg.windows_serving
    out = []
    for code in kiosk_services():
        svc = cfg.service(code)
        assert svc is not None
        first = issuing.first_desk(cfg, svc)
        reach = sorted(serving.get(first.code, frozenset()))
        related = sorted({c for c, ids in serving.items() if ids & set(reach)} | {first.code})
        values = {
            "hall": ctx.hall,
            "day": ctx.business_day().isoformat(),
            "service": code,
            "desk": first.code,
            "prefix": first.prefix,
            "zone": first.zone or "",
            "related": "{" + ",".join(related) + "}",
            "reach": "{" + ",".join(str(w) for w in reach) + "}",
        }
        body = template.read_text(encoding="utf-8")
        for name, value in values.items():
            body = re.sub(rf":{name}\b", _literal(value).replace("\\", "\\\\"), body)
        path = folder / f"{template.stem}-{code}.sql"
        path.write_text(body, encoding="utf-8")
        out.append(path)
    return out


def pgbench(url: str, paths: list[Path], clients: int, seconds: int) -> dict[str, float]:
    """pgbench on the scripts (each equally often), prepared statements as psycopg uses them."""
    parsed = make_url(url)
    options = parsed.query.get("options", "")
    env = {**os.environ, "PGOPTIONS": options if isinstance(options, str) else options[0]}
    command = [PGBENCH, "-n", "-M", "prepared", "-c", str(clients), "-j", "2"]
    command += ["-T", str(seconds), "-h", parsed.host or "127.0.0.1"]
    command += ["-p", str(parsed.port or 5432), "-U", parsed.username or "postgres"]
    for path in paths:
        command += ["-f", f"{path}@1"]
    command.append(parsed.database or "test")
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout

    def number(pattern: str) -> float:
        found = re.search(pattern, out)
        return float(found.group(1)) if found else 0.0

    found = {
        "tps": number(r"tps = ([0-9.]+)"),
        "latency": number(r"latency average = ([0-9.]+) ms"),
        "count": number(r"number of transactions actually processed: (\d+)"),
        "failed": number(r"number of failed transactions: (\d+)"),
    }
    return found


# --- hallq ------------------------------------------------------------------------------------


def _issue_for(ctx: Context, codes: list[str], seconds: float, tag: str) -> list[float]:
    """Issue round the services for ``seconds``: each ticket's latency."""
    latencies = []
    n = 0
    end = time.perf_counter() + seconds
    while True:
        t0 = time.perf_counter()
        if t0 >= end:
            return latencies
        services.issue(ctx, codes[n % len(codes)], request_id=f"{tag}-{n}")
        latencies.append(time.perf_counter() - t0)
        n += 1


def bench_threads(url: str, threads: int, seconds: int) -> dict[str, Any]:
    ctx = context(url)
    codes = kiosk_services()
    _issue_for(ctx, codes, 0.5, "warm")  # connections, prepared statements, caches
    reset(url)
    found: list[list[float]] = [[] for _ in range(threads)]

    def work(k: int) -> None:
        found[k] = _issue_for(ctx, codes, seconds, f"t{k}")

    start = time.perf_counter()
    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    ctx.db.dispose()
    latencies = [x for part in found for x in part]
    return {"rate": len(latencies) / elapsed, "count": len(latencies), "latencies": latencies}


def _process_share(url: str, seconds: float, start_at: float, k: int) -> list[float]:
    ctx = context(url)
    codes = kiosk_services()
    _issue_for(ctx, codes, 0.3, f"warm{k}")
    time.sleep(max(0.0, start_at - time.time()))
    latencies = _issue_for(ctx, codes, seconds, f"p{k}")
    ctx.db.dispose()
    return latencies


def bench_processes(url: str, processes: int, seconds: int) -> dict[str, Any]:
    reset(url)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=spawn) as pool:
        start_at = time.time() + 8  # all of them started and warmed up by then
        futures = [pool.submit(_process_share, url, seconds, start_at, k) for k in range(processes)]
        parts = [f.result() for f in futures]
    latencies = [x for part in parts for x in part]
    return {"rate": len(latencies) / seconds, "count": len(latencies), "latencies": latencies}


def bench_http(
    url: str, workers: int, threads: int, worker_class: str, clients: int, seconds: int
) -> dict[str, Any]:
    """gunicorn as ``deploy/hallq-web.service`` runs it, loaded by wrk with bench/issue.lua."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--threads", str(threads), "--worker-class", worker_class]
    command += ["--bind", f"127.0.0.1:{port}", "--keep-alive", "30", "app:server"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=served_env(url, HALL_FILE, {}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HALLQ_BENCH_SERVICES": ",".join(kiosk_services())}
    try:
        wait_healthy(base, process=process)
        wrk = ["wrk", "-t2", f"-c{clients}", "-s", str(LUA), base]
        subprocess.run([*wrk[:1], "-d2s", *wrk[1:]], capture_output=True, env=env, check=True)
        reset(url)
        out = subprocess.run(
            [*wrk[:1], f"-d{seconds}s", *wrk[1:]],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
    finally:
        process.terminate()
        process.wait(timeout=30)
    found = {
        key: float(value)
        for line in out.splitlines()
        if line.startswith("HALLQ ")
        for key, value in zip(line.split()[1::2], line.split()[2::2], strict=False)
    }
    return {
        "rate": found["requests"] / found["seconds"],
        "count": int(found["requests"]),
        "p50": found["p50"] / 1000,
        "p99": found["p99"] / 1000,
        "errors": int(found["errors"]),
    }


def reset(url: str) -> None:
    """Forget the tickets (and what hangs on them); the day's counters stay."""
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("TRUNCATE tickets CASCADE"))
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    db.dispose()


# --- what one REST issue sends ----------------------------------------------------------------


def statements(url: str) -> tuple[list[str], int]:
    """The statements one REST issue sends, in order, traced on the wire (libpq's trace), and
    its round trips; after a few issues, as a running server sends them."""
    import psycopg

    from app import create_app

    ctx = context(url)
    client = create_app(ctx).server.test_client()
    codes = kiosk_services()
    for n in range(3):
        answer = client.post("/api/v1/tickets", json={"service": codes[0], "request_id": f"w{n}"})
        assert answer.status_code == 201, answer.get_json()
    with tempfile.NamedTemporaryFile("w+", suffix=".trace") as trace:
        traced = []

        def on_checkout(dbapi: Any, _record: Any, _proxy: Any) -> None:
            dbapi.prepare_threshold = None  # every statement's text on the wire
            dbapi.pgconn.trace(trace.fileno())
            flags = psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE
            dbapi.pgconn.set_trace_flags(flags)
            traced.append(dbapi)

        # before any other checkout listener: the pool's own ping, if any, is traced too
        event.listen(ctx.db.engine.pool, "checkout", on_checkout, insert=True)
        answer = client.post("/api/v1/tickets", json={"service": codes[0], "request_id": "x"})
        assert answer.status_code == 201, answer.get_json()
        event.remove(ctx.db.engine.pool, "checkout", on_checkout)
        for dbapi in traced:
            dbapi.pgconn.untrace()
        lines = Path(trace.name).read_text().splitlines()
    ctx.db.dispose()
    sent = []
    for line in lines:
        parts = line.split("\t")
        if len(parts) > 3 and parts[0] == "F" and parts[2] in ("Query", "Parse"):
            sent.append(parts[3].strip().removeprefix('"" ').strip('"').split(" ")[0:4])
    round_trips = sum(1 for line in lines if "\tReadyForQuery" in line)
    return [" ".join(words) for words in sent], round_trips


# --- the run ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of every stretch")
    parser.add_argument("--clients", type=int, default=8, help="pgbench and wrk connections")
    parser.add_argument("--threads", type=int, default=4, help="threads calling services.issue")
    parser.add_argument("--processes", type=int, default=4, help="processes calling it (0: no)")
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4], help="gunicorn's")
    parser.add_argument("--gunicorn-threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", help="gunicorn's (gthread, gevent)")
    parser.add_argument("--before", action="store_true", help="also pgbench the old statements")
    parser.add_argument("--statements", action="store_true", help="print them and stop")
    args = parser.parse_args()
    with fresh_database("postgres") as url:
        if args.statements:
            sent, round_trips = statements(url)
            for n, words in enumerate(sent, 1):
                print(f"{n:2}. {words}")
            print(f"round trips: {round_trips}")
            return
        run(url, args)


def run(url: str, args: argparse.Namespace) -> None:
    version = subprocess.run([PGBENCH, "--version"], capture_output=True, text=True).stdout
    print(f"# bench_issue_pg.py, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    print(f"# {version.strip()}; every stretch {args.seconds} s from no tickets", flush=True)
    ctx = context(url)
    for code in kiosk_services():  # every prefix's counter row made, as after a day's first
        services.issue(ctx, code)
    ctx.db.dispose()
    rows: list[tuple[str, dict[str, Any]]] = []

    def show(label: str, found: dict[str, Any]) -> None:
        rows.append((label, found))
        if "latencies" in found:
            detail = summary(found["latencies"])
        elif "p50" in found:
            detail = (
                f"median {found['p50']:.2f} ms, p99 {found['p99']:.2f} ms, errors {found['errors']}"
            )
        else:
            detail = f"latency average {found['latency']:.2f} ms, failed {int(found['failed'])}"
        print(f"  {label}: {found['rate']:.0f}/s ({int(found['count'])}); {detail}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        reset(url)
        found = pgbench(url, scripts(context(url), SCRIPT, folder), args.clients, args.seconds)
        show(f"pgbench, issue.pgbench.sql, {args.clients} clients", {**found, "rate": found["tps"]})
        bound = found["tps"]
        if args.before:
            reset(url)
            found = pgbench(url, scripts(context(url), BEFORE, folder), args.clients, args.seconds)
            show(
                f"pgbench, issue-before.pgbench.sql, {args.clients} clients",
                {**found, "rate": found["tps"]},
            )
    show(f"services.issue, {args.threads} threads", bench_threads(url, args.threads, args.seconds))
    if args.processes:
        show(
            f"services.issue, {args.processes} processes",
            bench_processes(url, args.processes, args.seconds),
        )
    for workers in args.workers:
        show(
            f"HTTP, gunicorn {workers} workers × {args.gunicorn_threads} threads "
            f"({args.worker_class}), wrk {args.clients} connections",
            bench_http(
                url, workers, args.gunicorn_threads, args.worker_class, args.clients, args.seconds
            ),
        )
    print("ratios to pgbench of issue.pgbench.sql:")
    for label, found in rows[1:]:
        print(f"  {label}: {found['rate'] / bound:.2f}")


if __name__ == "__main__":
    main()
