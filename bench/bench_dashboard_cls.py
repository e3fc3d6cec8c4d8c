"""The dashboard's layout shift (CLS) in Chromium as it fills in, and screenshots of the
manager's pages at the sizes managers use.

A PerformanceObserver for ``layout-shift`` is installed before the page's first script (through
the DevTools protocol); the page is loaded signed in as a manager and left for ``--seconds``
(the first refresh and the charts arrive), and the sum of the shifts not caused by input is the
cumulative layout shift. With ``--shots DIR``, the dashboard, the year's report and the staff
page are saved at 1920x1080 and 1366x768.

    .venv/bin/python bench/bench_dashboard_cls.py --db FILE [--runs 3] [--shots DIR]

``FILE`` is a SQLite database with history (bench_report_render.py --keep FILE makes one).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from common import machine, running_server

PASSWORD = "bench-password-1"
OBSERVE = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) { if (!e.hadRecentInput) { window.__cls += e.value; } }
}).observe({type: 'layout-shift', buffered: true});
"""


AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(r => done(
  r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
   .map(v => v.id + ' (' + v.impact + '): '
        + v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(', '))
));
"""


def browser(width: int, height: int):  # type: ignore[no-untyped-def]
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(arg)
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVE})
    driver.set_script_timeout(120)
    return driver


def sign_in(driver, base: str) -> None:  # type: ignore[no-untyped-def]
    driver.get(f"{base}/login")
    wait_for(driver, "#login-name").send_keys("boss")
    driver.find_element("css selector", "#login-password").send_keys(PASSWORD)
    driver.find_element("css selector", "#login-submit").click()
    time.sleep(3)


def wait_for(driver, css: str):  # type: ignore[no-untyped-def]
    """The element, once the page has drawn it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 60).until(lambda d: d.find_element(By.CSS_SELECTOR, css))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--shots")
    parser.add_argument("--axe", help="axe.min.js (npm axe-core): list critical/serious findings")
    args = parser.parse_args()
    url = f"sqlite:///{Path(args.db).resolve()}"
    with running_server(url) as base:
        driver = browser(1920, 1080)
        try:
            sign_in(driver, base)
            shifts = []
            for _ in range(args.runs):
                driver.get(f"{base}/dashboard")
                time.sleep(args.seconds)
                shifts.append(float(driver.execute_script("return window.__cls")))
        finally:
            driver.quit()
        if args.shots:
            folder = Path(args.shots)
            folder.mkdir(parents=True, exist_ok=True)
            for width, height in ((1920, 1080), (1366, 768)):
                driver = browser(width, height)
                try:
                    sign_in(driver, base)
                    for name, path in (
                        ("dashboard", "/dashboard"),
                        ("reports", "/reports?period=year"),
                        ("staff", "/staff"),
                    ):
                        driver.get(base + path)
                        time.sleep(args.seconds)
                        driver.save_screenshot(str(folder / f"{name}-{width}x{height}.png"))
                finally:
                    driver.quit()
        if args.axe:
            source = Path(args.axe).read_text()
            driver = browser(1920, 1080)
            try:
                sign_in(driver, base)
                for path in ("/dashboard", "/reports?period=year", "/staff"):
                    driver.get(base + path)
                    time.sleep(args.seconds)
                    driver.execute_script(source)
                    found = driver.execute_async_script(AXE)
                    print(path, "axe critical/serious:", found or "none")
            finally:
                driver.quit()
    print(machine())
    print(
        f"dashboard CLS over {len(shifts)} loads: median {statistics.median(shifts):.3f}, "
        f"each {', '.join(f'{x:.3f}' for x in shifts)}"
    )


if __name__ == "__main__":
    main()
