"""到号提醒 on the phone page, in a real headless Chromium on a phone-sized screen: the visitor
types a number, the page says where the texts go (masked), a wrong number is explained, and the
text a call writes is the one the visitor will read (tests/halls/main.toml: social-assistance,
M, at window 11 upstairs)."""

from __future__ import annotations

from sqlalchemy import select

from app import create_app
from queues import notices, services
from queues.context import Context
from queues.store.models import Notification
from tests.support import tap


def test_notify001_a_visitor_leaves_a_number_on_the_phone_page(dash_duo, ctx: Context) -> None:
    services.resume(ctx, 11, "clerk:test")
    ticket = services.issue(ctx, "social-assistance").ticket
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.driver.get(f"{dash_duo.server_url}/t/{ticket.id}")
    dash_duo.wait_for_text_to_equal(".phone-notify-title", "到号提醒：留下手机号")
    box = dash_duo.find_element("#phone-notify-phone")
    box.send_keys("1381234567")  # one digit short
    tap(dash_duo, "#phone-notify-submit")
    dash_duo.wait_for_contains_text("#phone-notify-error", "请填 11 位中国大陆手机号")
    box = dash_duo.find_element("#phone-notify-phone")
    box.clear()
    box.send_keys("138 1234 5678")
    tap(dash_duo, "#phone-notify-submit")
    dash_duo.wait_for_text_to_equal("#phone-notify-done", "已登记，将发短信到 138****5678。")
    assert "13812345678" not in dash_duo.driver.page_source
    width = dash_duo.driver.execute_script(
        "return document.querySelector('#phone-notify').getBoundingClientRect().right"
    )
    assert width <= 390  # the form fits the phone's screen

    services.call_next(ctx, 11, "clerk:test")
    with ctx.db.read() as s:
        written = list(s.scalars(select(Notification).order_by(Notification.id)))
    assert [n.kind for n in written] == ["near", "called"]
    assert notices.render(ctx.config, "called", "zh", written[1].data) == (
        "【新区政务服务中心】M001 号已叫号，请到二楼社会事务区 11 号窗口办理。"
    )
