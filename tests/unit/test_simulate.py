"""The hall simulation: its history is what real use leaves, and it adds up.

It plays the tests' hall (tests/halls/main.toml): twelve windows for the visitors of the
model's day, so queues grow and some tickets are left at closing, as in a busy hall.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from queues.context import Context
from queues.read import boards, rollups
from queues.store.models import DailyStat, Event, Rating, Step, Ticket
from simulation import simulate as sim
from tests.support import Clock, beijing, make_context

MONDAY = date(2026, 11, 16)


def count(ctx: Context, query) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(query) or 0)


def test_simulated_days_add_up_to_their_events(ctx: Context, clock: Clock) -> None:
    clock.set(beijing(2026, 11, 24, 8, 0))
    results = sim.simulate_days(ctx, MONDAY, 7, seed=3)  # Monday to Sunday: five working days
    assert [r.day.weekday() for r in results] == [0, 1, 2, 3, 4]
    issued = sum(r.issued for r in results)
    # a busy Monday: the model's 240 visitors a day, 1.3 times that on Mondays, give or take
    assert 200 <= results[0].issued <= 420
    assert results[0].issued > results[4].issued * 0.9  # Monday is the busiest
    assert count(ctx, select(func.count(Ticket.id))) == issued
    assert count(ctx, select(func.count(Event.id)).where(Event.kind == "issued")) == issued

    with ctx.db.read() as s:
        steps = Counter(s.scalars(select(Step.status)))
        events = Counter(s.scalars(select(Event.kind)))
        priorities = Counter(s.scalars(select(Ticket.priority)))
        out_of_order = s.scalar(
            select(func.count(Step.id)).where(
                (Step.called_at < Step.queued_at) | (Step.finished_at < Step.called_at)
            )
        )
    assert set(steps) <= {"done", "no_show", "transferred", "expired", "cancelled"}
    assert steps["done"] == events["finished"]
    assert steps["no_show"] == events["no_show"] == sum(r.no_shows for r in results)
    assert steps["transferred"] == events["transferred"] == sum(r.transferred for r in results)
    assert events["called"] >= steps["done"] + steps["no_show"] + steps["transferred"]
    assert 0.02 <= steps["no_show"] / events["called"] <= 0.07  # 3-5 % no-shows, give or take
    assert priorities["green"] > 0 and priorities["priority"] > 0
    assert out_of_order == 0
    ratings = count(ctx, select(func.count(Rating.id)))
    assert ratings == events["rated"] == sum(r.rated for r in results) > 0

    # each day was rolled up, and the roll-ups say what the tickets say
    assert count(ctx, select(func.count(func.distinct(DailyStat.day)))) == 5
    week = rollups.report(ctx, MONDAY, date(2026, 11, 22))["all"]
    assert week.issued == issued
    assert week.handled == steps["done"] + steps["transferred"]
    assert week.finished == steps["done"]
    assert week.no_shows == steps["no_show"]
    assert week.rating_count == ratings
    assert 0 < week.within_target_share <= 1


def test_simulation_in_two_processes_on_sqlite(sqlite_url: str) -> None:
    clock = Clock(beijing(2026, 12, 7, 8, 0))
    ctx = make_context(sqlite_url, clock)
    results = sim.simulate_days(ctx, MONDAY, 14, seed=5, workers=2)  # ten working days
    assert len(results) == 10
    issued = sum(r.issued for r in results)
    assert count(ctx, select(func.count(Ticket.id))) == issued
    # the merged rows point at their own tickets: every step and rating has its ticket
    with ctx.db.read() as s:
        orphans = s.scalar(
            select(func.count(Step.id)).where(~Step.ticket_id.in_(select(Ticket.id)))
        )
        days = set(s.scalars(select(Ticket.day).distinct()))
    assert orphans == 0 and len(days) == 10
    assert rollups.report(ctx, MONDAY, date(2026, 11, 29))["all"].issued == issued
    ctx.db.dispose()


def test_a_hall_stopped_mid_morning(ctx: Context, clock: Clock) -> None:
    moment = beijing(2026, 11, 24, 10, 30)
    before = {z.code: boards.version(ctx, z.code) for z in ctx.config.zones}
    result = sim.play_until(ctx, moment, seed=2)
    assert result.issued > 20
    after = {z.code: boards.version(ctx, z.code) for z in ctx.config.zones}
    # the morning is one batch: each zone's screens are told once, when it is in
    assert list(before) == ["construction", "general", "social"]
    assert after == {zone: version + 1 for zone, version in before.items()}
    with ctx.db.read() as s:
        waiting = s.scalar(select(func.count(Step.id)).where(Step.status == "waiting"))
        latest = s.scalar(select(func.max(Ticket.issued_at)))
    assert waiting > 0  # people in the queues, as at half past ten
    assert latest <= moment
