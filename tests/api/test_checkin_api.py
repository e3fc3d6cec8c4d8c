"""POST /api/v1/bookings/<code>/check-in and the kiosk's POST /api/v1/bookings/check-in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from app import create_app
from queues import bookings
from queues.access import tokens as api_tokens
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
    book(ctx, "ACDE3467", SLOT)
    clock.set(beijing(2026, 11, 24, 9, 30))
    response = client.post(f"{API}/bookings/acde3467/check-in")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["number"] == "T001" and body["status"] == "waiting"
    assert body["booking"] == {
        "code": "ACDE3467",
        "slot": "2026-11-24T10:00:00+08:00",
        "timing": "early",
        "turn_at": "2026-11-24T10:00:00+08:00",
    }
    assert "张三" not in response.text and "13800000000" not in response.text
    again = client.post(f"{API}/bookings/ACDE3467/check-in")
    assert again.status_code == 409 and error_code(again) == "already_checked_in"
    assert "T001" in again.get_json()["error"]["message"]


def test_past_grace_is_a_walk_in_ticket_not_a_refusal(
    client: FlaskClient, ctx: Context, clock: Clock
) -> None:
    book(ctx, "NPRT3467", SLOT)
    clock.set(beijing(2026, 11, 24, 10, 40))
    response = client.post(f"{API}/bookings/NPRT3467/check-in")
    assert response.status_code == 201
    assert response.get_json()["booking"]["timing"] == "late"
    assert response.get_json()["booking"]["turn_at"] is None


def test_check_in_refusals(client: FlaskClient, ctx: Context, clock: Clock) -> None:
    book(ctx, "CCCC3467", SLOT, status="cancelled")
    book(ctx, "TTTT3467", beijing(2026, 11, 25, 10, 0))
    book(ctx, "EEEE3467", beijing(2026, 11, 24, 15, 0))
    clock.set(beijing(2026, 11, 24, 10, 0))
    for code, status, error in (
        ("CCCC3467", 409, "booking_cancelled"),
        ("TTTT3467", 409, "booking_not_today"),
        ("EEEE3467", 409, "check_in_not_yet"),
        ("NNNN9999", 404, "unknown_booking"),
        ("short", 404, "unknown_booking"),  # not a code's shape: names nothing
    ):
        response = client.post(f"{API}/bookings/{code}/check-in")
        assert (response.status_code, error_code(response)) == (status, error), code
    opens = client.post(f"{API}/bookings/EEEE3467/check-in", headers={"Accept-Language": "en"})
    assert "14:00" in opens.get_json()["error"]["message"]


def test_id_number_check_in_is_for_kiosk_tokens_only(
    client: FlaskClient, ctx: Context, clock: Clock
) -> None:
    body = {"id_number": "11010519491231002X"}
    assert client.post(f"{API}/bookings/check-in", json=body).status_code == 401
    clerk = api_tokens.create_token(ctx, "clerk", "test-clerk")
    as_clerk = client.post(
        f"{API}/bookings/check-in", json=body, headers={"Authorization": f"Bearer {clerk}"}
    )
    assert as_clerk.status_code == 403
    kiosk = api_tokens.create_token(ctx, "kiosk", "k1")
    bad = client.post(
        f"{API}/bookings/check-in",
        json={"id_number": "1101051949"},
        headers={"Authorization": f"Bearer {kiosk}"},
    )
    assert bad.status_code == 422


def test_a_kiosk_checks_in_by_the_id_number_its_reader_read(
    client: FlaskClient, ctx: Context, clock: Clock
) -> None:
    number = "11010519491231002X"
    book(ctx, "ACDE3467", SLOT, id_hash=bookings.id_hash(ctx, number))
    kiosk = {"Authorization": f"Bearer {api_tokens.create_token(ctx, 'kiosk', 'k1')}"}
    clock.set(beijing(2026, 11, 24, 10, 10))
    response = client.post(
        f"{API}/bookings/check-in", json={"id_number": number.lower()}, headers=kiosk
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["booking"]["timing"] == "grace"
    assert number not in response.text and number.lower() not in response.text
    nobody = client.post(
        f"{API}/bookings/check-in", json={"id_number": "110101199003074477"}, headers=kiosk
    )
    assert nobody.status_code == 404
    assert nobody.get_json()["error"]["code"] == "no_booking_for_id_number"


def test_a_visitor_guessing_codes_is_stopped(
    client: FlaskClient, ctx: Context, clock: Clock
) -> None:
    book(ctx, "ACDE3467", SLOT)
    clock.set(beijing(2026, 11, 24, 10, 0))
    answers = [
        client.post(f"{API}/bookings/ACDE{a}{b}FH/check-in").status_code
        for a, b in zip("ACDEFHJKMNPR", "RPNMKJHFEDCA", strict=True)
    ]
    assert answers[:10] == [404] * 10 and answers[10:] == [429, 429]
    kiosk = {"Authorization": f"Bearer {api_tokens.create_token(ctx, 'kiosk', 'k1')}"}
    # a kiosk is not a guesser: its visitors' typos are not counted against it
    assert client.post(f"{API}/bookings/ACDE3467/check-in", headers=kiosk).status_code == 201
