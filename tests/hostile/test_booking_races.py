"""Many visitors at once for the last places of one slot, through gunicorn with four workers:
never more bookings than places, counted in the database (tests/halls/booking.toml: tax has 2
places a slot, the notary 1).

On PostgreSQL the bookings of one slot take turns on an advisory lock and count again once their
turn comes; on SQLite the one writer lock does it. Both are run. Each round fires its requests
released together by one barrier; the losers are told 409 ``slot_full``, nobody gets a 500.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from queues.context import utcnow
from queues.store.models import Booking, Event
from tests.booking_hall import BOOKING_HALL, booking_context
from tests.hostile.test_races import at_once
from tests.support import gunicorn, http, postgres_schema, postgres_url, prepare

PARALLEL = 12


@pytest.fixture(params=["postgres", "sqlite"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(the server's base URL, the database URL) of the booking hall behind four workers."""
    if request.param == "postgres":
        base_url = postgres_url()
        if base_url is None:
            pytest.skip("no PostgreSQL configured (set HALLQ_TEST_POSTGRES_URL)")
        with (
            postgres_schema(base_url, BOOKING_HALL) as url,
            gunicorn(url, tmp_path, hall=BOOKING_HALL, workers=4) as (base, _),
        ):
            yield base, url
        return
    url = f"sqlite:///{tmp_path}/booking.db"
    prepare(url, BOOKING_HALL)
    with gunicorn(url, tmp_path, hall=BOOKING_HALL, workers=4) as (base, _):
        yield base, url


def test_the_last_places_of_a_slot_go_to_as_many_as_there_are(
    served: tuple[str, str],
) -> None:
    base, url = served
    ctx = booking_context(url, utcnow, migrate=False)
    try:
        status, days = http(base, "GET", "/api/v1/bookings/days?service=tax")
        assert status == 200 and days["days"], days
        day = days["days"][0]["date"]
        status, listed = http(base, "GET", f"/api/v1/bookings/slots?service=tax&date={day}")
        slots = [s["start"] for s in listed["slots"]]
        outcomes: Counter[tuple[int, str]] = Counter()
        for n, slot in enumerate(slots):
            if n == 0:  # the first slot's first place is taken beforehand: one left
                first = {"service": "tax", "slot": slot, "name": "预先", "phone": "13600000000"}
                assert http(base, "POST", "/api/v1/bookings", first)[0] == 201
            bodies = [
                {"service": "tax", "slot": slot, "name": f"访客{i}", "phone": f"139{n:02d}{i:06d}"}
                for i in range(PARALLEL)
            ]
            answers = at_once(
                *(lambda b=b: http(base, "POST", "/api/v1/bookings", b) for b in bodies)
            )
            for status, body in answers:
                code = body["error"]["code"] if status >= 400 else ""
                outcomes[(status, code)] += 1
            assert sum(1 for status, _ in answers if status == 201) == (1 if n == 0 else 2)
        with ctx.db.read() as s:
            per_slot = dict(
                s.execute(
                    select(Booking.slot_start, func.count())
                    .where(Booking.service_code == "tax", Booking.status == "booked")
                    .group_by(Booking.slot_start)
                ).all()
            )
        assert sorted(per_slot.values()) == [2] * len(slots)  # full, and never more
        assert set(outcomes) == {(201, ""), (409, "slot_full")}, outcomes
        assert outcomes[(201, "")] == 2 * len(slots) - 1
    finally:
        ctx.db.dispose()


def test_one_persons_cancels_moves_and_bookings_at_once_end_in_one_state(
    served: tuple[str, str],
) -> None:
    """One person's booking cancelled four times, moved four times and the person booking the
    slot it moves to four times, all at once: every answer a word (200/201 or 409), never a 500
    (turns taken in one order, no deadlock); the booking cancelled once at most; the slot moved to
    never over its 2 places; one cancellation event at most."""
    base, url = served
    ctx = booking_context(url, utcnow, migrate=False)
    try:
        status, days = http(base, "GET", "/api/v1/bookings/days?service=tax")
        day = days["days"][0]["date"]
        status, listed = http(base, "GET", f"/api/v1/bookings/slots?service=tax&date={day}")
        first, second = (s["start"] for s in listed["slots"][:2])
        person = {"service": "tax", "name": "同一人", "phone": "13511112222"}
        status, made = http(base, "POST", "/api/v1/bookings", {**person, "slot": first})
        assert status == 201, made
        code = made["code"]
        calls = (
            [lambda: http(base, "POST", f"/api/v1/bookings/{code}/cancel")] * 4
            + [lambda: http(base, "POST", f"/api/v1/bookings/{code}/reschedule", {"slot": second})]
            * 4
            + [lambda: http(base, "POST", "/api/v1/bookings", {**person, "slot": second})] * 4
        )
        answers = at_once(*calls)
        statuses = Counter(status for status, _ in answers)
        assert set(statuses) <= {200, 201, 409}, answers
        cancels = [status for status, _ in answers[:4]]
        assert cancels.count(200) <= 1
        for status, body in answers:
            if status == 409:
                assert body["error"]["message"], body
        with ctx.db.read() as s:
            in_second = s.scalar(
                select(func.count()).where(
                    Booking.service_code == "tax",
                    Booking.slot_start == datetime.fromisoformat(second),
                    Booking.status == "booked",
                )
            )
            final = s.scalars(select(Booking).where(Booking.code == code)).one()
            cancelled_events = [
                e
                for e in s.scalars(select(Event).where(Event.kind == "booking_cancelled"))
                if e.data.get("code") == code
            ]
        assert in_second <= 2
        assert len(cancelled_events) == (1 if final.status == "cancelled" else 0)
        assert len(cancelled_events) == cancels.count(200)
    finally:
        ctx.db.dispose()
