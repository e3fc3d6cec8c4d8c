"""A busy city hall for five minutes, on PostgreSQL with four web workers (issue 6).

    .venv/bin/python bench/bench_load.py [--seconds 300] [--screens 300] [--kiosks 10]
        [--clerks 35] [--workers 4] [--threads 4]

gunicorn (``--workers 4 --threads 4``, gthread) serves ``app:server`` beside one ``hallq worker``,
on a fresh PostgreSQL schema, all on loopback. The load, from this process:

* **screens**: each polls ``GET /api/v1/display/version`` once a second on a keep-alive
  connection of its own (a third of them the whole hall's, the rest one zone's), and when the
  version moved fetches ``GET /api/v1/display``, as the wallboards do; a screen notes when it
  first shows each call;
* **kiosks**: each takes a ticket (``POST /api/v1/tickets``) every ``--kiosk-every`` seconds
  (30: 1,200 tickets an hour from ten kiosks, twenty times the default hall's busiest hour) for
  the services of its zone;
* **clerks**: each at a window of their own: call the next (again after 3-8 s while nobody
  waits), start after a few seconds, finish after a service time drawn around the service's,
  ``--pace`` times faster than real (5), pause now and then.

Reported: latencies of each kind of request as the load sees them and as gunicorn's access log
times them (the server's own time, without the listen queue or the load generator's threads;
``--threads 1`` runs sync workers for comparison), errors, call to screen (from the call's answer to
the screen's first drawing of it, over every screen that shows it), and CPU seconds and peak
memory of each process. Goals: no error, issue p95 ≤ 100 ms, poll p95 ≤ 50 ms, call to screen
p95 ≤ 1.5 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from common import HALL_FILE, ROOT, free_port, fresh_database, machine, percentile

from queues.access import tokens
from queues.context import Context
from queues.hall import config as hall_config
from queues.store.db import Database

TICK = os.sysconf("SC_CLK_TCK")


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.shown: list[float] = []
        self.samples: list[str] = []

    def note(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1


class Client:
    """One keep-alive HTTP connection."""

    def __init__(self, port: int, stats: Stats, token: str | None = None) -> None:
        self.port, self.stats, self.token = port, stats, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, kind: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        began = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                status = response.status
                break
            except (OSError, http.client.HTTPException) as exc:
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                stale = isinstance(
                    exc, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
                )
                if attempt == 1 and stale:
                    continue  # a kept-alive connection the server had closed: as browsers do
                self.stats.note(kind, time.perf_counter() - began, False)
                if len(self.stats.samples) < 10:
                    self.stats.samples.append(f"{kind} {method} {path}: {exc!r}")
                return 0, {}
        elapsed = time.perf_counter() - began
        ok = status < 500 and status != 429
        self.stats.note(kind, elapsed, ok)
        if not ok and len(self.stats.samples) < 10:
            self.stats.samples.append(f"{kind} {method} {path}: {status} {raw[:200]!r}")
        try:
            return status, (json.loads(raw) if raw else {})
        except ValueError:
            return status, {}


def screen(port: int, zone: str | None, stats: Stats, calls: dict, stop: threading.Event) -> None:
    client = Client(port, stats)
    suffix = f"?zone={zone}" if zone else ""
    time.sleep(random.random())  # screens are not in step
    version = None
    seen: set[tuple[str, int, str]] = set()
    next_at = time.monotonic()
    while not stop.is_set():
        status, body = client.call("poll", "GET", f"/api/v1/display/version{suffix}")
        if status == 200 and body.get("version") != version:
            version = body["version"]
            status, board = client.call("board", "GET", f"/api/v1/display{suffix}")
            now = time.time()
            for c in board.get("calling", [])[:1] if status == 200 else []:
                key = (c["number"], c["window"], c["called_at"])
                if key in seen:
                    continue
                seen.add(key)
                with stats.lock:
                    made = calls.get((c["number"], c["window"]))
                    if made is not None:
                        stats.shown.append(now - made)
        next_at += 1.0
        stop.wait(max(0.0, next_at - time.monotonic()))


def kiosk(
    port: int, name: str, codes: list[str], every: float, stats: Stats, stop: threading.Event
) -> None:
    client = Client(port, stats)
    rng = random.Random(name)
    stop.wait(rng.random() * every)
    while not stop.is_set():
        client.call(
            "issue", "POST", "/api/v1/tickets", {"service": rng.choice(codes), "kiosk": name}
        )
        stop.wait(every)


def clerk(
    port: int,
    pace: float,
    window: int,
    token: str,
    minutes: dict[str, float],
    stats: Stats,
    calls: dict,
    stop: threading.Event,
) -> None:
    client = Client(port, stats, token)
    rng = random.Random(window)
    base = f"/api/v1/windows/{window}"
    client.call("act", "POST", f"{base}/resume")
    while not stop.is_set():
        status, ticket = client.call("call", "POST", f"{base}/call-next")
        if status == 204:  # nobody waits: the clerk looks at the console again in a few seconds
            stop.wait(rng.uniform(3, 8))
            continue
        if status != 200:
            stop.wait(1.0)
            continue
        with stats.lock:
            calls[(ticket["number"], window)] = time.time()
        stop.wait(rng.uniform(2, 6))
        client.call("start", "POST", f"{base}/start")
        service = minutes.get(ticket["service"], 8) * 60 / pace
        stop.wait(rng.lognormvariate(0, 0.4) * service)
        client.call("finish", "POST", f"{base}/finish", {"outcome": "done"})
        if rng.random() < 0.03:
            client.call("act", "POST", f"{base}/pause", {"reason": "休息"})
            stop.wait(rng.uniform(10, 30))
            client.call("act", "POST", f"{base}/resume")


def _server_times(log: str) -> dict[str, list[float]]:
    """Milliseconds per kind of request from the access log (``method path status ms``)."""
    kinds = {"version": "poll", "display": "board", "tickets": "issue", "call-next": "call"}
    kinds |= {"start": "start", "finish": "finish", "pause": "act", "resume": "act"}
    out: dict[str, list[float]] = defaultdict(list)
    for line in log.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[1].startswith("/api/v1/"):
            kind = kinds.get(parts[1].rsplit("/", 1)[-1])
            if kind:
                out[kind].append(float(parts[3]))
    return out


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return 0.0


def _peak_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _postgres_pids() -> list[int]:
    out = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--screens", type=int, default=300)
    parser.add_argument("--kiosks", type=int, default=10)
    parser.add_argument("--kiosk-every", type=float, default=30.0)
    parser.add_argument("--pace", type=float, default=5.0)
    parser.add_argument("--clerks", type=int, default=35)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gunicorn worker (1: sync workers)"
    )
    args = parser.parse_args()
    print(machine())
    config = hall_config.load(HALL_FILE)
    zones = [z.code for z in config.zones]
    minutes = {s.code: s.service_minutes for s in config.services}
    by_zone = {z: [s.code for s in config.services if s.zone == z and s.kiosk] for z in zones}
    with fresh_database("postgres") as url:
        ctx = Context(db=Database(url), config=config)
        token = tokens.create_token(ctx, "clerk", "load")
        ctx.db.dispose()
        port = free_port()
        env = {
            **os.environ,
            "HALLQ_DATABASE_URL": url,
            "HALLQ_CONFIG": str(HALL_FILE),
            "HALLQ_OPEN_ALWAYS": "1",
            "HALLQ_ISSUE_LIMIT": "0",
            "HALLQ_PRINTER": "dummy:",
            "HALLQ_PRINT_JOURNAL": f"/tmp/hallq-load-{port}.jsonl",
        }
        access = Path(f"/tmp/hallq-load-{port}.access")
        web = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "--workers", str(args.workers)),
                *("--threads", str(args.threads), "--keep-alive", "30"),
                *("--bind", f"127.0.0.1:{port}", "--access-logfile", str(access)),
                *("--access-logformat", "%(m)s %(U)s %(s)s %(M)s", "app:server"),
            ],
            cwd=ROOT,
            env=env,
            stderr=open(os.environ.get("HALLQ_BENCH_LOG", os.devnull), "w"),  # noqa: SIM115
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "cli", "worker"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
        )
        try:
            probe = Client(port, Stats())
            deadline = time.monotonic() + 60
            while probe.call("up", "GET", "/healthz")[0] != 200:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not come up")
                time.sleep(0.5)
            time.sleep(2)
            pids = {"gunicorn master": [web.pid], "gunicorn workers": _children(web.pid)}
            pids["hallq worker"] = [worker.pid]
            pids["postgres (all backends)"] = _postgres_pids()
            pids["load generator (this)"] = [os.getpid()]
            cpu0 = {k: sum(_cpu(p) for p in v) for k, v in pids.items()}

            logged_from = access.stat().st_size
            stats, calls, stop = Stats(), {}, threading.Event()
            threads = []
            for i in range(args.screens):
                zone = None if i % 3 == 0 else zones[i % len(zones)]
                threads.append(
                    threading.Thread(target=screen, args=(port, zone, stats, calls, stop))
                )
            for i in range(args.kiosks):
                zone = zones[i % len(zones)]
                threads.append(
                    threading.Thread(
                        target=kiosk,
                        args=(port, f"k{i + 1}", by_zone[zone], args.kiosk_every, stats, stop),
                    )
                )
            for w in config.windows[: args.clerks]:
                threads.append(
                    threading.Thread(
                        target=clerk,
                        args=(port, args.pace, w.id, token, minutes, stats, calls, stop),
                    )
                )
            for th in threads:
                th.daemon = True
                th.start()
            began = time.monotonic()
            stop.wait(args.seconds)
            stop.set()
            elapsed = time.monotonic() - began
            for th in threads:
                th.join(timeout=30)
            pids["postgres (all backends)"] = sorted(
                set(pids["postgres (all backends)"]) | set(_postgres_pids())
            )
            cpu1 = {k: sum(_cpu(p) for p in v) for k, v in pids.items()}
            with access.open("rb") as log:
                log.seek(logged_from)
                served = _server_times(log.read().decode())
            peak = {k: sum(_peak_mb(p) for p in v) for k, v in pids.items()}
        finally:
            web.terminate()
            worker.terminate()
            web.wait(timeout=30)
            worker.wait(timeout=30)
            access.unlink(missing_ok=True)

    print(
        f"{elapsed:.0f} s: {args.screens} screens, {args.kiosks} kiosks (a ticket every "
        f"{args.kiosk_every:g} s each), {args.clerks} clerks at {args.pace:g}× pace; gunicorn "
        f"{args.workers} workers × 4 threads, PostgreSQL"
    )
    print("| request | count | per s | median | p95 | p99 | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind in ("poll", "board", "issue", "call", "start", "finish", "act"):
        t = [x * 1000 for x in stats.times.get(kind, [])]
        if not t:
            continue
        print(
            f"| {kind} | {len(t)} | {len(t) / elapsed:.0f} | {statistics.median(t):.1f} ms | "
            f"{percentile(t, 95):.1f} ms | {percentile(t, 99):.1f} ms | {stats.errors[kind]} |"
        )
    print("Server side (gunicorn's own request time, without the wait in the listen queue):")
    print("| request | count | median | p95 | p99 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind in ("poll", "board", "issue", "call", "start", "finish", "act"):
        t = served.get(kind, [])
        if t:
            print(
                f"| {kind} | {len(t)} | {statistics.median(t):.1f} ms | "
                f"{percentile(t, 95):.1f} ms | {percentile(t, 99):.1f} ms |"
            )
    for sample in stats.samples:
        print("  error:", sample)
    shown = stats.shown
    if shown:
        print(
            f"call to screen, {len(shown)} screen drawings of {len(calls)} calls: median "
            f"{statistics.median(shown) * 1000:.0f} ms, p95 {percentile(shown, 95) * 1000:.0f} ms, "
            f"max {max(shown) * 1000:.0f} ms"
        )
    print("| process | CPU seconds | CPU share of the run | peak memory |")
    print("| --- | ---: | ---: | ---: |")
    for k in pids:
        used = cpu1[k] - cpu0[k]
        print(f"| {k} | {used:.0f} s | {used / elapsed:.0%} of a core | {peak[k]:.0f} MB |")


if __name__ == "__main__":
    main()
