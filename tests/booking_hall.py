"""The booking hall (tests/halls/booking.toml) for the appointment tests: its file, the Monday
the tests start on, slot starts in its time, and a context over a database of its own."""

from __future__ import annotations

from datetime import datetime

from queues.context import Context
from tests.support import HALLS, SHANGHAI, Clock, beijing, make_context, prepare

BOOKING_HALL = HALLS / "booking.toml"
MONDAY_10 = beijing(2026, 12, 7, 10, 0)
"""Monday 7 December 2026, 10:00 in the hall: Tuesday 8th, Thursday 10th and Friday 11th can be
booked (Wednesday 9th is a holiday)."""
NAME = "张三丰"
PHONE = "13812341234"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A slot start in December 2026, hall time."""
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def booking_context(url: str, clock: Clock, *, migrate: bool = True) -> Context:
    """The booking hall on the database at ``url`` (migrated and loaded first, unless told)."""
    if migrate:
        prepare(url, BOOKING_HALL)
    return make_context(url, clock, hall=BOOKING_HALL)
