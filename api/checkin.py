"""A booking's check-in over HTTP (queues.checkin): by its code, or at a kiosk by the ID number.

Registered on the API of :mod:`api.routes` (imported by :mod:`api`)."""

from __future__ import annotations

from api.http import Call
from api.routes import _requester, api
from api.schemas import CheckInOut, CheckInRequest
from queues import bookings, checkin, errors
from queues.access.requesters import Requester
from queues.rules import booking as booking_rule


@api.route(
    "POST",
    "/bookings/<code>/check-in",
    summary="Check in a booking by its code",
    tag="bookings",
    ok=(201, CheckInOut),
    optional_auth=True,
    errors=(404, 409, 429),
)
def check_in_by_code(call: Call, code: str) -> tuple[int, CheckInOut]:
    """Check in today's booking `code` and issue its ticket: anyone holding the code may (the
    code is the booking's secret); a kiosk token prints the slip at its kiosk. Arriving up to
    the hall's grace time after the slot's start (`[booking] grace_minutes`), the ticket queues
    from the slot's start: behind who came before the slot, ahead of walk-ins who came after it
    began; an early arrival's turn starts at the slot (`booking.turn_at`). Later, the ticket
    queues from the arrival as a walk-in's (201, `booking.timing` `late`; API.md's 409 for this
    case is replaced by a walk-in ticket, as issue 13 asks). 409 `already_checked_in`,
    `booking_cancelled`, `booking_not_today`, and `check_in_not_yet` before
    `[booking] early_minutes` ahead of the slot (the message says when check-in opens); 404
    `unknown_booking`. Without a token, codes that name nothing count against the address as
    the bookings' look-ups do (429 `booking_lookups_locked` past the limit)."""
    if booking_rule.norm_code(code) is None:  # not a code's shape: names no booking
        raise errors.UnknownBooking(code="?")
    if call.who is None:  # a visitor's codes count against the address, as every look-up's
        bookings.lookup(call.ctx, code, call.client)
    done = checkin.check_in(call.ctx, code, _requester(call, None))
    return 201, CheckInOut.checked_in(done, call.ctx.tz)


@api.route(
    "POST",
    "/bookings/check-in",
    summary="Check in a booking at a kiosk by the ID number",
    tag="bookings",
    body=CheckInRequest,
    ok=(201, CheckInOut),
    roles=("kiosk", "admin"),
    errors=(404, 409, 429),
)
def check_in_by_id_number(call: Call) -> tuple[int, CheckInOut]:
    """A kiosk's card reader read the visitor's ID number: check in today's booking made with
    it and print the ticket at this kiosk. A kiosk token (or an administrator's, for a kiosk
    run by staff) only: an ID number is no secret, so no visitor nor clerk may check in by one.
    The same timing and refusals as by the code."""
    who = call.who
    assert who is not None
    if who.role == "kiosk":
        by = Requester.at_kiosk(who.name, call.client)
    else:
        by = Requester.staff(who.actor, call.client)
    done = checkin.check_in(call.ctx, call.body.id_number, by)
    return 201, CheckInOut.checked_in(done, call.ctx.tz)
