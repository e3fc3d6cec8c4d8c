"""A booked visitor checks in (签到) at the kiosk or through the API, and gets a ticket.

The visitor gives the booking code (the keypad, or the QR shown to the kiosk's scanner) or the
ID number (the ID-card reader types it). In one transaction: the booking is found and locked
(today's, this hall's), its timing judged against the slot (:func:`queues.rules.policy.
booked_place`: early, on time, within grace keep the slot's start as the place in line; late is a
walk-in from the arrival), the ticket issued with that place (:func:`queues.services.
issue_within`, the one numbering path), the booking marked ``checked_in`` with its ticket, and an
event ``checked_in`` (code, service, slot, timing: never a name, phone or ID number).

Refusals: no such booking (404); a booking of another day, cancelled, or already checked in
(409); and before ``early_minutes`` ahead of the slot, a refusal saying when check-in opens
(409). A booking already marked a no-show (past its grace) is checked in as a walk-in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from queues import bookings, errors, notices, services
from queues.access.requesters import Requester
from queues.answers import TicketView
from queues.context import Context
from queues.rules import booking as booking_rule
from queues.rules import policy
from queues.store import events
from queues.store.models import Booking, Ticket

MAX_KEY = 24
"""The longest key any entry point passes on (a code, an ID number, with spaces typed)."""


@dataclass(frozen=True)
class CheckedIn:
    """A booking checked in: its ticket, and what the kiosk says about it."""

    ticket: TicketView
    code: str
    service: str
    slot: datetime
    """The booked slot's start."""
    timing: str
    """``early``, ``on_time``, ``grace`` or ``late`` (:data:`queues.rules.policy.TIMINGS`)."""
    turn_at: datetime | None
    """For an early arrival: when its turn starts (the slot); None otherwise."""

    @property
    def booked(self) -> bool:
        """The ticket keeps the booking's place (False: checked in late, a walk-in)."""
        return self.timing != policy.LATE


def normal_key(key: str) -> str:
    """``key`` as typed, read as a code or an ID number: spaces and dashes dropped, upper case
    (a reader may send a lower-case x, a person may type the code in groups)."""
    return re.sub(r"[\s-]", "", key).upper()


def kind_of(key: str) -> str:
    """``id_number`` or ``code`` for a normalised key (the shapes are :mod:`queues.bookings`'):
    an ID number whose check character is wrong is refused as one, anything else in words."""
    if len(key) == 18 and key[:17].isdigit():
        if bookings.norm_id_number(key) is None:
            raise errors.InvalidIdNumber()
        return "id_number"
    if booking_rule.norm_code(key) is not None:
        return "code"
    raise errors.InvalidCheckInKey()


def check_in(ctx: Context, key: str, by: Requester) -> CheckedIn:
    """Check in the booking ``key`` names (a booking code or an ID number) and issue its ticket
    (see the module's text). ``by`` is the kiosk (its slip is printed there) or the API's
    caller."""
    key = normal_key(key[: MAX_KEY * 2])
    kind = kind_of(key)
    now = ctx.now()
    today = ctx.business_day(now)
    rules = ctx.config.booking
    # the keyed hash first: its key may be made on first use, in a transaction of its own
    wanted = bookings.id_hash(ctx, key) if kind == "id_number" else key
    with ctx.db.write() as s:
        booking = _find(s, kind, wanted, today)
        if booking is None:
            if kind == "code":
                raise errors.UnknownBooking(code=key)
            raise errors.NoBookingForIdNumber()
        slot = booking.slot_start
        if booking.status == "cancelled":
            raise errors.BookingCancelled(code=booking.code)
        if booking.status == "checked_in":
            number = s.scalar(select(Ticket.number).where(Ticket.id == booking.ticket_id))
            raise errors.AlreadyCheckedIn(code=booking.code, number=number or "")
        if booking.day != today:
            raise errors.BookingNotToday(code=booking.code, day=booking.day.isoformat())
        opens, _ = booking_rule.check_in_window(ctx.config, slot)
        if now < opens:
            raise errors.CheckInNotYet(
                slot=f"{ctx.local(slot):%H:%M}", opens=f"{ctx.local(opens):%H:%M}"
            )
        place, timing = policy.booked_place(slot, now, timedelta(minutes=rules.grace_minutes))
        issued = services.issue_within(
            s,
            ctx,
            booking.service_code,
            by=by,
            now=now,
            place=place,
            booked=timing != policy.LATE,
        )
        booking.status = "checked_in"
        booking.ticket_id = issued.ticket_id
        booking.checked_in_at = now
        if ctx.config.notify.enabled:  # the booking's number gets the near and called texts
            notices.give_phone(s, issued.ticket_id, today, booking.phone, booking.lang, now)
        events.record(
            s,
            "checked_in",
            by.actor,
            now,
            ticket_id=issued.ticket_id,
            code=booking.code,
            service=booking.service_code,
            slot=slot.isoformat(),
            timing=timing,
        )
        return CheckedIn(
            ticket=issued.ticket,
            code=booking.code,
            service=booking.service_code,
            slot=slot,
            timing=timing,
            turn_at=slot if timing == policy.EARLY else None,
        )


def _find(s: Session, kind: str, wanted: str, today: date) -> Booking | None:
    """The booking a code or an ID number's hash (``wanted``) names, locked (two taps, or a
    kiosk and the API at once, check in once). By an ID number, of the person's bookings the one
    to check in today if any, else the nearest (its refusal says why: another day, cancelled,
    already checked in)."""
    query = select(Booking).with_for_update().execution_options(populate_existing=True)
    if kind == "code":
        found = bookings.by_code(s, wanted)
        return None if found is None else s.scalar(query.where(Booking.id == found.id))
    found = list(s.scalars(query.where(Booking.id_hash == wanted)))
    if not found:
        return None

    def rank(b: Booking) -> tuple[bool, bool, int, datetime]:
        return (b.day != today, b.status not in _CHECKABLE, abs((b.day - today).days), b.slot_start)

    return min(found, key=rank)


_CHECKABLE = ("booked", "no_show")
