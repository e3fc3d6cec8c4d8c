"""The district's view of its network: every hall live, reports across halls, the ranking of
halls. Four halls in one database (the tests' hall as the district centre, two towns, a village
point), a Monday rolled up and a Tuesday morning live, every figure worked out by hand below."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete

from queues import services
from queues.context import Context
from queues.hall import config as hall_config
from queues.hall.sync import apply_config
from queues.network import HallEntry, Network
from queues.read import network as net
from queues.read import rollups
from queues.read.figures import Figures
from queues.store.db import Database
from queues.store.models import Alert, DailyStat, WindowDayStat
from tests.support import MAIN_HALL, TAX_POINT, TOWN_HALL, Clock, beijing

MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)
CLERK = "clerk:test"
HALLS = {
    "new-district": HallEntry("new-district", "新区政务服务中心", "New District Centre"),
    "town": HallEntry("town", "竹办便民服务中心", "Zhuban Centre", "town", "new-district"),
    "huan": HallEntry("huan", "环办便民服务中心", "Huanban Centre", "town", "new-district"),
    "village": HallEntry("village", "翠竹社区便民服务点", "Cuizhu Point", "village", "town"),
}


def huan_config() -> hall_config.HallConfig:
    """A second town: the town's file under another code."""
    text = TOWN_HALL.read_text(encoding="utf-8").replace('code = "town"', 'code = "huan"')
    return hall_config.parse(text, "huan.toml")


def network_of(db: Database, clock: Clock) -> Network:
    """The four halls over ``db`` (the tests' hall already in it)."""
    configs = [
        hall_config.load(MAIN_HALL),
        hall_config.load(TOWN_HALL),
        huan_config(),
        hall_config.load(TAX_POINT),
    ]
    for cfg in configs[1:]:
        apply_config(db, cfg)
    contexts = {c.hall.code: Context(db=db, config=c, clock=clock) for c in configs}
    return Network(contexts=contexts, default="new-district", halls=dict(HALLS))


def a_network_day(nw: Network, clock: Clock) -> None:
    """Monday 23 November, rolled up that night, and Tuesday 24 up to 10:00. Every ticket is
    for tax: target 20 minutes in the district, 15 in the towns, 10 in the village.

    Monday. District, window 5 open 09:00-10:00: T001 and T002 taken at 09:00; T001 waits 10
    (served 09:10-09:30), T002 waits 30 (09:30-09:40); both rated 5.
    Town, window 1 open 09:00-10:00: three taken at 09:00; T001 waits 5 (09:05-09:10), T002 is
    called after 10 and is a no-show at 09:11, T003 waits 11 (09:11-09:20); rated 2 and 4.
    Huan, window 1 open 09:00-11:00: two taken at 09:00, waiting 20 and 30 (both past 15),
    served 09:20-09:30 and 09:30-09:40; T001 rated 3.
    Village, window 1 open 09:00-09:30: one taken at 09:00, waits 4 (09:04-09:14), rated 5.

    Tuesday. District: window 5 opens at 09:00, three taken at 09:00, T001 waits 5 (served
    09:05-09:15, rated 4); T002 and T003 still wait at 10:00 (60 minutes, three times the
    target). Town: windows 1 and 2 open at 09:00, one ticket taken at 09:50 waits. Huan: nobody,
    windows closed, a printer alert open. Village: window 1 open at 09:00, a ticket taken at
    09:30 waits 5 (served 09:35-09:45), rated 1.
    """
    main, town, huan, village = (nw.context(code) for code in HALLS)

    def at(day: int, hh: int, mm: int) -> None:
        clock.set(beijing(2026, 11, day, hh, mm))

    def serve(ctx: Context, window: int, called: tuple, finished: tuple) -> str:
        at(*called)
        ticket = services.call_next(ctx, window, CLERK)
        services.start(ctx, window, CLERK)
        at(*finished)
        services.finish(ctx, window, CLERK)
        return ticket.id

    def open_and_issue(ctx: Context, window: int, day: int, n: int) -> None:
        at(day, 9, 0)
        services.resume(ctx, window, CLERK)
        for _ in range(n):
            services.issue(ctx, "tax")

    open_and_issue(main, 5, 23, 2)
    t1 = serve(main, 5, (23, 9, 10), (23, 9, 30))
    t2 = serve(main, 5, (23, 9, 30), (23, 9, 40))
    services.rate(main, t1, 5)
    services.rate(main, t2, 5)
    at(23, 10, 0)
    services.close(main, 5, CLERK)

    open_and_issue(town, 1, 23, 3)
    t1 = serve(town, 1, (23, 9, 5), (23, 9, 10))
    services.call_next(town, 1, CLERK)
    at(23, 9, 11)
    services.no_show(town, 1, CLERK)
    t3 = serve(town, 1, (23, 9, 11), (23, 9, 20))
    services.rate(town, t1, 2)
    services.rate(town, t3, 4)
    at(23, 10, 0)
    services.close(town, 1, CLERK)

    open_and_issue(huan, 1, 23, 2)
    t1 = serve(huan, 1, (23, 9, 20), (23, 9, 30))
    serve(huan, 1, (23, 9, 30), (23, 9, 40))
    services.rate(huan, t1, 3)
    at(23, 11, 0)
    services.close(huan, 1, CLERK)

    open_and_issue(village, 1, 23, 1)
    services.rate(village, serve(village, 1, (23, 9, 4), (23, 9, 14)), 5)
    at(23, 9, 30)
    services.close(village, 1, CLERK)

    at(24, 0, 30)
    for ctx in nw:
        rollups.rollup(ctx, MONDAY)

    open_and_issue(main, 5, 24, 3)
    services.rate(main, serve(main, 5, (24, 9, 5), (24, 9, 15)), 4)
    open_and_issue(town, 1, 24, 0)
    services.resume(town, 2, CLERK)
    at(24, 9, 50)
    services.issue(town, "tax")
    with main.db.network.write() as s:
        s.add(Alert(hall="huan", kind="printer", subject="k1", detail={}, opened_at=clock.now))
    open_and_issue(village, 1, 24, 0)
    at(24, 9, 30)
    services.issue(village, "tax")
    services.rate(village, serve(village, 1, (24, 9, 35), (24, 9, 45)), 1)
    at(24, 10, 0)


@pytest.fixture
def network(any_url: str, clock: Clock) -> Iterator[Network]:
    db = Database(any_url)
    nw = network_of(db, clock)
    a_network_day(nw, clock)
    yield nw
    db.dispose()


def shown(f: Figures) -> tuple:
    """issued, called, handled, no-shows, within target, mean wait, ratings, mean, bad."""
    wait = None if f.wait_mean is None else round(f.wait_mean, 3)
    within = None if f.within_target_share is None else round(f.within_target_share, 3)
    return (
        f.issued,
        f.called,
        f.handled,
        f.no_shows,
        within,
        wait,
        f.rating_count,
        f.rating_mean,
        f.bad_ratings,
    )


def test_every_hall_live_worst_first(network: Network) -> None:
    rows = net.live(network)
    # the district: its longest wait is three times its target; the town's ticket has waited
    # 10 of 15 minutes; huan has nobody waiting but an open alert; the village nothing
    assert [r.code for r in rows] == ["new-district", "town", "huan", "village"]
    seen = [
        (
            r.waiting,
            r.worst_wait,
            r.worst_service,
            r.worst_target,
            (r.windows_open, r.windows_total),
            r.alerts,
            r.today.handled,
            r.today.rating_count,
            r.today.rating_mean,
            r.today.bad_ratings,
        )
        for r in rows
    ]
    assert seen == [
        (2, 60.0, "tax", 20, (1, 12), 0, 1, 1, 4.0, 0),
        (1, 10.0, "tax", 15, (2, 2), 0, 0, 0, None, 0),
        (0, None, None, None, (0, 2), 1, 0, 0, None, 0),
        (0, None, None, None, (1, 1), 0, 1, 1, 1.0, 1),
    ]
    assert [round(r.strain, 3) for r in rows] == [3.0, 0.667, 0.0, 0.0]
    assert rows[0].waiting_late == 2 and rows[1].waiting_late == 0


def test_a_days_report_by_hall_by_service_and_by_level(network: Network) -> None:
    by_hall = net.build(network, "day", MONDAY, None, "hall", "zh")
    assert (by_hall.start, by_hall.end) == (MONDAY, MONDAY)
    assert [(line.key, line.label) for line in by_hall.lines] == [
        ("new-district", "新区政务服务中心"),
        ("town", "竹办便民服务中心"),
        ("huan", "环办便民服务中心"),
        ("village", "翠竹社区便民服务点"),
    ]
    assert [shown(line.figures) for line in by_hall.lines] == [
        (2, 2, 2, 0, 0.5, 20.0, 2, 5.0, 0),  # waits 10 and 30 against 20
        (3, 3, 2, 1, 1.0, 8.667, 2, 3.0, 1),  # waits 5, 10, 11 against 15; a no-show
        (2, 2, 2, 0, 0.0, 25.0, 1, 3.0, 0),  # waits 20 and 30 against 15
        (1, 1, 1, 0, 1.0, 4.0, 1, 5.0, 0),
    ]
    # tax in every hall adds up: 8 taken, waits 10+30+5+10+11+20+30+4 = 120 over 8, within
    # target 1+3+0+1 = 5 of 8, ratings 5+5+2+4+3+5 = 24 over 6
    by_service = net.build(network, "day", MONDAY, None, "service", "zh")
    assert [(line.key, line.label) for line in by_service.lines] == [("tax", "税务登记与申报")]
    assert shown(by_service.lines[0].figures) == (8, 8, 7, 1, 0.625, 15.0, 6, 4.0, 1)
    assert shown(by_service.total) == shown(by_service.lines[0].figures)
    # p90, nearest rank: the 2nd of 2 waits (10, 30), the 3rd of 3 (5, 10, 11), …
    assert [line.figures.wait_p90 for line in by_hall.lines] == [30, 11, 30, 4]
    assert by_hall.total.wait_p90 == by_service.total.wait_p90 == 30  # the 8th of 8
    # the towns together: 5 taken, waits 5+10+11+20+30 = 76 over 5, within 3 of 5
    by_level = net.build(network, "day", MONDAY, None, "level", "zh")
    assert [(line.key, line.label) for line in by_level.lines] == [
        ("district", "区级"),
        ("town", "镇（街道）级"),
        ("village", "村（社区）级"),
    ]
    assert [shown(line.figures) for line in by_level.lines] == [
        (2, 2, 2, 0, 0.5, 20.0, 2, 5.0, 0),
        (5, 5, 4, 1, 0.6, 15.2, 3, 3.0, 1),
        (1, 1, 1, 0, 1.0, 4.0, 1, 5.0, 0),
    ]


def test_a_week_adds_todays_live_figures_to_the_rolled_up_days(network: Network) -> None:
    week = net.build(network, "week", TUESDAY, None, "hall", "zh")
    assert (week.start, week.end) == (MONDAY, date(2026, 11, 29))
    main, town, _huan, village = week.lines
    # the district: Monday's 2 and today's 3 taken; waits 10, 30 and 5 called, T002 and T003
    # still waiting 60 minutes (past target, not called): 2 within of 5 judged
    assert shown(main.figures) == (5, 3, 3, 0, 0.4, 15.0, 3, pytest.approx(14 / 3), 0)
    assert main.figures.late_uncalled == 2
    # the town's ticket of today has waited 10 of its 15 minutes: not judged yet
    assert shown(town.figures) == (4, 3, 2, 1, 1.0, 8.667, 2, 3.0, 1)
    assert shown(village.figures) == (2, 2, 2, 0, 1.0, 4.5, 2, 3.0, 1)
    assert village.figures.wait_p90 == 5  # Monday's 4 rolled up, today's 5 live: the 2nd of 2
    by_service = net.build(network, "week", TUESDAY, None, "service", "zh")
    # 4, 5, 5, 5, 10, 10, 11, 20, 30, 30 (today's called: the district's 5, the village's 5)
    assert by_service.lines[0].figures.wait_count == 10
    assert by_service.lines[0].figures.wait_minutes == {4: 1, 5: 3, 10: 2, 11: 1, 20: 1, 30: 2}


def test_halls_rank_among_their_level(network: Network) -> None:
    ranking = net.build(network, "day", MONDAY, None, "hall", "zh").ranking
    # score = 40 × within + 30 × (rating − 1) / 4 + 15 × (1 − no-show rate)
    #         + 15 × handled per open window-hour ÷ the level's most
    # district: 40 × 0.5 + 30 × 1 + 15 × 1 + 15 × (2/1h ÷ 2) = 80
    # town: 40 × 1 + 30 × 0.5 + 15 × 2/3 + 15 × (2/1h ÷ 2) = 80
    # huan: 40 × 0 + 30 × 0.5 + 15 × 1 + 15 × (2/2h ÷ 2) = 37.5
    # village: 40 + 30 + 15 + 15 = 100 (alone in its level)
    assert {
        level: [(r.place, r.code, r.score) for r in ranked] for level, ranked in ranking.items()
    } == {
        "district": [(1, "new-district", 80.0)],
        "town": [(1, "town", 80.0), (2, "huan", 37.5)],
        "village": [(1, "village", 100.0)],
    }
    huan = ranking["town"][1]
    assert (huan.within_target, huan.satisfaction, huan.shows) == (0.0, 0.5, 1.0)
    assert (huan.per_window_hour, huan.productivity, huan.handled) == (1.0, 0.5, 2)


def test_the_network_report_exports(network: Network) -> None:
    report = net.build(network, "day", MONDAY, None, "level", "zh")
    book = load_workbook(io.BytesIO(net.to_xlsx(report, "zh")))
    assert book.sheetnames == ["统计", "区级排名", "镇级排名", "村级排名"]
    figures = book["统计"]
    assert figures.cell(1, 1).value.startswith("全区大厅总览 · 2026-11-23")
    heads = [c.value for c in figures[2]]
    assert heads[:4] == ["层级", "取号", "叫号", "办理量"]
    town = [c.value for c in figures[4]]
    assert town[0] == "镇（街道）级" and town[heads.index("取号")] == 5
    assert town[heads.index("目标内叫号率")] == 0.6
    assert figures.cell(4, heads.index("目标内叫号率") + 1).number_format == "0.0%"
    towns = book["镇级排名"]
    assert [c.value for c in towns[3]][:3] == [1, "竹办便民服务中心", 80.0]
    assert [c.value for c in towns[4]][:3] == [2, "环办便民服务中心", 37.5]

    text = net.to_csv(net.build(network, "day", MONDAY, None, "service", "en"), "en")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    head = rows.index(["Figures"]) + 1
    assert rows[head][:3] == ["Service (all halls)", "Issued", "Called"]
    assert rows[head + 1][:3] == ["Tax registration and returns", "8", "8"]
    assert ["Town ranking"] in rows


def test_a_day_not_rolled_up_is_counted_from_its_tickets(network: Network) -> None:
    """The server was off on Monday night at the village point: its Monday has no roll-up, and
    the network's report counts it from its tickets all the same."""
    with network.context().db.network.write() as s:
        s.execute(delete(DailyStat).where(DailyStat.hall == "village"))
        s.execute(delete(WindowDayStat).where(WindowDayStat.hall == "village"))
    report = net.build(network, "day", MONDAY, None, "hall", "zh")
    assert shown(report.lines[3].figures) == (1, 1, 1, 0, 1.0, 4.0, 1, 5.0, 0)
    assert report.ranking["village"][0].per_window_hour == 2.0  # 1 handled in half an hour
