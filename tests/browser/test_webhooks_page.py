"""The managers' webhooks page in headless Chromium: register an endpoint (its secret shown
once), see its delivery fail, replay it once the receiver works, see it delivered."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from selenium.common.exceptions import StaleElementReferenceException

from app import create_app
from queues import services, webhooks
from queues.access import staff
from queues.context import Context
from runtime.webhook_worker import WebhookWorker
from tests.browser.test_counter_display import PASSWORD, sign_in
from tests.support import Clock, beijing, make_context, tap
from tests.support_webhooks import Receiver

NINE = beijing(2026, 11, 24, 9, 0)  # a Tuesday
SECRET = "the-page-test-secret-0123"


@pytest.fixture
def office(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    monkeypatch.setenv(webhooks.LOCAL_SETTING, "1")
    ctx = make_context(sqlite_url, Clock(NINE))
    staff.add_user(ctx, "boss", "manager", PASSWORD, display_name="值班主任")
    yield ctx
    ctx.db.dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


def pattern(kind: str, index: int) -> str:
    return f"""[id='{{"index":{index},"type":"{kind}"}}']"""


def wait_text(duo, css: str, words: str, seconds: float = 10) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = duo.driver.find_elements("css selector", css)
            if found and words in found[0].text:
                return
        except StaleElementReferenceException:  # the table was drawn again meanwhile
            pass
        time.sleep(0.2)
    raise AssertionError(f"{words!r} not in {css}")


def test_hook001_register_see_a_failed_delivery_and_replay_it(
    dash_duo, office: Context, receiver: Receiver
) -> None:
    clock = office.clock
    receiver.then = 500  # the receiver is broken at first
    dash_duo.start_server(create_app(office))
    dash_duo.driver.set_window_size(1400, 1000)
    sign_in(dash_duo, "boss", "/staff/webhooks")
    dash_duo.wait_for_element("#webhooks-url").send_keys(receiver.url)
    dash_duo.find_element("#webhooks-secret").send_keys(SECRET)
    tap(dash_duo, "#webhooks-register")  # "called" is ticked by default
    dash_duo.wait_for_text_to_equal("#webhooks-new-secret", SECRET)
    wait_text(dash_duo, "#webhooks-table", receiver.url)
    (hook,) = webhooks.hooks(office)
    assert hook.events == ["called"]

    services.resume(office, 5, "user:wang")
    services.issue(office, "tax")
    services.call_next(office, 5, "user:wang")
    worker = WebhookWorker(office.db, clock=office.clock)
    for _ in range(webhooks.MAX_ATTEMPTS):
        worker.run_once()
        clock.advance(seconds=webhooks.MOST_PAUSE_SECONDS + 1)  # type: ignore[attr-defined]
    assert receiver.count() == webhooks.MAX_ATTEMPTS

    tap(dash_duo, pattern("webhooks-show", hook.id))
    wait_text(dash_duo, "#webhooks-log-table", "失败")
    assert "500" in dash_duo.find_element("#webhooks-log-table").text
    (delivery,) = webhooks.deliveries(office, hook.id)
    receiver.then = 200  # fixed
    tap(dash_duo, pattern("webhooks-replay", delivery.id))
    dash_duo.wait_for_element("#webhooks-replayed")
    assert worker.run_once() == 1
    wait_text(dash_duo, "#webhooks-log-table", "已送达")
    wait_text(dash_duo, "#webhooks-table", "已送达")
    assert receiver.count() == webhooks.MAX_ATTEMPTS + 1

    dash_duo.driver.get(dash_duo.server_url + "/staff/webhooks")  # the secret is not shown again
    wait_text(dash_duo, "#webhooks-table", receiver.url)
    assert SECRET not in dash_duo.driver.page_source
    tap(dash_duo, pattern("webhooks-deactivate", hook.id))
    wait_text(dash_duo, "#webhooks-table", "已停用")
    assert dash_duo.get_logs() == []
