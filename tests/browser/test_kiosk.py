"""The kiosk and the phone page in a real headless Chromium, on the tests' hall
(tests/halls/main.toml: tax at window 5, kiosks k1 to k3)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from app import create_app
from kiosk.worker import PrintWorker
from queues import project_codes, services
from queues.access import devices
from queues.context import Context
from queues.store.db import Database
from queues.store.models import Rating, Ticket
from tests.support import Clock, FakePrinter, beijing, pair_browser, tap


@pytest.fixture
def hall(dash_duo, ctx: Context, printer: FakePrinter) -> Iterator[object]:
    """The app with its print worker printing on the network printer stand-in."""
    thread, stop = PrintWorker(ctx, default_uri=printer.uri, base_url="http://hall.test").start()
    dash_duo.start_server(create_app(ctx))
    pair_browser(dash_duo, ctx, "k1")  # a kiosk PC, paired once
    yield dash_duo
    stop.set()
    thread.join(timeout=5)


NORMAL = 'button[data-tap="normal"]'


def choose(duo: object, zone: str, service: str) -> None:
    """The visitor's first taps: the matter's zone, then the matter."""
    tap(duo, f'button[data-tap="zone:{zone}"]')
    tap(duo, f"button[data-service={service}]")


def tickets(ctx: Context) -> int:
    with ctx.db.read() as s:
        return s.scalar(select(func.count()).select_from(Ticket))


def test_kiosk001_two_taps_to_a_printed_ticket(hall, ctx: Context, printer: FakePrinter) -> None:
    hall.driver.set_window_size(1080, 1920)
    hall.driver.get(hall.server_url + "/kiosk")
    choose(hall, "general", "tax")
    hall.wait_for_text_to_equal("#kiosk-chosen", "税务登记与申报")
    tap(hall, NORMAL)
    hall.wait_for_text_to_equal("#kiosk-number", "T001")
    assert hall.find_element("#kiosk-where").text == "请到一楼综合服务区 5 号窗口"
    hall.wait_for_text_to_equal("#kiosk-print", "请取走号票", timeout=10)
    out = printer.received()
    assert b"T001" in out and "税务登记与申报".encode("gb18030") in out
    assert hall.find_element("#kiosk-qr").get_attribute("src").startswith("data:image/svg+xml")


def test_kiosk002_double_tap_makes_one_ticket(hall, ctx: Context) -> None:
    hall.driver.get(hall.server_url + "/kiosk")
    choose(hall, "general", "housing-fund")
    hall.wait_for_text_to_equal("#kiosk-chosen", "住房公积金提取、贷款")
    time.sleep(0.7)  # the screen is armed
    hall.driver.execute_script(
        "const b = document.querySelector('button[data-tap=normal]'); b.click(); b.click();"
    )
    hall.wait_for_text_to_equal("#kiosk-number", "Q001")
    time.sleep(1.0)  # let a second ticket appear, if one were coming
    assert tickets(ctx) == 1


def test_kiosk003_english_in_one_tap(hall) -> None:
    hall.driver.get(hall.server_url + "/kiosk")
    hall.wait_for_text_to_equal("#kiosk-question", "请选择办事区域")
    tap(hall, "#kiosk-lang-btn")
    hall.wait_for_text_to_equal("#kiosk-question", "Tap the area of your matter")
    tap(hall, 'button[data-tap="zone:general"]')
    hall.wait_for_text_to_equal("#kiosk-question", "Please tap what you came for")
    assert "Tax registration and returns" in hall.find_element("button[data-service=tax]").text
    tap(hall, "button[data-service=tax]")
    hall.wait_for_text_to_equal(NORMAL, "Take a ticket")


def test_kiosk004_green_channel_with_a_project_code(hall, ctx: Context) -> None:
    project_codes.add_project_code(ctx, "2026-001", "新能源产业园")
    hall.driver.get(hall.server_url + "/kiosk")
    choose(hall, "construction", "construction-permit")  # takes key-project codes
    tap(hall, 'button[data-tap="green"]')
    hall.wait_for_text_to_equal("#kiosk-code-title", "请输入重点项目编码")
    for key in "2026-009":
        tap(hall, f'button[id*=\'"key":"{key}"\']')
    tap(hall, 'button[data-tap="ok"]')
    hall.wait_for_text_to_equal("#kiosk-code-error", "编码无效或已过期，请到服务台咨询")
    tap(hall, 'button[id*=\'"key":"del"\']')  # the key that says 删除
    tap(hall, 'button[id*=\'"key":"1"\']')
    hall.wait_for_text_to_equal("#kiosk-code-display", "2026-001")
    tap(hall, 'button[data-tap="ok"]')
    hall.wait_for_text_to_equal("#kiosk-number", "J001")  # first step: the registration desk
    with ctx.db.read() as s:
        assert s.scalar(select(Ticket.priority)) == "green"


def test_kiosk005_matters_not_offered_today_cannot_be_tapped(
    dash_duo, ctx: Context, clock: Clock
) -> None:
    clock.set(beijing(2026, 11, 25, 10, 0))  # a Wednesday: the notary is not in
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.get(dash_duo.server_url + "/kiosk")
    tap(dash_duo, 'button[data-tap="zone:social"]')
    notary = dash_duo.wait_for_element("button[data-service=notary]")
    assert notary.get_attribute("disabled") and "今日不办理" in notary.text
    tap(dash_duo, 'button[data-tap="back"]')
    tap(dash_duo, 'button[data-tap="zone:general"]')
    assert not dash_duo.wait_for_element("button[data-service=tax]").get_attribute("disabled")


def test_kiosk006_database_away_pauses_and_recovers(hall, ctx: Context) -> None:
    hall.driver.get(hall.server_url + "/kiosk")
    choose(hall, "general", "tax")  # a visitor has chosen, and then the database goes
    real = ctx.db
    hall.wait_for_element(NORMAL)  # a visitor has chosen, and then the database goes
    ctx.db = Database("postgresql://nobody@127.0.0.1:1/none")
    try:  # the screen covers itself with the notice: nobody taps into an error
        hall.wait_for_text_to_equal("#kiosk-banner", "暂停取号，请稍候", timeout=10)
    finally:
        ctx.db = real
    hall.wait_for_class_to_equal("#kiosk-banner", "kiosk-banner d-none", timeout=10)
    tap(hall, NORMAL)  # the same visitor goes on where they were
    hall.wait_for_text_to_equal("#kiosk-number", "T001")
    with ctx.db.read() as s:  # one ticket: nothing issued twice, nothing lost
        assert s.scalar(select(func.count(Ticket.id))) == 1


def test_phone001_turns_to_called(dash_duo, ctx: Context) -> None:
    services.resume(ctx, 5, "clerk:test")
    t = services.issue(ctx, "tax").ticket
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.driver.get(f"{dash_duo.server_url}/t/{t.id}")
    dash_duo.wait_for_text_to_equal("#phone-number", "T001")
    dash_duo.wait_for_text_to_equal("#phone-state", "等候中")
    services.call_next(ctx, 5, "clerk:test")
    dash_duo.wait_for_text_to_equal("#phone-state", "请到一楼综合服务区 5 号窗口", timeout=12)


def test_phone002_rate_once_after_the_service(dash_duo, ctx: Context) -> None:
    services.resume(ctx, 5, "clerk:test")
    t = services.issue(ctx, "tax").ticket
    services.call_next(ctx, 5, "clerk:test")
    services.finish(ctx, 5, "clerk:test")
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.get(f"{dash_duo.server_url}/t/{t.id}?lang=en")
    dash_duo.wait_for_text_to_equal("#phone-state", "Done. Thank you for your patience")
    dash_duo.find_element("#phone-comment").send_keys("Quick and friendly")
    tap(dash_duo, "button.phone-score-5")
    dash_duo.wait_for_text_to_equal("#phone-thanks", "Thank you for your rating!")
    with ctx.db.read() as s:
        rating = s.scalars(select(Rating)).one()
    assert (rating.score, rating.comment) == (5, "Quick and friendly")


def test_kiosk007_printer_off_says_to_note_the_number(
    hall, ctx: Context, printer: FakePrinter
) -> None:
    printer.stop()
    hall.driver.get(hall.server_url + "/kiosk")
    choose(hall, "general", "tax")
    tap(hall, NORMAL)
    hall.wait_for_text_to_equal("#kiosk-number", "T001")
    hall.wait_for_text_to_equal(
        "#kiosk-print .kiosk-print-fault",
        "打印机暂时故障：请记下您的号码 T001，凭号码即可办理",
        timeout=10,
    )
    assert tickets(ctx) == 1  # the ticket stands; it prints when the printer is back


def test_kiosk008_idle_kiosk_returns_to_the_start_in_chinese(hall) -> None:
    hall.driver.get(hall.server_url + "/kiosk?idle=2")
    tap(hall, "#kiosk-lang-btn")
    hall.wait_for_text_to_equal("#kiosk-question", "Tap the area of your matter")
    choose(hall, "general", "tax")
    tap(hall, NORMAL)
    hall.wait_for_text_to_equal("#kiosk-number", "T001")
    hall.wait_for_text_to_equal("#kiosk-question", "请选择办事区域", timeout=8)


def test_kiosk009_a_kiosk_not_in_the_hall_file_says_so(hall, ctx: Context) -> None:
    """A kiosk PC pointed at a wrong address is told which kiosks exist, and offers nothing."""
    hall.driver.get(hall.server_url + "/kiosk/k9")
    hall.wait_for_text_to_equal(".kiosk-unknown h1", "未知取号机 k9 · Unknown kiosk k9")
    assert "k1, k2, k3" in hall.find_element(".kiosk-unknown p").text
    assert not hall.driver.find_elements("css selector", "button[data-tap]")
    assert tickets(ctx) == 0


def test_kiosk010_pairing_link_makes_this_browser_a_kiosk(
    dash_duo, ctx: Context, printer: FakePrinter
) -> None:
    """A browser that was never paired gives tickets on screen only; once the pairing link is
    opened on it, its tickets print on the kiosk's printer."""
    thread, stop = PrintWorker(ctx, default_uri=printer.uri, base_url="http://hall.test").start()
    try:
        dash_duo.start_server(create_app(ctx))
        dash_duo.driver.get(dash_duo.server_url + "/kiosk")
        dash_duo.wait_for_text_to_equal(
            "#kiosk-unpaired", "本机未配对，不打印号票 · 请记下号码或扫码"
        )
        choose(dash_duo, "general", "tax")
        tap(dash_duo, NORMAL)
        dash_duo.wait_for_text_to_equal("#kiosk-number", "T001")
        dash_duo.wait_for_text_to_equal(
            "#kiosk-print", "本机不打印号票，请记下号码或扫码用手机查看", timeout=10
        )
        with ctx.db.read() as s:
            assert s.scalar(select(Ticket.kiosk)) is None  # nobody's kiosk: no print job

        code = devices.pairing_code(ctx, "k2", "user:admin").code
        dash_duo.driver.get(f"{dash_duo.server_url}/pair/{code}")
        tap(dash_duo, "#pair-submit")
        dash_duo.wait_for_element('button[data-tap="zone:general"]')  # on to the kiosk's page
        assert dash_duo.driver.current_url.endswith("/kiosk/k2")
        assert not dash_duo.find_element("#kiosk-unpaired").text
        choose(dash_duo, "general", "tax")
        tap(dash_duo, NORMAL)
        dash_duo.wait_for_text_to_equal("#kiosk-number", "T002")
        dash_duo.wait_for_text_to_equal("#kiosk-print", "请取走号票", timeout=10)
        assert b"T002" in printer.received()

        dash_duo.driver.get(f"{dash_duo.server_url}/pair/{code}")  # a link works once
        dash_duo.wait_for_text_to_equal(
            "#pair-message", "配对码无效、已用过或已过期。请让管理员重新生成配对链接。"
        )
    finally:
        stop.set()
        thread.join(timeout=5)
