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
from sqlalchemy import func, select

from app import create_app
from queues import bookings, errors
from queues.context import Context
from queues.store.models import Booking
from tests.booking_hall import MONDAY_10, NAME, PHONE, at, booking_context
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


def test_moving_a_booking_cannot_make_a_fourth_of_one_matter_on_one_day(bctx: Context) -> None:
    # Three tax bookings on Tuesday are the most a person may hold (same_matter_per_day = 3);
    # a fourth on Thursday moved to Tuesday would be the fourth there.
    for hour, minute in ((9, 0), (9, 30), (10, 0)):
        bookings.book(bctx, "tax", at(8, hour, minute), NAME, PHONE)
    thursday = bookings.book(bctx, "tax", at(10, 9, 0), NAME, PHONE)
    with pytest.raises(errors.BookingBarred) as refused:
        bookings.reschedule(bctx, thursday.code, at(8, 10, 30))
    assert "3" in refused.value.message("en")
    assert bookings.lookup(bctx, thursday.code).slot == at(10, 9, 0)
    with bctx.db.read() as s:
        tuesday = s.scalar(
            select(func.count()).where(
                Booking.day == at(8, 9).date(), Booking.status == bookings.BOOKED
            )
        )
    assert tuesday == 3
