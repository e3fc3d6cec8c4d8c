"""The district's view of a city (issue 12): the network page and a year's report across halls.

    .venv/bin/python bench/bench_network.py [--postgres URL] [--runs 10] [--tickets 5000000]

A city on PostgreSQL (a schema of its own, dropped afterwards): 10 district-size halls (the
shipped config/hall.toml, its code changed to d01 … d10: 31 services, 35 windows each) and 170
small points (tests/halls/town.toml's two windows and two services, its code changed: 8 towns
and 162 villages). The past year is written straight into the roll-up tables, not simulated
(``simulation/simulate.py`` plays a hall's day through the use cases: a year of 180 halls would
take hours): every weekday of the 365 days before "today", ``daily_stats`` rows per service and
per (service, window, clerk) with a wait histogram, and ``window_days`` rows per window, adding
up to ``--tickets`` tickets (85 % of them in the ten district halls). The ``tickets`` table gets
the same tickets' rows (day, number, service: what the reports' check for days not rolled up
reads); their steps, events and ratings are left out (the reports read the roll-ups for past
days). "Today" is a Tuesday: each district hall opens 20 windows and serves 60 of 100 tickets
taken at 09:00, each small point serves 2 of 4, through the use cases, and it is 10:30.

Timed in-process (server time, no HTTP or browser), median of ``--runs`` runs after one warm-up:

* the network page's refresh: every hall live (``queues.read.network.live``), drawn into its
  table and turned into the JSON Dash sends (``pages.network.draw``);
* a year's report across halls (``queues.read.network.build``): the 365 days to today (every
  ticket written) by hall, by service across halls and by level, and the calendar year by hall,
  each with the ranking of halls; and its Excel export once.

Goals (issue 12): the network page ≤ 500 ms, a year's report across halls ≤ 2 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from common import HALL_FILE, PG_DEFAULT, district_hall, machine, timed
from plotly.io.json import to_json_plotly
from sqlalchemy import insert, text

from queues import services
from queues.context import Context
from queues.hall import config as hall_config
from queues.hall.sync import apply_config
from queues.network import HallEntry, Network
from queues.read import network as net
from queues.read.figures import OUTCOMES
from queues.store.db import Database
from queues.store.models import Alert, DailyStat, WindowDayStat
from tests.support import TOWN_HALL, Clock, postgres_schema

TODAY = date(2026, 11, 24)  # a Tuesday
DISTRICTS, TOWNS, VILLAGES = 10, 8, 162
DISTRICT_SHARE = 0.85


def configs() -> list[tuple[hall_config.HallConfig, str]]:
    """The city's halls and their levels."""
    small = TOWN_HALL.read_text(encoding="utf-8")
    found = []
    for i in range(1, DISTRICTS + 1):
        code = f"d{i:02d}"
        found.append((hall_config.parse(district_hall(code), f"{code}.toml"), "district"))
    for i in range(1, TOWNS + VILLAGES + 1):
        code = f"p{i:03d}"
        cfg = hall_config.parse(small.replace('code = "town"', f'code = "{code}"', 1), code)
        found.append((cfg, "town" if i <= TOWNS else "village"))
    return found


def working_days() -> list[date]:
    return [
        TODAY - timedelta(days=n)
        for n in range(1, 366)
        if (TODAY - timedelta(days=n)).weekday() < 5
    ]


def history(db: Database, city: list[tuple[hall_config.HallConfig, str]], tickets: int) -> int:
    """Write the year's roll-ups and tickets; answers the tickets written."""
    rng = random.Random(12)
    days = working_days()
    per_district = tickets * DISTRICT_SHARE / DISTRICTS / len(days)
    per_small = tickets * (1 - DISTRICT_SHARE) / (TOWNS + VILLAGES) / len(days)
    written = 0
    engine = db.engine
    for n, (cfg, level) in enumerate(city):
        hall = cfg.hall.code
        mean = per_district if level == "district" else per_small
        serving = cfg.windows_serving
        zone_of = {s.code: s.zone for s in cfg.services}
        weights = [rng.random() + 0.2 for _ in cfg.services]
        stats: list[dict] = []
        window_days: list[dict] = []
        counts: list[int] = []
        for day in days:
            total = max(1, round(rng.gauss(mean, mean * 0.15)))
            counts.append(total)
            split = _split(total, weights, rng)
            for svc, issued in zip(cfg.services, split, strict=True):
                stats.append(_row(hall, day, svc.code, 0, "", zone_of[svc.code], issued=issued))
                windows = sorted(serving.get(svc.code, ())) or [0]
                for window, part in zip(
                    windows, _split(issued, [1] * len(windows), rng), strict=True
                ):
                    if window and part:
                        stats.append(
                            _row(
                                hall, day, svc.code, window, f"c{window}", zone_of[svc.code],
                                served=part, target=cfg.target(svc.code), rng=rng,
                            )
                        )  # fmt: skip
            for w in cfg.windows:
                open_s = rng.uniform(6.5, 7.5) * 3600
                window_days.append(
                    dict(
                        hall=hall, day=day, window_id=w.id, open_seconds=open_s,
                        paused_seconds=1800.0, serving_seconds=open_s * 0.7,
                        open_by_hour=[0.0] * 9 + [3600.0] * 8 + [0.0] * 7,
                    )
                )  # fmt: skip
        with engine.begin() as conn:
            for i in range(0, len(stats), 5000):
                conn.execute(insert(DailyStat.__table__), stats[i : i + 5000])
            conn.execute(insert(WindowDayStat.__table__), window_days)
            first = cfg.services[0]
            conn.execute(
                text(
                    "INSERT INTO tickets (hall, public_id, day, prefix, seq, number, priority,"
                    " requested_service_code, issued_at)"
                    " SELECT h.hall, h.hall || '-' || d.day || '-' || s, d.day, h.prefix, s,"
                    " h.prefix || lpad(s::text, 3, '0'), 'normal', h.service,"
                    " d.day + time '01:30' + s * interval '1 second'"
                    " FROM (SELECT CAST(:hall AS varchar) AS hall,"
                    " CAST(:prefix AS varchar) AS prefix,"
                    " CAST(:service AS varchar) AS service) AS h,"
                    " unnest(CAST(:days AS date[]), CAST(:counts AS int[])) AS d(day, n),"
                    " generate_series(1, d.n) AS s"
                ),
                dict(hall=hall, prefix=first.prefix, service=first.code, days=days, counts=counts),
            )
        written += sum(counts)
        if n % 20 == 19:
            print(f"  {n + 1} halls, {written:,} tickets", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))  # as autovacuum leaves a table that stopped growing
    return written


def _split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    whole = sum(weights)
    parts = [int(total * w / whole) for w in weights]
    for _ in range(total - sum(parts)):
        parts[rng.randrange(len(parts))] += 1
    return parts


def _row(
    hall: str,
    day: date,
    service: str,
    window: int,
    clerk: str,
    zone: str,
    *,
    issued: int = 0,
    served: int = 0,
    target: int = 20,
    rng: random.Random | None = None,
) -> dict:
    row = dict(
        hall=hall, day=day, service_code=service, window_id=window, clerk=clerk, zone_code=zone,
        issued=issued, arrivals=[0] * 9 + [issued // 8] * 8 + [0] * 7, wait_minutes={},
        called=0, handled=0, no_shows=0, transferred=0, expired=0, cancelled=0, wait_count=0,
        wait_seconds=0.0, within_target=0, late_uncalled=0, service_count=0,
        service_seconds=0.0, rating_count=0, rating_sum=0, bad_ratings=0,
        **{f"outcome_{o}": 0 for o in OUTCOMES},
    )  # fmt: skip
    if served and rng is not None:
        waits = [min(int(rng.expovariate(1 / 9)), 180) for _ in range(served)]
        histogram: dict[str, int] = {}
        for minute in waits:
            histogram[str(minute)] = histogram.get(str(minute), 0) + 1
        no_shows = sum(rng.random() < 0.04 for _ in range(served))
        rated = sum(rng.random() < 0.5 for _ in range(served))
        row.update(
            called=served, handled=served - no_shows, no_shows=no_shows, wait_count=served,
            wait_seconds=sum(waits) * 60.0 + 30 * served,
            within_target=sum(w < target for w in waits), wait_minutes=histogram,
            service_count=served - no_shows, service_seconds=(served - no_shows) * 480.0,
            outcome_done=served - no_shows, rating_count=rated, rating_sum=rated * 5 - rated // 10,
            bad_ratings=rated // 40,
        )  # fmt: skip
    return row


def today(nw: Network, clock: Clock) -> None:
    """This morning in every hall, through the use cases."""
    nine = datetime.combine(TODAY, clock_time(9, 0), tzinfo=nw.context().tz).astimezone(UTC)
    for ctx in nw:
        district = len(ctx.config.windows) > 2
        windows = [w.id for w in ctx.config.windows][: 20 if district else 1]
        clock.set(nine)
        for w in windows:
            services.resume(ctx, w, "clerk:bench")
        codes = [s.code for s in ctx.config.services]
        for i in range(100 if district else 4):
            services.issue(ctx, codes[i % len(codes)], predict=False)
        clock.set(nine + timedelta(minutes=40))
        served = 0
        for _ in range(6):
            for w in windows:
                if served >= (60 if district else 2):
                    break
                if services.call_next(ctx, w, "clerk:bench") is None:
                    continue
                services.start(ctx, w, "clerk:bench")
                services.finish(ctx, w, "clerk:bench")
                served += 1
        if district:
            with ctx.db.write() as s:
                s.add(Alert(kind="queue", subject=codes[0], detail={}, opened_at=clock.now))
    clock.set(nine + timedelta(minutes=90))


def show(label: str, seconds: list[float], goal_ms: float) -> str:
    ms = [s * 1000 for s in seconds]
    median = statistics.median(ms)
    verdict = "ok" if median <= goal_ms else "OVER"
    return f"{label}: median {median:.0f} ms (min {min(ms):.0f}, max {max(ms):.0f}) [{verdict}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default=PG_DEFAULT)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--tickets", type=int, default=5_000_000)
    args = parser.parse_args()
    print(machine())
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    with postgres_schema(args.postgres, HALL_FILE) as url:
        db = Database(url)
        city = configs()
        began = time.perf_counter()
        for cfg, _level in city:
            apply_config(db, cfg)
        written = history(db, city, args.tickets)
        print(f"history: {written:,} tickets of roll-ups in {time.perf_counter() - began:.0f} s")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*) FROM daily_stats")).scalar()
        print(f"daily_stats: {rows:,} rows")
        clock = Clock()
        contexts = {cfg.hall.code: Context(db=db, config=cfg, clock=clock) for cfg, _ in city}
        halls = {
            cfg.hall.code: HallEntry(
                cfg.hall.code, cfg.hall.name.zh, cfg.hall.name.en, level,
                None if level == "district" else "d01",
            )
            for cfg, level in city
        }  # fmt: skip
        nw = Network(contexts=contexts, default="d01", halls=halls)
        began = time.perf_counter()
        today(nw, clock)
        print(f"today: played in {time.perf_counter() - began:.0f} s")

        from app import create_app  # the pages register with the app

        create_app(nw.context())
        from pages import network as page

        print(f"{len(nw)} halls; load average {os.getloadavg()[0]:.1f} (others' work included)")
        print(
            show(
                "network page refresh",
                timed(lambda: to_json_plotly(list(page.draw(nw, "zh"))), args.runs, warm_up=True),
                500,
            )
        )
        first = TODAY - timedelta(days=364)  # the 365 days to today: every ticket written
        for group in net.GROUPS:
            print(
                show(
                    f"365 days' report across halls by {group}",
                    timed(
                        lambda g=group: net.build(nw, "custom", first, TODAY, g, "zh"),
                        args.runs,
                        warm_up=True,
                    ),
                    2000,
                )
            )
        print(
            show(
                "calendar year's report across halls by hall",
                timed(
                    lambda: net.build(nw, "year", TODAY, None, "hall", "zh"),
                    args.runs,
                    warm_up=True,
                ),
                2000,
            )
        )
        report = net.build(nw, "year", TODAY, None, "hall", "zh")
        print(
            f"  ({report.total.issued:,} tickets, {len(report.lines)} lines, "
            f"{sum(len(r) for r in report.ranking.values())} halls ranked)"
        )
        began = time.perf_counter()
        net.to_xlsx(report, "zh")
        print(f"year's report, Excel export: {(time.perf_counter() - began) * 1000:.0f} ms")
        print(f"load average {os.getloadavg()[0]:.1f}")
        db.dispose()


if __name__ == "__main__":
    main()
