"""Booking on a phone-sized screen (390×844) in headless Chromium, then the managers' page lists
the booking (tests/halls/booking.toml; the clock at Monday 7 December 2026, 10:00)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from queues import bookings, errors
from queues.access import staff
from tests.booking_hall import MONDAY_10, NAME, PHONE, at, booking_context
from tests.browser.test_counter_display import PASSWORD, sign_in
from tests.support import Clock, tap


def test_booking001_a_visitor_books_on_the_phone_and_the_manager_sees_it(
    dash_duo, tmp_path: Path
) -> None:
    ctx = booking_context(f"sqlite:///{tmp_path}/booking.db", Clock(MONDAY_10))
    staff.add_user(ctx, "li", "manager", PASSWORD)
    for hour in (9, 10, 11):  # someone books tax three times on Thursday, then a fourth: barred
        bookings.book(ctx, "tax", at(10, hour, 0), "赵六", "13600001111")
    with pytest.raises(errors.BookingBarred):
        bookings.book(ctx, "tax", at(10, 9, 30), "赵六", "13600001111")
    dash_duo.start_server(create_app(ctx))
    driver = dash_duo.driver
    driver.set_window_size(390, 844)
    driver.get(dash_duo.server_url + "/book")
    dash_duo.wait_for_contains_text("#book-hall", "预约测试大厅")
    tap(dash_duo, "#book-tax")
    dash_duo.wait_for_contains_text("#book-chosen", "税务登记")
    tap(dash_duo, "#book-day-2026-12-08")
    dash_duo.wait_for_contains_text("#book-slot-0930", "余 2 个")
    tap(dash_duo, "#book-slot-0930")
    dash_duo.wait_for_element("#book-name").send_keys(NAME)
    dash_duo.find_element("#book-phone").send_keys(PHONE)
    button = dash_duo.find_element("#book-submit")
    assert button.size["width"] >= 300 and button.size["height"] >= 48  # a big target
    tap(dash_duo, "#book-submit")
    dash_duo.wait_for_text_to_equal("#book-done", "预约成功")
    code = dash_duo.find_element("#book-code").text
    assert len(code) == 8
    assert dash_duo.find_element("#book-qr").size["width"] >= 150
    assert "12月8日 周二 09:30–10:00" in dash_duo.find_element("#book-when").text
    page = driver.page_source
    assert NAME not in page and PHONE not in page
    # nothing wider than the phone: no sideways scrolling
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
    # the manager's page lists it, with the name and the number
    driver.set_window_size(1366, 900)
    sign_in(dash_duo, "li", "/bookings?day=2026-12-08")
    dash_duo.wait_for_contains_text("#bookings-list", code)
    listed = dash_duo.find_element("#bookings-list").text
    assert NAME in listed and PHONE in listed and "已预约" in listed
    dash_duo.wait_for_contains_text("#bookings-capacity", "09:30")
    # the bar, with who and why, and the lift button
    dash_duo.wait_for_contains_text("#bookings-bars-table", "13600001111")
    assert "同一事项同一天预约超过 3 次" in dash_duo.find_element("#bookings-bars-table").text
    tap(dash_duo, "#bookings-bars-table button")
    dash_duo.wait_for_text_to_equal("#bookings-lifted", "已解除限制。")
    dash_duo.wait_for_element("#bookings-bars-none")
    assert bookings.bars(ctx) == []
    assert dash_duo.get_logs() == []


def test_booking002_every_step_and_the_booking_pass_axe(dash_duo, tmp_path: Path) -> None:
    from tests.browser.test_accessibility import AXE, audit

    ctx = booking_context(f"sqlite:///{tmp_path}/booking.db", Clock(MONDAY_10))
    made = bookings.book(ctx, "tax", at(8, 9, 0), NAME, PHONE)
    axe_source = AXE.read_text(encoding="utf-8")
    dash_duo.start_server(create_app(ctx))
    problems = []
    for path in (
        "/book?service=tax&day=2026-12-08",
        "/book?service=tax&day=2026-12-08&slot=0930",
        f"/book/{made.code}?new=1",
        f"/book/{made.code}?cancel=1&lang=en",
        f"/book/{made.code}/move?day=2026-12-10",
    ):
        problems += audit(dash_duo, axe_source, path, (390, 844))
    assert problems == [], "\n".join(problems)
