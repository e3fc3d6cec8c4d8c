"""The HTTP API through Flask's WSGI stack: every endpoint of API.md and every error it names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from api.schemas import DisplayOut, ServiceList, TicketOut, WindowList, WindowOut
from app import create_app
from queues import project_codes
from queues.access import tokens as api_tokens
from queues.context import Context
from queues.store.db import Database
from tests.support import Clock, beijing

API = "/api/v1"
# The hall is tests/halls/main.toml: twelve windows; window 5 calls tax, window 7 housing-fund.


@pytest.fixture
def client(ctx: Context) -> Iterator[FlaskClient]:
    ctx.issue_limit = 5
    app = create_app(ctx)
    yield app.server.test_client()


@pytest.fixture
def tokens(ctx: Context) -> dict[str, str]:
    return {
        role: api_tokens.create_token(ctx, role, "k1" if role == "kiosk" else f"test-{role}")
        for role in api_tokens.ROLES
    }


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error_code(response: Any) -> str:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    return body["error"]["code"]


def take(client: FlaskClient, service: str = "tax", **extra: Any) -> dict[str, Any]:
    response = client.post(f"{API}/tickets", json={"service": service, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def window_action(client: FlaskClient, token: str, window_id: int, action: str, **body: Any) -> Any:
    return client.post(
        f"{API}/windows/{window_id}/{action}", json=body or None, headers=auth(token)
    )


# --- health and discovery ----------------------------------------------------------------------


def test_healthz_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_healthz_503_when_database_unreachable(ctx: Context) -> None:
    ctx.db = Database("postgresql://nobody@127.0.0.1:1/none")
    response = create_app(ctx).server.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable"}


def test_database_gone_is_503_with_a_message_not_a_traceback(ctx: Context) -> None:
    ctx.db = Database("postgresql://nobody@127.0.0.1:1/none")
    response = create_app(ctx).server.test_client().post(f"{API}/tickets", json={"service": "tax"})
    assert response.status_code == 503 and error_code(response) == "store_unavailable"
    assert "数据库" in response.get_json()["error"]["message"]


def test_openapi_describes_every_endpoint(client: FlaskClient) -> None:
    doc = client.get(f"{API}/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    ops = {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
    window = f"{API}/windows/{{window_id}}"
    expected = {
        ("GET", f"{API}/services"),
        ("POST", f"{API}/tickets"),
        ("GET", f"{API}/tickets/{{ticket_id}}"),
        ("GET", f"{API}/display"),
        ("GET", f"{API}/windows"),
        *{
            ("POST", f"{window}/{a}")
            for a in (
                "call-next",
                "recall",
                "start",
                "finish",
                "no-show",
                "transfer",
                "pause",
                "resume",
                "close",
            )
        },
    }
    assert expected <= ops
    issue = doc["paths"][f"{API}/tickets"]["post"]
    assert issue["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/IssueRequest"
    }
    assert {"200", "201", "400", "403", "409", "422", "429"} <= set(issue["responses"])
    assert "Retry-After" in issue["responses"]["429"]["headers"]
    call_next = doc["paths"][f"{window}/call-next"]["post"]
    assert call_next["security"] == [{"bearer": []}] and "204" in call_next["responses"]
    for ref in ("TicketOut", "ErrorBody", "DisplayOut", "WindowOut", "ServiceOut"):
        assert ref in doc["components"]["schemas"]


def test_unknown_endpoint_and_wrong_method(client: FlaskClient) -> None:
    assert error_code(client.get(f"{API}/nothing-here")) == "not_found"
    response = client.get(f"{API}/tickets")
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"


def test_error_messages_follow_accept_language(client: FlaskClient) -> None:
    zh = client.post(f"{API}/tickets", json={"service": "passport"}).get_json()
    en = client.post(
        f"{API}/tickets", json={"service": "passport"}, headers={"Accept-Language": "en-GB"}
    ).get_json()
    assert "事项" in zh["error"]["message"] and "service" in en["error"]["message"]


# --- services and tickets ------------------------------------------------------------------------


def test_services_lists_what_the_kiosk_offers(client: FlaskClient) -> None:
    take(client, "tax")
    body = client.get(f"{API}/services").get_json()
    listed = {s["code"]: s for s in ServiceList.model_validate(body).model_dump()}
    assert listed["tax"]["name"] == {"zh": "税务登记与申报", "en": "Tax registration and returns"}
    assert listed["tax"]["waiting"] == 1 and listed["tax"]["open"] is True
    assert listed["tax"]["eta_minutes"] is None  # every window starts the day closed
    assert listed["construction-permit"]["first_step"] == "project-registration"


def test_issue_answers_201_with_the_ticket(client: FlaskClient) -> None:
    body = take(client, "tax")
    ticket = TicketOut.model_validate(body)
    assert ticket.number == "T001" and ticket.status == "waiting" and ticket.ahead == 0
    assert ticket.status_url == f"/t/{ticket.id}"
    assert body["issued_at"].endswith("+08:00")


def test_issue_same_request_id_answers_200_with_the_same_ticket(client: FlaskClient) -> None:
    first = take(client, request_id="k1-0001")
    again = client.post(f"{API}/tickets", json={"service": "tax", "request_id": "k1-0001"})
    assert again.status_code == 200 and again.get_json()["id"] == first["id"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"service": "passport"}, 422, "unknown_service"),
        ({}, 422, "invalid_request"),
        ({"service": "tax", "priority": "vip"}, 422, "invalid_request"),
        ({"service": "tax", "colour": "red"}, 422, "invalid_request"),
        ({"service": "tax", "kiosk": "k\x00"}, 422, "invalid_request"),
        (["tax"], 422, "invalid_request"),
        ({"service": "tax", "priority": "green"}, 403, "green_not_authorised"),
        ({"service": "tax", "priority": "green", "project_code": "X"}, 422, "invalid_project_code"),
    ],
)
def test_issue_refusals(client: FlaskClient, body: Any, status: int, code: str) -> None:
    response = client.post(f"{API}/tickets", json=body)
    assert response.status_code == status and error_code(response) == code


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post(f"{API}/tickets", data='{"service": ', content_type="application/json")
    assert response.status_code == 400 and error_code(response) == "bad_json"


def test_issue_outside_hours_is_409(client: FlaskClient, clock: Clock) -> None:
    clock.set(beijing(2026, 11, 24, 19, 0))
    response = client.post(f"{API}/tickets", json={"service": "tax"})
    assert response.status_code == 409 and error_code(response) == "hall_closed"


def test_issue_on_a_day_without_the_service_is_409(client: FlaskClient, clock: Clock) -> None:
    clock.set(beijing(2026, 11, 25, 10, 0))  # Wednesday: the notary is not in
    response = client.post(f"{API}/tickets", json={"service": "notary"})
    assert response.status_code == 409 and error_code(response) == "service_not_offered"


def test_green_channel_with_staff_token(client: FlaskClient, tokens: dict[str, str]) -> None:
    response = client.post(
        f"{API}/tickets",
        json={"service": "tax", "priority": "green"},
        headers=auth(tokens["clerk"]),
    )
    assert response.status_code == 201 and response.get_json()["priority"] == "green"


def test_green_channel_with_key_project_code(client: FlaskClient, ctx: Context) -> None:
    project_codes.add_project_code(ctx, "KP-7", "物流园区")
    body = take(client, priority="green", project_code="KP-7")
    assert body["priority"] == "green"


def test_issue_limit_per_address_without_kiosk_token(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    for _ in range(5):
        take(client)
    response = client.post(f"{API}/tickets", json={"service": "tax"})
    assert response.status_code == 429 and error_code(response) == "rate_limited"
    kiosk = client.post(f"{API}/tickets", json={"service": "tax"}, headers=auth(tokens["kiosk"]))
    assert kiosk.status_code == 201


def test_bad_token_on_issue_is_401(client: FlaskClient) -> None:
    response = client.post(f"{API}/tickets", json={"service": "tax"}, headers=auth("hq_wrong"))
    assert response.status_code == 401 and error_code(response) == "unauthenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_ticket_by_id(client: FlaskClient) -> None:
    take(client)
    second = take(client)
    body = client.get(f"{API}/tickets/{second['id']}").get_json()
    assert body["number"] == "T002" and body["ahead"] == 1
    missing = client.get(f"{API}/tickets/not-a-ticket")
    assert missing.status_code == 404 and error_code(missing) == "unknown_ticket"


# --- display -------------------------------------------------------------------------------------


def test_display_version_calls_and_queues(client: FlaskClient, tokens: dict[str, str]) -> None:
    clerk = tokens["clerk"]
    before = client.get(f"{API}/display").get_json()["version"]
    take(client)
    take(client)
    window_action(client, clerk, 5, "resume")
    called = window_action(client, clerk, 5, "call-next").get_json()
    board = DisplayOut.model_validate(client.get(f"{API}/display?zone=general").get_json())
    assert board.version > 0 and client.get(f"{API}/display").get_json()["version"] > before
    assert called["number"] == "T001"
    assert [(c.number, c.window) for c in board.calling] == [("T001", 5)]
    tax = next(q for q in board.queues if q.service == "tax")
    assert tax.waiting == 1 and tax.eta_minutes is not None
    other = client.get(f"{API}/display?zone=social").get_json()
    assert other["calling"] == []


def test_display_polled_with_its_etag_answers_304_until_the_board_moves(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    clerk = tokens["clerk"]
    take(client)
    window_action(client, clerk, 5, "resume")
    first = client.get(f"{API}/display?zone=general")
    tag = first.headers["ETag"]
    again = client.get(f"{API}/display?zone=general", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""  # nothing changed: no board sent
    called = window_action(client, clerk, 5, "call-next").get_json()
    moved = client.get(f"{API}/display?zone=general", headers={"If-None-Match": tag})
    assert moved.status_code == 200 and moved.headers["ETag"] != tag
    assert called["number"] == "T001" and moved.get_json()["calling"][0]["number"] == "T001"


def test_display_unknown_zone(client: FlaskClient) -> None:
    assert client.get(f"{API}/display?zone=nowhere").status_code == 404
    response = client.get(f"{API}/display?zone=Bad%20Zone!")
    assert response.status_code == 422 and error_code(response) == "invalid_request"


# --- windows -------------------------------------------------------------------------------------


def test_windows_need_a_staff_token(client: FlaskClient, tokens: dict[str, str]) -> None:
    response = client.get(f"{API}/windows")
    assert response.status_code == 401 and error_code(response) == "unauthenticated"
    response = client.get(f"{API}/windows", headers=auth(tokens["kiosk"]))
    assert response.status_code == 403 and error_code(response) == "forbidden"
    body = client.get(f"{API}/windows", headers=auth(tokens["manager"])).get_json()
    windows = WindowList.model_validate(body).root
    assert [(w.id, w.state) for w in windows] == [(n, "closed") for n in range(1, 13)]
    assert windows[0].name.zh == "统一登记台" and windows[0].services == ["project-registration"]


def test_window_actions_need_a_clerk_token(client: FlaskClient, tokens: dict[str, str]) -> None:
    assert client.post(f"{API}/windows/5/resume").status_code == 401
    response = window_action(client, tokens["kiosk"], 5, "resume")
    assert response.status_code == 403


def test_a_clerks_whole_service_through_the_api(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    clerk = tokens["clerk"]
    ticket = take(client)
    closed = window_action(client, clerk, 5, "call-next")
    assert closed.status_code == 409 and error_code(closed) == "window_closed"
    opened = WindowOut.model_validate(window_action(client, clerk, 5, "resume").get_json())
    assert opened.state == "open"
    called = window_action(client, clerk, 5, "call-next")
    assert called.status_code == 200 and called.get_json()["number"] == "T001"
    busy = window_action(client, clerk, 5, "call-next")
    assert busy.status_code == 409 and error_code(busy) == "window_busy"
    assert window_action(client, clerk, 5, "recall").get_json()["status"] == "called"
    assert window_action(client, clerk, 5, "start").get_json()["status"] == "serving"
    assert error_code(window_action(client, clerk, 5, "no-show")) == "wrong_state"
    no_date = window_action(client, clerk, 5, "finish", outcome="promised")
    assert no_date.status_code == 422 and error_code(no_date) == "promised_date_required"
    done = window_action(client, clerk, 5, "finish", outcome="promised", promised_date="2026-12-01")
    assert (
        done.get_json()["outcome"] == "promised"
        and done.get_json()["promised_date"] == "2026-12-01"
    )
    assert window_action(client, clerk, 5, "call-next").status_code == 204
    state = client.get(f"{API}/tickets/{ticket['id']}").get_json()
    assert state["status"] == "done" and state["window"] == 5


def test_no_show_and_transfer(client: FlaskClient, tokens: dict[str, str]) -> None:
    clerk = tokens["clerk"]
    first, second = take(client), take(client)
    window_action(client, clerk, 5, "resume")
    window_action(client, clerk, 5, "call-next")
    assert window_action(client, clerk, 5, "no-show").get_json()["status"] == "no_show"
    window_action(client, clerk, 5, "call-next")
    both = window_action(client, clerk, 5, "transfer", service="housing-fund", window=7)
    assert both.status_code == 422 and error_code(both) == "invalid_request"
    unknown = window_action(client, clerk, 5, "transfer", service="passport")
    assert unknown.status_code == 422 and error_code(unknown) == "unknown_service"
    nowhere = window_action(client, clerk, 5, "transfer", window=99)
    assert nowhere.status_code == 422 and error_code(nowhere) == "unknown_target_window"
    moved = window_action(client, clerk, 5, "transfer", service="housing-fund").get_json()
    assert (first["number"], second["number"]) == ("T001", "T002")
    assert moved["number"] == "T002" and moved["service"] == "housing-fund"
    assert moved["issued_at"] == second["issued_at"] and moved["status"] == "waiting"


def test_pause_resume_close(client: FlaskClient, tokens: dict[str, str]) -> None:
    clerk = tokens["clerk"]
    closed_pause = window_action(client, clerk, 5, "pause", reason="break")
    assert closed_pause.status_code == 409 and error_code(closed_pause) == "window_closed"
    window_action(client, clerk, 5, "resume")
    paused = window_action(client, clerk, 5, "pause", reason="午休").get_json()
    assert paused["state"] == "paused" and paused["reason"] == "午休"
    take(client)
    refused = window_action(client, clerk, 5, "call-next")
    assert refused.status_code == 409 and error_code(refused) == "window_paused"
    assert window_action(client, clerk, 5, "resume").get_json()["state"] == "open"
    window_action(client, clerk, 5, "call-next")
    assert error_code(window_action(client, clerk, 5, "close")) == "window_busy"
    window_action(client, clerk, 5, "finish")
    assert window_action(client, clerk, 5, "close").get_json()["state"] == "closed"


def test_unknown_window_is_404(client: FlaskClient, tokens: dict[str, str]) -> None:
    response = window_action(client, tokens["clerk"], 99, "resume")
    assert response.status_code == 404 and error_code(response) == "unknown_window"
    assert window_action(client, tokens["clerk"], 10**12, "resume").status_code == 404


def test_actions_are_recorded_with_the_token_holder(
    client: FlaskClient, tokens: dict[str, str], ctx: Context
) -> None:
    from sqlalchemy import select

    from queues.store.models import Event

    window_action(client, tokens["clerk"], 5, "resume")
    with ctx.db.read() as s:
        event = s.scalars(select(Event).where(Event.kind == "window_opened")).one()
    assert event.actor == "clerk:test-clerk"
