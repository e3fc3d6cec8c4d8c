"""Appointments (queues/bookings.py, queues/rules/booking.py) in the booking hall
(tests/halls/booking.toml, whose header has the places per slot worked out by hand)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from queues import bookings, errors
from queues.context import Context
from queues.hall import config
from queues.rules import booking as rule
from queues.store.models import Booking, BookingBar, Event
from runtime import scheduler
from tests.booking_hall import BOOKING_HALL, MONDAY_10, NAME, PHONE, at, booking_context
from tests.support import SHANGHAI, Clock, beijing, make_context, postgres_schema
from tests.support import postgres_url as pg_base


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_10)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bctx(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[Context]:
    """The booking hall on SQLite, and again on PostgreSQL."""
    if request.param == "sqlite":
        ctx = booking_context(f"sqlite:///{tmp_path}/booking.db", clock)
        yield ctx
        ctx.db.dispose()
        return
    base = pg_base()
    if base is None:
        pytest.skip("no PostgreSQL configured (set HALLQ_TEST_POSTGRES_URL)")
    with postgres_schema(base, BOOKING_HALL) as url:
        ctx = make_context(url, clock, hall=BOOKING_HALL)
        yield ctx
        ctx.db.dispose()


# --- the rules, by hand ---------------------------------------------------------------------


def test_places_per_slot_are_the_hand_computed_ones() -> None:
    cfg = config.load(BOOKING_HALL)
    # tax: windows 1 (tax alone) and 2 (tax and notary): (30 + 15) x 0.6 / 10 = 2.7
    assert rule.share_of_windows(cfg, "tax") == 1.5
    assert rule.capacity(cfg, "tax") == 2
    # notary: windows 2 (half) and 3: (15 + 30) x 0.6 / 20 = 1.35
    assert rule.capacity(cfg, "notary") == 1


@pytest.mark.parametrize(
    ("share", "tax", "notary"),
    [
        (0.0, 4, 2),  # 45 / 10 = 4.5; 45 / 20 = 2.25
        (0.5, 2, 1),  # 22.5 / 10 = 2.25; 22.5 / 20 = 1.125
        (0.8, 0, 0),  # 9 / 10; 9 / 20
    ],
)
def test_the_walk_in_share_takes_its_part_of_every_slot(
    share: float, tax: int, notary: int
) -> None:
    text = BOOKING_HALL.read_text(encoding="utf-8").replace(
        "horizon_days = 3", f"horizon_days = 3\nwalk_in_share = {share!r}"
    )
    cfg = config.parse(text, "booking.toml")
    assert (rule.capacity(cfg, "tax"), rule.capacity(cfg, "notary")) == (tax, notary)


def test_exact_fractions_give_whole_places() -> None:
    """Walk-ins keeping 0.9, one window of tax taking 3 minutes: 30 x 0.1 / 3 = 1 place
    exactly, where floats make (1 - 0.9) x 30 / 3 = 0.9999… and would lose it."""
    text = (
        BOOKING_HALL.read_text(encoding="utf-8")
        .replace("service_minutes = 10", "service_minutes = 3")
        .replace("horizon_days = 3", "horizon_days = 3\nwalk_in_share = 0.9")
        .replace('services = { "tax" = 1, "notary" = 1 }', 'services = { "notary" = 1 }')
    )
    cfg = config.parse(text, "b")
    assert (1 - 0.9) * 30 / 3 < 1  # what floats would say
    assert rule.capacity(cfg, "tax") == 1


def test_days_are_working_days_of_the_hall_and_the_matter() -> None:
    cfg = config.load(BOOKING_HALL)
    tax, notary = cfg.service("tax"), cfg.service("notary")
    assert tax is not None and notary is not None
    monday = date(2026, 12, 7)
    # three working days after Monday: Tuesday, (Wednesday the 9th a holiday), Thursday, Friday
    assert rule.booking_days(cfg, tax, monday) == [
        date(2026, 12, 8),
        date(2026, 12, 10),
        date(2026, 12, 11),
    ]
    # the notary sits on Tuesdays and Thursdays
    assert rule.booking_days(cfg, notary, monday) == [date(2026, 12, 8), date(2026, 12, 10)]
    # from Thursday: Friday, Saturday the 12th (a make-up working day), Monday
    thursday = date(2026, 12, 10)
    assert rule.booking_days(cfg, tax, thursday) == [
        date(2026, 12, 11),
        date(2026, 12, 12),
        date(2026, 12, 14),
    ]
    assert rule.booking_days(cfg, notary, thursday) == []
    # from Friday: Saturday 12th, Monday 14th, Tuesday 15th (Sunday is no working day)
    assert rule.booking_days(cfg, tax, date(2026, 12, 11)) == [
        date(2026, 12, 12),
        date(2026, 12, 14),
        date(2026, 12, 15),
    ]


def test_slots_run_from_opening_until_the_last_ticket() -> None:
    cfg = config.load(BOOKING_HALL)
    starts = [f"{s:%H:%M}" for s in rule.slot_starts(cfg, date(2026, 12, 8), SHANGHAI)]
    assert starts == ["09:00", "09:30", "10:00", "10:30", "11:00"]  # 11:30 is after 11:15
    assert rule.slot_of(cfg, at(8, 9, 30), SHANGHAI) == at(8, 9, 30)
    assert rule.slot_of(cfg, at(8, 9, 15), SHANGHAI) is None
    assert rule.slot_of(cfg, at(8, 11, 30), SHANGHAI) is None


def test_the_abuse_rule_counts_the_last_thirty_days_after_the_last_bar() -> None:
    now = beijing(2026, 12, 7, 10, 0)
    day = timedelta(days=1)
    assert not rule.repeated([now - 2 * day], now, 2)
    assert rule.repeated([now - 2 * day, now - 29 * day], now, 2)
    assert not rule.repeated([now - 2 * day, now - 31 * day], now, 2)  # more than a month ago
    assert not rule.repeated([now - 2 * day, now - 5 * day], now, 2, after=now - 3 * day)
    assert not rule.repeated([now] * 10, now, 0)  # 0: off
    assert not rule.over_day_limit(2, 3) and rule.over_day_limit(3, 3)
    assert not rule.over_day_limit(99, 0)
    assert rule.mask_phone("13812341234") == "138****1234"


def test_codes_are_read_as_typed() -> None:
    code = rule.new_code()
    assert len(code) == 8 and set(code) <= set(rule.ALPHABET)
    assert rule.norm_code(" " + code.lower()[:4] + "-" + code.lower()[4:]) == code
    assert rule.norm_code("ABCD0OIL") is None and rule.norm_code("ACDE") is None


def test_phone_and_id_numbers_are_checked() -> None:
    assert bookings.norm_phone("138 1234-1234") == PHONE
    assert bookings.norm_phone("+86 13812341234") == PHONE
    for bad in ("12345", "23812341234", "1381234123x", ""):
        with pytest.raises(errors.InvalidMobile):
            bookings.norm_phone(bad)
    assert bookings.norm_id_number("11010519491231002x") == "11010519491231002X"
    assert bookings.norm_id_number("110105194912310021") is None  # wrong check digit


# --- the use cases --------------------------------------------------------------------------


def test_a_booking_takes_a_place_and_gives_it_back_when_cancelled(bctx: Context) -> None:
    slots = bookings.slots(bctx, "tax", date(2026, 12, 8))
    assert [(f"{s.start:%H:%M}", s.capacity, s.left) for s in slots][:2] == [
        ("09:00", 2, 2),
        ("09:30", 2, 2),
    ]
    first = bookings.book(bctx, "tax", at(8, 9, 30), NAME, PHONE, by="anonymous:1.2.3.4")
    assert first.status == "booked" and first.slot == at(8, 9, 30)
    assert first.check_in_from == at(8, 8, 30) and first.check_in_until == at(8, 9, 45)
    assert first.phone_hint == "138****1234"
    bookings.book(bctx, "tax", at(8, 9, 30), "李四", "13900001111")
    left = {f"{s.start:%H:%M}": s.left for s in bookings.slots(bctx, "tax", date(2026, 12, 8))}
    assert left["09:30"] == 0 and left["09:00"] == 2
    with pytest.raises(errors.SlotFull) as full:
        bookings.book(bctx, "tax", at(8, 9, 30), "王五", "13700002222")
    assert "2026-12-08 09:30" in full.value.message("zh")
    days = {d.day: d.left for d in bookings.days(bctx, "tax")}
    assert days == {date(2026, 12, 8): 8, date(2026, 12, 10): 10, date(2026, 12, 11): 10}
    bookings.cancel(bctx, first.code, by="anonymous:1.2.3.4")
    again = bookings.book(bctx, "tax", at(8, 9, 30), "王五", "13700002222")
    assert again.code != first.code
    with bctx.db.read() as s:
        kinds = [(e.kind, e.data) for e in s.scalars(select(Event).order_by(Event.id))]
    assert [k for k, _ in kinds] == ["booked", "booked", "booking_cancelled", "booked"]
    assert kinds[0][1] == {
        "code": first.code,
        "service": "tax",
        "slot": "2026-12-08T09:30:00+08:00",
    }
    for _, data in kinds:  # never the person
        assert NAME not in str(data) and PHONE not in str(data)


def test_only_slots_of_days_that_can_be_booked(bctx: Context) -> None:
    for when in (at(9, 9, 0), at(7, 11, 0), at(14, 9, 0), at(8, 9, 15), at(8, 11, 30)):
        with pytest.raises(errors.NoSuchSlot):
            bookings.book(bctx, "tax", when, NAME, PHONE)
    with pytest.raises(errors.NoSuchSlot):  # the notary does not sit on Fridays
        bookings.book(bctx, "notary", at(11, 9, 0), NAME, PHONE)
    with pytest.raises(errors.NotBookable):
        bookings.book(bctx, "permit", at(8, 9, 0), NAME, PHONE)
    with pytest.raises(errors.UnknownService):
        bookings.book(bctx, "nothing", at(8, 9, 0), NAME, PHONE)
    with pytest.raises(errors.InvalidMobile):
        bookings.book(bctx, "tax", at(8, 9, 0), NAME, "12345")
    with pytest.raises(errors.InvalidName):
        bookings.book(bctx, "tax", at(8, 9, 0), "  ", PHONE)


def test_reschedule_moves_the_place_and_keeps_the_code(bctx: Context) -> None:
    b = bookings.book(bctx, "notary", at(8, 9, 0), NAME, PHONE)
    moved = bookings.reschedule(bctx, b.code, at(10, 10, 0))
    assert moved.code == b.code and moved.slot == at(10, 10, 0) and moved.day == date(2026, 12, 10)
    assert bookings.slots(bctx, "notary", date(2026, 12, 8))[0].left == 1
    other = bookings.book(bctx, "notary", at(8, 9, 0), "李四", "13900001111")
    with pytest.raises(errors.SlotFull):
        bookings.reschedule(bctx, b.code, at(8, 9, 0))
    bookings.reschedule(bctx, b.code, at(10, 10, 30))
    with pytest.raises(errors.TooManyReschedules):
        bookings.reschedule(bctx, b.code, at(10, 11, 0))
    bookings.cancel(bctx, other.code)
    with pytest.raises(errors.BookingNotActive):
        bookings.cancel(bctx, other.code)


def test_a_booking_not_checked_in_by_the_grace_time_is_a_no_show(
    bctx: Context, clock: Clock
) -> None:
    early = bookings.book(bctx, "tax", at(8, 9, 0), NAME, PHONE)
    later = bookings.book(bctx, "tax", at(8, 10, 0), "李四", "13900001111")
    clock.set(beijing(2026, 12, 8, 9, 15))  # 09:00 + 15 minutes' grace: not yet
    assert bookings.sweep_no_shows(bctx) == 0
    clock.set(beijing(2026, 12, 8, 9, 16))
    assert bookings.sweep_no_shows(bctx) == 1
    assert bookings.sweep_no_shows(bctx) == 0  # once
    with bctx.db.read() as s:
        assert bookings.by_code(s, early.code).status == "no_show"
        assert bookings.by_code(s, later.code).status == "booked"
    with pytest.raises(errors.BookingNotActive):
        bookings.cancel(bctx, early.code)
    rows = bookings.listing(bctx, date(2026, 12, 8))
    assert [(r.code, r.status, r.name, r.phone) for r in rows] == [
        (early.code, "no_show", NAME, PHONE),
        (later.code, "booked", "李四", "13900001111"),
    ]
    assert [r.code for r in bookings.listing(bctx, date(2026, 12, 8), status="booked")] == [
        later.code
    ]


def test_two_no_shows_in_a_month_bar_the_person_until_a_manager_lifts_it(
    bctx: Context, clock: Clock
) -> None:
    bookings.book(bctx, "tax", at(8, 9, 0), NAME, PHONE)
    bookings.book(bctx, "notary", at(10, 9, 0), NAME, "138 1234 1234")  # the same person
    clock.set(beijing(2026, 12, 8, 12, 0))
    assert bookings.sweep_no_shows(bctx) == 1
    assert bookings.bars(bctx) == []  # one no-show: not yet
    clock.set(beijing(2026, 12, 10, 12, 0))
    assert bookings.sweep_no_shows(bctx) == 1
    [bar] = bookings.bars(bctx)
    assert bar.reason == "no_shows" and bar.phone == PHONE and bar.name == NAME
    assert bar.until == beijing(2027, 1, 9, 12, 0)  # bar_days = 30
    with pytest.raises(errors.BookingBarred) as barred:
        bookings.book(bctx, "tax", at(11, 9, 0), NAME, PHONE)
    assert barred.value.message("zh") == (
        "因30 天内 2 次预约未按时签到，该手机号在 2027-01-09 12:00 前不能预约。"
        "如有疑问请咨询大厅工作人员。"
    )
    assert "2 missed appointments within 30 days" in barred.value.message("en")
    bookings.book(bctx, "tax", at(11, 9, 0), "李四", "13900001111")  # others book on
    bookings.lift_bar(bctx, bar.id, "user:li")
    assert bookings.bars(bctx) == []
    assert bookings.book(bctx, "tax", at(11, 9, 0), NAME, PHONE).status == "booked"
    with bctx.db.read() as s:
        kinds = [e.kind for e in s.scalars(select(Event).order_by(Event.id))]
    assert "booking_barred" in kinds and kinds.count("booking_bar_lifted") == 1
    with pytest.raises(errors.UnknownBar):
        bookings.lift_bar(bctx, 999999, "user:li")


def test_five_cancellations_in_a_month_bar_the_person(bctx: Context) -> None:
    for n in range(5):
        b = bookings.book(bctx, "tax", at(8, 9, 0) + timedelta(minutes=30 * (n % 5)), NAME, PHONE)
        bookings.cancel(bctx, b.code)
        assert len(bookings.bars(bctx)) == (1 if n == 4 else 0)
    [bar] = bookings.bars(bctx)
    assert bar.reason == "cancels"
    with pytest.raises(errors.BookingBarred) as barred:
        bookings.book(bctx, "tax", at(10, 9, 0), NAME, PHONE)
    assert "30 天内取消预约 5 次" in barred.value.message("zh")
    bookings.lift_bar(bctx, bar.id, "user:li")
    bookings.book(bctx, "tax", at(10, 9, 0), NAME, PHONE)


def test_a_fourth_booking_of_one_matter_on_one_day_is_refused_and_bars(bctx: Context) -> None:
    for hour, minute in ((9, 0), (9, 30), (10, 0)):
        bookings.book(bctx, "tax", at(8, hour, minute), NAME, PHONE)
    bookings.book(bctx, "notary", at(8, 9, 0), NAME, PHONE)  # another matter: fine
    with pytest.raises(errors.BookingBarred) as barred:
        bookings.book(bctx, "tax", at(8, 10, 30), NAME, PHONE)
    assert "同一事项同一天预约超过 3 次" in barred.value.message("zh")
    assert "more than 3 bookings of one matter on one day" in barred.value.message("en")
    [bar] = bookings.bars(bctx)
    assert bar.reason == "same_matter"
    with bctx.db.read() as s:  # refused: no fourth booking
        assert s.scalar(select(Booking.id).where(Booking.slot_start == at(8, 10, 30))) is None
        assert len(list(s.scalars(select(BookingBar)))) == 1
    with pytest.raises(errors.BookingBarred):  # the bar holds for other days and matters too
        bookings.book(bctx, "notary", at(10, 9, 0), NAME, PHONE)
    bookings.lift_bar(bctx, bar.id, "user:li")
    bookings.book(bctx, "notary", at(10, 9, 0), NAME, PHONE)


def test_check_in_finds_a_booking_by_code_or_id_number(bctx: Context, clock: Clock) -> None:
    number = "11010519491231002X"
    b = bookings.book(bctx, "tax", at(8, 9, 0), NAME, PHONE, id_number=number.lower())
    with bctx.db.read() as s:
        row = s.scalars(select(Booking)).one()
        assert row.id_hash == bookings.id_hash(bctx, number) and number not in str(row.id_hash)
        assert bookings.find_for_check_in(s, bctx, b.code.lower()).code == b.code
        assert bookings.find_for_check_in(s, bctx, number) is None  # not today
    clock.set(beijing(2026, 12, 8, 8, 40))
    with bctx.db.read() as s:
        assert bookings.find_for_check_in(s, bctx, number).code == b.code
        assert bookings.find_for_check_in(s, bctx, "110105194912310021") is None
    # a process that has not read the key yet finds it in the check-in's own transaction
    # (a second transaction for it would wait for the first on SQLite)
    fresh = make_context(
        str(bctx.db.url.render_as_string(hide_password=False)), clock, hall=BOOKING_HALL
    )
    try:
        with fresh.db.write() as s:
            assert bookings.find_for_check_in(s, fresh, number).code == b.code
    finally:
        fresh.db.dispose()
    with pytest.raises(errors.InvalidIdNumber):
        bookings.book(bctx, "tax", at(10, 9, 0), NAME, PHONE, id_number="123")


def test_guessed_codes_lock_the_address_out(bctx: Context) -> None:
    b = bookings.book(bctx, "tax", at(8, 9, 0), NAME, PHONE)
    for _ in range(5):  # hits are given back
        assert bookings.lookup(bctx, b.code, client="10.0.0.7").code == b.code
    for _ in range(bookings.LOOKUPS.attempts):
        with pytest.raises(errors.UnknownBooking):
            bookings.lookup(bctx, "AAAAAAAA", client="10.0.0.7")
    with pytest.raises(errors.BookingLookupsLocked) as locked:
        bookings.lookup(bctx, b.code, client="10.0.0.7")
    assert locked.value.retry_after() == 15 * 60
    with pytest.raises(errors.BookingLookupsLocked):
        bookings.cancel(bctx, b.code, client="10.0.0.7")
    assert bookings.lookup(bctx, b.code, client="10.0.0.8").status == "booked"  # another address


def test_the_scheduler_sweeps_each_halls_no_shows(bctx: Context, clock: Clock) -> None:
    b = bookings.book(bctx, "tax", at(8, 9, 0), NAME, PHONE)
    sweep = {name: func for name, func, _ in scheduler.jobs(bctx)}["booking-no-shows"]
    clock.set(beijing(2026, 12, 8, 9, 30))
    assert sweep() == 1
    with bctx.db.read() as s:
        assert bookings.by_code(s, b.code).status == "no_show"


def test_a_halls_bookings_are_its_own(tmp_path, clock: Clock) -> None:
    """Two halls on one database: a code of one names nothing in the other."""
    from queues.hall import config as hall_config
    from queues.hall.sync import apply_config
    from tests.support import MAIN_HALL

    ours = booking_context(f"sqlite:///{tmp_path}/two.db", clock)
    apply_config(ours.db.network, hall_config.load(MAIN_HALL))
    other = make_context(f"sqlite:///{tmp_path}/two.db", clock)
    try:
        b = bookings.book(ours, "tax", at(8, 9, 0), NAME, PHONE)
        with pytest.raises(errors.UnknownBooking):
            bookings.lookup(other, b.code)
        with pytest.raises(errors.UnknownBooking):
            bookings.cancel(other, b.code)
        assert bookings.listing(other, date(2026, 12, 8)) == []
        assert [r.code for r in bookings.listing(ours, date(2026, 12, 8))] == [b.code]
        clock.set(beijing(2026, 12, 8, 12, 0))
        assert bookings.sweep_no_shows(other) == 0
        assert bookings.sweep_no_shows(ours) == 1
    finally:
        ours.db.dispose()
        other.db.dispose()
