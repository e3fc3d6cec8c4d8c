"""How good the waits promised at the kiosk are, on simulated busy days (issue 5).

    .venv/bin/python bench/bench_eta.py [--days 21] [--busy 250]

Plays ``--days`` calendar days of the default hall with wait prediction on (every ticket is told
its expected wait, as the kiosk tells the visitor), then compares, for each ticket called on a
day with at least ``--busy`` tickets, the minutes promised with the minutes it then waited until
its first call. Beside it, the naive estimate "people ahead × the service's mean service time",
and a fairer naive one that divides that by the windows open for the service.
Goal: mean absolute error ≤ 4 minutes, and better than naive.
"""

from __future__ import annotations

import argparse
import statistics
from datetime import date, timedelta

from common import HALL_FILE, fresh_database, machine, percentile
from sqlalchemy import select

from queues.context import Context
from queues.hall import config as hall_config
from queues.store.db import Database
from queues.store.models import Step, Ticket
from simulation import simulate as sim


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=21)
    parser.add_argument("--busy", type=int, default=250)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    print(machine())
    config = hall_config.load(HALL_FILE)
    serving = config.windows_serving
    minutes = {s.code: s.service_minutes for s in config.services}
    start = date.today() - timedelta(days=args.days + 7)
    with fresh_database("sqlite") as url:
        ctx = Context(db=Database(url), config=config)
        results = sim.simulate_days(
            ctx, start, args.days, seed=args.seed, model=sim.Model(predict=True)
        )
        busy = [r for r in results if r.issued >= args.busy]
        with ctx.db.read() as s:
            waited = {
                public: (called - queued).total_seconds() / 60
                for public, queued, called in s.execute(
                    select(Ticket.public_id, Step.queued_at, Step.called_at)
                    .join(Step, Step.ticket_id == Ticket.id)
                    .where(Step.n == 1, Step.called_at.is_not(None))
                )
            }
        ctx.db.dispose()
    model_err, naive_err, fair_err = [], [], []
    queued: list[tuple[float, float, float]] = []  # the same, for tickets with someone ahead
    unpredicted = 0
    for day in busy:
        for p in day.promises:
            if p.ticket not in waited:
                continue  # never called (expired at closing): no wait to compare
            actual = waited[p.ticket]
            if p.eta_minutes is None:
                unpredicted += 1
                continue
            naive = (p.ahead or 0) * minutes[p.service]
            fair = naive / max(len(serving.get(p.service, [])), 1)
            errors = (abs(p.eta_minutes - actual), abs(naive - actual), abs(fair - actual))
            model_err.append(errors[0])
            naive_err.append(errors[1])
            fair_err.append(errors[2])
            if p.ahead:
                queued.append(errors)
    tickets = sum(r.issued for r in busy)
    print(
        f"{len(busy)} busy days (≥ {args.busy} tickets) of {len(results)}: {tickets} tickets, "
        f"{len(model_err)} promised and called, {unpredicted} without a promise"
    )
    names = ("hallq prediction", "naive: ahead × mean service", "naive ÷ windows for it")
    for title, rows in (
        (
            "every ticket promised and called",
            list(zip(model_err, naive_err, fair_err, strict=True)),
        ),
        (f"tickets with someone ahead ({len(queued)})", queued),
    ):
        print(f"{title}:")
        for i, name in enumerate(names):
            errors = [r[i] for r in rows]
            print(
                f"  {name:30s} MAE {statistics.fmean(errors):5.2f} min, "
                f"median {statistics.median(errors):5.2f}, p90 {percentile(errors, 90):6.2f}"
            )


if __name__ == "__main__":
    main()
