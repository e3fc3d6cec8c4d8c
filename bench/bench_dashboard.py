"""The manager's pages with years of history: dashboard refresh and reports (issue 5).

    .venv/bin/python bench/bench_dashboard.py [--sizes 10000,100000,1000000] [--runs 20]
        [--keep DIR]

One year of the default hall is simulated through the use cases (about 64,000 tickets), then
copied further into the past 52 weeks at a time (``bench/history.py``) or trimmed, to make
databases of each size; "today" is a Tuesday at 10:30 with the morning played. Each size is
timed in-process (server time, no HTTP or browser):

* the dashboard's five-second refresh (``pages.dashboard.draw``: figures, queue chart, window
  table, alerts, and their JSON as Dash sends it);
* its history charts when not yet drawn today (heatmap of eight weeks, capacity planner);
* a one-year report by window (``queues.read.reports.build``), and its Excel export;
* the counter console's view of window 20 (``queues.read.counters.console``: the ticket, the
  queue and the window's figures of the day), which every clerk's screen redraws when the
  board moves.

Goals: refresh ≤ 300 ms with 1,000,000 tickets; a one-year report ≤ 1 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from common import HALL_FILE, machine, percentile, prepare, timed
from history import extend, trim
from plotly.io.json import to_json_plotly

from queues.context import Context
from queues.hall import config as hall_config
from queues.read import alerts, counters
from queues.read import reports as reporting
from queues.store.db import Database
from simulation import simulate as sim

TODAY = date(2026, 11, 24)  # a Tuesday
MORNING = clock_time(10, 30)


def refresh_once(ctx: Context, zone: str | None) -> str:
    """The refresh callback's work: draw, fingerprint each part to skip what the page already
    shows (here nothing is skipped: the dearest case), then the JSON Dash sends."""
    from components import live
    from pages import dashboard

    return to_json_plotly(list(live.only_changed(dashboard.draw(ctx, zone, "zh"), None)))


def show(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    median, p95 = statistics.median(ms), percentile(ms, 95)
    digits = 1 if p95 < 10 else 0
    return f"{label}: median {median:.{digits}f} ms, p95 {p95:.{digits}f} ms"


def base_year(folder: Path, config: hall_config.HallConfig) -> Path:
    path = folder / "year.db"
    if path.exists():
        return path
    url = f"sqlite:///{path}"
    prepare(url, HALL_FILE)
    moment = datetime.combine(TODAY, MORNING, tzinfo=config.tz).astimezone(UTC)
    ctx = Context(db=Database(url), config=config, clock=lambda: moment)
    began = time.perf_counter()
    results = sim.simulate_days(ctx, TODAY - timedelta(days=364), 364, seed=1, workers=2)
    sim.play_until(ctx, moment, seed=1)
    alerts.evaluate(ctx)
    ctx.db.dispose()
    tickets = sum(r.issued for r in results)
    print(f"simulated a year: {tickets} tickets in {time.perf_counter() - began:.0f} s")
    return path


def sized(folder: Path, base: Path, size: int, year_tickets: int) -> Path:
    path = folder / f"h{size}.db"
    if path.exists():
        return path
    shutil.copyfile(base, path)
    if size < year_tickets:
        days = int(364 * size / year_tickets)
        trim(path, TODAY - timedelta(days=days))
    elif size > year_tickets * 1.5:
        extend(path, round(size / year_tickets) - 1, TODAY)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", default=None, help="a folder to keep (and reuse) databases in")
    args = parser.parse_args()
    print(machine())
    config = hall_config.load(HALL_FILE)
    folder = Path(args.keep or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    base = base_year(folder, config)
    year_tickets = _tickets(base)

    from app import create_app  # the pages register with the app

    moment = datetime.combine(TODAY, MORNING, tzinfo=config.tz).astimezone(UTC)
    for size in [int(s) for s in args.sizes.split(",")]:
        path = sized(folder, base, size, year_tickets)
        ctx = Context(db=Database(f"sqlite:///{path}"), config=config, clock=lambda: moment)
        app = create_app(ctx)
        from pages import dashboard

        tickets = _tickets(path)
        with app.server.app_context():
            refresh_once(ctx, None)  # connections and caches warm, as in a running app
            refresh = timed(lambda c=ctx: refresh_once(c, None), args.runs)
            zone = timed(lambda c=ctx: refresh_once(c, "construction"), args.runs)
            console = timed(lambda c=ctx: counters.console(c, 20), args.runs * 5)
            history = timed(
                lambda c=ctx: (
                    dashboard.heatmap_figure(c, None, "zh"),
                    dashboard.planner_figure(c, None, 1, "zh"),
                ),
                max(3, args.runs // 4),
            )
        year_start = TODAY - timedelta(days=364)
        report = timed(
            lambda c=ctx, first=year_start: reporting.build(
                c, "custom", first, TODAY - timedelta(days=1), "window", "zh"
            ),
            max(3, args.runs // 4),
        )
        built = reporting.build(
            ctx, "custom", year_start, TODAY - timedelta(days=1), "window", "zh"
        )
        export = timed(lambda c=ctx, b=built: reporting.to_xlsx(c, b, "zh"), 3)
        ctx.db.dispose()
        print(f"{tickets} tickets ({path.stat().st_size / 1e6:.0f} MB):")
        print("  " + show("dashboard refresh", refresh))
        print("  " + show("dashboard refresh, one zone", zone))
        print("  " + show("counter console, window 20", console))
        print("  " + show("heatmap + planner, first draw of the day", history))
        print("  " + show("one-year report by window", report))
        print("  " + show("its Excel export", export))


def _tickets(path: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    finally:
        conn.close()


if __name__ == "__main__":
    main()
