"""The manager's dashboard and reports in a real headless Chromium, on three weeks of simulated
history and a morning in progress in the tests' hall (tests/halls/main.toml)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from sqlalchemy import select

from app import create_app
from queues import alerts, metrics, reporting, services, staff
from queues import simulate as sim
from queues.context import Context
from queues.models import Rating
from tests.browser.test_counter_display import PASSWORD, sign_in
from tests.support import Clock, beijing, copy_sqlite, make_context, tap

MORNING = beijing(2026, 11, 24, 10, 30)  # a Tuesday


@pytest.fixture(scope="session")
def busy_hall(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three weeks of history before Tuesday 24 November 2026 and that day up to 10:30."""
    path = tmp_path_factory.mktemp("busy") / "hallq.db"
    url = copy_sqlite(sqlite_template, path)
    ctx = make_context(url, Clock(MORNING))
    sim.simulate_days(ctx, date(2026, 11, 3), 21, seed=7)
    sim.play_until(ctx, MORNING, seed=7)
    staff.add_user(ctx, "boss", "manager", PASSWORD, display_name="值班主任")
    staff.add_user(ctx, "wang", "clerk", PASSWORD, windows=[5])
    alerts.evaluate(ctx)
    ctx.db.dispose()
    return path


@pytest.fixture
def hall(busy_hall: Path, tmp_path: Path) -> Iterator[Context]:
    ctx = make_context(copy_sqlite(busy_hall, tmp_path / "hallq.db"), Clock(MORNING))
    yield ctx
    ctx.db.dispose()


def test_dash001_the_morning_at_a_glance(dash_duo, hall: Context) -> None:
    today = metrics.today(hall)
    dash_duo.start_server(create_app(hall))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/dashboard")
    dash_duo.wait_for_text_to_equal("#dash-value-served", str(today.hall.served))
    assert dash_duo.find_element("#dash-value-waiting").text == str(today.now.waiting)
    assert dash_duo.find_element("#dash-value-windows").text == (
        f"{today.now.windows_open} / {today.now.windows_total}"
    )
    share = today.hall.within_target_share
    assert dash_duo.find_element("#dash-value-within").text == f"{share:.0%}"
    rows = dash_duo.find_elements("#dash-windows-table tbody tr")
    assert len(rows) == 12
    # the charts are drawn with data: zone lines, the heatmap's weekdays, the planner's hours
    dash_duo.wait_for_element("#dash-queues .scatterlayer .trace")
    dash_duo.wait_for_element("#dash-heatmap .hm, #dash-heatmap .heatmaplayer image")
    assert "星期一" in dash_duo.find_element("#dash-heatmap").text
    dash_duo.wait_for_element("#dash-planner .barlayer .trace")
    found = alerts.open_alerts(hall)
    if found:
        assert len(dash_duo.find_elements("#dash-alerts .alert")) == len(found)
    blocked = [e for e in dash_duo.get_logs() or [] if "Content Security Policy" in e["message"]]
    assert blocked == []  # Plotly draws under the policy (no eval)


def drilled_numbers(dash_duo) -> list[str]:
    """The ticket numbers of the drill-down, once it has faded in (Selenium reads no text from
    an element still transparent)."""
    dash_duo.wait_for_element(".modal.show #dash-drill-table")
    dash_duo.wait_for_style_to_equal(".modal.show", "opacity", "1")
    cells = dash_duo.find_elements("#dash-drill-table tbody td:first-child")
    return [td.text for td in cells]


def test_dash002_every_number_opens_the_tickets_behind_it(dash_duo, hall: Context) -> None:
    waiting = [line.number for line in metrics.tickets_behind(hall, "waiting")]
    served_at_5 = [line.number for line in metrics.tickets_behind(hall, "served", window=5)]
    assert waiting and served_at_5
    dash_duo.start_server(create_app(hall))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/dashboard")
    dash_duo.wait_for_text_to_equal("#dash-value-waiting", str(len(waiting)))
    tap(dash_duo, "#dash-value-waiting")
    assert drilled_numbers(dash_duo) == waiting
    assert "当前等候" in dash_duo.find_element("#dash-drill-title").text
    dash_duo.find_element(".modal .btn-close").click()
    dash_duo.wait_for_no_elements(".modal")  # the drill-down has closed and gone
    cell = dash_duo.driver.find_element(
        By.CSS_SELECTOR, "#dash-windows-table tbody tr:nth-child(5) td:nth-child(4) button"
    )
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", cell
    )
    cell.click()
    dash_duo.wait_for_contains_text("#dash-drill-title", "5 号窗口")
    assert drilled_numbers(dash_duo) == served_at_5


def test_dash004_a_refresh_redraws_what_changed_and_leaves_the_rest(
    dash_duo, hall: Context
) -> None:
    """The five-second refresh shows a new visitor in the waiting tile, while the window table,
    unchanged, stays the same elements under the manager's pointer (a click is never lost to a
    redraw)."""
    waiting = metrics.today(hall).now.waiting
    dash_duo.start_server(create_app(hall))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/dashboard")
    dash_duo.wait_for_text_to_equal("#dash-value-waiting", str(waiting))
    table = dash_duo.find_element("#dash-windows-table")
    services.issue(hall, "housing-fund")  # a queue no window serves yet today: the table stands
    dash_duo.wait_for_text_to_equal("#dash-value-waiting", str(waiting + 1), timeout=12)
    assert table.is_displayed()  # the same element: a stale one would raise here
    assert dash_duo.find_element("#dash-windows-table") == table


def test_dash005_the_manager_pages_link_each_other_and_sign_out(dash_duo, hall: Context) -> None:
    dash_duo.start_server(create_app(hall))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/dashboard")
    dash_duo.wait_for_element("#dash-value-waiting")
    tap(dash_duo, "#bar-reports")
    dash_duo.wait_for_element("#report-heading")
    tap(dash_duo, "#bar-staff")
    dash_duo.wait_for_contains_text("h1", "窗口、打印机与人员")
    dash_duo.wait_for_contains_text("#staff-people", "boss")
    tap(dash_duo, "#bar-dashboard")
    dash_duo.wait_for_element("#dash-value-waiting")
    tap(dash_duo, "#bar-sign-out")
    dash_duo.wait_for_element("#login-name")
    dash_duo.driver.get(dash_duo.server_url + "/staff")
    dash_duo.wait_for_element("#login-name")  # signed out: the page asks to sign in again


def test_dash003_only_managers(dash_duo, hall: Context) -> None:
    dash_duo.start_server(create_app(hall))
    dash_duo.driver.get(dash_duo.server_url + "/dashboard")
    dash_duo.wait_for_element("#login-name")  # nobody signed in: the sign-in page
    sign_in(dash_duo, "wang", "/dashboard")
    dash_duo.wait_for_contains_text("h1", "仅限管理人员")
    assert not dash_duo.find_elements("#dash-value-served")


def test_report001_a_month_with_its_ranking_and_export(dash_duo, hall: Context) -> None:
    report = reporting.build(hall, "month", date(2026, 11, 1), None, "window", "zh")
    dash_duo.start_server(create_app(hall))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/reports?period=month&date=2026-11-01&by=window")
    dash_duo.wait_for_text_to_equal("#report-heading", "新区政务服务中心 · 2026年11月")
    assert dash_duo.find_element("#report-sum-issued").text == str(report.total.issued)
    assert dash_duo.find_element("#report-sum-served").text == str(report.total.served)
    rows = dash_duo.find_elements("#report-main tbody tr")
    assert len(rows) == len(report.lines) + 1  # and the total
    first = dash_duo.find_element("#report-rank-w tbody tr td:nth-child(2)").text
    assert first == report.windows[0].label

    tap(dash_duo, "#report-xlsx")
    folder = Path(dash_duo.download_path)
    deadline = time.monotonic() + 15
    while not list(folder.glob("*.xlsx")) and time.monotonic() < deadline:
        time.sleep(0.2)
    (path,) = folder.glob("*.xlsx")
    assert path.name == "hallq-2026-11-01-2026-11-30-window.xlsx"
    book = load_workbook(path)
    sheet = book["统计"]
    total = [c.value for c in sheet[sheet.max_row]]
    heads = [c.value for c in sheet[1]]
    assert total[0] == "合计" and total[heads.index("办结")] == report.total.served


def test_report002_switching_the_period_and_following_up(dash_duo, hall: Context) -> None:
    week = reporting.build(hall, "week", date(2026, 11, 17), None, "clerk", "zh")
    assert week.bad, "three simulated weeks hold bad ratings"
    dash_duo.start_server(create_app(hall))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/reports?period=month&date=2026-11-17&by=clerk")
    dash_duo.wait_for_text_to_equal("#report-heading", "新区政务服务中心 · 2026年11月")
    tap(dash_duo, "label[for='_dbcprivate_radioitems_report-period_input_week']")
    dash_duo.wait_for_text_to_equal(
        "#report-heading", "新区政务服务中心 · 2026-11-16 至 2026-11-22"
    )
    assert dash_duo.find_element("#report-sum-issued").text == str(week.total.issued)
    bad = week.bad[0]
    row = "#report-bad tbody tr:nth-child(1)"
    assert dash_duo.find_element(f"{row} td:nth-child(2)").text == bad.number
    state = dash_duo.find_element(f"{row} select")
    state.find_element(By.CSS_SELECTOR, "option[value='resolved']").click()
    note = dash_duo.find_element(f"{row} input")
    note.send_keys("已致电说明，办理完毕")
    tap(dash_duo, f"{row} button")
    dash_duo.wait_for_text_to_equal(f"{row} td:last-child span", "已保存")
    with hall.db.read() as s:
        saved = s.execute(
            select(Rating.follow_up, Rating.follow_up_note).where(Rating.id == bad.id)
        ).one()
    assert tuple(saved) == ("resolved", "已致电说明，办理完毕")
    assert week.end == date(2026, 11, 22) and week.start == date(2026, 11, 22) - timedelta(days=6)


def test_report003_what_visitors_type_is_shown_as_text(dash_duo, ctx: Context) -> None:
    evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
    staff.add_user(ctx, "boss", "manager", PASSWORD)
    services.resume(ctx, 5, "user:wang")  # tax
    ticket = services.issue(ctx, "tax").ticket
    services.call_next(ctx, 5, "user:wang")
    services.finish(ctx, 5, "user:wang")
    services.rate(ctx, ticket.id, 1, evil)
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/reports?period=day&date=2026-11-24&by=window")
    dash_duo.wait_for_element("#report-bad")
    cell = dash_duo.find_element("#report-bad tbody tr td:nth-child(7)")
    assert cell.text == evil  # the characters, not markup
    assert dash_duo.driver.execute_script("return window.pwned") is None
    blocked = [e for e in dash_duo.get_logs() or [] if "Content Security Policy" in e["message"]]
    assert blocked == []  # Dash, Bootstrap and Plotly work under the policy
