"""axe-core over every page, as each page's user sees it: no critical or serious violation.

axe-core comes from npm (`make test` installs it into .venv/axe/; HALLQ_AXE names another copy).
It is injected into the page through selenium and run on the rendered document, so what it
judges is what Chromium shows: contrast, labels, names of buttons, the document's language.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from app import create_app
from queues import services
from queues.access import staff
from queues.context import Context
from tests.browser.test_counter_display import PASSWORD, sign_in

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("HALLQ_AXE", ROOT / ".venv/axe/node_modules/axe-core/axe.min.js"))
SERIOUS = {"critical", "serious"}

# Rendered: the page's first content is in and no callback is still loading (a Dash page), or
# the document has loaded (the phone page is plain HTML).
SETTLED = """
if (document.readyState !== 'complete') return false;
const root = document.getElementById('react-entry-point');
if (!root) return document.body.innerText.trim().length > 0;
return root.innerText.trim().length > 0
    && !document.querySelector('[data-dash-is-loading="true"]');
"""
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
   .then(r => done(JSON.stringify(r.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))))
   .catch(e => done(JSON.stringify(
        [{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}])));
"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make test` (it installs it with npm)")
    return AXE.read_text(encoding="utf-8")


def audit(duo, axe_source: str, path: str, size: tuple[int, int]) -> list[str]:
    """The page's critical and serious violations, one line each."""
    driver = duo.driver
    driver.set_window_size(*size)
    driver.get(duo.server_url + path)
    deadline = time.monotonic() + 20
    while not driver.execute_script(SETTLED):
        if time.monotonic() > deadline:
            return [f"{path}: the page did not render within 20 s"]
        time.sleep(0.2)
    time.sleep(0.8)  # the first poll's answer and any transition settle
    driver.set_script_timeout(60)
    driver.execute_script(axe_source)
    found = json.loads(driver.execute_async_script(RUN_AXE))
    return [
        f"{path} @{size[0]}x{size[1]}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
        for v in found
        if v["impact"] in SERIOUS
    ]


def test_a11y001_visitor_and_lobby_pages(dash_duo, ctx: Context, axe_source: str) -> None:
    ticket = services.issue(ctx, "tax").ticket
    dash_duo.start_server(create_app(ctx))
    pages = [
        ("/", (1366, 768)),
        ("/kiosk", (1080, 1920)),
        ("/kiosk?lang=en", (1920, 1080)),
        (f"/t/{ticket.id}", (390, 844)),
        (f"/t/{ticket.id}?lang=en", (390, 844)),
        ("/take", (390, 844)),
        ("/take?lang=en", (390, 844)),
        ("/book", (390, 844)),
        ("/book?service=tax&lang=en", (390, 844)),
        ("/display", (1920, 1080)),
        ("/display/general", (1366, 768)),
        ("/display/window/5", (1366, 768)),
        ("/display/performance", (1920, 1080)),
        ("/login", (1366, 768)),
    ]
    problems = [line for path, size in pages for line in audit(dash_duo, axe_source, path, size)]
    assert problems == [], "\n".join(problems)


def test_a11y002_clerk_and_manager_pages(dash_duo, ctx: Context, axe_source: str) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD, windows=[5], display_name="王芳")
    staff.add_user(ctx, "li", "manager", PASSWORD)
    services.issue(ctx, "tax")
    dash_duo.start_server(create_app(ctx))
    sign_in(dash_duo, "wang", "/counter/5")
    dash_duo.wait_for_element("#counter-state")
    problems = audit(dash_duo, axe_source, "/counter/5", (1920, 1080))
    dash_duo.driver.delete_all_cookies()
    sign_in(dash_duo, "li", "/dashboard")
    dash_duo.wait_for_element("#dash-value-finished", timeout=15)
    for path in (
        "/dashboard",
        "/dashboard?lang=en",
        "/reports",
        "/staff",
        "/staff/take-qr",
        "/bookings",
    ):
        problems += audit(dash_duo, axe_source, path, (1920, 1080))
    assert problems == [], "\n".join(problems)
