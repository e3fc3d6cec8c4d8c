"""The appointment endpoints (预约): slots and days for anyone, booking, and the booking by its
code for whoever holds the code; the list and the bars for managers. Each a few lines around
:mod:`queues.bookings`. A public answer never holds the name or the number (the number masked)."""

from __future__ import annotations

from datetime import datetime

from api.http import Call
from api.routes import api
from api.schemas import (
    BarList,
    BarOut,
    BookingListQuery,
    BookingOut,
    BookRequest,
    DayList,
    DayOut,
    DaysQuery,
    RescheduleRequest,
    SlotList,
    SlotOut,
    SlotsQuery,
    StaffBookingList,
    StaffBookingOut,
)
from queues import bookings

MANAGERS = ("manager", "admin")
CODE = "/bookings/<code>"


def _slot(call: Call, moment: datetime) -> datetime:
    """A slot as the client wrote it: without an offset, in the hall's time."""
    return moment if moment.tzinfo else moment.replace(tzinfo=call.ctx.tz)


@api.route(
    "GET",
    "/bookings/slots",
    summary="A day's slots of a matter and their places left",
    tag="bookings",
    query=SlotsQuery,
    ok=(200, SlotList),
)
def booking_slots(call: Call) -> SlotList:
    """Every slot of the day with its places for bookings (what the walk-ins keep left out), those
    booked and those left. `bookable` says whether the day can be booked now (one of
    `GET …/bookings/days`); a day the hall or the matter is closed has no slots. 422 for a
    matter that cannot be booked."""
    q: SlotsQuery = call.query
    found = bookings.slots(call.ctx, q.service, q.date)
    days = {d.day for d in bookings.days(call.ctx, q.service)}
    return SlotList(
        service=q.service,
        date=q.date,
        bookable=q.date in days,
        slots=[
            SlotOut(
                start=s.start.astimezone(call.ctx.tz),
                minutes=s.minutes,
                capacity=s.capacity,
                booked=s.booked,
                left=s.left,
            )
            for s in found
        ],
    )


@api.route(
    "GET",
    "/bookings/days",
    summary="The days a matter can be booked for",
    tag="bookings",
    query=DaysQuery,
    ok=(200, DayList),
)
def booking_days(call: Call) -> DayList:
    """The next working days of the hall (`[booking] horizon_days`, from tomorrow; holidays and
    make-up days from the hall file) on which the matter is offered, with the places left."""
    q: DaysQuery = call.query
    return DayList(
        service=q.service,
        days=[DayOut(date=d.day, left=d.left) for d in bookings.days(call.ctx, q.service)],
    )


@api.route(
    "POST",
    "/bookings",
    summary="Book a slot",
    tag="bookings",
    body=BookRequest,
    ok=(201, BookingOut),
    optional_auth=True,
    errors=(409,),
)
def book(call: Call) -> tuple[int, BookingOut]:
    """Book a slot for a person: the answer holds the booking code (keep it: it cancels, moves
    and checks in the booking), the times check-in is open, and no name. 409 `slot_full`, or
    `booking_barred` with `reason` and `until` (the abuse rule: no-shows or cancellations in 30
    days, or one booking too many of a matter on a day); 422 for a bad name, mobile number or ID
    number, a matter that cannot be booked or a slot it does not have."""
    body: BookRequest = call.body
    made = bookings.book(
        call.ctx,
        body.service,
        _slot(call, body.slot),
        body.name,
        body.phone,
        lang=body.lang,
        by=call.actor,
        id_number=body.id_number or None,
    )
    return 201, BookingOut.of(made)


@api.route(
    "GET",
    CODE,
    summary="A booking, by its code",
    tag="bookings",
    ok=(200, BookingOut),
    errors=(404, 429),
)
def get_booking(call: Call, code: str) -> BookingOut:
    """The booking (no name; the number masked). Codes that name nothing are counted per
    address: after 10 in 10 minutes the address is refused for 15 minutes (429)."""
    return BookingOut.of(bookings.lookup(call.ctx, code, call.client))


@api.route(
    "POST",
    CODE + "/cancel",
    summary="Cancel a booking",
    tag="bookings",
    ok=(200, BookingOut),
    errors=(404, 409, 429),
)
def cancel_booking(call: Call, code: str) -> BookingOut:
    """Cancel before the slot starts: the place goes back. 409 once the booking is cancelled,
    checked in or missed, or its slot has begun. Cancellations count for the abuse rule."""
    view = bookings.cancel(call.ctx, code, by=call.actor, client=call.client)
    return BookingOut.of(view)


@api.route(
    "POST",
    CODE + "/reschedule",
    summary="Move a booking to another slot",
    tag="bookings",
    body=RescheduleRequest,
    ok=(200, BookingOut),
    errors=(404, 409, 429),
)
def reschedule_booking(call: Call, code: str) -> BookingOut:
    """Another slot of the same matter, the same code (at most twice). 409 `slot_full`, or a
    booking no longer to be moved; 422 a slot the matter does not have."""
    body: RescheduleRequest = call.body
    view = bookings.reschedule(
        call.ctx, code, _slot(call, body.slot), by=call.actor, client=call.client
    )
    return BookingOut.of(view)


@api.route(
    "GET",
    "/bookings",
    summary="The day's bookings, with names and numbers",
    tag="bookings",
    roles=MANAGERS,
    query=BookingListQuery,
    ok=(200, StaffBookingList),
)
def list_bookings(call: Call) -> StaffBookingList:
    """Every booking of the day (default: today), by slot; `service` and `status` narrow it."""
    q: BookingListQuery = call.query
    day = q.day or call.ctx.business_day()
    rows = bookings.listing(call.ctx, day, q.service, q.status)
    return StaffBookingList(
        day=day,
        bookings=[
            StaffBookingOut(
                **BookingOut.of(r).model_dump(),
                name=r.name,
                phone=r.phone,
                lang=r.lang,
                created_at=r.created_at.astimezone(call.ctx.tz),
                ticket_id=r.ticket_id,
            )
            for r in rows
        ],
    )


def _bar(b: bookings.BarView) -> BarOut:
    return BarOut(
        id=b.id,
        reason=b.reason,  # type: ignore[arg-type]
        until=b.until,
        created_at=b.created_at,
        lifted_at=b.lifted_at,
        lifted_by=b.lifted_by,
        name=b.name,
        phone=b.phone,
    )


@api.route(
    "GET",
    "/bookings/bars",
    summary="Who may not book, and until when",
    tag="bookings",
    roles=MANAGERS,
    ok=(200, BarList),
)
def list_bars(call: Call) -> BarList:
    """The bars in force: the rule that set each, until when, and the name and number of the
    person's latest booking."""
    return BarList(bars=[_bar(b) for b in bookings.bars(call.ctx)])


@api.route(
    "POST",
    "/bookings/bars/<int:bar_id>/lift",
    summary="Lift a bar",
    tag="bookings",
    roles=MANAGERS,
    ok=(200, BarOut),
    errors=(404,),
)
def lift_bar(call: Call, bar_id: int) -> BarOut:
    """The person may book again at once (lifting twice changes nothing)."""
    return _bar(bookings.lift_bar(call.ctx, bar_id, call.actor))
