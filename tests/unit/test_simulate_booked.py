"""The simulator's booked visitors (hallq simulate --booked): they book ahead through
queues.bookings, check in through queues.checkin, and their waits are reported apart from the
walk-ins'."""

from __future__ import annotations

from collections import Counter
from datetime import date

from click.testing import CliRunner
from sqlalchemy import select

from queues.context import Context
from queues.read import booking_figures
from queues.store.models import Booking, Event
from simulation import simulate as sim
from tests.support import Clock, beijing

TUESDAY = date(2026, 11, 24)


def test_a_simulated_day_with_booked_visitors(ctx: Context, clock: Clock) -> None:
    clock.set(beijing(2026, 11, 26, 8, 0))
    (day,) = sim.simulate_days(ctx, TUESDAY, 1, seed=5, model=sim.Model(booked_share=0.3))
    with ctx.db.read() as s:
        statuses = Counter(s.scalars(select(Booking.status)))
        checked_in_events = len(list(s.scalars(select(Event.id).where(Event.kind == "checked_in"))))
    assert day.booked > 20 and day.checked_in > 10
    assert sum(statuses.values()) == day.booked
    assert statuses["checked_in"] == day.checked_in == checked_in_events
    assert statuses["booked"] == 0  # the day's end swept those who never came
    assert statuses["no_show"] > 0
    total = booking_figures.lines(ctx, TUESDAY, TUESDAY)[-1]
    assert total.bookings == day.booked and total.checked_in == day.checked_in
    assert total.booked.wait_count > 0 and total.walk_in.wait_count > 0  # both kinds called
    summary = sim.booked_summary(ctx, TUESDAY, TUESDAY)
    assert f"bookings: {day.booked}, checked in {day.checked_in}" in summary
    assert "mean wait booked" in summary and "walk-in" in summary


def test_without_a_booked_share_nobody_books(ctx: Context, clock: Clock) -> None:
    clock.set(beijing(2026, 11, 26, 8, 0))
    (day,) = sim.simulate_days(ctx, TUESDAY, 1, seed=5)
    assert day.booked == 0 and sim.booked_summary(ctx, TUESDAY, TUESDAY) == "bookings: none"


def test_the_command_prints_booked_and_walk_in_waits_apart(sqlite_url: str) -> None:
    from cli import main
    from tests.support import MAIN_HALL

    result = CliRunner().invoke(
        main,
        ["simulate", "--days", "3", "--workers", "1", "--booked", "0.3"],
        env={"HALLQ_DATABASE_URL": sqlite_url, "HALLQ_CONFIG": str(MAIN_HALL)},
    )
    assert result.exit_code == 0, result.output
    assert "bookings: " in result.output and "mean wait booked" in result.output
