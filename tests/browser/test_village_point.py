"""A village point in headless Chromium: the agent issues a ticket from the console and calls
it; a visitor on a phone taps a matter on ``/take`` and sees the number.

The village (tests/halls/village.toml: windows 1 and 2, no kiosk) shares the tests' database
with the tests' hall; the clock stands at Tuesday 24 November 2026, 10:00.
"""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from app import create_app
from queues import services
from queues.access import staff
from queues.context import Context
from queues.store.models import PrintJob, Ticket
from tests.api.test_village_point import village_context
from tests.browser.test_counter_display import PASSWORD, sign_in
from tests.support import MAIN_HALL, Clock, tap


def agent_console(duo, ctx: Context, window: int) -> None:
    """Agent zhao signed in at ``window``, open."""
    staff.add_user(ctx, "zhao", "clerk", PASSWORD, windows=[window], display_name="赵兰")
    services.resume(ctx, window, "user:zhao")
    duo.start_server(create_app(ctx))
    duo.driver.set_window_size(1366, 900)
    sign_in(duo, "zhao", f"/counter/{window}")
    duo.wait_for_text_to_equal("#counter-state", "服务中")


def issue_from_console(duo, matter: str, priority: bool = False) -> None:
    Select(duo.find_element("#counter-issue-service")).select_by_visible_text(matter)
    if priority:
        tap(duo, "#counter-issue-priority")
    tap(duo, "#counter-issue-btn")


def tickets_of(ctx: Context) -> list[Ticket]:
    with ctx.db.read() as s:
        return list(s.scalars(select(Ticket).order_by(Ticket.seq)))


def test_village001_the_agent_issues_from_the_console_and_calls_it(
    dash_duo, sqlite_url: str, clock: Clock
) -> None:
    village = village_context(sqlite_url, clock)
    agent_console(dash_duo, village, 1)
    tap(dash_duo, "#counter-issue-btn")  # no matter chosen yet: said, nothing issued
    dash_duo.wait_for_contains_text("#counter-issued", "请先选择办理事项")
    issue_from_console(dash_duo, "民政救助代办", priority=True)
    dash_duo.wait_for_text_to_equal("#counter-issued-number", "M001")
    dash_duo.wait_for_contains_text("#counter-issued", "民政救助代办 · 优先")
    [ticket] = tickets_of(village)
    assert ticket.priority == "priority" and ticket.requester == "staff:user:zhao"
    link = dash_duo.find_element("#counter-issued-link").get_attribute("href")
    assert link == f"{dash_duo.server_url}/t/{ticket.public_id}"
    dash_duo.wait_for_text_to_equal("#counter-waiting", "本窗口等候 1 人")
    # the next visitor: a new ticket, not the first one again
    issue_from_console(dash_duo, "社保参保代办")
    dash_duo.wait_for_text_to_equal("#counter-issued-number", "L001")
    assert sorted(t.number for t in tickets_of(village)) == ["L001", "M001"]
    with village.db.read() as s:
        assert s.scalars(select(PrintJob)).all() == []  # no kiosk, no printer: no slip
    tap(dash_duo, "#counter-call")
    dash_duo.wait_for_text_to_equal("#counter-number", "M001")  # priority first
    assert dash_duo.get_logs() == []
    # the poster for the wall, from the console's link
    tap(dash_duo, "#counter-take-qr")
    dash_duo.wait_for_text_to_equal("#poster-url", f"{dash_duo.server_url}/take")
    assert "扫码取号" in dash_duo.find_element("#poster").text


def test_village002_a_window_set_to_print_prints_at_its_kiosk(
    dash_duo, sqlite_url: str, clock: Clock, tmp_path: Path
) -> None:
    """In a hall with kiosks, a window whose ``print_at`` names one prints the slip there."""
    hall = tmp_path / "hall.toml"
    text = MAIN_HALL.read_text(encoding="utf-8")
    marker = 'department = { zh = "税务局", en = "Taxation" }\n'
    assert marker in text
    hall.write_text(text.replace(marker, marker + 'print_at = "k2"\n', 1), encoding="utf-8")
    ctx = village_context(sqlite_url, clock, hall)
    agent_console(dash_duo, ctx, 5)
    issue_from_console(dash_duo, "税务登记与申报")
    dash_duo.wait_for_text_to_equal("#counter-issued-number", "T001")
    dash_duo.wait_for_contains_text("#counter-issued", "号票正在 k2 打印")
    [ticket] = tickets_of(ctx)
    with ctx.db.read() as s:
        [job] = s.scalars(select(PrintJob)).all()
    assert job.ticket_id == ticket.id and job.kiosk == "k2"


def test_village003_a_visitor_takes_a_number_with_the_phone(
    dash_duo, sqlite_url: str, clock: Clock
) -> None:
    village = village_context(sqlite_url, clock)
    dash_duo.start_server(create_app(village))
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.driver.get(dash_duo.server_url + "/take")
    dash_duo.wait_for_contains_text("#take-hall", "翠竹社区便民服务代办点")
    assert dash_duo.driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    )
    tap(dash_duo, "input[name=priority][value=priority]")
    tap(dash_duo, "button[name=service][value=social-insurance]")
    dash_duo.wait_for_text_to_equal("#phone-number", "L001")
    dash_duo.wait_for_contains_text("#phone-body", "社保参保代办")
    [ticket] = tickets_of(village)
    assert ticket.priority == "priority" and ticket.requester.startswith("visitor:")
    assert dash_duo.driver.current_url == f"{dash_duo.server_url}/t/{ticket.public_id}"
    # back to the page (the browser may keep it as it was): nothing more issued; a double tap
    # on another matter: one ticket more, not two
    dash_duo.driver.back()
    dash_duo.wait_for_element("button[name=service][value=civil-affairs]")
    assert len(tickets_of(village)) == 1
    dash_duo.driver.execute_script(
        "const b = document.querySelector('button[name=service][value=civil-affairs]');"
        "b.click(); b.click();"
    )
    dash_duo.wait_for_text_to_equal("#phone-number", "M001")
    dash_duo.wait_for_text_to_equal("#phone-number", "M001")
    assert sorted(t.number for t in tickets_of(village)) == ["L001", "M001"]
