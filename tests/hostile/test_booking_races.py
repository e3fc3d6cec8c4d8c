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
from pathlib import Path

import pytest
from sqlalchemy import func, select

from queues.context import utcnow
from queues.store.models import Booking
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
