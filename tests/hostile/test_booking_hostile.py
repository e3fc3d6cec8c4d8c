"""Hostile input to the appointments (api/bookings.py, pages/book.py, queues/bookings.py) in the
booking hall (tests/halls/booking.toml: tax has 2 places a slot; Tuesday 8th, Thursday 10th and
Friday 11th December 2026 can be booked, seen on Monday 7th at 10:00). What a visitor would
notice: a clear refusal in words, never a 500, never a rule slipped round."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from queues import bookings, errors, notices
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


SAME_SITE = {"Origin": "http://localhost"}


def post_page(client: FlaskClient, path: str = "/book", **data: str) -> Any:
    return client.post(path, data=data, headers=SAME_SITE)


def test_the_page_takes_a_slot_in_the_halls_time_only(client: FlaskClient, bctx: Context) -> None:
    # The page's own form sends the hall's time without an offset; one with an offset (09:30 in
    # London is 17:30 in the hall) is a form the page did not make: refused, nothing booked.
    person = {"service": "tax", "name": NAME, "phone": PHONE}
    for slot in ("2026-12-08T09:30+00:00", "2026-12-08T01:30Z", "2026-12-08 09:30\x00"):
        foreign = post_page(client, slot=slot, **person)
        assert foreign.status_code == 400, (slot, foreign.status_code)
    with bctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Booking)) == 0
    made = post_page(client, slot="2026-12-08T09:30", **person)
    assert made.status_code == 303
    code = made.headers["Location"].split("/book/")[1].split("?")[0]
    moved = post_page(client, f"/book/{code}/move", slot="2026-12-10T10:00+00:00")
    assert moved.status_code == 400
    assert bookings.lookup(bctx, code).slot == at(8, 9, 30)


@pytest.mark.parametrize(
    "service", ["请拨打 010-12345678 领取补贴", "tax\u202e", "x" * 300, "ta\x00x"]
)
def test_an_address_cannot_put_its_own_words_on_the_page(client: FlaskClient, service: str) -> None:
    for query in ({"service": service}, {"service": service, "day": "2026-12-08"}):
        path = "/book"
        answer = client.get(path, query_string=query)
        shown = re.sub(r"<[^>]*>", " ", answer.get_data(as_text=True))  # what is read
        text = html.unescape(shown)
        assert answer.status_code in (404, 422), answer.status_code
        assert "010-12345678" not in text and "\u202e" not in text and "x" * 40 not in text


LURE = "请拨打01012345678"


@pytest.mark.parametrize(
    "query",
    [
        {"service": "tax", "day": LURE},
        {"service": "tax", "day": "2026-12-08", "slot": LURE},
        {"service": "tax", "day": "2026-12-08", "slot": "0101\u202e"},
    ],
)
def test_a_day_or_time_of_the_address_is_not_said_back(client: FlaskClient, query: Any) -> None:
    answer = client.get("/book", query_string=query)
    text = html.unescape(re.sub(r"<[^>]*>", " ", answer.get_data(as_text=True)))
    assert answer.status_code == 422, answer.status_code
    assert "01012345678" not in text and "0101" not in text and "\u202e" not in text


def test_a_code_that_is_no_code_is_not_said_back(client: FlaskClient) -> None:
    page = client.get(f"/book/{LURE}")
    text = html.unescape(re.sub(r"<[^>]*>", " ", page.get_data(as_text=True)))
    assert page.status_code == 404 and "01012345678" not in text
    api = client.get(f"{API}/bookings/{LURE}")
    assert api.status_code == 404
    assert "01012345678" not in api.get_json()["error"]["message"]
    named = client.get(f"{API}/bookings/acde-fhjk").get_json()["error"]["message"]
    assert "ACDEFHJK" in named  # a code's shape is said back, as the visitor will read it


@pytest.mark.parametrize(
    "name",
    [
        "\u200b",  # a zero-width space: a name that shows nothing on the staff list
        "张三\u202e丰李",  # turns the rest of the staff list's line around
        "\u2067张三\u2069",  # an isolate
        "张\u200d三",
        "\ufeff张三",
    ],
)
def test_a_name_must_show_as_it_is(client: FlaskClient, bctx: Context, name: str) -> None:
    answer = book(client, name=name)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["code"] in ("invalid_name", "invalid_request")
    page = post_page(client, service="tax", slot="2026-12-08T09:30", name=name, phone=PHONE)
    assert page.status_code in (400, 422)
    with bctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Booking)) == 0
    assert book(client, name="Zoë O'Brien-张").status_code == 201


def test_the_last_place_on_sqlite_goes_to_one_of_many_threads(bctx: Context) -> None:
    """Eight threads of one process for the 2 places of a slot, one taken beforehand: one more
    booking, the others told the slot is full (or that the store was busy), never a third."""
    from tests.hostile.test_races import at_once

    bookings.book(bctx, "tax", at(8, 9, 30), NAME, "13600000000")

    def one(i: int) -> str:
        try:
            bookings.book(bctx, "tax", at(8, 9, 30), NAME, f"139000000{i:02d}")
        except (errors.SlotFull, errors.StoreBusy) as refused:
            return refused.code
        return "booked"

    answers = at_once(*(lambda i=i: one(i) for i in range(8)))
    assert answers.count("booked") == 1, answers
    assert set(answers) <= {"booked", "slot_full", "store_busy"}
    with bctx.db.read() as s:
        taken = s.scalar(
            select(func.count()).where(
                Booking.slot_start == at(8, 9, 30), Booking.status == "booked"
            )
        )
    assert taken == 2


def test_guessing_codes_at_the_check_in_endpoint_counts_as_at_the_others(
    client: FlaskClient, bctx: Context
) -> None:
    # The code is the booking's only secret; checking in by it answers 404 or not like a look-up
    # does (and checks the booking in), so its misses count against the same address.
    code = book(client).get_json()["code"]
    forwarded = {"X-Forwarded-For": "203.0.113.9"}  # the client's own words: not who it is
    for n in range(10):
        guess = f"{API}/bookings/AAAAAAA{'ACDEFHJKMN'[n]}/check-in"
        assert client.post(guess, headers=forwarded).status_code == 404
    locked = client.post(f"{API}/bookings/{code}/check-in")
    assert locked.status_code == 429, locked.get_json()
    assert locked.get_json()["error"]["code"] == "booking_lookups_locked"
    assert client.get(f"{API}/bookings/{code}").status_code == 429
    assert bookings.lookup(bctx, code).status == bookings.BOOKED  # nothing was checked in


def scan_at_the_kiosk(client: FlaskClient, dash_app: Any, key: str) -> dict[str, Any]:
    """What the kiosk page posts when its reader or scanner types ``key`` and Enter: anyone's
    browser can post it, paired as a kiosk or not."""
    output = next(
        k
        for k, spec in dash_app.callback_map.items()
        if any(i["id"] == "kiosk-wedge" for i in spec["inputs"])
    )
    body = {
        "output": output,
        "outputs": {"id": "kiosk-state", "property": output.split(".", 1)[1]},
        "inputs": [{"id": "kiosk-wedge", "property": "data", "value": {"key": key, "n": 1}}],
        "state": [{"id": "kiosk-state", "property": "data", "value": {}}],
        "changedPropIds": ["kiosk-wedge.data"],
    }
    answer = client.post(
        "/_dash-update-component", json=body, headers={"Origin": "http://localhost"}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["response"]["kiosk-state"]["data"]


def test_guessing_codes_at_an_unpaired_kiosk_page_counts_too(bctx: Context, clock: Clock) -> None:
    dash_app = create_app(bctx)
    client = dash_app.server.test_client()
    client.get("/kiosk")
    code = bookings.book(bctx, "tax", at(8, 9, 30), NAME, PHONE).code
    clock.set(at(8, 9, 20))  # check-in is open
    for n in range(10):
        said = scan_at_the_kiosk(client, dash_app, f"AAAAAAA{'ACDEFHJKMN'[n]}")
        assert said.get("ticket") is None
    refused = scan_at_the_kiosk(client, dash_app, code)
    assert refused.get("ticket") is None, refused
    assert "15" in str(refused.get("said")), refused  # wait 15 minutes, in words
    assert bookings.lookup(bctx, code).status == bookings.BOOKED


@pytest.mark.postgres
def test_the_no_show_sweep_and_a_cancel_at_that_moment_do_not_deadlock(
    tmp_path: Path, clock: Clock
) -> None:
    """A visitor's cancel holds their turn (the person's lock) and then wants their booking's
    row; the sweep, marking that booking a no-show, must not hold the row while it waits for the
    person's turn, or PostgreSQL ends one of them with a deadlock (a 500 to the visitor)."""
    import threading
    import time

    from tests.booking_hall import BOOKING_HALL
    from tests.support import make_context, postgres_schema, postgres_url

    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL configured (set HALLQ_TEST_POSTGRES_URL)")
    with postgres_schema(base, BOOKING_HALL) as url:
        ctx = make_context(url, clock, hall=BOOKING_HALL)
        try:
            made = bookings.book(ctx, "tax", at(8, 9, 0), NAME, PHONE)
            clock.set(at(8, 9, 30))  # past the grace time: a no-show
            person = bookings.person_key(ctx, notices.mobile(PHONE))
            failed: list[BaseException] = []

            def sweep() -> None:
                try:
                    bookings.sweep_no_shows(ctx)
                except BaseException as exc:
                    failed.append(exc)

            with ctx.db.write() as s:
                bookings._lock(s, ctx.hall, "person", person)  # the cancel's first step
                sweeper = threading.Thread(target=sweep)
                sweeper.start()
                time.sleep(1.0)  # the sweep reaches its wait (not asserted on)
                try:
                    s.scalars(
                        select(Booking).where(Booking.code == made.code).with_for_update()
                    ).one()
                except BaseException as exc:
                    failed.append(exc)
            sweeper.join(30)
            assert failed == []
            assert bookings.lookup(ctx, made.code).status == bookings.NO_SHOW
        finally:
            ctx.db.dispose()


def test_a_begun_slot_is_neither_moved_nor_cancelled(client: FlaskClient, clock: Clock) -> None:
    code = book(client, slot="2026-12-08T09:00:00+08:00").get_json()["code"]
    clock.set(at(8, 9, 1))
    for path, body in (("reschedule", {"slot": "2026-12-10T09:00:00+08:00"}), ("cancel", None)):
        answer = client.post(
            f"{API}/bookings/{code}/{path}", json=body, headers={"Accept-Language": "en"}
        )
        assert answer.status_code == 409, answer.get_json()
        error = answer.get_json()["error"]
        assert error["code"] == "booking_not_active" and "past its start" in error["message"]
        assert NAME not in error["message"] and PHONE not in error["message"]
    still = client.get(f"{API}/bookings/{code}").get_json()
    assert still["status"] == "booked" and still["slot"] == "2026-12-08T09:00:00+08:00"


def test_another_halls_manager_neither_sees_nor_lifts_a_bar(tmp_path: Path, clock: Clock) -> None:
    from queues.hall import config as hall_config
    from queues.hall.sync import apply_config
    from tests.support import MAIN_HALL, make_context

    ours = booking_context(f"sqlite:///{tmp_path}/two.db", clock)
    apply_config(ours.db.network, hall_config.load(MAIN_HALL))
    other = make_context(f"sqlite:///{tmp_path}/two.db", clock)
    try:
        for hour, minute in ((9, 0), (9, 30), (10, 0)):
            bookings.book(ours, "tax", at(8, hour, minute), NAME, PHONE)
        with pytest.raises(errors.BookingBarred):
            bookings.book(ours, "tax", at(8, 10, 30), NAME, PHONE)
        (bar,) = bookings.bars(ours)
        assert bookings.bars(other) == []
        with pytest.raises(errors.UnknownBar):
            bookings.lift_bar(other, bar.id, "user:other-manager")
        assert [b.id for b in bookings.bars(ours)] == [bar.id]  # still in force
    finally:
        ours.db.dispose()
        other.db.dispose()


@pytest.mark.parametrize(
    "day_slot", [("9999-12-31", "2330"), ("2026-12-09", "0900"), ("2026-12-08", "0915")]
)
def test_the_form_is_offered_for_a_bookable_slot_only(
    client: FlaskClient, day_slot: tuple[str, str]
) -> None:
    """The last, a holiday, off the grid: the page says there is no such slot (not a form that
    fails when sent, nor a 500 at the calendar's end)."""
    day, slot = day_slot
    code = book(client).get_json()["code"]
    for path, query in (
        ("/book", {"service": "tax", "day": day, "slot": slot}),
        (f"/book/{code}/move", {"day": day, "slot": slot}),
    ):
        answer = client.get(path, query_string=query)
        assert answer.status_code == 422, (path, answer.status_code)
        assert 'id="book-form"' not in answer.get_data(as_text=True)
        assert 'id="book-move-form"' not in answer.get_data(as_text=True)
