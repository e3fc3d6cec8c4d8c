"""Check-in at the kiosk in a real headless Chromium (tests/halls/main.toml: tax at window 5,
kiosk k1): by the booking code on the keypad, by an ID number the card reader types (keys and
Enter, sent as the reader sends them), and a late booking checked in as a walk-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.keys import Keys

from app import create_app
from kiosk.worker import PrintWorker
from queues import bookings
from queues.context import Context
from tests.booked import book, booking
from tests.support import Clock, FakePrinter, beijing, pair_browser, tap

SLOT = beijing(2026, 11, 24, 10, 0)
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def hall(dash_duo, ctx: Context, printer: FakePrinter) -> Iterator[object]:
    thread, stop = PrintWorker(ctx, default_uri=printer.uri, base_url="http://hall.test").start()
    dash_duo.start_server(create_app(ctx))
    pair_browser(dash_duo, ctx, "k1")
    yield dash_duo
    stop.set()
    thread.join(timeout=5)


def test_checkin001_by_the_code_on_the_keypad(
    hall, ctx: Context, clock: Clock, printer: FakePrinter
) -> None:
    book(ctx, "ACDE3467", SLOT)
    clock.set(beijing(2026, 11, 24, 9, 40))  # early: the turn starts at 10:00
    hall.driver.set_window_size(1080, 1920)
    hall.driver.get(hall.server_url + "/kiosk")
    hall.wait_for_text_to_equal(".kiosk-booking-label", "我有预约")
    tap(hall, 'button[data-tap="booking"]')
    hall.wait_for_text_to_equal("#kiosk-booking-title", "预约签到")
    for key in "ACDE3469":  # a wrong last key …
        tap(hall, f'button[data-key="{key}"]')
    tap(hall, 'button[data-key="del"]')  # … taken back with 删除
    tap(hall, 'button[data-key="7"]')
    hall.wait_for_text_to_equal("#kiosk-key-display", "ACDE3467")
    tap(hall, 'button[data-tap="ok"]')
    hall.wait_for_text_to_equal("#kiosk-number", "T001")
    assert hall.find_element("#kiosk-booked").text == "预约号"
    assert hall.find_element("#kiosk-turn").text == "您的号从 10:00 开始排，请稍候"
    assert "张三" not in hall.driver.page_source  # the booking's name: never on a public screen
    assert "13800000000" not in hall.driver.page_source
    hall.wait_for_text_to_equal("#kiosk-print", "请取走号票", timeout=10)
    out = printer.received()
    assert b"T001" in out and "您的号从 10:00 开始排".encode("gb18030") in out
    assert booking(ctx, "ACDE3467").status == "checked_in"


def test_checkin002_by_the_id_number_the_reader_types(hall, ctx: Context, clock: Clock) -> None:
    book(ctx, "ACDE3467", SLOT, id_hash=bookings.id_hash(ctx, ID_NUMBER))
    book(ctx, "HJKM3467", SLOT)  # someone else's: not this one
    clock.set(beijing(2026, 11, 24, 10, 5))  # within grace
    hall.driver.get(hall.server_url + "/kiosk")
    hall.wait_for_text_to_equal(".kiosk-booking-label", "我有预约")
    # the card reader types on whatever screen is up: the start screen here
    hall.find_element("body").send_keys(ID_NUMBER + Keys.ENTER)
    hall.wait_for_text_to_equal("#kiosk-number", "T001")
    assert hall.find_element("#kiosk-turn").text == "已按预约时段 10:00 排队"
    assert ID_NUMBER not in hall.driver.page_source
    assert booking(ctx, "ACDE3467").status == "checked_in"
    assert booking(ctx, "HJKM3467").status == "booked"
    # the same number again: already checked in, said in words on the check-in screen
    tap(hall, 'button[data-tap="home"]')
    hall.wait_for_text_to_equal(".kiosk-booking-label", "我有预约")
    hall.find_element("body").send_keys(ID_NUMBER + Keys.ENTER)
    hall.wait_for_text_to_equal("#kiosk-booking-error", "预约 ACDE3467 已经签到过了，号票是 T001。")


def test_checkin003_a_late_booking_is_checked_in_as_a_walk_in(
    hall, ctx: Context, clock: Clock
) -> None:
    book(ctx, "NPRT3467", SLOT)
    clock.set(beijing(2026, 11, 24, 10, 40))  # past the 15 minutes' grace
    hall.driver.get(hall.server_url + "/kiosk")
    tap(hall, 'button[data-tap="booking"]')
    for key in "NPRT3467":
        tap(hall, f'button[data-key="{key}"]')
    tap(hall, 'button[data-tap="ok"]')
    hall.wait_for_text_to_equal("#kiosk-number", "T001")
    assert hall.find_element("#kiosk-booked").text == "您来晚了，已过预约时间，按现场取号排队"
    assert not hall.find_elements("#kiosk-turn")


def test_checkin004_the_check_in_screens_pass_axe(hall, ctx: Context, clock: Clock) -> None:
    """axe-core (tests/browser/test_accessibility.py) on the check-in keypad, a refusal, and a
    booked ticket's screen: no critical or serious violation."""
    import json

    from tests.browser.test_accessibility import AXE, RUN_AXE, SERIOUS

    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make test` (it installs it with npm)")

    def violations(screen: str) -> list[str]:
        driver = hall.driver
        driver.set_script_timeout(60)
        driver.execute_script(AXE.read_text(encoding="utf-8"))
        found = json.loads(driver.execute_async_script(RUN_AXE))
        return [f"{screen}: {v['id']} {v['nodes']}" for v in found if v["impact"] in SERIOUS]

    book(ctx, "ACDE3467", SLOT)
    clock.set(beijing(2026, 11, 24, 9, 40))
    hall.driver.set_window_size(1080, 1920)
    hall.driver.get(hall.server_url + "/kiosk")
    tap(hall, 'button[data-tap="booking"]')
    hall.wait_for_text_to_equal("#kiosk-booking-title", "预约签到")
    problems = violations("keypad")
    tap(hall, 'button[data-key="3"]')
    tap(hall, 'button[data-tap="ok"]')  # one character: no such booking's shape
    hall.wait_for_text_to_equal("#kiosk-booking-error", "请输入 8 位预约码，或 18 位身份证号。")
    problems += violations("refusal")
    hall.find_element("body").send_keys("ACDE3467" + Keys.ENTER)
    hall.wait_for_text_to_equal("#kiosk-number", "T001")
    problems += violations("ticket")
    assert problems == [], "\n".join(problems)
