"""The manager's dashboard and reports in a real headless Chromium, on a known month: two days
of history and a morning in progress, built through the use cases with the test's clock, so
every figure a test expects is worked out by hand below (the hall is tests/halls/main.toml)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from sqlalchemy import select

from app import create_app
from queues import services
from queues.access import staff
from queues.context import Context
from queues.read import alerts, rollups
from queues.store.models import Rating, Ticket
from tests.browser.test_counter_display import PASSWORD, sign_in
from tests.support import Clock, beijing, copy_sqlite, make_context, tap

MORNING = beijing(2026, 11, 24, 10, 30)  # a Tuesday
WANG, LI = "user:wang", "user:li"


def a_known_month(ctx: Context, clock: Clock) -> None:
    """Monday 16 and Tuesday 17 November, rolled up that night, and Tuesday 24 up to 10:30.

    Monday 16 (window 5, tax, wang): T001 and T002 taken at 09:00, T003 at 09:10. T001 waits 4
    and is served 09:05-09:14, T002 waits 14 and is served 09:15-09:24, T003 waits 14 and is a
    no-show at 09:30. T001 is rated 5, T002 rated 1 ("等太久").

    Tuesday 17 (window 7, housing-fund, li): Q001 taken at 09:00 waits 5, served 09:06-09:15;
    Q002 taken at 09:30 waits 1, served 09:32-09:40. Q001 is rated 2 ("态度不好") at 09:40.

    Tuesday 24, this morning: wang opens window 5 and li window 8 at 09:00. T001, T002, T003 are
    taken at 09:00: T001 waits 5 (served 09:05-09:15), T002 waits 15 (09:15-09:25), T003 waits
    25, past the 20-minute target (09:25-09:40). Wang pauses window 5 at 09:50 (休息). T004 and
    T005 are taken at 10:00, L001 (social-insurance, window 8's) at 10:25; all three still wait
    at 10:30, when the alerts are looked at.
    """

    def at(day: int, hh: int, mm: int) -> None:
        clock.set(beijing(2026, 11, day, hh, mm))

    def serve(window: int, clerk: str, called: tuple, started: tuple, finished: tuple) -> str:
        at(*called)
        ticket = services.call_next(ctx, window, clerk)
        at(*started)
        services.start(ctx, window, clerk)
        at(*finished)
        services.finish(ctx, window, clerk)
        return ticket.id

    at(16, 9, 0)
    services.resume(ctx, 5, WANG)
    services.issue(ctx, "tax")
    services.issue(ctx, "tax")
    at(16, 9, 10)
    services.issue(ctx, "tax")
    t001 = serve(5, WANG, (16, 9, 4), (16, 9, 5), (16, 9, 14))
    t002 = serve(5, WANG, (16, 9, 14), (16, 9, 15), (16, 9, 24))
    at(16, 9, 24)
    services.call_next(ctx, 5, WANG)
    at(16, 9, 30)
    services.no_show(ctx, 5, WANG)
    services.rate(ctx, t001, 5)
    services.rate(ctx, t002, 1, "等太久")
    at(16, 10, 0)
    services.close(ctx, 5, WANG)
    rollups.rollup(ctx, date(2026, 11, 16))

    at(17, 9, 0)
    services.resume(ctx, 7, LI)
    services.issue(ctx, "housing-fund")
    q001 = serve(7, LI, (17, 9, 5), (17, 9, 6), (17, 9, 15))
    at(17, 9, 30)
    services.issue(ctx, "housing-fund")
    serve(7, LI, (17, 9, 31), (17, 9, 32), (17, 9, 40))
    services.rate(ctx, q001, 2, "态度不好")
    at(17, 10, 0)
    services.close(ctx, 7, LI)
    rollups.rollup(ctx, date(2026, 11, 17))

    at(24, 9, 0)
    services.resume(ctx, 5, WANG)
    services.resume(ctx, 8, LI)
    for _ in range(3):
        services.issue(ctx, "tax")
    serve(5, WANG, (24, 9, 5), (24, 9, 5), (24, 9, 15))
    serve(5, WANG, (24, 9, 15), (24, 9, 15), (24, 9, 25))
    serve(5, WANG, (24, 9, 25), (24, 9, 25), (24, 9, 40))
    at(24, 9, 50)
    services.pause(ctx, 5, WANG, "休息")
    at(24, 10, 0)
    services.issue(ctx, "tax")
    services.issue(ctx, "tax")
    at(24, 10, 25)
    services.issue(ctx, "social-insurance")
    clock.set(MORNING)
    alerts.evaluate(ctx)


@pytest.fixture(scope="session")
def known_hall(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The known month (a_known_month), with a manager (boss) and a clerk (wang, window 5)."""
    path = tmp_path_factory.mktemp("known") / "hallq.db"
    url = copy_sqlite(sqlite_template, path)
    clock = Clock(MORNING)
    ctx = make_context(url, clock)
    staff.add_user(ctx, "boss", "manager", PASSWORD, display_name="值班主任")
    staff.add_user(ctx, "wang", "clerk", PASSWORD, windows=[5])
    staff.add_user(ctx, "li", "clerk", PASSWORD, windows=[7, 8])
    a_known_month(ctx, clock)
    ctx.db.dispose()
    return path


@pytest.fixture
def hall(known_hall: Path, tmp_path: Path) -> Iterator[Context]:
    ctx = make_context(copy_sqlite(known_hall, tmp_path / "hallq.db"), Clock(MORNING))
    yield ctx
    ctx.db.dispose()


def test_dash001_the_morning_at_a_glance(dash_duo, hall: Context) -> None:
    dash_duo.start_server(create_app(hall))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/dashboard")
    dash_duo.wait_for_text_to_equal("#dash-value-finished", "3")  # T001, T002, T003
    assert dash_duo.find_element("#dash-value-waiting").text == "3"  # T004, T005, L001
    assert dash_duo.find_element("#dash-value-windows").text == "1 / 12"  # 8 open, 5 paused
    # called within target: T001 and T002 (waits 5, 15); late: T003 (called after 25) and T004,
    # T005 (waiting 30 since 10:00); L001 has waited 5 minutes, not yet judged: 2 of 5
    assert dash_duo.find_element("#dash-value-within").text == "40%"
    rows = dash_duo.find_elements("#dash-windows-table tbody tr")
    assert len(rows) == 12
    assert rows[4].text.startswith("5 税务局 暂停服务（休息）")
    # the charts are drawn with data: zone lines, the heatmap's weekdays, the planner's hours
    dash_duo.wait_for_element("#dash-queues .scatterlayer .trace")
    dash_duo.wait_for_element("#dash-heatmap .hm, #dash-heatmap .heatmaplayer image")
    heatmap = dash_duo.find_element("#dash-heatmap").text
    assert "星期一" in heatmap and "星期二" in heatmap  # the two days of history
    dash_duo.wait_for_element("#dash-planner .barlayer .trace")
    shown = sorted(a.text for a in dash_duo.find_elements("#dash-alerts .alert"))
    assert shown == [
        "5 号窗口已暂停 40 分钟 · 10:30",  # paused at 09:50
        "税务登记与申报：2 人等候超过 20 分钟（最长 30 分钟） · 10:30",  # T004, T005
    ]
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
    dash_duo.start_server(create_app(hall))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/dashboard")
    dash_duo.wait_for_text_to_equal("#dash-value-waiting", "3")
    tap(dash_duo, "#dash-value-waiting")
    assert drilled_numbers(dash_duo) == ["T004", "T005", "L001"]  # in the order they came
    assert "当前等候" in dash_duo.find_element("#dash-drill-title").text
    dash_duo.find_element(".modal .btn-close").click()
    dash_duo.wait_for_no_elements(".modal")  # the drill-down has closed and gone
    cell = dash_duo.driver.find_element(  # window 5's row, its handled figure (办理)
        By.CSS_SELECTOR, "#dash-windows-table tbody tr:nth-child(5) td:nth-child(4) button"
    )
    assert cell.text == "3"
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", cell
    )
    cell.click()
    dash_duo.wait_for_contains_text("#dash-drill-title", "5 号窗口")
    assert drilled_numbers(dash_duo) == ["T001", "T002", "T003"]  # this morning's, not Monday's


def test_dash004_a_refresh_redraws_what_changed_and_leaves_the_rest(
    dash_duo, hall: Context
) -> None:
    """The five-second refresh shows a new visitor in the waiting tile, while the window table,
    unchanged, stays the same elements under the manager's pointer (a click is never lost to a
    redraw)."""
    dash_duo.start_server(create_app(hall))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/dashboard")
    dash_duo.wait_for_text_to_equal("#dash-value-waiting", "3")
    table = dash_duo.find_element("#dash-windows-table")
    services.issue(hall, "housing-fund")  # window 7 is closed today: the table stands
    dash_duo.wait_for_text_to_equal("#dash-value-waiting", "4", timeout=12)
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
    assert not dash_duo.find_elements("#dash-value-finished")


def test_report001_a_month_with_its_ranking_and_export(dash_duo, hall: Context) -> None:
    """November so far: 3 + 2 + 6 tickets, 2 + 2 + 3 handled and finished (no transfers),
    ratings 5, 1 and 2."""
    dash_duo.start_server(create_app(hall))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/reports?period=month&date=2026-11-01&by=window")
    dash_duo.wait_for_text_to_equal("#report-heading", "新区政务服务中心 · 2026年11月")
    assert dash_duo.find_element("#report-sum-issued").text == "11"
    assert dash_duo.find_element("#report-sum-handled").text == "7"
    assert dash_duo.find_element("#report-sum-finished").text == "7"
    assert dash_duo.find_element("#report-sum-rating").text == "2.67"  # (5 + 1 + 2) / 3
    assert dash_duo.find_element("#report-sum-bad").text == "2"
    rows = dash_duo.find_elements("#report-main tbody tr")
    assert [r.find_element(By.CSS_SELECTOR, "td").text for r in rows] == [
        "5 号窗口 税务局",
        "7 号窗口 住房公积金中心",
        "合计",
    ]
    ranking = [
        [td.text for td in r.find_elements(By.CSS_SELECTOR, "td")]
        for r in dash_duo.find_elements("#report-rank-w tbody tr")
    ]
    # place, window, score, handled, within target, mean rating. The score is 40 × share
    # within target + 40 × (rating - 1) / 4 + 20 × handled / the most handled (5):
    # window 5: 40 × 5/6 + 40 × 0.5 + 20 × 1 = 73.3; window 7: 40 + 40 × 0.25 + 20 × 0.4 = 58
    assert ranking == [
        ["1", "5 号窗口 税务局", "73.3", "5", "83.3%", "3"],
        ["2", "7 号窗口 住房公积金中心", "58", "2", "100.0%", "2"],
    ]

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
    heads = [c.value for c in sheet[2]]  # under the title row
    assert total[0] == "合计" and total[heads.index("办结量")] == 7


def test_report002_switching_the_period_and_following_up(dash_duo, hall: Context) -> None:
    dash_duo.start_server(create_app(hall))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/reports?period=month&date=2026-11-17&by=clerk")
    dash_duo.wait_for_text_to_equal("#report-heading", "新区政务服务中心 · 2026年11月")
    tap(dash_duo, "label[for='_dbcprivate_radioitems_report-period_input_week']")
    dash_duo.wait_for_text_to_equal(
        "#report-heading", "新区政务服务中心 · 2026-11-16 至 2026-11-22"
    )
    assert dash_duo.find_element("#report-sum-issued").text == "5"  # Monday's 3, Tuesday's 2
    numbers = [td.text for td in dash_duo.find_elements("#report-bad tbody tr td:nth-child(2)")]
    assert numbers == ["Q001", "T002"]  # the bad ratings, newest first
    # the follow-up editor under the list: choose Q001, resolve it with a note
    choice = dash_duo.find_element("#report-fu-rating")
    next(
        o for o in choice.find_elements(By.CSS_SELECTOR, "option") if o.text.startswith("Q001")
    ).click()
    state = dash_duo.find_element("#report-fu-state")
    state.find_element(By.CSS_SELECTOR, "option[value='resolved']").click()
    dash_duo.find_element("#report-fu-note").send_keys("已致电说明，办理完毕")
    tap(dash_duo, "#report-fu-save")
    dash_duo.wait_for_text_to_equal("#report-fu-message", "已保存")
    dash_duo.wait_for_text_to_equal(
        "#report-bad tbody tr:nth-child(1) td:nth-child(9)", "已致电说明，办理完毕"
    )
    with hall.db.read() as s:
        saved = s.execute(
            select(Rating.follow_up, Rating.follow_up_note)
            .join(Ticket, Ticket.id == Rating.ticket_id)
            .where(Ticket.number == "Q001", Ticket.day == date(2026, 11, 17))
        ).one()
    assert tuple(saved) == ("resolved", "已致电说明，办理完毕")


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
