"""Every staff callback is its own HTTP endpoint: the role is checked on the server.

These tests post to Dash's callback endpoint the way a browser (or anyone) could, with and
without a session, and check that nothing happens for the wrong person.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from dash import Dash
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app import create_app
from queues import services
from queues.access import staff
from queues.context import Context
from queues.store.models import User
from tests.hostile import forge
from web.auth import COOKIE, SESSION_KEY

PASSWORD = "a good password"


@pytest.fixture
def dash_app(ctx: Context) -> Dash:
    return create_app(ctx)


@pytest.fixture
def client(dash_app: Dash) -> FlaskClient:
    client = dash_app.server.test_client()
    client.get("/")  # the first request sets the app up and fetches the signing key
    return client


def as_user(client: FlaskClient, user: staff.StaffUser | None) -> None:
    """Sign ``user`` (whose password is PASSWORD) in on ``client``; None: nobody."""
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            ctx = client.application.extensions["hallq"]
            session[SESSION_KEY] = staff.sign_in(ctx, user.name, PASSWORD).token


def callback_body(
    outputs: list[tuple[str, str]],
    inputs: list[tuple[str, str, Any]],
    state: list[tuple[str, str, Any]],
) -> dict[str, Any]:
    """What a browser posts to ``/_dash-update-component`` for one callback."""
    many = len(outputs) > 1
    return {
        "output": ("..{}.." if many else "{}").format("...".join(f"{i}.{p}" for i, p in outputs)),
        "outputs": [{"id": i, "property": p} for i, p in outputs]
        if len(outputs) > 1
        else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [f"{browser_id(inputs[0][0])}.{inputs[0][1]}"],
    }


def post_callback(
    client: FlaskClient,
    outputs: list[tuple[str, str]],
    inputs: list[tuple[str, str, Any]],
    state: list[tuple[str, str, Any]],
) -> Any:
    body = callback_body(outputs, inputs, state)
    return client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})


def browser_id(ident: str | dict[str, Any]) -> str:
    """A component id as the browser names it in ``changedPropIds``."""
    if isinstance(ident, str):
        return ident
    return json.dumps(ident, sort_keys=True, separators=(",", ":"))


def add_person(client: FlaskClient, name: str, hall: str | None = None) -> Any:
    """Press 添加 on the staff page; ``hall`` as the hall chooser says ("": the network, None:
    left as drawn, the page's own hall)."""
    return post_callback(
        client,
        [("staff-message", "children"), ("staff-tick", "data")],
        [("staff-add", "n_clicks", 1)],
        [
            ("staff-new-name", "value", name),
            ("staff-new-display", "value", ""),
            ("staff-new-role", "value", "clerk"),
            ("staff-new-windows", "value", ""),
            ("staff-new-password", "value", PASSWORD),
            ("staff-new-hall", "value", hall),
            ("staff-lang", "data", "zh"),
            ("staff-tick", "data", 0),
        ],
    )


def people(ctx: Context) -> list[str]:
    with ctx.db.read() as s:
        return list(s.scalars(select(User.name).order_by(User.name)))


def test_manager_callback_refuses_a_clerk_and_nobody(client: FlaskClient, ctx: Context) -> None:
    clerk = staff.add_user(ctx, "wang", "clerk", PASSWORD)
    manager = staff.add_user(ctx, "li", "manager", PASSWORD)
    as_user(client, None)
    assert add_person(client, "intruder").status_code == 401
    as_user(client, clerk)
    assert add_person(client, "intruder").status_code == 403
    assert people(ctx) == ["li", "wang"]
    as_user(client, manager)
    response = add_person(client, "zhao")
    assert response.status_code == 200 and "zhao" in response.get_data(as_text=True)
    assert people(ctx) == ["li", "wang", "zhao"]


def call_next_at(client: FlaskClient, window: int) -> Any:
    actions = (
        "call",
        "recall",
        "start",
        "finish",
        "no-show",
        "transfer",
        "pause",
        "resume",
        "close",
    )
    return post_callback(
        client,
        [("counter-message", "children"), ("counter-tick", "data")],
        [(f"counter-{a}", "n_clicks", 1 if a == "call" else 0) for a in actions],
        [
            ("counter-window", "data", window),
            ("counter-lang", "data", "zh"),
            ("counter-outcome", "value", "done"),
            ("counter-promised", "value", None),
            ("counter-to-service", "value", None),
            ("counter-to-window", "value", None),
            ("counter-reason", "value", "break"),
            ("counter-tick", "data", 0),
        ],
    )


def test_clerk_works_only_their_own_windows(client: FlaskClient, ctx: Context) -> None:
    clerk = staff.add_user(ctx, "wang", "clerk", PASSWORD, windows=[6])
    services.resume(ctx, 5, "clerk:other")  # tax (tests/halls/main.toml)
    services.resume(ctx, 6, "clerk:wang")  # real-estate
    services.issue(ctx, "tax")
    as_user(client, clerk)
    assert call_next_at(client, 5).status_code == 403
    assert services.call_next(ctx, 5, "clerk:other").number == "T001"  # nothing was called
    response = call_next_at(client, 6)
    assert response.status_code == 200


def test_a_session_ends_with_a_new_password(client: FlaskClient, ctx: Context) -> None:
    manager = staff.add_user(ctx, "li", "manager", PASSWORD)
    as_user(client, manager)
    staff.set_password(ctx, "li", "a brand new password")
    assert add_person(client, "zhao").status_code == 401


def test_sign_out_ends_the_session(client: FlaskClient, ctx: Context) -> None:
    manager = staff.add_user(ctx, "li", "manager", PASSWORD)
    as_user(client, manager)
    copied = client.get_cookie(COOKIE)
    assert copied is not None
    response = client.get("/logout")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert add_person(client, "zhao").status_code == 401
    client.set_cookie(COOKIE, copied.value)  # a copy taken before signing out
    assert add_person(client, "zhao").status_code == 401
    assert people(ctx) == ["li"]


def staff_refresh_body(lang: str) -> dict[str, Any]:
    """The staff page's refresh, as its poll posts it (a manager's callback)."""
    body = callback_body(
        [
            ("staff-windows", "children"),
            ("staff-printers", "children"),
            ("staff-failed-prints", "children"),
            ("staff-people", "children"),
            ("staff-sessions", "children"),
        ],
        [
            ({"type": "live-version", "page": "staff"}, "data", 1),  # type: ignore[list-item]
            ("staff-tick", "data", 0),
        ],
        [("staff-lang", "data", lang)],
    )
    body["changedPropIds"] = ['{"page":"staff","type":"live-version"}.data']
    return body


def end_session_of(client: FlaskClient, dash_app: Dash, session_id: int) -> Any:
    """Press the "sign out" button of session ``session_id`` on the staff page."""
    key = next(
        k
        for k, spec in dash_app.callback_map.items()
        if any("staff-end-session" in i["id"] for i in spec["inputs"])
    )
    button = {"type": "staff-end-session", "index": session_id}
    body = {
        "output": key,
        "outputs": [
            {"id": "staff-message", "property": "children"},
            {"id": "staff-tick", "property": "data"},
        ],
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "state": [
            {"id": "staff-lang", "property": "data", "value": "en"},
            {"id": "staff-tick", "property": "data", "value": 0},
        ],
        "changedPropIds": [f"{json.dumps(button, sort_keys=True, separators=(',', ':'))}.n_clicks"],
    }
    return client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})


def test_a_manager_ends_a_clerks_session_from_the_staff_page(
    client: FlaskClient, dash_app: Dash, ctx: Context
) -> None:
    clerk = staff.add_user(ctx, "wang", "clerk", PASSWORD)
    manager = staff.add_user(ctx, "li", "manager", PASSWORD)
    left_open = staff.sign_in(ctx, "wang", PASSWORD, "10.0.0.20", "Firefox/140").token
    (session,) = staff.sessions_of(ctx, "wang")
    as_user(client, clerk)
    assert end_session_of(client, dash_app, session.id).status_code == 403  # not a clerk's to do
    as_user(client, manager)
    body = staff_refresh_body("en")
    answer = client.post(
        "/_dash-update-component", json=body, headers={"Origin": "http://localhost"}
    )
    shown = json.dumps(answer.get_json(), ensure_ascii=False)
    assert "10.0.0.20" in shown and "Firefox/140" in shown
    ended = end_session_of(client, dash_app, session.id)
    assert ended.status_code == 200 and "That session of wang has ended." in ended.get_data(
        as_text=True
    )
    assert staff.session_user(ctx, left_open) is None
    again = end_session_of(client, dash_app, session.id).get_data(as_text=True)
    assert "ended or expired already" in again
    assert session.id not in [x.id for x in staff.live_sessions(ctx)]


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient, ctx: Context) -> None:
    staff.add_user(ctx, "li", "manager", PASSWORD)
    response = post_callback(
        client,
        [("login-go", "href"), ("login-message", "children")],
        [("login-submit", "n_clicks", 1), ("login-password", "n_submit", None)],
        [
            ("login-name", "value", "li"),
            ("login-password", "value", PASSWORD),
            ("login-next", "data", "/staff"),
            ("login-lang", "data", "zh"),
        ],
    )
    assert response.get_json()["response"]["login-go"]["href"] == "/staff"
    cookie = response.headers["Set-Cookie"]
    assert "hallq_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_in_never_sends_you_to_another_site(client: FlaskClient, ctx: Context) -> None:
    staff.add_user(ctx, "li", "manager", PASSWORD)
    response = client.get("/login?next=https://evil.example/")
    assert response.status_code == 200
    from web.auth import safe_next

    assert safe_next("https://evil.example/") is None and safe_next("//evil.example") is None
    assert safe_next("/counter/5") == "/counter/5"


# Callbacks any visitor's screen makes: the kiosk, the phone page, the wallboards, signing in,
# Dash's page routing and the shared live poll (it answers a version number, nothing more).
PUBLIC_PREFIXES = ("kiosk-", "phone-", "display-", "strip-", "login-", "pair-", "_pages_", "live-")


def component_ids(spec: dict[str, Any]) -> list[str]:
    """The id of each input (a pattern id by its type) for classifying a callback."""
    ids = []
    for item in spec["inputs"] + spec["state"]:
        ident = item["id"]
        ids.append(json.loads(ident)["type"] if ident.startswith("{") else ident)
    return ids


@settings(
    max_examples=3,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_every_staff_callback_refuses_a_visitor(
    dash_app: Dash, client: FlaskClient, data: st.DataObject
) -> None:
    """The audit: each callback not on a visitor's screen answers 401 without a session.

    Each request is well-formed, every value of its declared type (as a stranger's script
    would send it), so it passes the input gate and reaches the callback's own role check. A
    callback added later is staff until someone names it public above, so a forgotten role
    check fails here rather than in the hall.
    """
    checked = []
    for key, spec in forge.server_callbacks(dash_app.callback_map):
        if all(i.startswith(PUBLIC_PREFIXES) for i in component_ids(spec)):
            continue
        as_user(client, None)
        response = client.post(
            "/_dash-update-component",
            json=data.draw(forge.body(key, spec)),
            headers={"Origin": "http://localhost"},
        )
        checked.append((key[:60], response.status_code))
    assert checked and all(code == 401 for _, code in checked), "\n".join(map(str, checked))


# --- bookings (预约) ---------------------------------------------------------------------------


def lift_bar_of(client: FlaskClient, dash_app: Dash, bar_id: int) -> Any:
    """Press "lift" on bar ``bar_id`` of the bookings page."""
    key = next(
        k
        for k, spec in dash_app.callback_map.items()
        if any("bookings-lift" in i["id"] for i in spec["inputs"])
    )
    button = {"type": "bookings-lift", "index": bar_id}
    body = {
        "output": key,
        "outputs": [
            {"id": "bookings-message", "property": "children"},
            {"id": "bookings-tick", "property": "data"},
        ],
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "state": [
            {"id": "bookings-lang", "property": "data", "value": "zh"},
            {"id": "bookings-tick", "property": "data", "value": 0},
        ],
        "changedPropIds": [f"{json.dumps(button, sort_keys=True, separators=(',', ':'))}.n_clicks"],
    }
    return client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})


def test_only_a_manager_lifts_a_booking_bar(
    client: FlaskClient, dash_app: Dash, ctx: Context
) -> None:
    from datetime import timedelta

    from queues import bookings
    from queues.store.models import BookingBar

    now = ctx.now()
    with ctx.db.write() as s:
        bar = BookingBar(
            person_key="k" * 64, reason="no_shows", until=now + timedelta(days=30), created_at=now
        )
        s.add(bar)
        s.flush()
        bar_id = bar.id
    clerk = staff.add_user(ctx, "wang", "clerk", PASSWORD)
    manager = staff.add_user(ctx, "li", "manager", PASSWORD)
    as_user(client, None)
    assert lift_bar_of(client, dash_app, bar_id).status_code == 401
    as_user(client, clerk)
    assert lift_bar_of(client, dash_app, bar_id).status_code == 403
    assert [b.id for b in bookings.bars(ctx)] == [bar_id]
    as_user(client, manager)
    answer = lift_bar_of(client, dash_app, bar_id)
    assert answer.status_code == 200 and "bookings-lifted" in answer.get_data(as_text=True)
    assert bookings.bars(ctx) == []
