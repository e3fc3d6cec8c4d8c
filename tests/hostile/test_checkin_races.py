"""Two check-ins of one booking at the same instant (two kiosks, a kiosk and the API, a double
tap), through gunicorn with four workers on PostgreSQL, many rounds, counted: one ticket, one
``checked_in`` event, and the other told 409 ``already_checked_in``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from queues.context import Context, utcnow
from queues.rules.booking import ALPHABET
from queues.store.models import Booking, Event, Ticket
from tests.booked import book
from tests.hostile.test_races import at_once
from tests.support import MAIN_HALL, gunicorn, http, make_context, postgres_schema, postgres_url

ROUNDS = 20


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Context]]:
    base_url = postgres_url()
    if base_url is None:
        pytest.skip("no PostgreSQL configured (set HALLQ_TEST_POSTGRES_URL)")
    folder: Path = tmp_path_factory.mktemp("checkin-races")
    with (
        postgres_schema(base_url, MAIN_HALL) as url,
        gunicorn(url, folder, hall=MAIN_HALL, workers=4) as (base, _),
    ):
        ctx = make_context(url, open_always=True)
        ctx.clock = utcnow  # the server's clock: the bookings are today's there too
        try:
            yield base, ctx
        finally:
            ctx.db.dispose()


def test_one_booking_checked_in_twice_at_once_gives_one_ticket(
    served: tuple[str, Context],
) -> None:
    base, ctx = served
    slot = utcnow()  # on time, whatever the hour (the server issues at any hour)
    codes = [f"ACDE{ALPHABET[n // 23]}{ALPHABET[n % 23]}FH" for n in range(ROUNDS)]
    for code in codes:
        book(ctx, code, slot)
    outcomes: Counter[tuple[int, str]] = Counter()
    for code in codes:
        path = f"/api/v1/bookings/{code}/check-in"
        for status, body in at_once(*[lambda p=path: http(base, "POST", p)] * 2):
            error = body["error"]["code"] if status >= 400 and isinstance(body, dict) else ""
            outcomes[(status, error)] += 1
    assert outcomes == {(201, ""): ROUNDS, (409, "already_checked_in"): ROUNDS}, outcomes
    with ctx.db.read() as s:
        tickets = s.scalar(select(func.count()).select_from(Ticket))
        events = s.scalar(select(func.count()).select_from(Event).where(Event.kind == "checked_in"))
        linked = s.scalar(select(func.count(func.distinct(Booking.ticket_id))))
    assert tickets == events == linked == ROUNDS
