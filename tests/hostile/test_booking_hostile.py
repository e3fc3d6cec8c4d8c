"""Hostile input to the appointments (api/bookings.py, pages/book.py, queues/bookings.py) in the
booking hall (tests/halls/booking.toml: tax has 2 places a slot; Tuesday 8th, Thursday 10th and
Friday 11th December 2026 can be booked, seen on Monday 7th at 10:00). What a visitor would
notice: a clear refusal in words, never a 500, never a rule slipped round."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from app import create_app
from queues.context import Context
from tests.booking_hall import MONDAY_10, NAME, PHONE, booking_context
from tests.support import Clock

API = "/api/v1"


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_10)


@pytest.fixture
def bctx(tmp_path: Path, clock: Clock) -> Iterator[Context]:
    ctx = booking_context(f"sqlite:///{tmp_path}/booking.db", clock)
    yield ctx
    ctx.db.dispose()


@pytest.fixture
def client(bctx: Context) -> FlaskClient:
    client = create_app(bctx).server.test_client()
    client.get("/")
    return client


def book(client: FlaskClient, slot: str = "2026-12-08T09:30:00+08:00", **over: Any) -> Any:
    body = {"service": "tax", "slot": slot, "name": NAME, "phone": PHONE, **over}
    return client.post(API + "/bookings", json=body)


@pytest.mark.parametrize(
    "slot",
    [
        "9999-12-31T23:30:00-12:00",  # past the last year a date can hold, in the hall's time
        "0001-01-01T00:30:00+14:00",  # before the first
    ],
)
def test_a_slot_at_the_ends_of_the_calendar_is_no_slot(client: FlaskClient, slot: str) -> None:
    made = book(client, slot=slot)
    assert made.status_code == 422, made.get_data(as_text=True)
    assert made.get_json()["error"]["code"] == "no_such_slot"
    ok = book(client)
    assert ok.status_code == 201
    code = ok.get_json()["code"]
    moved = client.post(f"{API}/bookings/{code}/reschedule", json={"slot": slot})
    assert moved.status_code == 422, moved.get_data(as_text=True)
    assert moved.get_json()["error"]["code"] == "no_such_slot"
    still = client.get(f"{API}/bookings/{code}").get_json()
    assert still["slot"] == "2026-12-08T09:30:00+08:00" and still["reschedules"] == 0
