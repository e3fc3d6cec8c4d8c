"""The network page in headless Chromium: the four halls of tests/unit/test_network.py (the
district centre, two towns, a village point) on a Tuesday at 10:00, worst first, each row
opening its hall's dashboard; the reports across halls with their ranking."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dash import Dash

from app import create_app
from queues.access import staff
from queues.network import Network
from queues.store.db import Database
from tests.browser.test_accessibility import AXE, audit
from tests.browser.test_counter_display import PASSWORD, sign_in
from tests.support import Clock
from tests.unit.test_network import a_network_day, network_of


@pytest.fixture
def district(sqlite_url: str, clock: Clock) -> Iterator[Network]:
    db = Database(sqlite_url)
    nw = network_of(db, clock)
    a_network_day(nw, clock)
    main = nw.context()
    # the district's manager: a network account (one of a hall sees only that hall)
    staff.add_user(main, "boss", "manager", PASSWORD, display_name="区中心主任", hall=None)
    staff.add_user(main, "wang", "clerk", PASSWORD, windows=[5])
    yield nw
    db.dispose()


def app_of(nw: Network) -> Dash:
    """hallq serving the network."""
    return create_app(nw)


def test_network001_every_hall_worst_first_each_opening_its_dashboard(
    dash_duo, district: Network
) -> None:
    dash_duo.start_server(app_of(district))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/network")
    dash_duo.wait_for_element("#net-table tbody tr")
    rows = dash_duo.find_elements("#net-table tbody tr")
    cells = [[td.text for td in row.find_elements("css selector", "td")] for row in rows]
    assert [c[0] for c in cells] == [
        "新区政务服务中心",  # 60 minutes against 20
        "竹办便民服务中心",  # 10 against 15
        "环办便民服务中心",  # nobody waits, a printer alert
        "翠竹社区便民服务点",
    ]
    assert cells[0][1:] == [
        "区级", "2", "60 / 20 分钟", "税务登记与申报", "1 / 12", "0", "1", "1", "4.00", "0",
    ]  # fmt: skip
    assert cells[3][1:] == ["村（社区）级", "0", "—", "—", "1 / 1", "0", "1", "1", "1.00", "1"]
    assert "table-danger" in rows[0].get_attribute("class")  # past its target
    assert "table-warning" in rows[2].get_attribute("class")  # an open alert
    link = rows[1].find_element("css selector", "a")
    assert link.get_attribute("href") == f"{dash_duo.server_url}/h/town/dashboard"
    link.click()
    dash_duo.wait_for_page(f"{dash_duo.server_url}/h/town/dashboard")


def test_network002_reports_across_halls_and_the_ranking(dash_duo, district: Network) -> None:
    dash_duo.start_server(app_of(district))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/network/reports?period=day&date=2026-11-23&by=level")
    dash_duo.wait_for_element("#net-report-main tbody tr")
    lines = [
        [td.text for td in row.find_elements("css selector", "td")][:4]
        for row in dash_duo.find_elements("#net-report-main tbody tr")
    ]
    assert lines == [
        ["区级", "2", "2", "2"],
        ["镇（街道）级", "5", "5", "4"],
        ["村（社区）级", "1", "1", "1"],
        ["合计", "8", "8", "7"],
    ]
    towns = [
        [td.text for td in row.find_elements("css selector", "td")][:3]
        for row in dash_duo.find_elements("#net-report-rank-2 tbody tr")
    ]
    assert towns == [["1", "竹办便民服务中心", "80"], ["2", "环办便民服务中心", "37.5"]]


def test_network003_a_clerk_is_not_shown_the_network(dash_duo, district: Network) -> None:
    dash_duo.start_server(app_of(district))
    sign_in(dash_duo, "wang", "/network")
    dash_duo.wait_for_contains_text("h1", "管理人员")
    assert not dash_duo.find_elements("#net-table")


def test_network004_axe_finds_no_serious_fault(dash_duo, district: Network) -> None:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make test` (it installs it with npm)")
    axe_source = AXE.read_text(encoding="utf-8")
    dash_duo.start_server(app_of(district))
    sign_in(dash_duo, "boss", "/network")
    dash_duo.wait_for_element("#net-table tbody tr")
    problems = []
    for path in ("/network", "/network?lang=en", "/network/reports?period=day&date=2026-11-23"):
        problems += audit(dash_duo, axe_source, path, (1920, 1080))
    assert problems == [], "\n".join(problems)
