"""A booking checked in (queues.checkin): the ticket at the booked place, the booking marked, the
event; and each refusal in words."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from queues import bookings, checkin, errors, services
from queues.access.requesters import Requester
from queues.context import Context
from queues.store.models import Event, Notification, PrintJob, Step
from tests.booked import book, booking
from tests.support import Clock, beijing, make_network

KIOSK = Requester.at_kiosk("k2")
SLOT = beijing(2026, 11, 24, 10, 0)  # Tuesday 10:00 (the clock's day), grace 15, early 60


@pytest.fixture
def ctx(any_ctx: Context) -> Context:
    return any_ctx


def steps(ctx: Context) -> list[Step]:
    with ctx.db.read() as s:
        return list(s.scalars(select(Step).order_by(Step.id)))


def test_on_time_check_in_issues_a_ticket_at_the_slot(ctx: Context, clock: Clock) -> None:
    clock.set(beijing(2026, 11, 24, 9, 50))
    walk_in = services.issue(ctx, "tax").ticket
    book(ctx, "ACDE3467", SLOT)
    clock.set(beijing(2026, 11, 24, 10, 0, 20))
    done = checkin.check_in(ctx, "ACDE3467", KIOSK)
    assert (done.timing, done.turn_at, done.booked) == ("on_time", None, True)
    assert done.ticket.number == "T002" and done.ticket.ahead == 1  # the 09:50 walk-in
    first, mine = steps(ctx)
    assert first.queued_at == beijing(2026, 11, 24, 9, 50)
    assert mine.queued_at == SLOT and mine.entered_at == clock.now  # waits counted from arrival
    b = booking(ctx, "ACDE3467")
    assert b.status == "checked_in" and b.checked_in_at == clock.now
    assert b.ticket_id == mine.ticket_id
    with ctx.db.read() as s:
        event = s.scalar(select(Event).where(Event.kind == "checked_in"))
        job = s.scalar(select(PrintJob))
    assert event is not None and event.actor == "kiosk:k2" and event.ticket_id == mine.ticket_id
    assert event.data == {
        "code": "ACDE3467",
        "service": "tax",
        "slot": SLOT.isoformat(),
        "timing": "on_time",
    }  # never the name, the phone or an ID number
    assert job is not None and job.kiosk == "k2" and job.ticket_id == mine.ticket_id
    assert walk_in.number == "T001"


def test_early_arrival_is_told_when_its_turn_starts(ctx: Context, clock: Clock) -> None:
    book(ctx, "ACDE3467", SLOT)
    clock.set(beijing(2026, 11, 24, 9, 20))
    done = checkin.check_in(ctx, "acde 3467", KIOSK)  # typed in lower case, in groups
    assert (done.timing, done.turn_at) == ("early", SLOT)
    assert steps(ctx)[0].queued_at == SLOT


def test_within_grace_keeps_the_slot_and_late_is_a_walk_in(ctx: Context, clock: Clock) -> None:
    book(ctx, "HJKM3467", SLOT)
    book(ctx, "NPRT3467", SLOT)
    clock.set(beijing(2026, 11, 24, 10, 15))
    assert checkin.check_in(ctx, "HJKM3467", KIOSK).timing == "grace"
    clock.set(beijing(2026, 11, 24, 10, 16))
    late = checkin.check_in(ctx, "NPRT3467", KIOSK)
    assert (late.timing, late.booked) == ("late", False)
    assert [s.queued_at for s in steps(ctx)] == [SLOT, clock.now]


def test_a_no_show_who_comes_after_all_is_checked_in_as_a_walk_in(
    ctx: Context, clock: Clock
) -> None:
    book(ctx, "UVWX3467", SLOT, status="no_show")
    clock.set(beijing(2026, 11, 24, 11, 0))
    done = checkin.check_in(ctx, "UVWX3467", KIOSK)
    assert done.timing == "late" and booking(ctx, "UVWX3467").status == "checked_in"


def test_too_early_says_when_check_in_opens(ctx: Context, clock: Clock) -> None:
    book(ctx, "ACDE3467", SLOT)
    clock.set(beijing(2026, 11, 24, 8, 59))
    with pytest.raises(errors.CheckInNotYet) as info:
        checkin.check_in(ctx, "ACDE3467", KIOSK)
    assert info.value.message("zh") == "您预约的是 10:00，09:00 起可以签到。"
    assert info.value.message("en") == "Your booking is at 10:00. Check-in opens at 09:00."
    assert steps(ctx) == [] and booking(ctx, "ACDE3467").status == "booked"


def test_refusals_say_why(ctx: Context, clock: Clock) -> None:
    book(ctx, "CCCC3467", SLOT, status="cancelled")
    book(ctx, "TTTT3467", beijing(2026, 11, 25, 10, 0))
    book(ctx, "WWWW3467", SLOT)
    clock.set(beijing(2026, 11, 24, 10, 5))
    with pytest.raises(errors.BookingCancelled):
        checkin.check_in(ctx, "CCCC3467", KIOSK)
    with pytest.raises(errors.BookingNotToday) as not_today:
        checkin.check_in(ctx, "TTTT3467", KIOSK)
    assert "2026-11-25" in not_today.value.message("zh")
    first = checkin.check_in(ctx, "WWWW3467", KIOSK)
    with pytest.raises(errors.AlreadyCheckedIn) as twice:
        checkin.check_in(ctx, "WWWW3467", KIOSK)
    number = first.ticket.number
    assert twice.value.message("zh") == f"预约 WWWW3467 已经签到过了，号票是 {number}。"
    with pytest.raises(errors.UnknownBooking):
        checkin.check_in(ctx, "YYYY9999", KIOSK)
    with pytest.raises(errors.InvalidIdNumber):  # an ID number's shape, not its check
        checkin.check_in(ctx, "12345678901234567Y", KIOSK)
    for wrong in ("ABC", "1234567890123456789", "ABCD-234!", "ACDE346"):
        with pytest.raises(errors.InvalidCheckInKey):
            checkin.check_in(ctx, wrong, KIOSK)
    assert len(steps(ctx)) == 1  # the refusals issued nothing


def test_a_booking_of_another_hall_is_unknown_here(any_url: str, clock: Clock) -> None:
    network = make_network(any_url, clock)
    main, town = network.contexts[network.default], network.contexts["town"]
    try:
        book(town, "TWNT3467", SLOT)
        clock.set(beijing(2026, 11, 24, 10, 0))
        with pytest.raises(errors.UnknownBooking):
            checkin.check_in(main, "TWNT3467", KIOSK)
        assert checkin.check_in(town, "TWNT3467", Requester.visitor("1.2.3.4")).timing == "on_time"
    finally:
        main.db.dispose()


def test_check_in_by_the_id_number_finds_todays_booking(ctx: Context, clock: Clock) -> None:
    number = "11010519491231002X"
    hashed = bookings.id_hash(ctx, number)
    book(ctx, "TTTT3467", beijing(2026, 11, 25, 10, 0), id_hash=hashed)  # tomorrow's
    book(ctx, "ACDE3467", SLOT, id_hash=hashed)
    clock.set(beijing(2026, 11, 24, 9, 45))
    done = checkin.check_in(ctx, number.lower(), KIOSK)  # a reader may send a lower-case x
    assert (done.code, done.timing) == ("ACDE3467", "early")
    with pytest.raises(errors.AlreadyCheckedIn):  # today's is done; tomorrow's is not today's
        checkin.check_in(ctx, number, KIOSK)
    with pytest.raises(errors.NoBookingForIdNumber) as info:
        checkin.check_in(ctx, "110101199003074477", KIOSK)
    assert "110101199003074477" not in info.value.message("zh")  # never shown on the screen
    with pytest.raises(errors.InvalidIdNumber):  # its check character is wrong
        checkin.check_in(ctx, "110105194912310021", KIOSK)


def test_a_checked_in_visitor_is_texted_when_near_and_called_at_the_bookings_number(
    ctx: Context, clock: Clock
) -> None:
    clock.set(beijing(2026, 11, 24, 9, 50))
    services.resume(ctx, 5, "clerk:test")  # window 5 calls tax
    services.issue(ctx, "tax")  # T001, a walk-in ahead
    book(ctx, "ACDE3467", SLOT)  # its number 13800000000 (tests/booked.py)
    clock.set(beijing(2026, 11, 24, 10, 0, 20))
    mine = checkin.check_in(ctx, "ACDE3467", KIOSK).ticket
    assert texts(ctx) == []  # told at the calls, not at check-in
    services.call_next(ctx, 5, "clerk:test")  # T001 called: the booked visitor is next
    services.finish(ctx, 5, "clerk:test")
    called = services.call_next(ctx, 5, "clerk:test")
    assert called is not None and called.number == mine.number == "T002"
    assert texts(ctx) == [("near", "13800000000"), ("called", "13800000000")]


def texts(ctx: Context) -> list[tuple[str, str]]:
    with ctx.db.read() as s:
        return [
            (n.kind, n.phone) for n in s.scalars(select(Notification).order_by(Notification.id))
        ]
