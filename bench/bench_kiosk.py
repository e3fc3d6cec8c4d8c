"""How fast a visitor holds a ticket: tap to number on screen, and the ticket's printer bytes.

Goals (issue 3): tap to ticket number on screen in headless Chromium p95 <= 500 ms; building one
ticket's bytes <= 20 ms.

    .venv/bin/python bench/bench_kiosk.py [--taps 40] [--tickets 200]

The tap is measured inside the browser: from the click on 普通取号 to the moment the new number is
in the page (a MutationObserver), against ``hallq serve`` (waitress) on a fresh SQLite database
with its print worker printing to a file printer. Between taps the kiosk goes back to the start
(完成) and the next matter is tapped, as the next visitor would.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime

from common import HALL_FILE, fresh_database, machine, percentile, running_server
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from kiosk.ticket import to_bytes
from queues import config as hall_config
from queues import services, slip
from queues.context import Context
from queues.db import Database
from queues.requesters import Requester

MEASURE = """
const done = arguments[arguments.length - 1];
const number = document.getElementById("kiosk-number");
const screen = document.getElementById("kiosk-ticket");
const before = number.textContent;
const started = performance.now();
const observer = new MutationObserver(() => {
    const shown = !screen.classList.contains("d-none");
    if (shown && number.textContent && number.textContent !== before) {
        observer.disconnect();
        done(performance.now() - started);
    }
});
observer.observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true
});
document.getElementById("kiosk-normal").click();
"""


def _browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1080,1920",
        "--disable-background-networking",
        "--no-first-run",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    driver.set_script_timeout(10)
    return driver


def _tap_through(driver: webdriver.Chrome, base: str, taps: int) -> list[float]:
    codes = ["tax", "housing-fund", "social-insurance", "real-estate", "seal-filing", "employment"]
    wait = WebDriverWait(driver, 10)
    driver.get(base + "/kiosk")
    results = []
    for i in range(taps + 3):
        css = f"button[data-service={codes[i % len(codes)]}]"
        service = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, css)))
        driver.execute_script("arguments[0].click()", service)
        wait.until(ec.visibility_of_element_located((By.ID, "kiosk-normal")))
        time.sleep(0.7)  # the screen arms itself against double taps
        elapsed = driver.execute_async_script(MEASURE)
        if i >= 3:  # the first taps warm the server and the browser
            results.append(elapsed)
        driver.execute_script("document.getElementById('kiosk-done').click()")
        wait.until(ec.visibility_of_element_located((By.ID, "kiosk-choose")))
        time.sleep(0.7)
    return results


def bench_taps(taps: int) -> str:
    with (
        tempfile.TemporaryDirectory() as printed,
        fresh_database("sqlite") as url,
        running_server(url, HALLQ_PRINTER=f"file:{printed}") as base,
    ):
        driver = _browser()
        try:
            results = _tap_through(driver, base, taps)
        finally:
            driver.quit()
        files = len([f for f in os.listdir(printed) if f.endswith(".bin")])
    return (
        f"  tap to number on screen, {len(results)} taps: "
        f"median {statistics.median(results):.0f} ms, p95 {percentile(results, 95):.0f} ms, "
        f"max {max(results):.0f} ms ({files} tickets printed to the file printer)"
    )


def bench_bytes(tickets: int) -> list[str]:
    cfg = hall_config.load(HALL_FILE)
    lines = []
    with fresh_database("sqlite") as url:
        ctx = Context(db=Database(url), config=cfg, open_always=True)
        ticket = services.issue(ctx, "construction-permit", by=Requester.at_kiosk("k1")).ticket
        for paper in (80, 58):
            for mode in ("text", "raster"):
                times = []
                for _ in range(tickets):
                    t0 = time.perf_counter()
                    layout = slip.build(ticket, cfg, base_url="http://hall.example", paper=paper)
                    to_bytes(layout, mode, cfg.printing.font)
                    times.append((time.perf_counter() - t0) * 1000)
                median = statistics.median(times)
                lines.append(
                    f"  ticket bytes, {paper} mm, {mode}: median {median:.1f} ms, "
                    f"p95 {percentile(times, 95):.1f} ms"
                )
        ctx.db.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=40)
    parser.add_argument("--tickets", type=int, default=200)
    args = parser.parse_args()
    print(f"# bench_kiosk.py, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    for line in bench_bytes(args.tickets):
        print(line, flush=True)
    print(bench_taps(args.taps), flush=True)


if __name__ == "__main__":
    main()
