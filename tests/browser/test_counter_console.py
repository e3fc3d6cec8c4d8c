"""The counter console worked as a clerk works it, at keyboard speed, in headless Chromium.

Window 5 calls tax (T) in tests/halls/main.toml, window 7 housing-fund (Q); the hall's clock
stands at Tuesday 24 November 2026, 10:00.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from dash.testing import wait
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from app import create_app
from queues import services
from queues.access import staff
from queues.context import Context
from queues.read import tickets
from queues.store.models import Ticket
from tests.browser.test_counter_display import PASSWORD, sign_in
from tests.support import tap

CLERK = "clerk:wang"


def console(duo, ctx: Context, *services_to_issue: str, size=(1920, 1080)) -> list:
    """Clerk wang signed in at window 5, open, with these tickets issued (answers them)."""
    staff.add_user(ctx, "wang", "clerk", PASSWORD, windows=[5], display_name="王芳")
    services.resume(ctx, 5, CLERK)
    issued = [services.issue(ctx, code).ticket for code in services_to_issue]
    duo.start_server(create_app(ctx))
    duo.driver.set_window_size(*size)
    sign_in(duo, "wang", "/counter/5")
    duo.wait_for_text_to_equal("#counter-state", "服务中")
    return issued


def keys(duo, text: str) -> None:
    """Type ``text`` wherever the focus is, as a clerk does."""
    ActionChains(duo.driver).send_keys(text).perform()


def set_date(duo, value: str) -> None:
    """Put ``value`` into the promised date as the browser's date field holds it."""
    duo.driver.execute_script(
        "const el = arguments[0];"
        "Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set"
        ".call(el, arguments[1]);"
        "el.dispatchEvent(new Event('input', {bubbles: true}));",
        duo.find_element("#counter-promised"),
        value,
    )


def form(duo) -> dict[str, object]:
    """What the console's form holds now."""
    d = duo.driver
    return {
        "outcome": d.execute_script(
            "const r = document.querySelector('#counter-outcome input:checked');"
            "return r ? r.value : null"
        ),
        "promised": duo.find_element("#counter-promised").get_attribute("value"),
        "to-service": duo.find_element("#counter-to-service").get_attribute("value"),
        "to-window": duo.find_element("#counter-to-window").get_attribute("value"),
        "reason": d.execute_script("return document.getElementById('counter-reason').value"),
    }


def pick(duo, css: str, label: str) -> None:
    """Choose ``label`` in the select ``css`` with the mouse (the focus stays on the select)."""
    Select(duo.find_element(css)).select_by_visible_text(label)


def choose_outcome(duo, label: str) -> None:
    radio = duo.driver.find_element(
        "xpath", f"//div[@id='counter-outcome']//label[normalize-space()='{label}']"
    )
    radio.click()


def test_every_new_ticket_starts_with_a_clean_form(dash_duo, ctx: Context) -> None:
    console(dash_duo, ctx, "tax", "tax")
    tap(dash_duo, "#counter-call")
    dash_duo.wait_for_text_to_equal("#counter-number", "T001")
    tap(dash_duo, "#counter-start")
    dash_duo.wait_for_text_to_equal("#counter-alert", "T001：开始办理。")
    choose_outcome(dash_duo, "承诺件受理")
    set_date(dash_duo, "2026-12-20")
    pick(dash_duo, "#counter-to-service", "住房公积金提取、贷款")
    pick(dash_duo, "#counter-to-window", "7 号窗口 · 住房公积金中心")
    dash_duo.driver.execute_script(
        "const s = document.getElementById('counter-reason');"
        "Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set"
        ".call(s, 'meeting'); s.dispatchEvent(new Event('change', {bubbles: true}));"
    )
    chosen = form(dash_duo)
    assert chosen["outcome"] == "promised" and chosen["promised"] == "2026-12-20"
    assert (chosen["to-service"], chosen["to-window"], chosen["reason"]) == (
        "housing-fund",
        "7",
        "meeting",
    )
    tap(dash_duo, "#counter-finish")
    dash_duo.wait_for_text_to_equal("#counter-alert", "T001：办结。")
    tap(dash_duo, "#counter-call")
    dash_duo.wait_for_text_to_equal("#counter-number", "T002")
    time.sleep(0.5)
    assert form(dash_duo) == {
        "outcome": "done",
        "promised": "",
        "to-service": "",
        "to-window": "",
        "reason": "break",
    }
    done = tickets.ticket(ctx, _first_id(ctx))
    assert (done.outcome, str(done.promised_date)) == ("promised", "2026-12-20")
    tap(dash_duo, "#counter-finish")  # finished as it stands: done on the spot, no date
    dash_duo.wait_for_text_to_equal("#counter-alert", "T002：办结。")


def _first_id(ctx: Context) -> str:
    """T001's public id."""
    with ctx.db.read() as s:
        return s.scalar(select(Ticket.public_id).where(Ticket.number == "T001"))


def test_keys_work_with_the_focus_on_a_radio_or_a_select(dash_duo, ctx: Context) -> None:
    _, second = console(dash_duo, ctx, "tax", "tax")
    keys(dash_duo, " ")
    dash_duo.wait_for_text_to_equal("#counter-number", "T001")
    choose_outcome(dash_duo, "咨询")  # with the mouse: the focus stays on the radio
    assert dash_duo.driver.switch_to.active_element.get_attribute("type") == "radio"
    keys(dash_duo, "f")
    dash_duo.wait_for_text_to_equal("#counter-alert", "T001：办结。")
    assert tickets.ticket(ctx, _first_id(ctx)).outcome == "consult"
    dash_duo.wait_for_element("#counter-outcome input[value='done']:checked")  # clean again
    keys(dash_duo, " ")
    dash_duo.wait_for_text_to_equal("#counter-number", "T002")
    pick(dash_duo, "#counter-to-service", "住房公积金提取、贷款")  # with the mouse
    assert dash_duo.driver.switch_to.active_element.get_attribute("id") == "counter-to-service"
    keys(dash_duo, "t")
    dash_duo.wait_for_text_to_equal("#counter-alert", "T002：转号。")
    moved = tickets.ticket(ctx, second.id)
    assert (moved.service, moved.status) == ("housing-fund", "waiting")  # not another service
    dash_duo.wait_for_text_to_equal("#counter-number", "暂无号票，按“叫号”呼叫下一位。")
    reason = dash_duo.find_element("#counter-reason")
    reason.click()  # a native select, focused with the mouse
    reason.send_keys(Keys.ESCAPE)
    keys(dash_duo, "p")
    dash_duo.wait_for_text_to_equal("#counter-state", "暂停服务（休息）")  # not "Training"


def test_a_mistyped_promised_date_is_told_and_nothing_is_lost(dash_duo, ctx: Context) -> None:
    console(dash_duo, ctx, "tax")
    tap(dash_duo, "#counter-call")
    dash_duo.wait_for_text_to_equal("#counter-number", "T001")
    choose_outcome(dash_duo, "承诺件受理")
    set_date(dash_duo, "61215-02-02")  # a year of five digits: the browser's field takes it
    tap(dash_duo, "#counter-finish")
    dash_duo.wait_for_text_to_equal(
        "#counter-alert",
        "承诺办结日期“61215-02-02”无效，请按 年-月-日 填写，年份四位（如 2026-12-15）。",
    )
    assert dash_duo.find_element("#counter-number").text == "T001"  # still at the window
    assert form(dash_duo)["promised"] == "61215-02-02" and form(dash_duo)["outcome"] == "promised"
    set_date(dash_duo, "2099-01-01")
    tap(dash_duo, "#counter-finish")
    dash_duo.wait_for_text_to_equal(
        "#counter-alert", "承诺办结日期 2099-01-01 太远，最晚可填 2027-11-25。请检查年份。"
    )
    set_date(dash_duo, "2026-12-15")
    dash_duo.find_element("#counter-promised").send_keys(Keys.ENTER)  # Enter finishes
    dash_duo.wait_for_text_to_equal("#counter-alert", "T001：办结。")
    done = tickets.ticket(ctx, _first_id(ctx))
    assert (done.outcome, str(done.promised_date)) == ("promised", "2026-12-15")


def test_a_no_show_is_undone_by_key_within_its_seconds(dash_duo, ctx: Context) -> None:
    (first,) = console(dash_duo, ctx, "tax")
    keys(dash_duo, " ")
    dash_duo.wait_for_text_to_equal("#counter-number", "T001")
    keys(dash_duo, "n")
    dash_duo.wait_for_text_to_equal("#counter-alert", "T001：过号。")
    dash_duo.wait_for_element("#counter-undo-box:not(.d-none)")
    assert dash_duo.find_element("#counter-undo-number").text == "T001"

    def left() -> int:
        return int(dash_duo.find_element("#counter-undo-left").text.split()[0])

    before = left()
    assert before == 10
    # counting down: the seconds fall without a click (however loaded the machine)
    wait.until(lambda: left() <= before - 2, timeout=8)
    assert left() >= 1
    assert tickets.ticket(ctx, first.id).status == "no_show"
    keys(dash_duo, "u")
    dash_duo.wait_for_text_to_equal("#counter-alert", "T001：已撤销过号，请继续办理。")
    dash_duo.wait_for_text_to_equal("#counter-number", "T001")
    dash_duo.wait_for_element("#counter-undo-box.d-none")
    assert tickets.ticket(ctx, first.id).status == "called"
    keys(dash_duo, "n")
    dash_duo.wait_for_element("#counter-undo-box:not(.d-none)")
    time.sleep(10.5)  # the seconds run out in the browser: the button goes
    assert not dash_duo.find_element("#counter-undo").is_displayed()
    keys(dash_duo, "u")
    time.sleep(1)
    assert tickets.ticket(ctx, first.id).status == "no_show"


def test_a_number_is_called_from_the_line_or_typed(dash_duo, ctx: Context) -> None:
    console(dash_duo, ctx, "tax", "tax", "tax", "housing-fund")
    dash_duo.wait_for_text_to_equal(".counter-line-row:nth-child(3) .counter-line-number", "T003")
    shown = [e.text for e in dash_duo.driver.find_elements("css selector", ".counter-line-number")]
    assert shown == ["T001", "T002", "T003"]  # next first; Q001 is not this window's
    tap(dash_duo, ".counter-line-row:nth-child(3) button")
    dash_duo.wait_for_text_to_equal("#counter-alert", "已特呼 T003。")
    dash_duo.wait_for_text_to_equal("#counter-number", "T003")
    dash_duo.wait_for_text_to_equal(".counter-line-row:nth-child(2) .counter-line-number", "T002")
    assert dash_duo.find_element(".counter-line-row button").get_attribute("disabled")
    keys(dash_duo, "f")
    dash_duo.wait_for_text_to_equal("#counter-alert", "T003：办结。")
    keys(dash_duo, "c")  # to the number field
    keys(dash_duo, "q1")
    keys(dash_duo, Keys.ENTER)
    dash_duo.wait_for_text_to_equal(
        "#counter-alert", "Q001 号办理的是“住房公积金提取、贷款”，5 号窗口不办理，不能特呼。"
    )
    field = dash_duo.find_element("#counter-special-number")
    assert field.get_attribute("value") == "q1"  # what was typed stays
    field.clear()
    field.send_keys("t2" + Keys.ENTER)
    dash_duo.wait_for_text_to_equal("#counter-alert", "已特呼 T002。")
    dash_duo.wait_for_text_to_equal("#counter-number", "T002")
    assert field.get_attribute("value") == ""


def test_a_request_the_input_gate_refuses_is_said_on_the_console(dash_duo, ctx: Context) -> None:
    console(dash_duo, ctx, "tax")
    keys(dash_duo, " ")
    dash_duo.wait_for_text_to_equal("#counter-number", "T001")
    phone = dash_duo.find_element("#counter-visitor-phone")
    phone.send_keys("call me")  # the use case says what a phone number holds
    tap(dash_duo, "#counter-visitor-save")
    dash_duo.wait_for_text_to_equal(
        "#counter-message", "电话“call me”无效：只能填数字、+、-、括号和空格。"
    )
    name = dash_duo.find_element("#counter-visitor-name")
    name.send_keys("王" * 120)  # longer than a name may be: the gate refuses the request
    tap(dash_duo, "#counter-visitor-save")
    dash_duo.wait_for_element("#counter-gate.counter-gate-shown")
    said = dash_duo.find_element("#counter-gate").text
    # in the browser's language (the gate reads Accept-Language: English in the test browser)
    assert said.startswith("The page's request was refused") and "counter-visitor-name" in said
    assert phone.get_attribute("value") == "call me"  # what was typed is still there
    assert len(name.get_attribute("value")) == 120


AXE = Path(__file__).resolve().parents[2] / ".venv/axe/node_modules/axe-core/axe.min.js"


def test_the_console_has_no_serious_accessibility_fault(dash_duo, ctx: Context) -> None:
    """axe-core (installed by `make test`) on the console: idle, holding a ticket, after a
    no-show with its undo, in English."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make test installs it)")
    services.issue(ctx, "tax", "priority")  # called first: its badge is on the console
    console(dash_duo, ctx, "tax", size=(1366, 768))
    found = {}
    for moment, action in (("idle", None), ("called", " "), ("no-show", "n"), ("en", "en")):
        if action == "en":
            dash_duo.driver.get(dash_duo.server_url + "/counter/5?lang=en")
            dash_duo.wait_for_element("#counter-line .counter-line-row")
        elif action:
            keys(dash_duo, action)
        time.sleep(1)
        dash_duo.driver.execute_script(AXE.read_text())
        found[moment] = dash_duo.driver.execute_async_script(
            "const done = arguments[0];"
            "axe.run().then(r => done(r.violations"
            ".filter(v => ['critical', 'serious'].includes(v.impact)).map(v => v.id)))"
        )
    assert found == {"idle": [], "called": [], "no-show": [], "en": []}
