"""How fast the lobby screens follow the hall.

Goals (issue 4): a call (API) to its number visible on /display in headless Chromium, 20 calls:
p95 <= 1.0 s; the server time of a display poll when nothing changed: median <= 2 ms; polls per
second over HTTP on this 2-core machine: >= 500 (300 screens at one poll a second, with room).

    .venv/bin/python bench/bench_display.py [--calls 20] [--polls 2000] [--seconds 10]

Screens poll ``GET /api/v1/display/version`` once a second and redraw only when it moved, so a
call waits on average half a second for the next poll: the figure to watch is the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import time
import urllib.request
from datetime import UTC, datetime

from common import HALL_FILE, fresh_database, headless_chrome, machine, percentile, running_server

from app import create_app
from queues.access import tokens
from queues.context import Context
from queues.hall import config as hall_config
from queues.store.db import Database

WATCH = """
window.hallqSeen = null;
const want = arguments[0];
const observer = new MutationObserver(() => {
    const el = document.getElementById("display-number");
    if (el && el.textContent === want && window.hallqSeen === null) {
        window.hallqSeen = Date.now();
        observer.disconnect();
    }
});
observer.observe(document.body, {subtree: true, childList: true, characterData: true});
"""


def _post(url: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def bench_call_to_screen(calls: int) -> str:
    with fresh_database("sqlite") as url, running_server(url) as base:
        ctx = Context(db=Database(url), config=hall_config.load(HALL_FILE), open_always=True)
        token = tokens.create_token(ctx, "clerk", "bench")
        ctx.db.dispose()
        _post(f"{base}/api/v1/windows/20/resume", token)
        driver = headless_chrome(new=False)
        latencies = []
        try:
            driver.get(base + "/display?mute=1")
            time.sleep(2)
            for i in range(calls + 2):
                ticket = _post(f"{base}/api/v1/tickets", token, {"service": "tax"})
                time.sleep(1.3)  # the issue itself moves the board: let the screen settle
                driver.execute_script(WATCH, ticket["number"])
                time.sleep((i % 7) / 7)  # calls land anywhere within the screen's poll second
                started = time.time() * 1000
                _post(f"{base}/api/v1/windows/20/call-next", token)
                deadline = time.monotonic() + 5
                seen = None
                while seen is None and time.monotonic() < deadline:
                    seen = driver.execute_script("return window.hallqSeen")
                    time.sleep(0.01)
                if seen is None:
                    raise RuntimeError(f"{ticket['number']} never appeared on /display")
                if i >= 2:
                    latencies.append((seen - started) / 1000)
                _post(f"{base}/api/v1/windows/20/finish", token)
        finally:
            driver.quit()
    ms = [x * 1000 for x in latencies]
    return (
        f"  call to number on /display, {len(ms)} calls: median {statistics.median(ms):.0f} ms, "
        f"p95 {percentile(ms, 95):.0f} ms, max {max(ms):.0f} ms"
    )


def bench_poll_server_time(polls: int) -> str:
    with fresh_database("sqlite") as url:
        ctx = Context(db=Database(url), config=hall_config.load(HALL_FILE), open_always=True)
        client = create_app(ctx).server.test_client()
        for _ in range(50):
            client.get("/api/v1/display/version?zone=general")
        times = []
        for _ in range(polls):
            t0 = time.perf_counter()
            response = client.get("/api/v1/display/version?zone=general")
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        ctx.db.dispose()
    return (
        f"  display poll, nothing changed, in-process (Flask test client, {polls} polls): "
        f"median {statistics.median(times):.2f} ms, p95 {percentile(times, 95):.2f} ms"
    )


def bench_polls_over_http(seconds: int, connections: int) -> str:
    if shutil.which("wrk") is None:
        return "  polls over HTTP: wrk is not installed (apt-get install wrk); skipped"
    with fresh_database("sqlite") as url, running_server(url) as base:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                f"{base}/api/v1/display/version?zone=general",
            ],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ,
        ).stdout
    rate = next(line for line in out.splitlines() if line.startswith("Requests/sec"))
    p50 = next(line for line in out.splitlines() if line.strip().startswith("50%"))
    p99 = next(line for line in out.splitlines() if line.strip().startswith("99%"))
    errors = [
        line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line
    ]
    return (
        f"  display polls over HTTP (wrk, {connections} connections, {seconds} s): "
        f"{rate.split()[-1]} polls/s; latency p50 {p50.split()[-1]}, p99 {p99.split()[-1]}; "
        f"{'; '.join(errors) or 'no errors'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--polls", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    print(f"# bench_display.py, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    print(bench_poll_server_time(args.polls), flush=True)
    print(bench_polls_over_http(args.seconds, args.connections), flush=True)
    print(bench_call_to_screen(args.calls), flush=True)


if __name__ == "__main__":
    main()
