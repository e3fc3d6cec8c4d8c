"""One hand-made day, and every screen that counts it says the same: the counter console, the
dashboard, the day's report and ``GET /api/v1/stats/today``. The expected figures are worked
out by hand below, from the day as it is told.

The hall is ``tests/halls/figures_day.toml``: window 1 is the unified desk (target 20 min), window
5 takes the permits it sends on (target 30), windows 20 and 21 serve tax (target 10). Tuesday
24 November 2026, Beijing time:

=====  ===========================================================================================
09:00  windows 1, 5 and 20 open; a permit is taken (J001, queued at the desk), tax T001-T003
09:02  window 1 calls J001 (waited 2), starts 09:03, transfers it to permits at 09:20 (17 min)
09:05  window 20 calls T001 (waited 5), starts 09:06, finishes 09:16: done (10 min)
09:16  window 20 calls T002 (waited 16: late); 09:26 T002 did not come: a no-show
09:25  window 5 calls J001 (waited 5 since the transfer), starts 09:26, finishes 09:56: promised
       for 1 December (30 min)
09:26  window 20 calls T003 (waited 26: late), starts 09:27, finishes 09:37: incomplete (10 min)
09:30  T004 is taken, and at 10:00 still waits: 30 minutes, past its 10
       T001 is rated 5, J001 (at window 5) 2: a bad rating
=====  ===========================================================================================

At 10:00, for the hall: 5 issued; 5 steps called (J001 twice); handled 4 (办理: J001 at the
desk and at window 5, T001, T003), finished 3 (办结: J001 promised, T001 done, T003 incomplete;
the desk's transfer is not a finish), 1 transferred, 1 no-show; waits 2, 5, 5, 16, 26: mean
10.8, p90 26; within target 3 (J001 twice, T001), late 3 (T002, T003 called late, T004 waiting),
so 3 of 6 judged: 50 %; service 17, 30, 10, 10: mean 16.75; no-show rate 1 of 5; ratings 2,
mean 3.5, 1 bad; 1 waiting, 1 of them past target, the longest 30 minutes.

Window 20: called 3, handled 2, finished 2, no-show 1; waits 5, 16, 26 (mean 15.67); within 1 of
3; service mean 10; rated 5. Window 5: handled 1, finished 1; waited 5 (not 25: the wait is
for its own queue, from the transfer); rated 2. Window 1: handled 1, finished 0, transferred 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api.schemas import StatsOut
from app import create_app
from queues import services
from queues.access import tokens
from queues.context import Context
from queues.hall import config as hall_config
from queues.hall.sync import apply_config
from queues.read import counters, drilldown, overview, reports, rollups
from queues.store.db import Database
from tests.support import Clock, beijing

HALL = hall_config.load(Path(__file__).resolve().parents[1] / "halls" / "figures_day.toml")
DAY = date(2026, 11, 24)


def at(clock: Clock, hh: int, mm: int) -> None:
    clock.set(beijing(2026, 11, 24, hh, mm))


@pytest.fixture
def day(any_url: str) -> Iterator[Context]:
    clock = Clock()
    db = Database(any_url)
    apply_config(db, HALL)
    ctx = Context(db=db, config=HALL, clock=clock)
    the_day(ctx, clock)
    yield ctx
    db.dispose()


def the_day(ctx: Context, clock: Clock) -> None:
    at(clock, 9, 0)
    for window in (1, 5, 20):
        services.resume(ctx, window, "user:clerk")
    permit = services.issue(ctx, "permit").ticket
    tax = [services.issue(ctx, "tax").ticket for _ in range(3)]
    assert [permit.number, *(t.number for t in tax)] == ["J001", "T001", "T002", "T003"]
    at(clock, 9, 2)
    services.call_next(ctx, 1, "user:desk")
    at(clock, 9, 3)
    services.start(ctx, 1, "user:desk")
    at(clock, 9, 5)
    services.call_next(ctx, 20, "user:wang")
    at(clock, 9, 6)
    services.start(ctx, 20, "user:wang")
    at(clock, 9, 16)
    services.finish(ctx, 20, "user:wang")
    services.call_next(ctx, 20, "user:wang")
    at(clock, 9, 20)
    services.transfer(ctx, 1, "user:desk", service="permit")
    at(clock, 9, 25)
    services.call_next(ctx, 5, "user:li")
    at(clock, 9, 26)
    services.start(ctx, 5, "user:li")
    services.no_show(ctx, 20, "user:wang")
    services.call_next(ctx, 20, "user:wang")
    at(clock, 9, 27)
    services.start(ctx, 20, "user:wang")
    at(clock, 9, 30)
    assert services.issue(ctx, "tax").ticket.number == "T004"
    at(clock, 9, 37)
    services.finish(ctx, 20, "user:wang", "incomplete")
    at(clock, 9, 56)
    services.finish(ctx, 5, "user:li", "promised", date(2026, 12, 1))
    services.rate(ctx, tax[0].id, 5)
    services.rate(ctx, permit.id, 2)
    at(clock, 10, 0)


HALL_FIGURES = {
    "issued": 5,
    "called": 5,
    "handled": 4,
    "finished": 3,
    "transferred": 1,
    "no_shows": 1,
    "late": 3,
    "wait_mean": 10.8,
    "wait_p90": 26,
    "within_target_share": 0.5,
    "service_mean": 16.75,
    "no_show_rate": 0.2,
    "rating_count": 2,
    "rating_mean": 3.5,
    "bad_ratings": 1,
}
WINDOW_20 = {
    "called": 3,
    "handled": 2,
    "finished": 2,
    "transferred": 0,
    "no_shows": 1,
    "wait_mean": 47 / 3,
    "within_target_share": 1 / 3,
    "service_mean": 10.0,
    "rating_mean": 5.0,
}
WINDOW_5 = {"called": 1, "handled": 1, "finished": 1, "wait_mean": 5.0, "service_mean": 30.0}
WINDOW_1 = {"called": 1, "handled": 1, "finished": 0, "transferred": 1, "service_mean": 17.0}


def figures_of(f: Any, names: dict[str, Any]) -> dict[str, Any]:
    return {name: getattr(f, name) for name in names}


def approx(expected: dict[str, Any]) -> dict[str, Any]:
    return {k: pytest.approx(v) for k, v in expected.items()}


def test_the_read_models_agree_with_the_hand_count(day: Context) -> None:
    today = overview.today(day)
    assert figures_of(today.hall, HALL_FIGURES) == approx(HALL_FIGURES)
    assert (today.now.waiting, today.now.waiting_late) == (1, 1)
    assert today.now.longest_wait == pytest.approx(30)
    windows = {w.id: w.figures for w in today.windows}
    report = rollups.report(day, DAY, DAY, "window")
    for window, expected in ((20, WINDOW_20), (5, WINDOW_5), (1, WINDOW_1)):
        console = counters.console(day, window).today
        for source in (windows[window], report[window], console):
            assert figures_of(source, expected) == approx(expected), (window, source)
    assert figures_of(rollups.report(day, DAY, DAY)["all"], HALL_FIGURES) == approx(HALL_FIGURES)


def test_the_drill_down_lists_what_each_figure_counts(day: Context) -> None:
    def numbers(figure: str, window: int | None = None) -> list[str]:
        return [line.number for line in drilldown.tickets_behind(day, figure, window=window)]

    # in the order taken, then of the steps: J001's second step came last
    assert numbers("handled") == ["J001", "T001", "T003", "J001"]
    assert numbers("finished") == ["T001", "T003", "J001"]
    assert numbers("finished", window=1) == []  # the desk sent it on: handled, not finished
    assert numbers("late") == ["T002", "T003", "T004"]
    assert numbers("waiting") == ["T004"]
    assert numbers("no_shows") == ["T002"]
    assert numbers("bad_ratings") == ["J001"]


def test_the_screens_say_the_same_numbers(day: Context) -> None:
    """What a manager and a clerk read, in words, and what an integration reads over HTTP."""
    app = create_app(day)
    from pages import counter as counter_page
    from pages import dashboard as dashboard_page

    def text(component: Any) -> str:
        children = getattr(component, "children", component)
        if isinstance(children, list | tuple):
            return "".join(text(c) for c in children)
        return "" if children is None else str(children)

    tiles = {
        tile: [text(part) for part in parts]
        for (tile, _), parts in zip(
            dashboard_page.TILES,
            dashboard_page.tiles(overview.today(day), day, "zh"),
            strict=True,
        )
    }
    assert tiles["finished"] == ["今日办结", "3", "办理 4 · 取号 5"]
    assert tiles["within"] == ["目标内叫号", "50%", "3 人超时"]
    assert tiles["waiting"] == ["当前等候", "1", "最长等候 30 分钟 · 1 人已超时"]
    assert tiles["wait"][1:] == ["11 分钟", "90% 在 26 分钟内"]
    assert tiles["service"][1] == "17 分钟"

    console = counter_page._today(counters.console(day, 20), "zh")
    assert [text(li) for li in console[1].children] == [
        "办理 2（办结 2）",
        "过号 1",
        "转出 0",
        "平均办理 10.0 分钟",
        "平均等候 15.7 分钟",
    ]
    desk = counter_page._today(counters.console(day, 1), "en")
    assert text(desk[1].children[0]) == "handled 1 (0 finished)"

    report = reports.build(day, "day", DAY, None, "window", "zh")
    heads = reports.headings("window", "zh")
    line = report.lines[-1]
    row = dict(zip(heads, [line.label, *reports.values(line, line.figures, "window")], strict=True))
    assert row["窗口"] == "20 号窗口 税务局"
    assert (row["办理量"], row["办结量"], row["过号"], row["超时"]) == (2, 2, 1, 2)
    total = reports.values(None, report.total, "window")
    assert total[heads.index("办理量") - 1 : heads.index("转出") - 1] == [4, 3]

    token = tokens.create_token(day, "manager", "figures")
    answer = app.server.test_client().get(
        "/api/v1/stats/today", headers={"Authorization": f"Bearer {token}"}
    )
    body = StatsOut.model_validate(answer.get_json())
    assert (body.issued, body.called, body.handled, body.finished) == (5, 5, 4, 3)
    assert (body.transferred, body.no_shows, body.late, body.waiting_late) == (1, 1, 3, 1)
    assert (body.wait_mean_minutes, body.wait_p90_minutes, body.within_target_share) == (
        10.8,
        26,
        0.5,
    )
    assert body.service_mean_minutes == 16.8 and body.rating_mean == 3.5
    w20 = next(w for w in body.windows if w.window == 20)
    assert (w20.handled, w20.finished, w20.no_shows, w20.late) == (2, 2, 1, 2)


# --- a simulated month, added up both ways ------------------------------------------------------

SHIPPED = hall_config.load(Path(__file__).resolve().parents[2] / "config" / "hall.toml")
"""The simulator plays the default hall's habits (its matters and their mix)."""
ADDING_UP = ("called", "handled", "transferred", "no_shows", "wait_count", "within_target")
ADDING_UP += ("service_count", "rating_count", "rating_sum", "bad_ratings")


def counted(f: Any, names: tuple[str, ...] = ADDING_UP) -> dict[str, Any]:
    return {**{n: getattr(f, n) for n in names}, "finished": f.finished, "outcomes": f.outcomes}


def summed(parts: Any, names: tuple[str, ...] = ADDING_UP) -> dict[str, Any]:
    from queues.read.figures import total

    return counted(total(dict(enumerate(parts))), names)


def test_a_simulated_month_adds_up_both_ways(sqlite_url: str) -> None:
    """Four weeks of the default hall: the month's report equals its days added up, its windows,
    zones and clerks added up; each day, every window's console says what the dashboard and
    that day's (rolled-up) report say; and nothing is finished more often than issued."""
    clock = Clock(beijing(2026, 11, 30, 8, 0))
    db = Database(sqlite_url)
    apply_config(db, SHIPPED)
    ctx = Context(db=db, config=SHIPPED, clock=clock)
    from simulation import simulate as sim

    days = [r.day for r in sim.simulate_days(ctx, date(2026, 11, 2), 28, seed=5)]
    assert len(days) == 20
    first, last = days[0], days[-1]
    month = rollups.reports(ctx, first, last, [None, "window", "zone", "clerk", "service"])
    hall = month[None]["all"]
    assert 4000 < hall.issued < 8000
    assert hall.finished <= hall.issued < hall.handled  # transfers are handled, not finished
    assert hall.handled == hall.finished + hall.transferred
    assert hall.late == hall.judged - hall.within_target

    assert summed(month["window"].values()) == counted(hall)
    assert summed(month["clerk"].values()) == counted(hall)
    every = (*ADDING_UP, "issued", "expired", "late_uncalled")
    assert summed(month["zone"].values(), every) == counted(hall, every)
    assert summed(month["service"].values(), every) == counted(hall, every)
    daily = [rollups.report(ctx, d, d)["all"] for d in days]
    assert summed(daily, every) == counted(hall, every)

    for d in days:
        clock.set(beijing(d.year, d.month, d.day, 23, 59))
        stored = rollups.report(ctx, d, d, "window")  # the night's roll-up
        dashboard = {w.id: w.figures for w in overview.today(ctx).windows}
        for window, f in stored.items():
            console = counters.console(ctx, window).today
            assert counted(console) == counted(dashboard[window]) == counted(f), (d, window)
    db.dispose()
