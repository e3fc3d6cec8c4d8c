"""The clerk's console and the lobby screens in a real headless Chromium, on the tests' hall
(tests/halls/main.toml: window 5 calls tax, window 7 housing-fund)."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

from selenium.webdriver.support.ui import Select

from app import create_app
from queues import services
from queues.access import staff
from queues.context import Context
from tests.support import MAIN_HALL, copy_sqlite, free_port, make_context, serve, tap

PASSWORD = "a good password"


def sign_in(duo, name: str, target: str) -> None:
    duo.driver.get(f"{duo.server_url}/login?next={quote(target, safe='/')}")
    duo.wait_for_element("#login-name").send_keys(name)
    duo.find_element("#login-password").send_keys(PASSWORD)
    tap(duo, "#login-submit")


def test_counter001_a_clerks_round(dash_duo, ctx: Context) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD, windows=[5], display_name="王芳")
    services.issue(ctx, "tax")
    services.issue(ctx, "tax")
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "wang", "/counter/5")
    dash_duo.wait_for_text_to_equal("#counter-state", "未开放")
    tap(dash_duo, "#counter-resume")
    dash_duo.wait_for_text_to_equal("#counter-state", "服务中")
    assert dash_duo.find_element("#counter-waiting").text == "本窗口等候 2 人"
    tap(dash_duo, "#counter-call")
    dash_duo.wait_for_text_to_equal("#counter-number", "T001")
    assert dash_duo.find_element("#counter-call").get_attribute("disabled")  # holds a ticket
    assert dash_duo.find_element("#counter-next").text == "接下来：T002"

    dash_duo.driver.get(dash_duo.server_url + "/display?mute=1")
    dash_duo.wait_for_text_to_equal("#display-number", "T001")
    assert "请到一楼综合服务区 5 号窗口" in dash_duo.find_element("#display-to").text
    notice = ctx.config.display.notice
    shown = dash_duo.find_element(".display-notice-text").get_attribute("textContent")
    assert shown == f"{notice.zh}\u3000\u3000{notice.en}"  # two ideographic spaces between
    dash_duo.driver.get(dash_duo.server_url + "/display/window/5")
    dash_duo.wait_for_text_to_equal("#strip-text", "T001")

    dash_duo.driver.get(dash_duo.server_url + "/counter/5")
    dash_duo.wait_for_text_to_equal("#counter-number", "T001")
    tap(dash_duo, "#counter-recall")
    dash_duo.wait_for_text_to_equal("#counter-alert", "T001：重呼。")
    Select(dash_duo.find_element("#counter-to-service")).select_by_visible_text(
        "住房公积金提取、贷款"
    )
    tap(dash_duo, "#counter-transfer")
    dash_duo.wait_for_text_to_equal("#counter-alert", "T001：转号。")
    dash_duo.wait_for_text_to_equal("#counter-number", "暂无号票，按“叫号”呼叫下一位。")
    tap(dash_duo, "#counter-pause")
    dash_duo.wait_for_text_to_equal("#counter-state", "暂停服务（休息）")

    dash_duo.driver.get(dash_duo.server_url + "/display/window/5")
    dash_duo.wait_for_text_to_equal("#strip-text", "暂停服务")
    dash_duo.driver.get(dash_duo.server_url + "/counter/5?lang=en")
    dash_duo.wait_for_text_to_equal("#counter-next", "Next: T002")
    tap(dash_duo, "#counter-sign-out")
    dash_duo.wait_for_element("#login-name")
    dash_duo.driver.get(dash_duo.server_url + "/counter/5")
    dash_duo.wait_for_element("#login-name")  # signed out: the console asks to sign in


def test_counter002_keyboard_calls_the_next_visitor(dash_duo, ctx: Context) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD, windows=[5])
    services.resume(ctx, 5, "clerk:wang")
    services.issue(ctx, "tax")
    dash_duo.start_server(create_app(ctx))
    sign_in(dash_duo, "wang", "/counter/5")
    dash_duo.wait_for_text_to_equal("#counter-state", "服务中")
    dash_duo.find_element("body").send_keys(" ")
    dash_duo.wait_for_text_to_equal("#counter-number", "T001")
    dash_duo.find_element("body").send_keys("s")
    dash_duo.wait_for_text_to_equal("#counter-alert", "T001：开始办理。")


def spoken(duo) -> list[str]:
    return duo.driver.execute_script("return window.hallqSpoken || []")


def test_display001_new_calls_and_recalls_are_spoken_once_each(
    dash_duo, ctx: Context, clock
) -> None:
    services.resume(ctx, 5, "clerk:wang")
    services.issue(ctx, "tax")
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, "clerk:wang")  # on the board before the screen starts
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.set_window_size(1920, 1080)  # the wallboard's screen
    dash_duo.driver.get(dash_duo.server_url + "/display?mute=1")
    dash_duo.wait_for_text_to_equal("#display-number", "T001")
    time.sleep(1.5)
    assert spoken(dash_duo) == []  # what was already there is not announced again
    clock.advance(seconds=30)
    services.recall(ctx, 5, "clerk:wang")
    deadline = time.monotonic() + 8
    while len(spoken(dash_duo)) < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(spoken(dash_duo)) == 1 and spoken(dash_duo)[0].startswith("T001@5@")
    clock.advance(seconds=30)
    services.finish(ctx, 5, "clerk:wang")
    services.call_next(ctx, 5, "clerk:wang")
    dash_duo.wait_for_text_to_equal("#display-number", "T002")
    deadline = time.monotonic() + 8
    while len(spoken(dash_duo)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [k.split("@")[0] for k in spoken(dash_duo)] == ["T001", "T002"]


def test_display002_keeps_working_across_a_server_restart(
    dash_duo, sqlite_template: Path, tmp_path: Path
) -> None:
    url = copy_sqlite(sqlite_template, tmp_path / "restart.db")
    port = free_port()
    server = serve(url, port, "--no-worker", hall=MAIN_HALL)
    try:
        dash_duo.driver.set_window_size(1920, 1080)  # the wallboard's screen
        dash_duo.driver.get(f"http://127.0.0.1:{port}/display?mute=1")
        dash_duo.wait_for_element("#display-current")
        dash_duo.wait_for_class_to_equal(".live-mark", "live-mark d-none")
        server.terminate()
        server.wait(timeout=10)
        dash_duo.wait_for_class_to_equal(".live-mark", "live-mark", timeout=10)  # reconnecting
        assert dash_duo.find_element("#display-current").text  # the board is still shown
        server = serve(url, port, "--no-worker", hall=MAIN_HALL)
        dash_duo.wait_for_class_to_equal(".live-mark", "live-mark d-none", timeout=10)
        hall = make_context(url, open_always=True)
        from datetime import UTC, datetime

        hall.clock = lambda: datetime.now(UTC)
        services.resume(hall, 5, "clerk:test")
        services.issue(hall, "tax")
        services.call_next(hall, 5, "clerk:test")
        hall.db.dispose()
        dash_duo.wait_for_text_to_equal("#display-number", "T001", timeout=10)
    finally:
        server.terminate()
        server.wait(timeout=10)
