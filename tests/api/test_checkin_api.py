"""POST /api/v1/bookings/<code>/check-in and the kiosk's POST /api/v1/bookings/check-in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from app import create_app
from queues.context import Context
from tests.booked import book
from tests.support import Clock, beijing

API = "/api/v1"
SLOT = beijing(2026, 11, 24, 10, 0)


@pytest.fixture
def client(ctx: Context) -> Iterator[FlaskClient]:
    yield create_app(ctx).server.test_client()


def error_code(response: Any) -> str:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return body["error"]["code"]


def test_check_in_by_code_answers_the_ticket_and_the_booking(
    client: FlaskClient, ctx: Context, clock: Clock
) -> None:
    book(ctx, "ABCD2345", SLOT)
    clock.set(beijing(2026, 11, 24, 9, 30))
    response = client.post(f"{API}/bookings/abcd2345/check-in")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["number"] == "T001" and body["status"] == "waiting"
    assert body["booking"] == {
        "code": "ABCD2345",
        "slot": "2026-11-24T10:00:00+08:00",
        "timing": "early",
        "turn_at": "2026-11-24T10:00:00+08:00",
    }
    assert "张三" not in response.text and "13800000000" not in response.text
    again = client.post(f"{API}/bookings/ABCD2345/check-in")
    assert again.status_code == 409 and error_code(again) == "already_checked_in"
    assert "T001" in again.get_json()["error"]["message"]


def test_past_grace_is_a_walk_in_ticket_not_a_refusal(
    client: FlaskClient, ctx: Context, clock: Clock
) -> None:
    book(ctx, "LATE2345", SLOT)
    clock.set(beijing(2026, 11, 24, 10, 40))
    response = client.post(f"{API}/bookings/LATE2345/check-in")
    assert response.status_code == 201
    assert response.get_json()["booking"]["timing"] == "late"
    assert response.get_json()["booking"]["turn_at"] is None


def test_check_in_refusals(client: FlaskClient, ctx: Context, clock: Clock) -> None:
    book(ctx, "CANCEL23", SLOT, status="cancelled")
    book(ctx, "TOMORROW", beijing(2026, 11, 25, 10, 0))
    book(ctx, "EARLY234", beijing(2026, 11, 24, 15, 0))
    clock.set(beijing(2026, 11, 24, 10, 0))
    for code, status, error in (
        ("CANCEL23", 409, "booking_cancelled"),
        ("TOMORROW", 409, "booking_not_today"),
        ("EARLY234", 409, "check_in_not_yet"),
        ("NOSUCH23", 404, "unknown_booking"),
        ("short", 404, "unknown_booking"),  # not a code's shape: names nothing
    ):
        response = client.post(f"{API}/bookings/{code}/check-in")
        assert (response.status_code, error_code(response)) == (status, error), code
    opens = client.post(f"{API}/bookings/EARLY234/check-in", headers={"Accept-Language": "en"})
    assert "14:00" in opens.get_json()["error"]["message"]
