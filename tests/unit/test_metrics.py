"""The hall's figures on hand-built days whose answers are worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from queues import services
from queues.context import Context
from queues.read import capacity, drilldown, figures, overview, rollups
from queues.rules import planner
from tests.support import Clock, beijing, make_context

DAY = date(2026, 11, 24)  # a Tuesday
CLERK = "user:wang"


@pytest.fixture
def ctx(any_ctx: Context) -> Context:
    return any_ctx


def at(clock: Clock, hh: int, mm: int) -> None:
    clock.set(beijing(2026, 11, 24, hh, mm))


def a_morning(ctx: Context, clock: Clock) -> None:
    """Window 5 (tax, in tests/halls/main.toml) opens at 09:00; four tax tickets (target 20 min)
    are taken at 09:00.

    T001 waits 5, served 10 (done); T002 waits 15, served 10 from its start at 09:16 (promised);
    T003 waits 26, no-show at 09:30; T004 waits 30, served 20 (incomplete). The window closes at
    10:00. T001 is rated 5, T002 rated 1.
    """
    at(clock, 9, 0)
    services.resume(ctx, 5, CLERK)
    tickets = [services.issue(ctx, "tax").ticket.id for _ in range(4)]
    at(clock, 9, 5)
    services.call_next(ctx, 5, CLERK)
    services.start(ctx, 5, CLERK)
    at(clock, 9, 15)
    services.finish(ctx, 5, CLERK)
    services.call_next(ctx, 5, CLERK)
    at(clock, 9, 16)
    services.start(ctx, 5, CLERK)
    at(clock, 9, 26)
    services.finish(ctx, 5, CLERK, "promised", DAY + timedelta(days=5))
    services.call_next(ctx, 5, CLERK)
    at(clock, 9, 30)
    services.no_show(ctx, 5, CLERK)
    services.call_next(ctx, 5, CLERK)
    services.start(ctx, 5, CLERK)
    at(clock, 9, 50)
    services.finish(ctx, 5, CLERK, "incomplete")
    services.rate(ctx, tickets[0], 5)
    services.rate(ctx, tickets[1], 1)
    at(clock, 10, 0)
    services.close(ctx, 5, CLERK)


def assert_the_morning(f: figures.Figures) -> None:
    assert f.issued == 4
    assert (f.called, f.handled, f.finished, f.no_shows) == (4, 3, 3, 1)
    assert f.wait_mean == pytest.approx((5 + 15 + 26 + 30) / 4)
    assert f.wait_p90 == 30  # nearest rank: the 4th of 4
    assert f.within_target_share == pytest.approx(0.5) and f.late == 2  # T003 and T004
    assert f.service_mean == pytest.approx((10 + 10 + 20) / 3)
    assert f.no_show_rate == pytest.approx(0.25)
    assert f.outcomes == {"done": 1, "promised": 1, "incomplete": 1, "consult": 0}
    assert (f.rating_count, f.rating_mean, f.bad_ratings) == (2, 3.0, 1)


def test_a_hand_built_morning_gives_its_known_figures(ctx: Context, clock: Clock) -> None:
    a_morning(ctx, clock)
    at(clock, 11, 0)
    assert_the_morning(rollups.report(ctx, DAY, DAY)["all"])
    by_window = rollups.report(ctx, DAY, DAY, "window")
    assert list(by_window) == [5]
    assert by_window[5].handled == 3 and by_window[5].issued == 0  # windows call, kiosks issue
    assert rollups.report(ctx, DAY, DAY, "clerk")["wang"].handled == 3
    assert rollups.report(ctx, DAY, DAY, "zone")["general"].issued == 4


def test_window_time_open_and_serving(ctx: Context, clock: Clock) -> None:
    a_morning(ctx, clock)
    at(clock, 11, 0)
    w = rollups.window_report(ctx, DAY, DAY)[5]
    assert w.open_seconds == pytest.approx(3600)
    # serving runs from each call to its end: 10 + 11 + 4 + 20 minutes
    assert w.serving_seconds == pytest.approx((10 + 11 + 4 + 20) * 60)
    with ctx.db.read() as s:
        by_hour = figures.window_times(s, ctx, DAY)[5].open_by_hour
    assert by_hour[9] == pytest.approx(3600) and sum(by_hour) == pytest.approx(3600)
    line = next(x for x in overview.today(ctx).windows if x.id == 5)
    assert line.time.serving_share == pytest.approx(0.75)


def test_the_nightly_roll_up_keeps_the_same_figures(ctx: Context, clock: Clock) -> None:
    a_morning(ctx, clock)
    assert rollups.rollup(ctx, DAY) > 0
    assert rollups.rollup(ctx, DAY) > 0  # twice gives the same rows, not double
    clock.set(beijing(2026, 11, 30, 10, 0))  # next week: the day is read from the roll-up
    assert_the_morning(rollups.report(ctx, DAY, DAY)["all"])
    assert rollups.window_report(ctx, DAY, DAY)[5].serving_seconds == pytest.approx(45 * 60)
    assert rollups.days_to_roll_up(ctx) == []


def test_the_business_day_is_the_halls_not_utcs(sqlite_url: str) -> None:
    clock = Clock()
    ctx = make_context(sqlite_url, clock, open_always=True)
    clock.set(beijing(2026, 11, 24, 23, 59))
    late = services.issue(ctx, "tax").ticket
    clock.set(beijing(2026, 11, 25, 0, 1))  # two minutes later, another day (T001 still waits)
    early = services.issue(ctx, "tax").ticket
    clock.set(beijing(2026, 11, 25, 7, 30))  # 23:30 UTC on the 24th, the 25th in the hall
    dawn = services.issue(ctx, "tax").ticket
    assert (late.number, early.number, dawn.number) == ("T001", "T002", "T003")
    day_24 = rollups.report(ctx, DAY, DAY)["all"]
    day_25 = rollups.report(ctx, DAY + timedelta(days=1), DAY + timedelta(days=1))["all"]
    assert (day_24.issued, day_25.issued) == (1, 2)
    assert day_24.arrivals[23] == 1 and day_25.arrivals[0] == 1 and day_25.arrivals[7] == 1
    ctx.db.dispose()


def called_after(minutes: int) -> SimpleNamespace:
    """A step called ``minutes`` after it joined the queue, then finished."""
    joined = beijing(2026, 11, 24, 9, 0)
    called = joined + timedelta(minutes=minutes)
    return SimpleNamespace(
        status="done",
        outcome="done",
        entered_at=joined,
        queued_at=joined,
        called_at=called,
        started_at=called,
        finished_at=called + timedelta(minutes=5),
    )


def test_p90_is_the_nearest_rank_of_whole_minutes() -> None:
    f = figures.Figures()
    for minutes in range(1, 11):  # 1 … 10 minutes
        f.count(called_after(minutes), 5, beijing(2026, 11, 24, 12, 0))
    assert f.wait_p90 == 9  # the 9th of 10
    assert f.within_target_share == pytest.approx(0.5)
    assert figures.Figures().wait_p90 is None and figures.Figures().wait_mean is None


def test_the_dashboard_now_and_the_tickets_behind_it(ctx: Context, clock: Clock) -> None:
    at(clock, 9, 0)
    services.resume(ctx, 5, CLERK)
    for _ in range(3):
        services.issue(ctx, "tax")
    services.issue(ctx, "housing-fund")
    at(clock, 9, 25)  # everyone has waited 25 minutes: past the 20-minute target
    services.call_next(ctx, 5, CLERK)
    now = overview.now(ctx)
    assert now.waiting == 3 and now.longest_wait == pytest.approx(25)
    assert now.waiting_late == 3  # each past its own service's 20 minutes
    assert now.waiting_by_zone == {"general": 3}
    assert overview.now(ctx, "social").waiting == 0
    assert [x.number for x in drilldown.tickets_behind(ctx, "waiting")] == ["T002", "T003", "Q001"]
    assert [x.number for x in drilldown.tickets_behind(ctx, "late")] == [
        "T001",
        "T002",
        "T003",
        "Q001",
    ]
    assert [x.number for x in drilldown.tickets_behind(ctx, "called", window=5)] == ["T001"]
    today = overview.today(ctx, "general")
    assert today.hall.issued == 4 and today.now.windows_open == 1
    assert [(w.id, w.zone) for w in today.windows] == [
        (5, "general"),
        (6, "general"),
        (7, "general"),
    ]


def test_the_queue_through_the_day(ctx: Context, clock: Clock) -> None:
    at(clock, 9, 0)
    services.resume(ctx, 5, CLERK)
    services.issue(ctx, "tax")
    services.issue(ctx, "tax")
    at(clock, 9, 20)
    services.call_next(ctx, 5, CLERK)
    at(clock, 9, 45)
    series = dict(overview.queue_series(ctx, DAY)["general"])
    assert series[beijing(2026, 11, 24, 9, 0)] == 2
    assert series[beijing(2026, 11, 24, 9, 20)] == 1
    assert max(series) <= beijing(2026, 11, 24, 9, 45)  # nothing drawn after now


def test_erlang_c_known_values() -> None:
    assert planner.erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: the load itself
    assert planner.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert planner.erlang_c(3, 3.0) == 1.0  # cannot keep up
    assert planner.needed(0, 10, 20) == 0
    # 60 an hour, 10 minutes each: a load of 10 windows; more are needed to meet a target
    assert planner.needed(60, 10, 20) == 11
    assert planner.within(11, 60, 10, 20) >= 0.8 > planner.within(10, 60, 10, 20)
    assert planner.needed(120, 10, 20) > planner.needed(60, 10, 20)


def test_the_planner_forecasts_from_the_same_weekday(ctx: Context, clock: Clock) -> None:
    for day, tickets in ((17, 6), (10, 2)):  # two Tuesdays before: 6 and 2 tax tickets at 9:xx
        clock.set(beijing(2026, 11, day, 9, 0))
        services.resume(ctx, 5, CLERK)
        for _ in range(tickets):
            services.issue(ctx, "tax")
        clock.set(beijing(2026, 11, day, 11, 0))
        services.close(ctx, 5, CLERK)
        rollups.rollup(ctx, date(2026, 11, day))
    clock.set(beijing(2026, 11, 24, 8, 0))
    assert rollups.arrivals_by_weekday_hour(ctx)[1][9] == pytest.approx(4)  # (6 + 2) / 2
    assert rollups.open_windows_by_weekday_hour(ctx)[1][9] == pytest.approx(1)
    nine = next(h for h in capacity.plan(ctx, 1) if h.hour == 9)
    # 4 an hour at 10 minutes: one window calls only 66 % within 20 minutes (Erlang C), two 97 %
    assert nine.arrivals == pytest.approx(4) and nine.needed == 2 and nine.open == pytest.approx(1)
    wednesday = capacity.plan(ctx, 2)  # the hall's hours, 8:xx (tickets from 8:45) to 17:xx
    assert [h.hour for h in wednesday] == list(range(8, 18))
    assert [h.arrivals for h in wednesday] == [0] * 10  # no Wednesday history
