"""The phone page on a slow phone: Lighthouse's mobile profile (simulated slow 4G: 150 ms
round trips, 1.6 Mbit/s down, a CPU four times slower) on ``/t/<id>`` of a waiting ticket.

Goal (issue 11): the ticket's number visible within 3 s (Lighthouse's largest contentful paint,
the number being the largest text on the page; first contentful paint beside it), and the bytes
the page downloads.

    .venv/bin/python bench/bench_phone.py [--runs 3] [--base http://127.0.0.1:8050]
        [--lighthouse PATH]

Without ``--base`` it starts ``hallq serve`` on a fresh SQLite database of the default hall.
Lighthouse comes from npm (``npm install lighthouse@12`` somewhere, then ``--lighthouse
.../node_modules/.bin/lighthouse``, or ``npx``); it drives the machine's Chromium
(``CHROME_PATH``, default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import urllib.request
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from common import fresh_database, machine, running_server

AUDITS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "speed-index": "Speed index",
    "interactive": "TTI",
    "total-blocking-time": "TBT",
}


def issue(base: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/tickets",
        data=json.dumps({"service": "tax"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["id"]


def lighthouse(command: list[str], url: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        subprocess.run(
            [
                *command,
                url,
                "--only-categories=performance",
                "--output=json",
                f"--output-path={out}",
                "--quiet",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            ],
            check=True,
            env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")},
        )
        return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--base", default=None, help="a running hallq (default: start one)")
    parser.add_argument("--lighthouse", default=None, help="the lighthouse command")
    args = parser.parse_args()
    command = [args.lighthouse] if args.lighthouse else ["npx", "--yes", "lighthouse@12"]
    with ExitStack() as stack:
        base = args.base
        if base is None:
            url = stack.enter_context(fresh_database("sqlite"))
            base = stack.enter_context(running_server(url))
        page = f"{base}/t/{issue(base)}"
        runs = [lighthouse(command, page) for _ in range(args.runs)]
    print(f"{machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    first = runs[0]
    print(f"Lighthouse {first['lighthouseVersion']}, {first['configSettings']['formFactor']}, "
          f"throttling {first['configSettings']['throttlingMethod']} "
          f"{first['configSettings']['throttling']}")  # fmt: skip
    print(f"{page}: median of {len(runs)} runs")
    for audit, name in AUDITS.items():
        values = [r["audits"][audit]["numericValue"] for r in runs]
        print(f"  {name:12} {statistics.median(values) / 1000:6.2f} s")
    weights = [r["audits"]["total-byte-weight"]["numericValue"] for r in runs]
    print(f"  {'bytes':12} {statistics.median(weights) / 1024:6.0f} KiB transferred")
    scores = [r["categories"]["performance"]["score"] for r in runs]
    print(f"  {'score':12} {statistics.median(scores) * 100:6.0f}")
    element = first["audits"].get("largest-contentful-paint-element", {}).get("details", {})
    items = element.get("items") or [{}]
    node = (items[0].get("items") or [{}])[0].get("node", {}) if items else {}
    print(f"  LCP element: {node.get('snippet', '?')}")


if __name__ == "__main__":
    main()
