"""The bookings table on /reports, as a manager sees it (tests/halls/main.toml)."""

from __future__ import annotations

from app import create_app
from queues import checkin
from queues.access import staff
from queues.access.requesters import Requester
from queues.context import Context
from tests.booked import book
from tests.browser.test_counter_display import PASSWORD, sign_in
from tests.support import Clock, beijing


def test_report001_the_bookings_per_matter_and_slot(dash_duo, ctx: Context, clock: Clock) -> None:
    staff.add_user(ctx, "li", "manager", PASSWORD)
    book(ctx, "ACDE3467", beijing(2026, 11, 24, 10, 0))
    book(ctx, "HJKM3467", beijing(2026, 11, 24, 10, 0), status="cancelled")
    book(ctx, "NPRT3467", beijing(2026, 11, 24, 10, 0), status="no_show")
    clock.set(beijing(2026, 11, 24, 10, 5))
    checkin.check_in(ctx, "ACDE3467", Requester.at_kiosk("k2"))
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.set_window_size(1920, 1080)
    sign_in(dash_duo, "li", "/reports?period=day&date=2026-11-24&by=service")
    dash_duo.wait_for_text_to_equal("#report-bookings-heading", "预约", timeout=15)
    box = dash_duo.find_element("#report-bookings-box")
    dash_duo.wait_for_contains_text("#report-bookings-box", "税务登记与申报")
    rows = [
        [c.text for c in r.find_elements("css selector", "th, td")]
        for r in box.find_elements("css selector", "tr")
    ]
    assert rows[0][:5] == ["事项", "时段", "预约数", "签到数", "签到率"]
    assert rows[1][:7] == ["税务登记与申报", "10:00", "3", "1", "50.0%", "1", "1"]
    assert "张三" not in dash_duo.driver.page_source  # the report names no visitor
