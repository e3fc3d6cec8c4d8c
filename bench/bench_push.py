"""Push to screens (issue 14): the wallboard hears a call on its live stream, not by its next poll.

Three benchmarks, each on its own (run by hand, never in the tests; other benchmarks take the
same lock):

    flock /tmp/hallq-bench.lock .venv/bin/python bench/bench_push.py screen [--calls 40]
    flock /tmp/hallq-bench.lock .venv/bin/python bench/bench_push.py polls [--seconds 10]
    flock /tmp/hallq-bench.lock .venv/bin/python bench/bench_push.py idle [--minutes 5]

(``--screens 300`` by default; ``--help`` on each for the rest.)

``screen``: call to number on ``/display`` in headless Chromium while 300 other screens are
connected, PostgreSQL, deployed as docs/deploy.md says: nginx in front (``proxy_buffering off``
on the stream's location), the pages on gunicorn gthread workers, the streams on gunicorn gevent
workers. Run twice in one go: push on (the other screens hold streams) and ``HALLQ_PUSH=0`` (the
screens poll ``/api/v1/display/version`` once a second, as before issue 14). Goal: p95 <= 300 ms.

``polls``: polls per second when nothing changed, ``GET /api/v1/display/version?zone=general``
and ``GET /api/v1/display?zone=general`` with ``If-None-Match`` (304), wrk against gunicorn with
2 gthread workers, push on and off, SQLite and PostgreSQL. Goal: push >= 2x push-off.

``idle``: what 300 connected screens cost when nothing happens: CPU and memory of every gunicorn
process (and nginx) with no screen, then with 300 streams for 5 minutes, then (``--busy-seconds``)
with a call every second; the pings each screen heard (one per 15 s of silence).

nginx comes from the distribution (``apt-get install nginx-light``); without it ``screen`` and
``idle`` point everything at the stream service, which serves the pages too (the same app).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from common import (
    PG_DEFAULT,
    ROOT,
    free_port,
    fresh_database,
    headless_chrome,
    machine,
    percentile,
)

from tests.support import MAIN_HALL, http, postgres_schema, served_env, stop, wait_healthy

HALL = MAIN_HALL  # window 5 serves tax (T…) in zone general
WINDOW = 5
STREAM_PATHS = (
    "/api/v1/display/stream",
    "/api/v1/display/stream",
    "/api/v1/display/stream?zone=general",
)
POLL_PATHS = (
    "/api/v1/display/version",
    "/api/v1/display/version",
    "/api/v1/display/version?zone=general",
)

WATCH = """
window.hallqSeen = null;
const want = arguments[0];
const observer = new MutationObserver(() => {
    const el = document.getElementById("display-number");
    if (el && el.textContent === want && window.hallqSeen === null) {
        window.hallqSeen = performance.timeOrigin + performance.now();
        observer.disconnect();
    }
});
observer.observe(document.body, {subtree: true, childList: true, characterData: true});
"""


def pg_base() -> str:
    return os.environ.get("HALLQ_BENCH_POSTGRES_URL", PG_DEFAULT)


# --- the services ---------------------------------------------------------------------------


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    port: int
    log: Path
    extra: list[int] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[tuple[str, int]]:
        """(role, pid) of the master and each of its worker processes."""
        import psutil

        master = psutil.Process(self.process.pid)
        out = [(f"{self.name} master", master.pid)]
        for i, child in enumerate(sorted(master.children(), key=lambda c: c.pid)):
            out.append((f"{self.name} worker {i + 1}", child.pid))
        return out


@contextmanager
def gunicorn(
    name: str, url: str, folder: Path, *, green: bool, workers: int, threads: int = 4, **env: str
) -> Iterator[Service]:
    """``gunicorn app:server`` as docs/deploy.md runs it: pages on gthread workers, or the stream
    service on gevent workers (``green``)."""
    port = free_port()
    model = (
        ("--worker-class", "gevent", "--worker-connections", "1000", "--graceful-timeout", "5")
        if green
        else ("--threads", str(threads))
    )
    log = folder / f"{name}-{port}.log"
    with log.open("wb") as err:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "--workers", str(workers), *model),
                *("--bind", f"127.0.0.1:{port}", "app:server"),
            ],
            cwd=ROOT,
            env=served_env(url, HALL, env),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    service = Service(name, process, port, log)
    try:
        wait_healthy(service.base, process=process)
        yield service
    finally:
        stop(process)


NGINX_CONF = """
daemon off;
worker_processes auto;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location ~ ^/api/v1/(halls/[a-z][a-z0-9-]*/)?display/stream$ {{
            proxy_pass http://127.0.0.1:{stream};
            proxy_buffering off;
            proxy_read_timeout 1h;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
        location / {{
            proxy_pass http://127.0.0.1:{pages};
            proxy_set_header Host $host;
        }}
    }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )


@contextmanager
def front(pages: Service, stream: Service, folder: Path) -> Iterator[Service]:
    """nginx on one origin: the stream's location to ``stream``, everything else to ``pages``
    (docs/deploy.md). Without nginx: the stream service alone (it serves the pages too)."""
    binary = nginx_binary()
    if binary is None:
        yield stream
        return
    port = free_port()
    home = folder / f"nginx-{port}"
    home.mkdir()
    user = "user root;" if os.geteuid() == 0 else ""
    conf = home / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(dir=home, user=user, port=port, stream=stream.port, pages=pages.port)
    )
    process = subprocess.Popen(
        [binary, "-p", str(home), "-c", str(conf), "-e", str(home / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    service = Service("nginx", process, port, home / "error.log")
    try:
        wait_healthy(service.base, process=process)
        yield service
    finally:
        stop(process)


@contextmanager
def deployment(
    url: str, folder: Path, pages_workers: int, **env: str
) -> Iterator[tuple[Service, Service, Service]]:
    """Pages (gthread), streams (2 gevent workers), nginx in front: (front, pages, stream)."""
    with (
        gunicorn("pages", url, folder, green=False, workers=pages_workers, **env) as pages,
        gunicorn("stream", url, folder, green=True, workers=2, **env) as stream,
        front(pages, stream, folder) as door,
    ):
        yield door, pages, stream


def admin_token(url: str) -> str:
    from queues.access import tokens
    from tests.support import make_context

    ctx = make_context(url, open_always=True)
    try:
        return tokens.create_token(ctx, "admin", "bench-push")
    finally:
        ctx.db.dispose()


def post(base: str, path: str, token: str, body: object = None) -> dict:
    status, answer = http(base, "POST", path, body if body is not None else {}, token=token)
    if status >= 400:
        raise RuntimeError(f"POST {path}: {status} {answer}")
    return answer if isinstance(answer, dict) else {}


# --- many screens at once: one asyncio process ------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        key, _, value = line.decode("latin-1").partition(":")
        headers[key.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            size = int((await reader.readline()).strip() or b"0", 16)
            if size == 0:
                await reader.readline()
                break
            body += await reader.readexactly(size)
            await reader.readline()
    else:
        body = b""
    return status, headers, body


async def _stream_screen(rec: dict, host: str, port: int, stop: asyncio.Event) -> None:
    request = (
        f"GET {rec['path']} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
        "Cache-Control: no-cache\r\n\r\n"
    ).encode()
    while not stop.is_set():
        writer = None
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            status = int(status_line.split()[1])
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            if status != 200:
                rec["refused"] += 1
            else:
                rec["connects"] += 1
                event = None
                while True:
                    line = await reader.readline()
                    if not line:
                        break
                    line = line.rstrip(b"\r\n")
                    if line.startswith(b"event: "):
                        event = line[7:]
                    elif line.startswith(b"data: ") and event is not None:
                        if event == b"board":
                            version = json.loads(line[6:])["version"]
                            rec["boards"].append((time.time(), version))
                        elif event == b"ping":
                            rec["pings"] += 1
                        event = None
                rec["ended"] += 1
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            rec["errors"] += 1
        finally:
            if writer is not None:
                writer.close()
        # the stream's retry: 3000 (a refused stream: the page waits 5 s and more)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 3.0 if not rec["refused"] else 5.0)


async def _poll_screen(rec: dict, host: str, port: int, stop: asyncio.Event) -> None:
    request = (
        f"GET {rec['path']} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n\r\n"
    ).encode()
    reader = writer = None
    last = None
    tick = time.monotonic() + random.random()
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), max(0.0, tick - time.monotonic()))
            break
        except TimeoutError:
            pass
        tick += 1.0
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            await writer.drain()
            status, headers, body = await _read_response(reader)
            rec["polls"] += 1
            if status == 200:
                version = json.loads(body)["version"]
                if version != last:
                    rec["boards"].append((time.time(), version))
                    last = version
            else:
                rec["refused"] += 1
            if headers.get("connection", "").lower() == "close":
                writer.close()
                writer = None
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            rec["errors"] += 1
            if writer is not None:
                writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def _screens(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    paths = STREAM_PATHS if args.mode == "stream" else POLL_PATHS
    recs = [
        {
            "path": paths[i % len(paths)],
            "boards": [],
            "pings": 0,
            "polls": 0,
            "connects": 0,
            "refused": 0,
            "ended": 0,
            "errors": 0,
        }
        for i in range(args.screens)
    ]
    run = _stream_screen if args.mode == "stream" else _poll_screen
    tasks = []
    for rec in recs:  # screens come on one by one, as a hall's do
        tasks.append(asyncio.create_task(run(rec, args.host, args.port, stop)))
        await asyncio.sleep(0.01)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(r["boards"] for r in recs):
        await asyncio.sleep(0.1)
    print(f"ready {sum(1 for r in recs if r['boards'])}", flush=True)
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    Path(args.out).write_text(json.dumps(recs))


@contextmanager
def screens(door: Service, n: int, mode: str, folder: Path) -> Iterator[dict]:
    """``n`` screens on ``door`` in a process of their own (``mode`` stream or poll), connected
    when this yields; yields a dict that holds their records (``recs``) and the process (``pid``)
    once they are stopped."""
    out = folder / f"screens-{mode}-{time.monotonic_ns()}.json"
    process = subprocess.Popen(
        [
            *(sys.executable, __file__, "_screens", "--mode", mode, "--screens", str(n)),
            *("--port", str(door.port), "--out", str(out)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    result: dict = {"pid": process.pid}
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("ready"):
            raise RuntimeError(f"the screens did not come up: {line!r}")
        result["ready"] = int(line.split()[1])
        began = time.monotonic()
        yield result
    finally:
        result["seconds"] = time.monotonic() - began if "ready" in result else 0.0
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        if out.exists():
            result["recs"] = json.loads(out.read_text())


def delivery(recs: list[dict], calls: list[tuple[float, float]]) -> list[float]:
    """For each call (its start, the start of what followed it) and screen: seconds from the call
    to the first version the screen heard in that span (missing: not heard in time)."""
    out: list[float] = []
    for rec in recs:
        times = [t for t, _ in rec["boards"]]
        for began, until in calls:
            heard = next((t for t in times if began <= t < until), None)
            if heard is not None:
                out.append(heard - began)
    return out


# --- 1. call to number on the wallboard ----------------------------------------------------------


def chromium():
    return headless_chrome()


def ms(values: list[float]) -> str:
    v = [x * 1000 for x in values]
    if not v:
        return "no values"
    return (
        f"median {statistics.median(v):.0f} ms, p90 {percentile(v, 90):.0f} ms, "
        f"p95 {percentile(v, 95):.0f} ms, max {max(v):.0f} ms"
    )


VARIANTS = {
    "push": "push (streams)",
    "poll": "HALLQ_PUSH=0 (every screen polls once a second)",
}
MISSED_S = 15.0
"""A number not on the wallboard this long after its call counts as this long, and is named."""


def one_screen_run(
    url: str, folder: Path, token: str, *, variant: str, calls: int, n: int, pages_workers: int
) -> dict:
    push = variant != "poll"
    env = {} if push else {"HALLQ_PUSH": "0"}
    with deployment(url, folder, pages_workers, **env) as (door, _pages, _stream):
        base = door.base
        post(base, f"/api/v1/windows/{WINDOW}/resume", token)
        with screens(door, n, "stream" if push else "poll", folder) as crowd:
            driver = chromium()
            latencies, posts, spans, missed = [], [], [], []
            try:
                driver.get(base + "/display?mute=1")
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    live = driver.execute_script("return window.hallqLive || null;")
                    if live and (live.get("events", 0) >= 1 if push else live.get("polls", 0) >= 1):
                        break
                    time.sleep(0.1)
                else:
                    raise RuntimeError(f"the wallboard never went live: {live}")
                time.sleep(1)
                for i in range(calls + 2):
                    ticket = post(base, "/api/v1/tickets", token, {"service": "tax"})
                    time.sleep(1.3)  # the issue itself moves the board: let the screen settle
                    driver.execute_script(WATCH, ticket["number"])
                    time.sleep((i % 7) / 7)  # calls land anywhere within a poll second
                    started = time.time()
                    post(base, f"/api/v1/windows/{WINDOW}/call-next", token)
                    answered = time.time()
                    seen = None
                    deadline = time.monotonic() + MISSED_S
                    while seen is None and time.monotonic() < deadline:
                        seen = driver.execute_script("return window.hallqSeen")
                        if seen is None:
                            time.sleep(0.02)
                    if seen is None:  # counted as MISSED_S (the percentiles say "at least")
                        missed.append(ticket["number"])
                        seen = (started + MISSED_S) * 1000
                    time.sleep(0.3)  # the other screens: a poll second's worth more to hear it
                    if not push:
                        time.sleep(0.8)
                    finished = time.time()
                    post(base, f"/api/v1/windows/{WINDOW}/finish", token)
                    if i >= 2:  # two to warm up
                        latencies.append(seen / 1000 - started)
                        posts.append(answered - started)
                        spans.append((started, finished))
                live = driver.execute_script("return window.hallqLive;")
            finally:
                driver.quit()
    recs = crowd.get("recs", [])
    heard = delivery(recs, spans)
    return {
        "variant": variant,
        "missed": missed,
        "latencies": latencies,
        "posts": posts,
        "live": {"events": live.get("events"), "polls": live.get("polls")},
        "screens": len(recs),
        "screens_ready": crowd.get("ready"),
        "heard": heard,
        "expected": len(recs) * len(spans),
        "errors": sum(r["errors"] for r in recs),
        "refused": sum(r["refused"] for r in recs),
        "poll_rate": sum(r["polls"] for r in recs) / max(crowd.get("seconds", 0.0), 1e-9),
    }


def bench_screen(args: argparse.Namespace) -> None:
    print(
        f"## call to number on /display, Chromium, {args.screens} other screens, "
        f"{args.calls} calls, PostgreSQL; "
        f"nginx: {nginx_binary() or 'none (stream service alone)'}; "
        f"pages: gunicorn {args.pages_workers} gthread workers x 4 threads, "
        "streams: gunicorn 2 gevent workers",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp, postgres_schema(pg_base(), HALL) as url:
        token = admin_token(url)
        results = []
        for variant in args.variants.split(","):
            r = one_screen_run(
                url,
                Path(tmp),
                token,
                variant=variant,
                calls=args.calls,
                n=args.screens,
                pages_workers=args.pages_workers,
            )
            results.append(r)
            label = VARIANTS[variant]
            print(f"  {label}: call to number on /display: {ms(r['latencies'])}", flush=True)
            print(f"    the call's POST alone: {ms(r['posts'])}", flush=True)
            if r["missed"]:
                print(
                    f"    NOT on the wallboard within {MISSED_S:.0f} s (counted as "
                    f"{MISSED_S:.0f} s): {', '.join(r['missed'])}",
                    flush=True,
                )
            if args.each:
                each = ", ".join(f"{x * 1000:.0f}" for x in r["latencies"])
                print(f"    each call, ms: {each}", flush=True)
            print(
                f"    the wallboard: {r['live']['events']} versions by stream, "
                f"{r['live']['polls']} polls",
                flush=True,
            )
            print(
                f"    the other {r['screens']} screens ({r['screens_ready']} live before the "
                f"calls): heard {len(r['heard'])} of {r['expected']} calls in time, "
                f"{ms(r['heard'])}; errors {r['errors']}, refused {r['refused']}"
                + (f"; {r['poll_rate']:.0f} polls/s in all" if r["poll_rate"] else ""),
                flush=True,
            )
    for r in results:
        p95 = percentile(r["latencies"], 95) * 1000
        goal = "met" if p95 <= 300 else "NOT met"
        print(f"  goal p95 <= 300 ms, {VARIANTS[r['variant']]}: {goal} ({p95:.0f} ms)", flush=True)


# --- 2. polls per second when nothing changed ---------------------------------------------------


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str] | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, env=os.environ
    ).stdout
    lines = out.splitlines()

    def after(prefix: str) -> str:
        return next((ln.split()[-1] for ln in lines if ln.strip().startswith(prefix)), "?")

    errors = [ln.strip() for ln in lines if "Non-2xx" in ln or "Socket errors" in ln]
    return {
        "rate": float(after("Requests/sec")),
        "p50": after("50%"),
        "p99": after("99%"),
        "errors": "; ".join(errors) or "no errors",
    }


def bench_polls(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        print("## polls: wrk is not installed (apt-get install wrk); skipped")
        return
    print(
        f"## polls when nothing changed: wrk -t2 -c{args.connections} -d{args.seconds}s against "
        "gunicorn 2 gthread workers x 4 threads (no proxy)",
        flush=True,
    )
    rows = []
    for kind in ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory() as tmp, fresh_database(kind, HALL) as url:
            token = admin_token(url)
            for push in (False, True):
                env = {} if push else {"HALLQ_PUSH": "0"}
                with gunicorn("pages", url, Path(tmp), green=False, workers=2, **env) as pages:
                    base = pages.base
                    post(base, f"/api/v1/windows/{WINDOW}/resume", token)
                    post(base, "/api/v1/tickets", token, {"service": "tax"})
                    for _ in range(200):  # both workers: feed loaded (push), caches warm
                        http(base, "GET", "/api/v1/display/version?zone=general")
                    time.sleep(1)
                    answer: dict[str, str] = {}
                    http(base, "GET", "/api/v1/display?zone=general", answer_headers=answer)
                    etag = answer.get("ETag", "")
                    status, _ = http(
                        base,
                        "GET",
                        "/api/v1/display?zone=general",
                        headers={"If-None-Match": etag},
                    )
                    version = wrk(
                        f"{base}/api/v1/display/version?zone=general",
                        args.seconds,
                        args.connections,
                    )
                    board = wrk(
                        f"{base}/api/v1/display?zone=general",
                        args.seconds,
                        args.connections,
                        {"If-None-Match": etag},
                    )
                rows.append((kind, push, version, board, status))
                label = "push on " if push else "HALLQ_PUSH=0"
                print(
                    f"  {kind:10} {label}: /display/version {version['rate']:.0f}/s "
                    f"(p50 {version['p50']}, p99 {version['p99']}, {version['errors']}); "
                    f"/display + If-None-Match ({status}) {board['rate']:.0f}/s "
                    f"(p50 {board['p50']}, p99 {board['p99']}, {board['errors']})",
                    flush=True,
                )
    for kind in ("sqlite", "postgresql"):
        off = next(r for r in rows if r[0] == kind and not r[1])
        on = next(r for r in rows if r[0] == kind and r[1])
        rv, rb = on[2]["rate"] / off[2]["rate"], on[3]["rate"] / off[3]["rate"]
        goal = "met" if rv >= 2 else "NOT met"
        print(
            f"  {kind}: push / push-off: /display/version x{rv:.2f} (goal x2: {goal}), "
            f"/display 304 x{rb:.2f}",
            flush=True,
        )


# --- 3. the idle cost of 300 connected screens ----------------------------------------------------


def sample(procs: list[tuple[str, int]], seconds: float, every: float = 5.0) -> dict[str, dict]:
    """Mean CPU (% of one core) and max RSS (MB) of each process over ``seconds``, and the
    machine's CPU (% of all cores)."""
    import psutil

    handles = [(role, psutil.Process(pid)) for role, pid in procs]
    cpu: dict[str, list[float]] = {role: [] for role, _ in handles}
    rss: dict[str, float] = {role: 0.0 for role, _ in handles}
    for _, p in handles:
        p.cpu_percent(None)
    psutil.cpu_percent(None)
    machine_cpu = []
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        time.sleep(min(every, max(0.0, ends - time.monotonic())))
        machine_cpu.append(psutil.cpu_percent(None))
        for role, p in handles:
            try:
                cpu[role].append(p.cpu_percent(None))
                rss[role] = max(rss[role], p.memory_info().rss / 2**20)
            except psutil.NoSuchProcess:
                pass
    out = {
        role: {"cpu": statistics.fmean(cpu[role]) if cpu[role] else float("nan"), "rss": rss[role]}
        for role, _ in handles
    }
    out["machine (all cores)"] = {"cpu": statistics.fmean(machine_cpu), "rss": float("nan")}
    return out


def _calls_every_second(base: str, token: str, seconds: float, spans: list) -> None:
    ends = time.monotonic() + seconds
    tick = time.monotonic()
    while time.monotonic() < ends:
        post(base, "/api/v1/tickets", token, {"service": "tax"})
        tick += 0.5
        time.sleep(max(0.0, tick - time.monotonic()))
        started = time.time()
        post(base, f"/api/v1/windows/{WINDOW}/call-next", token)
        tick += 0.5
        time.sleep(max(0.0, tick - time.monotonic()))
        spans.append((started, time.time()))
        post(base, f"/api/v1/windows/{WINDOW}/finish", token)


def bench_idle(args: argparse.Namespace) -> None:
    import psutil

    print(
        f"## idle cost: {args.screens} streams for {args.minutes} min, PostgreSQL, "
        f"pages: gunicorn {args.pages_workers} gthread workers, streams: gunicorn 2 gevent "
        f"workers, nginx: {nginx_binary() or 'none'}",
        flush=True,
    )
    with (
        tempfile.TemporaryDirectory() as tmp,
        postgres_schema(pg_base(), HALL) as url,
        deployment(url, Path(tmp), args.pages_workers) as (door, pages, stream),
    ):
        token = admin_token(url)
        post(door.base, f"/api/v1/windows/{WINDOW}/resume", token)
        for _ in range(20):  # every worker has its feed going before the quiet minute
            http(door.base, "GET", "/api/v1/display/version")
        procs = pages.pids() + stream.pids()
        if door is not stream:
            procs += door.pids()
        time.sleep(5)
        phases = []
        quiet = sample(procs, args.quiet_seconds)
        phases.append(("no screen", args.quiet_seconds, quiet))
        print(f"  no screen, {args.quiet_seconds:.0f} s: sampled", flush=True)
        with screens(door, args.screens, "stream", Path(tmp)) as crowd:
            time.sleep(2)
            screens_pid = [("the screens' client (not hallq)", crowd["pid"])]
            held = sample(procs + screens_pid, args.minutes * 60)
            phases.append((f"{args.screens} streams, nothing happens", args.minutes * 60, held))
            print(f"  {args.screens} streams, {args.minutes} min: sampled", flush=True)
            open_after_idle = [
                len(psutil.Process(pid).net_connections(kind="tcp")) for _, pid in stream.pids()
            ]
            spans: list = []
            if args.busy_seconds:
                import threading

                worker = threading.Thread(
                    target=_calls_every_second,
                    args=(door.base, token, args.busy_seconds, spans),
                    daemon=True,
                )
                worker.start()
                busy = sample(procs + screens_pid, args.busy_seconds)
                worker.join()
                phases.append((f"{args.screens} streams, a call a second", args.busy_seconds, busy))
                print(f"  {args.screens} streams, a call a second: sampled", flush=True)
        recs = crowd.get("recs", [])
    roles = list(phases[-1][2])
    print("  | process | " + " | ".join(name for name, _, _ in phases) + " |")
    print("  | --- |" + " ---: |" * len(phases))
    for role in roles:
        cells = []
        for _, _, figures in phases:
            f = figures.get(role)
            if f is None:
                cells.append("—")
            elif f["rss"] != f["rss"]:  # nan: the machine
                cells.append(f"{f['cpu']:.1f} %")
            else:
                cells.append(f"{f['cpu']:.2f} % CPU, {f['rss']:.0f} MB")
        print(f"  | {role} | " + " | ".join(cells) + " |")
    pings = [r["pings"] for r in recs]
    boards = [len(r["boards"]) for r in recs]
    print(
        f"  the {len(recs)} screens ({crowd.get('ready')} live at the start): pings heard "
        f"min {min(pings)}, median {statistics.median(pings):.0f}, max {max(pings)}; "
        f"streams opened {sum(r['connects'] for r in recs)}, ended by the server "
        f"{sum(r['ended'] for r in recs)}, refused {sum(r['refused'] for r in recs)}, errors "
        f"{sum(r['errors'] for r in recs)}; versions heard per screen min {min(boards)}, "
        f"max {max(boards)}; stream workers' TCP connections after the quiet minutes "
        f"{open_after_idle}",
        flush=True,
    )
    if spans:
        heard = delivery(recs, spans)
        print(
            f"  a call a second: {len(spans)} calls, heard by the screens {len(heard)} of "
            f"{len(recs) * len(spans)} times; call to version on the screen {ms(heard)}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("screen", help="call to number in Chromium, 300 other screens")
    one.add_argument("--calls", type=int, default=40)
    one.add_argument("--screens", type=int, default=300)
    one.add_argument("--pages-workers", type=int, default=2)
    one.add_argument("--each", action="store_true", help="print every call's time")
    one.add_argument("--variants", default="push,poll", help="of " + ", ".join(VARIANTS))
    two = sub.add_parser("polls", help="polls/s when nothing changed, push on and off")
    two.add_argument("--seconds", type=int, default=10)
    two.add_argument("--connections", type=int, default=50)
    three = sub.add_parser("idle", help="CPU and memory of 300 connected screens")
    three.add_argument("--minutes", type=float, default=5)
    three.add_argument("--screens", type=int, default=300)
    three.add_argument("--quiet-seconds", type=float, default=60)
    three.add_argument("--busy-seconds", type=float, default=60)
    three.add_argument("--pages-workers", type=int, default=2)
    client = sub.add_parser("_screens", help=argparse.SUPPRESS)
    client.add_argument("--mode", choices=("stream", "poll"), required=True)
    client.add_argument("--screens", type=int, required=True)
    client.add_argument("--host", default="127.0.0.1")
    client.add_argument("--port", type=int, required=True)
    client.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.what == "_screens":
        asyncio.run(_screens(args))
        return
    print(f"# bench_push.py {args.what}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    {"screen": bench_screen, "polls": bench_polls, "idle": bench_idle}[args.what](args)


if __name__ == "__main__":
    main()
