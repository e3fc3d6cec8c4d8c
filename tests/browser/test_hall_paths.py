"""Two halls on one server, in headless Chromium: the town's kiosk and console under /h/town/
give and call the town's tickets, never the default hall's (issue 12, item 3).

The default hall is the tests' hall (tests/halls/main.toml: window 5 calls tax, T); the town
(tests/halls/town.toml) shares the database, the codes and the prefixes: its window 1 calls tax.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from app import create_app
from queues import services
from queues.access import staff
from queues.context import Context
from queues.network import Network
from queues.read import tickets
from queues.store.models import Ticket
from tests.browser.test_counter_display import PASSWORD
from tests.support import Clock, make_network, tap


@pytest.fixture
def network(sqlite_url: str, clock: Clock) -> Iterator[Network]:
    net = make_network(sqlite_url, clock)
    yield net
    net.context().db.dispose()


def count(ctx: Context) -> int:
    with ctx.db.read() as s:
        return s.scalar(select(func.count()).select_from(Ticket))


def test_the_towns_kiosk_gives_the_towns_ticket(dash_duo, network: Network) -> None:
    main, town = network.context(), network.context("town")
    dash_duo.start_server(create_app(network))
    dash_duo.driver.set_window_size(1080, 1920)
    dash_duo.driver.get(dash_duo.server_url + "/h/town/kiosk")
    # the town has one zone: its kiosk starts on the zone's matters, with nothing to go back to
    dash_duo.wait_for_element("button[data-service=tax]")
    assert dash_duo.find_elements('button[data-tap="back"]') == []
    tap(dash_duo, "button[data-service=tax]")
    dash_duo.wait_for_text_to_equal("#kiosk-chosen", "税务代开发票")  # the town's name for it
    tap(dash_duo, 'button[data-tap="normal"]')
    dash_duo.wait_for_text_to_equal("#kiosk-number", "T001")
    assert count(town) == 1 and count(main) == 0
    with town.db.read() as s:
        ticket_id = s.scalar(select(Ticket.public_id))
    assert tickets.ticket(town, ticket_id).number == "T001"
    # the QR code and the phone page are the town's
    dash_duo.driver.get(f"{dash_duo.server_url}/h/town/t/{ticket_id}")
    dash_duo.wait_for_text_to_equal("#phone-hall", "竹办便民服务中心")
    # the default hall's kiosk, at its old address, still gives the default hall's tickets
    dash_duo.driver.get(dash_duo.server_url + "/kiosk")
    tap(dash_duo, 'button[data-tap="zone:general"]')
    tap(dash_duo, "button[data-service=tax]")
    dash_duo.wait_for_text_to_equal("#kiosk-chosen", "税务登记与申报")
    tap(dash_duo, 'button[data-tap="normal"]')
    dash_duo.wait_for_text_to_equal("#kiosk-number", "T001")
    assert count(town) == 1 and count(main) == 1


def test_the_towns_console_calls_the_towns_ticket(dash_duo, network: Network) -> None:
    main, town = network.context(), network.context("town")
    staff.add_user(town, "zhao", "clerk", PASSWORD, windows=[1], display_name="赵敏")  # the town's
    services.issue(main, "tax")  # the default hall's T001: window 1 of the town never calls it
    services.issue(main, "tax")
    services.issue(town, "tax")
    dash_duo.start_server(create_app(network))
    dash_duo.driver.set_window_size(1600, 1000)
    # the console sends its visitor to the town's sign-in, and back to the town's console
    dash_duo.driver.get(dash_duo.server_url + "/h/town/counter/1")
    dash_duo.wait_for_element("#login-name").send_keys("zhao")
    dash_duo.find_element("#login-password").send_keys(PASSWORD)
    tap(dash_duo, "#login-submit")
    dash_duo.wait_for_text_to_equal("#counter-state", "未开放")
    assert dash_duo.driver.current_url.endswith("/h/town/counter/1")
    tap(dash_duo, "#counter-resume")
    dash_duo.wait_for_text_to_equal("#counter-state", "服务中")
    assert dash_duo.find_element("#counter-waiting").text == "本窗口等候 1 人"
    tap(dash_duo, "#counter-call")
    dash_duo.wait_for_text_to_equal("#counter-number", "T001")
    with town.db.read() as s:
        called = s.scalar(select(Ticket.public_id))
    assert tickets.ticket(town, called).status == "called"
    assert [t.status for t in _tickets(main)] == ["waiting", "waiting"]
    # the town's wallboard shows the call; the default hall's does not
    dash_duo.driver.get(dash_duo.server_url + "/h/town/display?mute=1")
    dash_duo.wait_for_text_to_equal("#display-number", "T001")
    dash_duo.driver.get(dash_duo.server_url + "/display?mute=1")
    dash_duo.wait_for_element("#display-current")
    assert not dash_duo.driver.find_elements("css selector", "#display-number")  # nobody called


def _tickets(ctx: Context) -> list:
    with ctx.db.read() as s:
        ids = list(s.scalars(select(Ticket.public_id).order_by(Ticket.issued_at)))
    return [tickets.ticket(ctx, i) for i in ids]
