"""What visitors and the lobby see, in a real headless Chromium, on the tests' hall
(tests/halls/main.toml: window 11 is the social zone's, upstairs; tax at window 5, housing fund
at window 7, both on the ground floor)."""

from __future__ import annotations

import time
from datetime import date

from app import create_app
from queues import services
from queues.access import staff
from queues.context import Context
from tests.support import tap

UPSTAIRS_ZH = "请到二楼社会事务区 11 号窗口"
UPSTAIRS_EN = "Please go to window 11, Social Affairs Zone, 2nd floor"


def screen(duo, width: int, height: int) -> None:
    """The page gets exactly this size, whatever the headless window's frame."""
    duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def test_visitor001_a_call_says_floor_and_zone_on_the_phone_board_and_strip(
    dash_duo, ctx: Context, clock
) -> None:
    services.resume(ctx, 11, "clerk:test")
    services.resume(ctx, 5, "clerk:test")
    ticket = services.issue(ctx, "social-assistance").ticket
    services.issue(ctx, "tax")
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.driver.get(f"{dash_duo.server_url}/t/{ticket.id}")
    dash_duo.wait_for_text_to_equal("#phone-number", "M001")
    assert dash_duo.driver.title == "M001 等候中 · 前面 0 人"
    assert dash_duo.find_element("#phone-where").text == UPSTAIRS_ZH
    tap(dash_duo, "#phone-sound-btn")  # the tap that lets the page ring and vibrate
    dash_duo.wait_for_text_to_equal("#phone-sound-state", "提示音已开启：叫到您时手机会响铃并振动")

    services.call_next(ctx, 11, "clerk:test")
    dash_duo.wait_for_text_to_equal("#phone-state", UPSTAIRS_ZH, timeout=12)
    assert dash_duo.driver.title == "【叫号】M001 请到 11 号窗口"  # seen from another tab
    assert dash_duo.driver.execute_script("return window.hallqAlerted") == 1  # rang once

    dash_duo.driver.set_window_size(1920, 1080)
    dash_duo.driver.get(dash_duo.server_url + "/display?mute=1")
    dash_duo.wait_for_text_to_equal("#display-number", "M001")
    assert dash_duo.find_element("#display-to").text.splitlines() == [UPSTAIRS_ZH, UPSTAIRS_EN]
    clock.advance(seconds=20)
    services.call_next(ctx, 5, "clerk:test")  # M001 moves to the recent calls
    dash_duo.wait_for_text_to_equal("#display-number", "T001")
    recent = dash_duo.find_element(".display-call").text.splitlines()
    assert recent == ["M001", "11 号窗口", "二楼社会事务区"]

    dash_duo.driver.get(dash_duo.server_url + "/display/window/11")
    dash_duo.wait_for_text_to_equal("#strip-text", "M001")
    assert dash_duo.find_element("#strip-where").text == UPSTAIRS_ZH


def test_visitor002_the_phone_never_says_done_for_a_promise(dash_duo, ctx: Context) -> None:
    services.resume(ctx, 5, "clerk:test")
    ticket = services.issue(ctx, "tax").ticket
    services.call_next(ctx, 5, "clerk:test")
    services.finish(ctx, 5, "clerk:test", "promised", date(2026, 12, 15))
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.get(f"{dash_duo.server_url}/t/{ticket.id}")
    dash_duo.wait_for_text_to_equal("#phone-state", "已受理，承诺于 12 月 15 日前办结")
    assert dash_duo.driver.title == "T001 · 排队进度"
    assert dash_duo.find_element("#phone-sound").get_attribute("hidden")  # nothing to ring for


# Every box the wallboard shows must lie inside the screen, and no text inside its box.
BOXES = """
const inside = (r) => r.left >= 0 && r.top >= 0 && r.right <= innerWidth + 0.5
    && r.bottom <= innerHeight + 0.5;
const out = {cut: [], clipped: [], rows: 0, hidden_rows: 0};
for (const css of [".display-title", ".display-title-en", ".display-clock", ".display-label",
                   "#display-number", "#display-to", ".display-to-zh", ".display-en",
                   ".display-call", ".display-call-main", ".display-call-place",
                   ".display-others"]) {
  for (const el of document.querySelectorAll(css)) {
    if (!inside(el.getBoundingClientRect())) { out.cut.push(css + ": " + el.textContent); }
    if (el.scrollWidth > el.clientWidth + 1) { out.clipped.push(css + ": " + el.textContent); }
  }
}
const box = document.querySelector("#display-queues").getBoundingClientRect();
for (const row of document.querySelectorAll(".display-queue:not(.display-queue-head)")) {
  const r = row.getBoundingClientRect();
  if (r.left >= box.right - 1) { out.hidden_rows += 1; continue; }  // left out whole
  out.rows += 1;
  if (!inside(r) || r.bottom > box.bottom + 0.5) { out.cut.push("row: " + row.textContent); }
  for (const el of row.children) {
    if (el.scrollWidth > el.clientWidth + 1) { out.clipped.push("cell: " + el.textContent); }
  }
}
const size = (css) => parseFloat(getComputedStyle(document.querySelector(css)).fontSize);
out.service = size(".display-service");
out.english = size(".display-service-en");
out.label_en = size(".display-label span");
return out;
"""


def test_visitor003_the_wallboard_fits_every_screen_whole(dash_duo, ctx: Context, clock) -> None:
    for window in range(1, 13):
        services.resume(ctx, window, "clerk:test")
    for service, count in (("tax", 14), ("housing-fund", 12), ("real-estate", 11),
                           ("social-insurance", 10), ("project-registration", 13)):  # fmt: skip
        for _ in range(count):
            services.issue(ctx, service)
    for window in (1, 2, 5, 6, 7, 8, 9):  # seven calls, the last one to window 9 upstairs
        clock.advance(seconds=5)
        services.call_next(ctx, window, "clerk:test")
    dash_duo.start_server(create_app(ctx))
    sizes = {}
    for width, height in ((1366, 768), (1920, 1080), (3840, 2160)):
        screen(dash_duo, width, height)
        dash_duo.driver.get(dash_duo.server_url + "/display?mute=1")
        dash_duo.wait_for_text_to_equal("#display-number", "L002")
        time.sleep(0.5)
        found = dash_duo.driver.execute_script(BOXES)
        assert found["cut"] == [], (width, found["cut"])
        assert found["clipped"] == [], (width, found["clipped"])
        assert found["rows"] >= 4, (width, found)  # the four longest queues, in both languages
        assert len(dash_duo.find_elements(".display-call")) == 6  # every recent call
        sizes[width] = found
    # text grows with the screen: the same share of its height at every size, read from ten
    # metres at 1920x1080 (queue rows 50 px, English 34 px and more)
    assert sizes[1920]["service"] >= 48 and sizes[1920]["english"] >= 32
    assert sizes[1920]["label_en"] >= 36
    assert abs(sizes[3840]["service"] - 2 * sizes[1920]["service"]) < 1
    assert abs(sizes[1366]["service"] - 1366 / 1920 * sizes[1920]["service"]) < 1


def test_visitor004_the_performance_board_shows_each_windows_figures(
    dash_duo, ctx: Context, clock
) -> None:
    """Worked by hand from tests/halls/main.toml (tax and housing fund expect 10 minutes)."""
    ctx.config = ctx.config.model_copy(
        update={"display": ctx.config.display.model_copy(update={"clerk": "display_name"})}
    )
    staff.add_user(ctx, "wang", "clerk", "a good password", windows=[5], display_name="王芳")
    services.resume(ctx, 5, "user:wang")
    services.resume(ctx, 7, "clerk:test")
    first = services.issue(ctx, "tax").ticket
    second = services.issue(ctx, "tax").ticket
    third = services.issue(ctx, "housing-fund").ticket
    services.call_next(ctx, 5, "user:wang")  # 10:00
    services.record_visitor(ctx, 5, "user:wang", name="张三", phone="13800000000")
    services.call_next(ctx, 7, "clerk:test")
    services.start(ctx, 7, "clerk:test")
    clock.advance(minutes=1)
    services.start(ctx, 5, "user:wang")  # 10:01
    clock.advance(minutes=6)
    services.finish(ctx, 5, "user:wang")  # 10:07: six minutes
    services.call_next(ctx, 5, "user:wang")
    clock.advance(minutes=1)
    services.start(ctx, 5, "user:wang")  # 10:08
    clock.advance(minutes=4)
    services.finish(ctx, 7, "clerk:test")  # 10:12: twelve minutes
    clock.advance(minutes=6)
    services.finish(ctx, 5, "user:wang", "promised", date(2026, 12, 15))  # 10:18: ten minutes
    services.pause(ctx, 7, "clerk:test", "休息")
    services.rate(ctx, first.id, 5)
    services.rate(ctx, second.id, 4)
    services.rate(ctx, third.id, 2)

    dash_duo.start_server(create_app(ctx))
    screen(dash_duo, 1920, 1080)
    dash_duo.driver.get(dash_duo.server_url + "/display/performance")
    dash_duo.wait_for_element("#perf-window-5")

    time.sleep(2)  # the first poll has redrawn the board

    def cells(window: int) -> dict[str, str]:
        names = ("state", "clerk", "handled", "finished", "mean", "expected", "rating", "place")
        return dash_duo.driver.execute_script(
            """
            const row = document.getElementById("perf-window-" + arguments[0]);
            const found = {};
            for (const name of arguments[1]) {
                const hit = row.querySelector(".perf-" + name);
                const parts = hit && hit.children.length ? Array.from(hit.children) : [hit];
                found[name] = hit ? parts.map((p) => p.innerText.trim()).join(" ") : "";
            }
            return found;
            """,
            window,
            names,
        )

    assert cells(5) == {
        "state": "服务中 open",
        "clerk": "王芳",
        "handled": "2",
        "finished": "2",
        "mean": "8.0",  # (6 + 10) / 2
        "expected": "10.0",
        "rating": "4.50 2 条",  # (5 + 4) / 2
        "place": "1 先进窗口",  # 40 + 40 × 0.875 + 20 = 95
    }
    assert cells(7) == {
        "state": "暂停服务 paused",
        "clerk": "",  # a token, not a member of staff: nobody named
        "handled": "1",
        "finished": "1",
        "mean": "12.0",
        "expected": "10.0",
        "rating": "2.00 1 条",
        "place": "2 先进窗口",  # 40 + 40 × 0.25 + 20 × 1/2 = 60
    }
    assert "perf-slow" in dash_duo.find_element("#perf-window-7 .perf-time").get_attribute(
        "class"
    )  # slower than expected
    assert cells(6)["handled"] == "0" and cells(6)["place"] == "–"
    source = dash_duo.driver.page_source
    assert "张三" not in source and "13800000000" not in source and "T001" not in source
    shown = ".perf-page:not(.perf-hidden) .perf-row, .perf-page:not(.perf-hidden) .perf-page-foot"
    for row in dash_duo.find_elements(shown):
        r = row.rect
        assert r["x"] >= 0 and r["y"] >= 0 and r["x"] + r["width"] <= 1920
        assert r["y"] + r["height"] <= 1080  # no row cut at the bottom

    services.resume(ctx, 7, "clerk:test")  # live: the board moves with the hall
    dash_duo.wait_for_text_to_equal("#perf-window-7 .perf-state", "服务中\nopen", timeout=8)
