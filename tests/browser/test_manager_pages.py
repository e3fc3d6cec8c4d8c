"""The manager's pages as a manager uses them (issue 11), in headless Chromium: where the
bottleneck is now, landing on the dashboard, stopping an account and giving it a new password,
changing who serves what today, the zone chart of a hall open around the clock.

The hall is tests/halls/main.toml (services with their targets and expected minutes there);
every figure expected below is worked out by hand from it."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from app import create_app
from queues import services, workday
from queues.access import staff
from queues.context import Context
from queues.hall import config as hall_config
from queues.hall.sync import apply_config
from queues.store.models import Event, StaffSession, User
from tests.browser.test_counter_display import PASSWORD, sign_in
from tests.support import MAIN_HALL, Clock, beijing, make_context, tap

NINE = beijing(2026, 11, 24, 9, 0)  # a Tuesday
BOSS = "user:boss"


@pytest.fixture
def office(sqlite_url: str) -> Iterator[Context]:
    """The hall at 09:00 with a manager (boss) and a clerk (wang, window 5)."""
    ctx = make_context(sqlite_url, Clock(NINE))
    staff.add_user(ctx, "boss", "manager", PASSWORD, display_name="值班主任")
    staff.add_user(ctx, "wang", "clerk", PASSWORD, windows=[5], display_name="王芳")
    yield ctx
    ctx.db.dispose()


def _forget(duo) -> None:  # type: ignore[no-untyped-def]
    """A browser signed in to nobody: off the Dash page first (to a plain one of the site, whose
    cookies are deleted), so that no callback still under way brings the session cookie back."""
    import time

    duo.driver.get(f"{duo.server_url}/healthz")
    time.sleep(0.5)  # the Dash page's last requests end
    duo.driver.delete_all_cookies()
    assert duo.driver.get_cookies() == []


def _path(duo) -> str:  # type: ignore[no-untyped-def]
    return urlparse(duo.driver.current_url).path


def _wait_for_path(duo, path: str) -> None:  # type: ignore[no-untyped-def]
    duo.wait_for_element("body")
    import time

    deadline = time.monotonic() + 10
    while _path(duo) != path and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _path(duo) == path


def test_mgr001_the_worst_queue_leads_the_dashboard(dash_duo, office: Context) -> None:
    """At 09:00 window 5 (tax) opens; two tax tickets and one social-insurance ticket are
    taken; at 09:20 one housing-fund and one notary ticket; it is now 09:30.

    * tax: 2 waiting, the longest 30 minutes against its 20 (1.5 of it), window 5 open; a
      ticket taken now waits for the two ahead: 2 x 10 minutes on one window = 20 minutes.
    * social insurance: 1 waiting, 30 of 20 (1.5), no window open (8-10 closed): no prediction.
      Level with tax on the target, fewer waiting: second.
    * housing fund: 1 waiting, 10 of 20 (0.5), no window open.
    * notary: 1 waiting, 10 of 30 (0.33), no window open.
    Every other service has nobody waiting and no window open: not listed.
    """
    clock = office.clock
    services.resume(office, 5, "user:wang")
    services.issue(office, "tax")
    services.issue(office, "tax")
    services.issue(office, "social-insurance")
    clock.set(beijing(2026, 11, 24, 9, 20))  # type: ignore[attr-defined]
    services.issue(office, "housing-fund")
    services.issue(office, "notary")
    clock.set(beijing(2026, 11, 24, 9, 30))  # type: ignore[attr-defined]

    dash_duo.start_server(create_app(office))
    dash_duo.driver.set_window_size(1600, 1000)
    sign_in(dash_duo, "boss", "/dashboard")
    dash_duo.wait_for_element("#dash-services-table tbody tr")
    rows = [
        [td.text for td in r.find_elements(By.CSS_SELECTOR, "td")]
        for r in dash_duo.find_elements("#dash-services-table tbody tr")
    ]
    assert rows == [
        ["税务登记与申报", "2", "30 / 20 分钟", "1", "20 分钟"],
        ["社保参保登记", "1", "30 / 20 分钟", "0", "无开放窗口"],
        ["住房公积金提取、贷款", "1", "10 / 20 分钟", "0", "无开放窗口"],
        ["公证", "1", "10 / 30 分钟", "0", "无开放窗口"],
    ]
    # the first thing on the page, above the eight figures
    table_top = dash_duo.find_element("#dash-services-table").location["y"]
    tiles_top = dash_duo.find_element("#dash-value-waiting").location["y"]
    assert table_top < tiles_top


def test_mgr002_a_manager_lands_on_the_dashboard(dash_duo, office: Context) -> None:
    dash_duo.start_server(create_app(office))
    dash_duo.driver.set_window_size(1366, 768)
    dash_duo.driver.get(f"{dash_duo.server_url}/login")
    dash_duo.wait_for_element("#login-name").send_keys("boss")
    dash_duo.find_element("#login-password").send_keys(PASSWORD)
    tap(dash_duo, "#login-submit")
    _wait_for_path(dash_duo, "/dashboard")
    dash_duo.wait_for_element("#dash-services")
    # an explicit next is still followed, and one to another site still is not
    _forget(dash_duo)
    sign_in(dash_duo, "boss", "/reports")
    _wait_for_path(dash_duo, "/reports")
    _forget(dash_duo)
    dash_duo.driver.get(f"{dash_duo.server_url}/login?next=//evil.example/x")
    dash_duo.wait_for_element("#login-name").send_keys("boss")
    dash_duo.find_element("#login-password").send_keys(PASSWORD)
    tap(dash_duo, "#login-submit")
    _wait_for_path(dash_duo, "/dashboard")


def _choose_account(duo, name: str) -> None:  # type: ignore[no-untyped-def]
    duo.wait_for_element(f"#staff-account option[value='{name}']").click()


def test_mgr003_a_stopped_account_is_signed_out_and_cannot_sign_in(
    dash_duo, office: Context
) -> None:
    dash_duo.start_server(create_app(office))
    dash_duo.driver.set_window_size(1920, 1080)
    sign_in(dash_duo, "wang", "/counter/5")
    dash_duo.wait_for_element("#counter-state")
    wang_cookies = dash_duo.driver.get_cookies()
    _forget(dash_duo)

    sign_in(dash_duo, "boss", "/staff")
    _choose_account(dash_duo, "wang")
    tap(dash_duo, "#staff-account-disable")
    dash_duo.wait_for_text_to_equal("#staff-account-done", "wang 已停用，其所有会话已下线。")
    with office.db.read() as s:
        ended = s.execute(
            select(StaffSession.end_reason)
            .join(User, User.id == StaffSession.user_id)
            .where(User.name == "wang")
        ).all()
        logged = s.scalars(select(Event.kind).where(Event.actor == BOSS)).all()
    assert [tuple(r) for r in ended] == [("deactivated",)]
    assert "user_deactivated" in logged

    # wang's browser: the console asks to sign in again
    _forget(dash_duo)
    for cookie in wang_cookies:
        dash_duo.driver.add_cookie({k: cookie[k] for k in ("name", "value", "path")})
    dash_duo.driver.get(f"{dash_duo.server_url}/counter/5")
    dash_duo.wait_for_element("#login-name, a[href*='/login']")
    assert not dash_duo.driver.find_elements(By.CSS_SELECTOR, "#counter-state")
    # and wang's name and password no longer sign in
    _forget(dash_duo)
    sign_in(dash_duo, "wang", "/counter/5")
    dash_duo.wait_for_text_to_equal("#login-message", "用户名或密码错误。")


def test_mgr004_a_new_password_replaces_the_old(dash_duo, office: Context) -> None:
    dash_duo.start_server(create_app(office))
    dash_duo.driver.set_window_size(1366, 768)
    sign_in(dash_duo, "boss", "/staff")
    _choose_account(dash_duo, "wang")
    dash_duo.find_element("#staff-account-password").send_keys("new-secret-42")
    tap(dash_duo, "#staff-account-reset")
    dash_duo.wait_for_text_to_equal("#staff-account-done", "wang 的密码已重置，其所有会话已下线。")
    assert dash_duo.find_element("#staff-account-password").get_attribute("value") == ""
    _forget(dash_duo)
    sign_in(dash_duo, "wang", "/counter/5")  # the old password
    dash_duo.wait_for_text_to_equal("#login-message", "用户名或密码错误。")
    dash_duo.driver.get(f"{dash_duo.server_url}/login")
    dash_duo.wait_for_element("#login-name").send_keys("wang")
    dash_duo.find_element("#login-password").send_keys("new-secret-42")
    tap(dash_duo, "#login-submit")
    _wait_for_path(dash_duo, "/counter/5")
    # a password too short is refused in words, and nothing changes
    _forget(dash_duo)
    sign_in(dash_duo, "boss", "/staff")
    _choose_account(dash_duo, "wang")
    dash_duo.find_element("#staff-account-password").send_keys("short")
    tap(dash_duo, "#staff-account-reset")
    dash_duo.wait_for_contains_text("#staff-message", "8")
    assert staff.sign_in(office, "wang", "new-secret-42").user.name == "wang"


def test_mgr005_window_5_serves_social_insurance_today(
    dash_duo, office: Context, sqlite_url: str
) -> None:
    """Window 5 is the tax window in the hall file. This morning it takes social insurance
    instead: its next call is the social-insurance ticket, not the tax one taken before it,
    and after a restart (the hall file applied again) it still does, for the rest of the day."""
    services.resume(office, 5, "user:wang")
    services.issue(office, "tax")  # T001, first in line
    office.clock.advance(minutes=1)  # type: ignore[attr-defined]
    services.issue(office, "social-insurance")  # L001
    dash_duo.start_server(create_app(office))
    dash_duo.driver.set_window_size(1920, 1080)
    sign_in(dash_duo, "boss", "/staff")
    dash_duo.wait_for_element("#staff-profile-window option[value='5']").click()
    tax = "_dbcprivate_checklist_staff-profile-services_input_tax"
    dash_duo.wait_for_element(f"#{tax}:checked")  # the file's profile, ticked
    tap(dash_duo, f"label[for='{tax}']")
    tap(
        dash_duo, "label[for='_dbcprivate_checklist_staff-profile-services_input_social-insurance']"
    )
    tap(dash_duo, "#staff-profile-save")
    dash_duo.wait_for_text_to_equal("#staff-profile-saved", "5 号窗口今日分工已保存。")
    dash_duo.wait_for_contains_text("#staff-windows-table", "今日调整")

    called = services.call_next(office, 5, "user:wang")
    assert called is not None and called.number == "L001"
    services.finish(office, 5, "user:wang")
    with office.db.read() as s:
        event = s.scalars(select(Event).where(Event.kind == "window_services_set")).one()
    assert (event.actor, event.window_id) == (BOSS, 5)
    assert event.data["services"] == ["social-insurance"] and event.data["before"] == ["tax"]

    # a restart: another process applies the hall file and reads the day's profiles
    apply_config(office.db, hall_config.load(MAIN_HALL))
    again = make_context(sqlite_url, office.clock)  # type: ignore[arg-type]
    workday.refresh(again, now=True)
    services.issue(again, "social-insurance")  # L002
    called = services.call_next(again, 5, "user:wang")
    assert called is not None and called.number == "L002"
    # the next day, the hall file's profile again
    office.clock.set(beijing(2026, 11, 25, 9, 0))  # type: ignore[attr-defined]
    workday.refresh(again, now=True)
    assert workday.services_of(again, 5) == ["tax"]
    again.db.dispose()


def test_mgr006_a_service_the_hall_lacks_is_refused(office: Context) -> None:
    from queues import errors

    with pytest.raises(errors.UnknownService):
        workday.set_services(office, 5, ["no-such-service"], BOSS)
    with pytest.raises(errors.NoServices):
        workday.set_services(office, 5, [], BOSS)
    with pytest.raises(errors.UnknownWindow):
        workday.set_services(office, 99, ["tax"], BOSS)
    assert workday.services_of(office, 5) == ["tax"]


def test_mgr007_the_zone_chart_after_closing_time_in_a_hall_open_always(
    dash_duo, sqlite_url: str
) -> None:
    """HALLQ_OPEN_ALWAYS: at 19:30 and 19:50, after the 17:00 close, two tax tickets are
    taken; at 20:00 the chart of the general zone (tax's) ends on 2 waiting, its axis in
    whole visitors."""
    clock = Clock(beijing(2026, 11, 24, 19, 30))
    ctx = make_context(sqlite_url, clock, open_always=True)
    staff.add_user(ctx, "boss", "manager", PASSWORD)
    services.issue(ctx, "tax")
    clock.set(beijing(2026, 11, 24, 19, 50))
    services.issue(ctx, "tax")
    clock.set(beijing(2026, 11, 24, 20, 0))
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.set_window_size(1920, 1080)
    sign_in(dash_duo, "boss", "/dashboard")
    dash_duo.wait_for_element("#dash-services-table")
    script = """
const plot = document.querySelector('#dash-queues .js-plotly-plot');
if (!plot || !plot.data || !plot.data.length) { return null; }
return {y: plot.data.map(t => t.y), name: plot.data.map(t => t.name),
        dtick: plot.layout.yaxis.dtick};
"""
    import time

    deadline = time.monotonic() + 10
    drawn = None
    while drawn is None and time.monotonic() < deadline:
        drawn = dash_duo.driver.execute_script(script)
        time.sleep(0.2)
    assert drawn is not None
    assert drawn["name"] == ["综合服务区"]
    assert drawn["y"][0][-1] == 2 and max(drawn["y"][0]) == 2
    assert drawn["dtick"] == 1
    ctx.db.dispose()


def test_mgr008_whose_account_a_manager_may_change(office: Context) -> None:
    """A manager changes clerks' and managers' accounts, not an administrator's, and stops
    nobody's own (the hall would be left without anyone to start it again)."""
    from queues import errors

    staff.add_user(office, "root", "admin", PASSWORD)
    boss = staff.sign_in(office, "boss", PASSWORD).user
    root = staff.sign_in(office, "root", PASSWORD).user
    staff.may_change(office, boss, "wang", stopping=True)  # a clerk: yes
    with pytest.raises(errors.NotYourAccount):
        staff.may_change(office, boss, "root")
    with pytest.raises(errors.NotYourAccount):
        staff.may_change(office, boss, "boss", stopping=True)
    staff.may_change(office, boss, "boss")  # a new password for oneself is fine
    staff.may_change(office, root, "root")
    with pytest.raises(errors.UnknownUser):
        staff.may_change(office, boss, "nobody")


def test_mgr009_a_printer_fault_in_the_pages_words(office: Context) -> None:
    """Kiosk k1's printer is out of paper: the dashboard's alert and the staff page say so in
    Chinese; the printer's own English words only for an administrator."""
    from queues.read import alerts
    from queues.store.models import Printer

    raw = "paper out: DLE EOT 4 answered 0x72"
    with office.db.write() as s:
        s.add(
            Printer(kiosk="k1", state="fault", paper="out", last_error=raw, error_code="paper_out")
        )
    alerts.evaluate(office)
    create_app(office)
    from pages import dashboard
    from pages import staff as staff_page

    def text(component: object) -> str:
        children = getattr(component, "children", component)
        if isinstance(children, list | tuple):
            return "".join(text(c) for c in children)
        return "" if children is None else str(children)

    (alert,) = dashboard.alert_list(office, None, "zh")
    assert text(alert).startswith("取号机 k1 打印机故障：打印机缺纸 · ")
    assert raw not in text(alert)
    (for_admin,) = dashboard.alert_list(office, None, "zh", technical=True)
    assert raw in text(for_admin)
    assert text(staff_page._fault("paper_out", raw, "zh")) == "打印机缺纸"
    assert text(staff_page._fault(None, raw, "zh")) == "打印机故障"  # no code: a printer fault
