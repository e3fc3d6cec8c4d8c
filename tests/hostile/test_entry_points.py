"""The defects an attacker's and a clumsy user's pass found, each pinned: the kiosk page's
limits and kiosk names, caches keyed on what a client says, request ids, tokens, print jobs of
another kiosk, bodies that crashed, and the API's contract gaps."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from dash import Dash
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from queues import printjobs, services
from queues.access import devices, tokens
from queues.access.requesters import Requester
from queues.context import Context
from queues.store.models import Printer, PrintJob, Rating, Ticket
from tests.api.test_callback_roles import post_callback
from tests.support import Clock
from web.devices import COOKIE

API = "/api/v1"
NORMAL_TAP = {"type": "kiosk-tap", "tap": "normal"}


@pytest.fixture
def dash_app(ctx: Context) -> Dash:
    ctx.issue_limit = 5
    return create_app(ctx)


@pytest.fixture
def client(dash_app: Dash) -> FlaskClient:
    client = dash_app.server.test_client()
    client.get("/")
    return client


def tap_normal(client: FlaskClient, service: str = "tax", address: str = "10.0.0.9") -> Any:
    """A tap on 普通取号 after choosing ``service``, as the kiosk page posts it."""
    state = how(service)
    return client.post(
        "/_dash-update-component",
        json=kiosk_body(state),
        headers={"Origin": "http://localhost"},
        environ_base={"REMOTE_ADDR": address},
    )


def how(service: str) -> dict[str, Any]:
    """The kiosk's state once ``service`` is chosen: the screen that asks how."""
    return {
        "screen": "how",
        "lang": "zh",
        "zone": "general",
        "page": 0,
        "service": service,
        "request": uuid.uuid4().hex,
        "code": "",
        "ticket": None,
        "error": None,
        "pending": None,
    }


def kiosk_body(state: Any) -> dict[str, Any]:
    """The kiosk's tap callback as the page posts it for a tap on 普通取号."""
    return {
        "output": "kiosk-state.data",
        "outputs": {"id": "kiosk-state", "property": "data"},
        "inputs": [
            [],
            [{"id": NORMAL_TAP, "property": "n_clicks", "value": 1}],
            {"id": "kiosk-lang-btn", "property": "n_clicks", "value": 0},
            {"id": "kiosk-help-btn", "property": "n_clicks", "value": 0},
        ],
        "state": [{"id": "kiosk-state", "property": "data", "value": state}],
        "changedPropIds": ['{"tap":"normal","type":"kiosk-tap"}.n_clicks'],
    }


def new_state(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]["kiosk-state"]["data"]


def tickets(ctx: Context) -> list[tuple[str | None, str | None]]:
    with ctx.db.read() as s:
        return [
            tuple(r) for r in s.execute(select(Ticket.kiosk, Ticket.client).order_by(Ticket.id))
        ]


# --- 1. the kiosk page: limits, and only a paired kiosk names a kiosk ----------------------------


def test_an_unpaired_kiosk_page_is_a_visitor_under_the_per_address_limit(
    client: FlaskClient, ctx: Context, clock: Clock
) -> None:
    states = [new_state(tap_normal(client)) for _ in range(6)]
    assert [s["screen"] for s in states] == ["ticket"] * 5 + ["how"]
    assert states[5]["error"] == "kiosk.too_many"  # the screen says why, in the visitor's words
    assert new_state(tap_normal(client, address="10.0.0.10"))["screen"] == "ticket"  # another phone
    assert tickets(ctx) == [(None, "10.0.0.9")] * 5 + [(None, "10.0.0.10")]  # no kiosk named
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PrintJob)) == 0
    clock.advance(seconds=61)
    assert new_state(tap_normal(client))["screen"] == "ticket"


def test_a_paired_kiosk_prints_under_its_own_limit_not_the_addresss(
    client: FlaskClient, ctx: Context
) -> None:
    _, cookie = devices.pair(ctx, devices.pairing_code(ctx, "k2", "user:admin").code)
    client.set_cookie(COOKIE, cookie)
    states = [new_state(tap_normal(client)) for _ in range(11)]
    # tests/halls/main.toml lets a kiosk give 10 tickets a minute; an address gets 5 here
    assert [s["screen"] for s in states] == ["ticket"] * 10 + ["how"]
    assert {k for k, _ in tickets(ctx)} == {"k2"}
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PrintJob)) == 10


def test_nobody_can_name_a_kiosk_or_lock_it_out(client: FlaskClient, ctx: Context) -> None:
    for _ in range(20):  # a stranger naming kiosk k1, through the API and through the page
        refused = client.post(f"{API}/tickets", json={"service": "tax", "kiosk": "k1"})
        assert refused.status_code == 401
    forged = kiosk_body(how("tax"))
    forged["state"].append({"id": "kiosk-id", "property": "data", "value": "k1"})
    response = client.post(
        "/_dash-update-component", json=forged, headers={"Origin": "http://localhost"}
    )
    assert response.status_code == 400
    assert tickets(ctx) == []
    other = tokens.create_token(ctx, "kiosk", "k2")
    answer = client.post(
        f"{API}/tickets",
        json={"service": "tax", "kiosk": "k1"},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "kiosk_not_yours"
    k1 = tokens.create_token(ctx, "kiosk", "k1")
    for _ in range(10):  # the real kiosk: all its tickets (10 a minute in tests/halls/main.toml)
        ok = client.post(
            f"{API}/tickets", json={"service": "tax"}, headers={"Authorization": f"Bearer {k1}"}
        )
        assert ok.status_code == 201


def test_an_unpaired_device_is_a_visitor_again_at_once(client: FlaskClient, ctx: Context) -> None:
    _, cookie = devices.pair(ctx, devices.pairing_code(ctx, "k3", "user:admin").code)
    client.set_cookie(COOKIE, cookie)
    new_state(tap_normal(client))
    (device,) = devices.devices(ctx)
    devices.unpair(ctx, device.id, "user:admin")
    new_state(tap_normal(client))
    client.set_cookie(COOKIE, f"{device.id}.forged-secret")
    new_state(tap_normal(client))
    assert [k for k, _ in tickets(ctx)] == ["k3", None, None]


def test_a_pairing_link_works_once_and_only_for_a_while(ctx: Context, clock: Clock) -> None:
    first = devices.pairing_code(ctx, "k1", "user:admin").code
    devices.pair(ctx, first)
    with pytest.raises(Exception, match="pairing code"):
        devices.pair(ctx, first)
    late = devices.pairing_code(ctx, "k1", "user:admin").code
    clock.advance(minutes=devices.PAIRING_MINUTES + 1)
    with pytest.raises(Exception, match="pairing code"):
        devices.pair(ctx, late)


def test_pairing_through_the_api_admin_any_kiosk_a_kiosk_its_own(
    client: FlaskClient, ctx: Context
) -> None:
    admin = tokens.create_token(ctx, "admin", "it")
    k1 = tokens.create_token(ctx, "kiosk", "k1")
    clerk = tokens.create_token(ctx, "clerk", "c")

    def pair(kiosk: str, token: str | None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.post(f"{API}/kiosks/{kiosk}/pairing", headers=headers)

    assert pair("k2", None).status_code == 401
    assert pair("k2", clerk).status_code == 403
    assert pair("k2", k1).status_code == 403
    assert pair("k9", admin).status_code == 404
    answer = pair("k1", k1)
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["kiosk"] == "k1" and body["url"].endswith(f"/pair/{body['code']}")
    assert devices.pair(ctx, body["code"])[0] == "k1"
    assert pair("k3", admin).status_code == 201


# --- 3. caches keyed on what the server read ---------------------------------------------------


def redraw(client: FlaskClient, version: int) -> Any:
    return post_callback(
        client,
        [
            ("display-current", "children"),
            ("display-calls", "children"),
            ("display-queues", "children"),
            ("display-say", "data"),
        ],
        [({"type": "live-version", "page": "display"}, "data", version)],  # type: ignore[list-item]
        [("display-zone", "data", "")],
    )


def strip(client: FlaskClient, version: int) -> Any:
    return post_callback(
        client,
        [("strip-body", "children")],
        [({"type": "live-version", "page": "strip"}, "data", version)],  # type: ignore[list-item]
        [("strip-window", "data", 5)],
    )


def test_forged_board_versions_never_silence_the_wallboards(
    client: FlaskClient, ctx: Context
) -> None:
    """A poisoner posts the versions to come; the screens still show the next call."""
    services.resume(ctx, 5, "clerk:test")  # tax (tests/halls/main.toml)
    services.issue(ctx, "tax")
    before = services_version(ctx)
    for future in range(before + 1, before + 20):  # the versions the next changes will have
        assert redraw(client, future).status_code == 200
        assert strip(client, future).status_code == 200
    services.call_next(ctx, 5, "clerk:test")  # T001 to window 5: the board moves on
    now = services_version(ctx)
    assert before < now < before + 20
    shown = json.dumps(redraw(client, now).get_json(), ensure_ascii=False)
    assert "T001" in shown and "5 号窗口" in shown
    assert "T001" in json.dumps(strip(client, now).get_json())


def services_version(ctx: Context) -> int:
    from queues.read import boards

    return boards.version(ctx)


# --- 16, 17, 10: ids and tokens bound to whoever holds them -------------------------------------


def test_a_request_id_answers_only_its_own_clients_ticket(client: FlaskClient) -> None:
    def take(address: str) -> Any:
        return client.post(
            f"{API}/tickets",
            json={"service": "tax", "request_id": "tap-0001"},
            environ_base={"REMOTE_ADDR": address},
        )

    mine = take("10.0.0.7")
    again = take("10.0.0.7")
    theirs = take("10.0.0.8")  # the same key from somebody else: a ticket of their own
    assert (mine.status_code, again.status_code, theirs.status_code) == (201, 200, 201)
    assert again.get_json()["id"] == mine.get_json()["id"]
    assert theirs.get_json()["id"] != mine.get_json()["id"]
    assert theirs.get_json()["number"] == "T002"


def test_a_clerk_token_acts_only_at_its_windows(client: FlaskClient, ctx: Context) -> None:
    token = tokens.create_token(ctx, "clerk", "window-5", windows=[5])
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post(f"{API}/windows/5/resume", headers=headers).status_code == 200
    refused = client.post(f"{API}/windows/6/resume", headers=headers)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "window_not_yours"
    with pytest.raises(Exception, match="window 99"):
        tokens.create_token(ctx, "clerk", "nowhere", windows=[99])


def test_a_kiosk_token_reports_only_its_own_print_jobs(client: FlaskClient, ctx: Context) -> None:
    services.issue(ctx, "tax", by=Requester.at_kiosk("k2"))
    (job,) = printjobs.claim(ctx, "agent-k2", kiosks=["k2"])
    k1 = tokens.create_token(ctx, "kiosk", "k1")
    headers = {"Authorization": f"Bearer {k1}"}
    for report in ({"printed": True}, {"printed": False, "error": "k2 is broken, honestly"}):
        answer = client.post(f"{API}/print-jobs/{job.job_id}/result", json=report, headers=headers)
        assert answer.status_code == 404
    assert printjobs.status(ctx, job.job_id) == "printing"  # nobody else's word counts
    with ctx.db.read() as s:
        assert s.get(Printer, (ctx.hall, "k2")) is None  # nor did its printer's state change


# --- 15: bodies and values that crashed -----------------------------------------------------------


def test_bodies_nested_deep_are_refused_not_crashed_on(client: FlaskClient) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    for path in (f"{API}/tickets", "/_dash-update-component"):
        answer = client.post(
            path, data=deep, content_type="application/json", headers={"Origin": "http://x"}
        )
        assert answer.status_code == 400, path
    answer = client.post(f"{API}/tickets", data=deep, content_type="application/json")
    assert answer.get_json()["error"]["code"] == "bad_json"


@pytest.mark.parametrize(
    ("window", "state"),
    [
        (10**30, 400),  # no window: refused at the gate
        ("5", 400),  # a string where a number belongs
        ([5], 400),
    ],
)
def test_forged_window_ids_are_refused(client: FlaskClient, window: Any, state: int) -> None:
    answer = post_callback(
        client,
        [("strip-body", "children")],
        [({"type": "live-version", "page": "strip"}, "data", 1)],  # type: ignore[list-item]
        [("strip-window", "data", window)],
    )
    assert answer.status_code == state


def test_a_huge_rating_comment_through_the_phone_page_is_refused(
    dash_app: Dash, client: FlaskClient, ctx: Context
) -> None:
    services.resume(ctx, 5, "clerk:test")
    ticket = services.issue(ctx, "tax").ticket
    services.call_next(ctx, 5, "clerk:test")
    services.finish(ctx, 5, "clerk:test")

    def rate(comment: str) -> Any:  # what the phone page's rating buttons post (pages/phone.js)
        return client.post(
            f"/api/v1/tickets/{ticket.id}/rating",
            json={"score": 5, "comment": comment},
            headers={"Origin": "http://localhost"},
        )

    assert rate("x" * 1_000_000).status_code in (400, 413)  # 500 characters at most
    assert rate("好" * 501).status_code in (400, 422)
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Rating)) == 0
    assert rate("很好").status_code == 200
    with ctx.db.read() as s:
        assert s.scalar(select(Rating.comment)) == "很好"


def test_text_with_nul_or_lone_surrogates_is_refused_everywhere(
    client: FlaskClient, ctx: Context
) -> None:
    services.resume(ctx, 5, "clerk:test")
    clerk = {"Authorization": f"Bearer {tokens.create_token(ctx, 'clerk', 'c')}"}
    for reason in ("午休\x00", "a\ud800b"):
        answer = client.post(
            f"{API}/windows/5/pause",
            data=json.dumps({"reason": reason}),
            content_type="application/json",
            headers=clerk,
        )
        assert answer.status_code == 422
    for kiosk in ("k" * 65, "K1", "k1\n"):
        answer = client.post(f"{API}/tickets", json={"service": "tax", "kiosk": kiosk})
        assert answer.status_code == 422


# --- 18: the API's contract -------------------------------------------------------------------


def test_contract_gaps_are_closed(client: FlaskClient, ctx: Context) -> None:
    clerk = {"Authorization": f"Bearer {tokens.create_token(ctx, 'clerk', 'c')}"}
    huge = client.post(f"{API}/windows/{10**30}/call-next", headers=clerk)
    assert huge.status_code == 404 and huge.get_json()["error"]["code"] == "unknown_window"
    wrong = client.delete(f"{API}/tickets")
    assert wrong.status_code == 405 and "POST" in wrong.headers["Allow"]
    admin = {"Authorization": f"Bearer {tokens.create_token(ctx, 'admin', 'a')}"}
    answer = client.post(f"{API}/print-jobs/claim", json={"limit": True}, headers=admin)
    assert answer.status_code == 422
    answer = client.post(f"{API}/print-jobs/claim", json={"kiosk": "k1", "limit": 2}, headers=admin)
    assert answer.status_code == 200
