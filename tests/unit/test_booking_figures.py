"""The bookings' figures per matter and slot (queues.read.booking_figures), computed by hand on
one Tuesday of tests/halls/main.toml (opens 09:00, slots of 30 minutes, one tax window: 5)."""

from __future__ import annotations

from datetime import datetime

import pytest

from queues import checkin, services
from queues.access.requesters import Requester
from queues.context import Context
from queues.read import booking_figures, reports
from tests.booked import book
from tests.support import Clock, beijing

DAY = beijing(2026, 11, 24, 0, 0)
KIOSK = Requester.at_kiosk("k2")


def at(hh: int, mm: int) -> datetime:
    return beijing(2026, 11, 24, hh, mm)


@pytest.fixture
def ctx(any_ctx: Context) -> Context:
    return any_ctx


def call_and_finish(ctx: Context, clock: Clock, hh: int, mm: int) -> str:
    clock.set(at(hh, mm))
    called = services.call_next(ctx, 5, "clerk:wang")
    assert called is not None
    services.finish(ctx, 5, "clerk:wang")
    return called.number


def play_the_day(ctx: Context, clock: Clock) -> None:
    services.resume(ctx, 5, "clerk:wang")
    book(ctx, "AAAA3467", at(10, 0))
    book(ctx, "KKKK3467", at(10, 0))
    book(ctx, "CCCC3467", at(10, 0), status="no_show")
    book(ctx, "DDDD3467", at(10, 0), status="cancelled")
    book(ctx, "EEEE3467", at(10, 30))
    book(ctx, "FFFF3467", at(14, 0), service="housing-fund")  # still to come
    clock.set(at(9, 50))
    a = checkin.check_in(ctx, "AAAA3467", KIOSK).ticket.number  # early: in line from 10:00
    clock.set(at(10, 2))
    w1 = services.issue(ctx, "tax").ticket.number  # a walk-in of the 10:00 slot
    clock.set(at(10, 5))
    b = checkin.check_in(ctx, "KKKK3467", KIOSK).ticket.number  # within grace: from 10:00
    assert call_and_finish(ctx, clock, 10, 10) == a  # waited 20 min (from 09:50)
    assert call_and_finish(ctx, clock, 10, 15) == b  # 10 min
    assert call_and_finish(ctx, clock, 10, 20) == w1  # 18 min
    clock.set(at(10, 30))
    checkin.check_in(ctx, "EEEE3467", KIOSK)
    call_and_finish(ctx, clock, 10, 36)  # E: 6 min
    clock.set(at(10, 40))
    services.issue(ctx, "tax")  # a walk-in of the 10:30 slot
    call_and_finish(ctx, clock, 10, 50)  # 10 min
    clock.set(at(11, 10))
    services.issue(ctx, "tax")  # a walk-in of the 11:00 slot, which nobody booked
    call_and_finish(ctx, clock, 11, 14)  # 4 min
    clock.set(at(16, 0))


def test_figures_per_matter_and_slot(ctx: Context, clock: Clock) -> None:
    play_the_day(ctx, clock)
    day = DAY.astimezone(ctx.tz).date()
    found = booking_figures.lines(ctx, day, day)
    got = [
        (
            f.service,
            f.slot,
            f.bookings,
            f.checked_in,
            f.no_shows,
            f.cancelled,
            None if f.check_in_rate is None else round(f.check_in_rate, 3),
            None if f.wait_booked is None else round(f.wait_booked, 2),
            None if f.wait_walk_in is None else round(f.wait_walk_in, 2),
        )
        for f in found
    ]
    assert got == [
        ("tax", "10:00", 4, 2, 1, 1, 0.667, 15.0, 18.0),  # (20 + 10) / 2 ; 18
        ("tax", "10:30", 1, 1, 0, 0, 1.0, 6.0, 10.0),
        ("tax", None, 5, 3, 1, 1, 0.75, 12.0, 10.67),  # walk-ins (18 + 10 + 4) / 3
        ("housing-fund", "14:00", 1, 0, 0, 0, None, None, None),
        ("housing-fund", None, 1, 0, 0, 0, None, None, None),
        (None, None, 6, 3, 1, 1, 0.75, 12.0, 10.67),
    ]


def test_the_report_carries_the_bookings_table_and_its_exports(ctx: Context, clock: Clock) -> None:
    play_the_day(ctx, clock)
    day = DAY.astimezone(ctx.tz).date()
    report = reports.build(ctx, "week", day, None, "service", "zh")
    assert len(report.bookings) == 6
    heads, rows = reports.sheets(ctx, report, "zh")["预约"]
    assert heads == [
        "事项", "时段", "预约数", "签到数", "签到率", "爽约", "取消",
        "预约平均等候（分）", "现场平均等候（分）",
    ]  # fmt: skip
    assert rows[0] == ["税务登记与申报", "10:00", 4, 2, 0.667, 1, 1, 15.0, 18.0]
    assert rows[-1] == ["合计", "", 6, 3, 0.75, 1, 1, 12.0, 10.7]
    text = reports.to_csv(ctx, report, "zh").decode("utf-8-sig")
    assert "预约数" in text and "税务登记与申报,10:00,4,2,0.667,1,1,15.0,18.0" in text
    assert "张三" not in text and "13800000000" not in text  # no personal data in a report
    assert reports.to_xlsx(ctx, report, "zh")[:2] == b"PK"


def test_a_period_without_bookings_has_no_bookings_table(ctx: Context, clock: Clock) -> None:
    services.issue(ctx, "tax")
    day = DAY.astimezone(ctx.tz).date()
    report = reports.build(ctx, "day", day, None, "service", "zh")
    assert report.bookings == [] and "预约" not in reports.sheets(ctx, report, "zh")
