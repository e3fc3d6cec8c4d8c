"""The kiosk by zone (issue 11) in a real headless Chromium, standing (1080x1920) and lying
(1920x1080): every matter within three taps and on screen without scrolling, help, the green
channel only where the hall file offers it, a wait past closing time, the ticket's class and first
step, and the printer-fault screen that stays.

The hall is the tests' hall (tests/halls/main.toml) with twelve more construction matters, so
the construction zone has fifteen: two pages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app import create_app
from kiosk.worker import PrintWorker
from queues import services
from queues.access import staff
from queues.context import Context
from queues.store.models import Alert
from tests.browser.test_counter_display import PASSWORD, sign_in
from tests.support import (
    MAIN_HALL,
    Clock,
    FakePrinter,
    beijing,
    make_context,
    pair_browser,
    prepare,
    tap,
)

SIZES = [(1080, 1920), (1920, 1080)]
EXTRA = [f"extra-{i:02d}" for i in range(12)]
NORMAL = 'button[data-tap="normal"]'


def many_matters_hall(folder: Path) -> Path:
    text = MAIN_HALL.read_text(encoding="utf-8")
    extra = "".join(
        f'\n[[services]]\ncode = "{code}"\nzone = "construction"\nprefix = "Y"\n'
        f'name = {{ zh = "附加事项{i}", en = "Extra matter {i}" }}\n'
        for i, code in enumerate(EXTRA)
    )
    text = text.replace("# --- work profiles", extra + "\n# --- work profiles", 1)
    assert extra in text
    path = folder / "hall.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def many(tmp_path: Path) -> Iterator[Context]:
    hall = many_matters_hall(tmp_path)
    url = f"sqlite:///{tmp_path / 'many.db'}"
    prepare(url, hall)
    ctx = make_context(url, Clock(), hall=hall)
    yield ctx
    ctx.db.dispose()


def viewport(duo: object, width: int, height: int) -> None:
    duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def on_screen(duo: object, css: str) -> bool:
    """The element is wholly inside the window, and the page does not scroll at all."""
    return duo.driver.execute_script(
        """
        const e = document.querySelector(arguments[0]);
        if (!e) { return false; }
        const r = e.getBoundingClientRect();
        const page = document.scrollingElement;
        return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth
            && r.height >= 64 && page.scrollHeight <= innerHeight && page.scrollWidth <= innerWidth;
        """,
        css,
    )


@pytest.mark.parametrize("size", SIZES, ids=["standing", "lying"])
def test_every_matter_within_three_taps_on_screen_without_scrolling(
    dash_duo, many: Context, size: tuple[int, int]
) -> None:
    dash_duo.start_server(create_app(many))
    viewport(dash_duo, *size)
    dash_duo.driver.get(dash_duo.server_url + "/kiosk/k3")
    dash_duo.wait_for_element('button[data-tap="zone:social"]')
    zones = [
        e.get_attribute("data-zone")
        for e in dash_duo.driver.find_elements("css selector", "button[data-zone]")
    ]
    assert zones == ["social", "construction", "general"]  # k3 stands in the social zone
    seen: dict[str, int] = {}
    for zone in zones:
        assert on_screen(dash_duo, f'button[data-zone="{zone}"]'), zone
        tap(dash_duo, f'button[data-tap="zone:{zone}"]')  # tap 1
        dash_duo.wait_for_element("button[data-service]")
        pages = dash_duo.driver.find_elements("css selector", 'button[data-tap^="page:"]')
        for page in range(max(1, len(pages))):
            taps = 1
            if pages:
                tap(dash_duo, f'button[data-tap="page:{page}"]')  # tap 2
                dash_duo.wait_for_element(f'button[data-tap="page:{page}"].kiosk-page-on')
                taps = 2
            time.sleep(0.3)
            for button in dash_duo.driver.find_elements("css selector", "button[data-service]"):
                code = button.get_attribute("data-service")
                assert on_screen(dash_duo, f'button[data-service="{code}"]'), (zone, code)
                seen[code] = taps + 1  # the matter's own tap
        tap(dash_duo, 'button[data-tap="back"]')
        dash_duo.wait_for_element('button[data-tap="zone:social"]')
    assert set(seen) == {s.code for s in many.config.services if s.kiosk}
    assert max(seen.values()) == 3 and seen["extra-11"] == 3 and seen["tax"] == 2
    tap(dash_duo, 'button[data-tap="zone:general"]')  # and the rest of the way, on screen too
    tap(dash_duo, "button[data-service=tax]")
    dash_duo.wait_for_element(NORMAL)
    time.sleep(0.3)
    assert on_screen(dash_duo, NORMAL) and on_screen(dash_duo, 'button[data-tap="back"]')
    tap(dash_duo, NORMAL)
    dash_duo.wait_for_text_to_equal("#kiosk-number", "T001")
    time.sleep(0.3)
    assert on_screen(dash_duo, "#kiosk-number") and on_screen(dash_duo, "button.kiosk-done")


@pytest.fixture
def hall(dash_duo, ctx: Context, printer: FakePrinter) -> Iterator[object]:
    thread, stop = PrintWorker(ctx, default_uri=printer.uri, base_url="http://hall.test").start()
    dash_duo.start_server(create_app(ctx))
    pair_browser(dash_duo, ctx, "k1")
    yield dash_duo
    stop.set()
    thread.join(timeout=5)


def test_help_calls_staff_on_the_staff_page(hall, ctx: Context) -> None:
    hall.driver.get(hall.server_url + "/kiosk")
    tap(hall, 'button[data-tap="zone:general"]')  # a visitor gets lost on the way
    tap(hall, "#kiosk-help-btn")
    hall.wait_for_text_to_equal(
        "#kiosk-help-said", "已通知工作人员，请在取号机旁稍候，马上有人来帮您"
    )
    with ctx.db.read() as s:
        call = s.scalars(select(Alert).where(Alert.kind == "help")).one()
    assert (call.subject, call.closed_at) == ("k1", None)
    staff.add_user(ctx, "boss", "manager", PASSWORD)
    sign_in(hall, "boss", "/staff")
    hall.wait_for_contains_text("#staff-help", "取号机 k1", timeout=10)
    tap(hall, "#staff-help button")
    hall.wait_for_text_to_equal("#staff-help", "暂无求助。", timeout=10)
    with ctx.db.read() as s:
        assert s.scalars(select(Alert.closed_at).where(Alert.kind == "help")).one() is not None


def test_green_channel_only_on_flagged_matters_and_the_ticket_says_class_and_first_step(
    hall,
) -> None:
    hall.driver.get(hall.server_url + "/kiosk")
    tap(hall, 'button[data-tap="zone:general"]')
    tap(hall, "button[data-service=tax]")
    hall.wait_for_element(NORMAL)
    assert not hall.driver.find_elements("css selector", 'button[data-tap="green"]')
    tap(hall, 'button[data-tap="back"]')
    tap(hall, 'button[data-tap="back"]')
    tap(hall, 'button[data-tap="zone:construction"]')
    tap(hall, "button[data-service=construction-permit]")
    hall.wait_for_text_to_equal('button[data-tap="green"] .kiosk-choice-label', "重点项目绿色通道")
    tap(hall, 'button[data-tap="priority"]')
    hall.wait_for_text_to_equal("#kiosk-number", "J001")
    assert hall.find_element("#kiosk-class").text == "优先办理"  # the slip's words
    assert hall.find_element("#kiosk-first-step").text == "第一步：工程项目统一登记受理"


def test_nobody_ahead_yet_a_wait_says_why_and_a_wait_past_closing_warns(
    hall, ctx: Context, clock: Clock
) -> None:
    clock.set(beijing(2026, 11, 24, 16, 0))
    services.resume(ctx, 5, "clerk:test")
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, "clerk:test")  # window 5 (the only tax window) is busy
    hall.driver.get(hall.server_url + "/kiosk")
    tap(hall, 'button[data-tap="zone:general"]')
    tap(hall, "button[data-service=tax]")
    tap(hall, NORMAL)
    hall.wait_for_text_to_equal("#kiosk-number", "T002")
    assert hall.find_element("#kiosk-wait").text.startswith("前面无人等候，但窗口都在办理中")
    assert not hall.driver.find_elements("css selector", "#kiosk-late")
    for _ in range(6):
        services.issue(ctx, "tax")  # seven wait now: the next is called after 17:00
    tap(hall, "button.kiosk-done")
    tap(hall, 'button[data-tap="zone:general"]')
    tap(hall, "button[data-service=tax]")
    tap(hall, NORMAL)
    hall.wait_for_text_to_equal("#kiosk-number", "T009")
    assert "17:00" in hall.find_element("#kiosk-late").text


def test_a_printer_fault_keeps_the_number_on_screen(hall, printer: FakePrinter) -> None:
    printer.stop()
    hall.driver.get(hall.server_url + "/kiosk?idle=2")
    tap(hall, 'button[data-tap="zone:general"]')
    tap(hall, "button[data-service=tax]")
    tap(hall, NORMAL)
    hall.wait_for_text_to_equal("#kiosk-number", "T001")
    hall.wait_for_element("#kiosk-print .kiosk-print-fault", timeout=10)
    time.sleep(5)  # well past the two idle seconds
    assert hall.find_element("#kiosk-number").text == "T001"
    assert "T001" in hall.find_element("#kiosk-print .kiosk-print-fault").text
