"""Screenshots of hallq's pages in headless Chromium, to look at them (not a test).

    .venv/bin/python scripts/screenshot.py URL OUT.png [--size 1920x1080] [--click CSS ...]
        [--wait CSS] [--pause SECONDS]

Each ``--click`` waits for its element, clicks it and pauses; ``--wait`` waits for an element
before the picture is taken.
"""

from __future__ import annotations

import argparse
import time

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--click", action="append", default=[])
    parser.add_argument("--wait", default=None)
    parser.add_argument("--pause", type=float, default=1.0)
    parser.add_argument("--login", default=None, help="NAME:PASSWORD to sign in first")
    parser.add_argument("--full", action="store_true", help="the whole page, not the window")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 f"--window-size={width},{height}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    try:
        driver.execute_cdp_cmd(  # the page gets exactly --size, whatever the window's frame
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        wait = WebDriverWait(driver, 15)
        if args.login:
            name, password = args.login.split(":", 1)
            origin = "/".join(args.url.split("/")[:3])
            driver.get(f"{origin}/login")
            wait.until(ec.visibility_of_element_located((By.ID, "login-name"))).send_keys(name)
            driver.find_element(By.ID, "login-password").send_keys(password)
            driver.find_element(By.ID, "login-submit").click()
            wait.until(ec.url_changes(f"{origin}/login"))
        driver.get(args.url)
        time.sleep(args.pause)
        for css in args.click:
            element = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, css)))
            driver.execute_script(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element
            )
            element.click()
            time.sleep(args.pause)
        if args.wait:
            wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, args.wait)))
            time.sleep(args.pause)
        if args.full:
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
            time.sleep(args.pause)
        driver.save_screenshot(args.out)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
