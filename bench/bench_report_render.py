"""How long the year's report takes to appear in Chromium, with 56 days of simulated history.

The server answers the report's callback in a fraction of a second; what a manager waits for is
the page: the browser drawing the tables, and before issue 11 one select, input and button per
bad rating. This times, in headless Chromium (selenium, as the browser tests), from asking for
``/reports?period=year`` to the report on screen: its heading, its main table and the bad-rating
list all present, and Dash no longer loading. The first load warms the browser's cache and is
not counted.

    .venv/bin/python bench/bench_report_render.py [--runs 7] [--days 56]

It makes its own SQLite database with the default hall (``hallq simulate --days N``), a manager,
and serves it with ``hallq serve`` on a free port.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import HALL_FILE, ROOT, machine, prepare, running_server

PASSWORD = "bench-password-1"


def history(url: str, days: int) -> None:
    env = {**os.environ, "HALLQ_DATABASE_URL": url, "HALLQ_CONFIG": str(HALL_FILE)}
    subprocess.run(
        [sys.executable, "-m", "cli", "simulate", "--days", str(days)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    from queues.access import staff
    from tests.support import make_context

    ctx = make_context(url, None)
    staff.add_user(ctx, "boss", "manager", PASSWORD)
    ctx.db.dispose()


def browser():  # type: ignore[no-untyped-def]
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1920,1080"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options)
    driver.set_script_timeout(300)
    driver.set_page_load_timeout(300)
    return driver


DRAWN = """
const heading = document.querySelector('#report-heading');
const main = document.querySelector('#report-main tbody tr');
const bad = document.querySelector('#report-bad tbody tr, #report-no-bad');
const loading = document.querySelector('[data-dash-is-loading="true"], ._dash-loading');
return Boolean(heading && main && bad && !loading);
"""


def time_report(driver, base: str) -> float:  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import TimeoutException

    def drawn() -> bool:
        try:
            return bool(driver.execute_script(DRAWN))
        except TimeoutException:  # the page's one thread is busy drawing
            return False

    began = time.perf_counter()
    driver.get(f"{base}/reports?period=year")
    while not drawn():
        if time.perf_counter() - began > 300:
            raise TimeoutError("the report did not appear in five minutes")
        time.sleep(0.02)
    return time.perf_counter() - began


def wait_for(driver, css: str):  # type: ignore[no-untyped-def]
    """The element, once the page has drawn it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 60).until(lambda d: d.find_element(By.CSS_SELECTOR, css))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--days", type=int, default=56)
    parser.add_argument("--keep", help="a database file to make once and reuse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "bench.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            prepare(url, HALL_FILE)
            history(url, args.days)
        with running_server(url) as base:
            driver = browser()
            try:
                driver.get(f"{base}/login")
                wait_for(driver, "#login-name").send_keys("boss")
                driver.find_element("css selector", "#login-password").send_keys(PASSWORD)
                driver.find_element("css selector", "#login-submit").click()
                time.sleep(2)
                time_report(driver, base)  # warms the cache
                times = [time_report(driver, base) for _ in range(args.runs)]
                rows = driver.execute_script(
                    "return document.querySelectorAll('#report-bad tbody tr').length"
                )
            finally:
                driver.quit()
    print(machine())
    print(f"{args.days} days of history, the year's report, {rows} bad ratings listed")
    ms = sorted(x * 1000 for x in times)
    print(
        f"report on screen: median {statistics.median(ms):.0f} ms, "
        f"min {ms[0]:.0f} ms, max {ms[-1]:.0f} ms over {len(ms)} loads"
    )


if __name__ == "__main__":
    main()
