"""Appointments under load: the booking page on a slow phone, and 1,000 bookings at once.

(a) ``/book`` and each following step in headless Chromium on a phone's screen (390×844) with
    Lighthouse's slow-4G figures applied through the DevTools protocol
    (``Network.emulateNetworkConditions``: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up;
    ``Emulation.setCPUThrottlingRate`` 4), cache off: per page, the time until the document is
    interactive (``domInteractive``; the page has no script, so it takes taps then), until it is
    loaded, its first contentful paint, and the bytes it came in. Goal: interactive ≤ 3 s.
(b) 1,000 ``POST /api/v1/bookings`` from concurrent clients against hallq behind gunicorn (four
    workers) on PostgreSQL, each for a random slot of a few matters over the first two bookable
    days (so slots fill up and later requests meet full ones), every request a different mobile
    number. Counted: booked (201), refused full (409), other answers, requests a second, and
    the slots holding more bookings than places (must be 0), from the database.

    .venv/bin/python bench/bench_booking.py [--runs 5] [--bookings 1000] [--clients 16]
        [--skip-page] [--skip-load]

PostgreSQL from ``HALLQ_BENCH_POSTGRES_URL`` (default the tests' server). The hall is the one
hallq ships with (config/hall.toml).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from common import HALL_FILE, fresh_database, machine, percentile, running_server

SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
}
CPU_SLOWDOWN = 4
TIMING = """
const nav = performance.getEntriesByType('navigation')[0];
const fcp = performance.getEntriesByName('first-contentful-paint')[0];
return {interactive: nav.domInteractive, loaded: nav.loadEventEnd,
        fcp: fcp ? fcp.startTime : null, bytes: nav.transferSize};
"""


def http(base: str, method: str, path: str, body: object = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


# --- (a) the page on a slow phone ------------------------------------------------------------


def page_steps(base: str) -> list[tuple[str, str]]:
    """The booking's pages in order, for the first bookable matter and its first day."""
    status, days = http(base, "GET", "/api/v1/bookings/days?service=tax")
    assert status == 200 and days["days"], days
    day = days["days"][0]["date"]
    slots = http(base, "GET", f"/api/v1/bookings/slots?service=tax&date={day}")[1]["slots"]
    slot = slots[0]["start"]
    made = http(
        base,
        "POST",
        "/api/v1/bookings",
        {"service": "tax", "slot": slot, "name": "测试", "phone": "13800000000"},
    )[1]
    hhmm = slot[11:13] + slot[14:16]
    return [
        ("matters", "/book"),
        ("days", "/book?service=tax"),
        ("slots", f"/book?service=tax&day={day}"),
        ("name and number", f"/book?service=tax&day={day}&slot={hhmm}"),
        ("the booking (code, QR)", f"/book/{made['code']}?new=1"),
    ]


def slow_phone_page(base: str, runs: int) -> list[tuple[str, dict[str, float]]]:
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=390,844"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", SLOW_4G)
        driver.execute_cdp_cmd("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True},
        )
        out = []
        for name, path in page_steps(base):
            samples: dict[str, list[float]] = {"interactive": [], "loaded": [], "fcp": []}
            size = 0.0
            for _ in range(runs):
                driver.get("about:blank")
                driver.get(base + path)
                timing = driver.execute_script(TIMING)
                for _ in range(30):  # the paint entry comes a moment after the load
                    if timing["fcp"] is not None and timing["loaded"]:
                        break
                    time.sleep(0.1)
                    timing = driver.execute_script(TIMING)
                for key in samples:
                    samples[key].append((timing[key] or float("nan")) / 1000)
                size = timing["bytes"]
            figures = {key: statistics.median(v) for key, v in samples.items()}
            figures["worst_interactive"] = max(samples["interactive"])
            figures["bytes"] = size
            out.append((f"{name}: {path.split('?')[0]}", figures))
        return out
    finally:
        driver.quit()


# --- (b) 1,000 bookings at once --------------------------------------------------------------


def load(base: str, url: str, total: int, clients: int, matters: list[str]) -> dict[str, object]:
    targets: list[tuple[str, str]] = []
    for matter in matters:
        days = http(base, "GET", f"/api/v1/bookings/days?service={matter}")[1]["days"][:2]
        for d in days:
            slots = http(base, "GET", f"/api/v1/bookings/slots?service={matter}&date={d['date']}")
            targets += [(matter, s["start"]) for s in slots[1]["slots"]]
    rng = random.Random(13)
    plan = [(i, *rng.choice(targets)) for i in range(total)]
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(reversed(plan))

    def client() -> None:
        while True:
            with lock:
                if not queue:
                    return
                i, matter, slot = queue.pop()
            body = {"service": matter, "slot": slot, "name": f"访客{i}", "phone": f"139{i:08d}"}
            began = time.perf_counter()
            status, answer = http(base, "POST", "/api/v1/bookings", body)
            spent = time.perf_counter() - began
            code = answer["error"]["code"] if status >= 400 and answer else ""
            with lock:
                outcomes[f"{status} {code}".strip()] += 1
                latencies.append(spent)

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - began
    return {
        "targets": len(targets),
        "outcomes": dict(outcomes),
        "per_second": total / wall,
        "wall": wall,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "overbooked": overbooked(url),
    }


def overbooked(url: str) -> tuple[int, int]:
    """(slots holding more bookings than places, slots with bookings), from the database."""
    from sqlalchemy import func, select

    from queues.hall import config
    from queues.rules import booking as rule
    from queues.store.db import Database
    from queues.store.models import Booking

    cfg = config.load(HALL_FILE)
    db = Database(url)
    try:
        with db.read() as s:
            rows = s.execute(
                select(Booking.service_code, Booking.slot_start, func.count())
                .where(Booking.status != "cancelled")
                .group_by(Booking.service_code, Booking.slot_start)
            ).all()
    finally:
        db.dispose()
    over = sum(1 for code, _, n in rows if n > rule.capacity(cfg, code))
    return over, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bookings", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--skip-page", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    print(f"{machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    if not args.skip_page:
        with ExitStack() as stack:
            url = stack.enter_context(fresh_database("sqlite"))
            base = stack.enter_context(running_server(url))
            pages = slow_phone_page(base, args.runs)
        print(
            f"(a) /book on a 390x844 phone, slow 4G (150 ms RTT, 1.6 Mbit/s down, 750 kbit/s "
            f"up), CPU x{CPU_SLOWDOWN}, cache off; median of {args.runs} loads each:"
        )
        for name, f in pages:
            print(
                f"  {name:42} interactive {f['interactive']:.2f} s (worst "
                f"{f['worst_interactive']:.2f}), loaded {f['loaded']:.2f} s, FCP {f['fcp']:.2f} s,"
                f" {f['bytes'] / 1024:.1f} KiB"
            )
    if not args.skip_load:
        from tests.support import gunicorn

        with ExitStack() as stack:
            url = stack.enter_context(fresh_database("postgres"))
            folder = stack.enter_context(_tmp())
            base, _ = stack.enter_context(
                gunicorn(url, folder, hall=HALL_FILE, workers=args.workers)
            )
            result = load(
                base,
                url,
                args.bookings,
                args.clients,
                ["tax", "company-registration", "real-estate", "social-insurance"],
            )
        over, used = result["overbooked"]  # type: ignore[misc]
        print(
            f"(b) {args.bookings} POST /api/v1/bookings, {args.clients} clients, gunicorn "
            f"{args.workers} workers x 4 threads, PostgreSQL; {result['targets']} slots aimed at:"
        )
        print(f"  answers: {result['outcomes']}")
        print(
            f"  {result['per_second']:.0f} requests/s ({result['wall']:.1f} s), median "
            f"{result['median_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms"
        )
        print(f"  overbooked slots: {over} of {used} slots with bookings")


class _tmp:
    def __enter__(self) -> Path:
        import tempfile

        self._dir = tempfile.TemporaryDirectory()
        return Path(self._dir.name)

    def __exit__(self, *exc: object) -> None:
        self._dir.cleanup()


if __name__ == "__main__":
    main()
