"""A hall in the middle of a busy morning, to look at the manager's pages (not a test).

    .venv/bin/python scripts/showcase.py build var/showcase.db [--at 2026-11-24T10:30] [--weeks 8]
    .venv/bin/python scripts/showcase.py serve var/showcase.db [--at ...] [--port 8070]

``build`` plays ``--weeks`` of history before the day of ``--at`` and that day up to ``--at``
(hall time), and adds the manager ``manager`` (password ``showcase-pass``). ``serve`` runs hallq on
it with the clock set to ``--at`` and moving on from there, so "today" is that morning.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from queues.access import staff
from queues.context import Context
from queues.hall import config as hall_config
from queues.hall.sync import apply_config
from queues.read import alerts
from queues.store import migrate
from queues.store.db import Database
from simulation import simulate as sim

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "showcase-pass"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("build", "serve"))
    parser.add_argument("db")
    parser.add_argument("--at", default="2026-11-24T10:30")
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--port", type=int, default=8070)
    args = parser.parse_args()
    config = hall_config.load(ROOT / "config" / "hall.toml")
    at = datetime.fromisoformat(args.at).replace(tzinfo=config.tz).astimezone(UTC)
    url = f"sqlite:///{Path(args.db).resolve()}"
    db = Database(url)
    if args.action == "build":
        migrate.upgrade(db)
        apply_config(db, config)
        ctx = Context(db=db, config=config, clock=lambda: at)
        first = ctx.business_day(at) - timedelta(weeks=args.weeks)
        results = sim.simulate_days(ctx, first, args.weeks * 7, workers=2)
        today = sim.play_until(ctx, at)
        staff.add_user(ctx, "manager", "manager", PASSWORD, display_name="值班主任")
        alerts.evaluate(ctx)
        print(f"{sum(r.issued for r in results)} tickets of history; today {today.issued} so far")
        return
    began = datetime.now(UTC)
    ctx = Context(db=db, config=config, clock=lambda: at + (datetime.now(UTC) - began))
    from waitress import serve

    serve(create_app(ctx).server, host="127.0.0.1", port=args.port, threads=4)


if __name__ == "__main__":
    main()
