"""Appointments (预约): book, cancel and move a slot, look a booking up, the managers' list, the
no-show sweep and the bars of the abuse rule. One transaction per use case, an event for every
change (``booked``, ``booking_rescheduled``, ``booking_cancelled``, ``booking_no_show``,
``booking_barred``, ``booking_bar_lifted``; their data the code, the matter and the slot, never a
name or a number). The rules (days, slots, places, abuse) are :mod:`queues.rules.booking`'s.

**No overbooking.** Bookings of one slot take turns: on PostgreSQL a transaction-level advisory
lock keyed by hall, matter and slot (as the issue limit locks its requester), on SQLite the one
writer lock (``BEGIN IMMEDIATE``); the places taken are counted again inside the transaction,
after the turn came, so the last place goes to one booking only.

**Personal data.** The name and the mobile number are kept on the booking for staff (the list,
the check-in) and the texts; the ID number never: only its keyed hash (:func:`id_hash`), so the
kiosk finds the booking when the number is typed again. The mobile's keyed hash
(``person_key``) is what the abuse rule counts by. The key is the hall network's own, made at
first use and kept in the database like the session key (every process shares it).

**Guessing codes.** A lookup by code from an address (the page, the API) is counted before it is
checked and given back when it names a booking (:mod:`queues.access.throttle`, as sign-ins):
``LOOKUPS.attempts`` codes that name nothing within ``LOOKUPS.window`` lock the address out for
``LOOKUPS.lockout``, however many it sends at once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from queues import errors, notices
from queues.access import throttle
from queues.context import Context
from queues.hall.config import HallConfig, Service
from queues.rules import booking as rule
from queues.rules.booking import Slot
from queues.store import events
from queues.store.db import insert_for
from queues.store.models import Booking, BookingBar, Secret
from queues.text.i18n import Phrase

BOOKED, CHECKED_IN, CANCELLED, NO_SHOW = "booked", "checked_in", "cancelled", "no_show"
STATUSES = (BOOKED, CHECKED_IN, CANCELLED, NO_SHOW)
TAKING = (BOOKED, CHECKED_IN, NO_SHOW)
"""The statuses that hold a place in their slot (a cancelled booking gives it back)."""
LOOKUPS = throttle.Limit(attempts=10, window=timedelta(minutes=10), lockout=timedelta(minutes=15))
LOOKUP_ACCOUNT = "#booking-code"
"""The throttle row's account for booking-code lookups (no user name starts with ``#``)."""
SECRET = "booking"
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
NAME_MAX = 50


# --- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingView:
    """A booking as its holder may see it: no name, the phone masked."""

    code: str
    service: str
    day: date
    slot: datetime
    """The slot's start, in the hall's time zone."""
    minutes: int
    status: str
    check_in_from: datetime
    check_in_until: datetime
    phone_hint: str
    lang: str
    reschedules: int


@dataclass(frozen=True)
class BookingRow(BookingView):
    """A booking as staff see it: with the name and the number."""

    id: int
    name: str
    phone: str
    created_at: datetime
    ticket_id: int | None


@dataclass(frozen=True)
class Day:
    day: date
    left: int


@dataclass(frozen=True)
class BarView:
    id: int
    reason: str
    until: datetime
    created_at: datetime
    lifted_at: datetime | None
    lifted_by: str | None
    name: str | None
    """The name and number of the person's latest booking (staff only)."""
    phone: str | None


def _view(ctx: Context, b: Booking) -> BookingView:
    slot = b.slot_start.astimezone(ctx.tz)
    start, until = rule.check_in_window(ctx.config, slot)
    return BookingView(
        code=b.code,
        service=b.service_code,
        day=b.day,
        slot=slot,
        minutes=b.slot_minutes,
        status=b.status,
        check_in_from=start,
        check_in_until=until,
        phone_hint=notices.mask(b.phone),
        lang=b.lang,
        reschedules=b.reschedules,
    )


def _row(ctx: Context, b: Booking) -> BookingRow:
    v = _view(ctx, b)
    return BookingRow(
        **{k: getattr(v, k) for k in BookingView.__dataclass_fields__},
        id=b.id,
        name=b.name,
        phone=b.phone,
        created_at=b.created_at,
        ticket_id=b.ticket_id,
    )


# --- keys and inputs ----------------------------------------------------------------------------


def _secret(ctx: Context) -> bytes:
    """The network's key for personal hashes, the same for every process; made on first use."""
    cached = ctx.cache.get("booking-secret")
    if cached is not None:
        return cached
    with ctx.db.write() as s:
        found = s.get(Secret, SECRET)
        if found is None:
            s.execute(
                insert_for(ctx.db.dialect)(Secret)
                .values(name=SECRET, value=secrets.token_hex(32))
                .on_conflict_do_nothing(index_elements=[Secret.name])
            )
            found = s.get_one(Secret, SECRET)
        value = found.value.encode()
    ctx.cache["booking-secret"] = value
    return value


def _keyed(ctx: Context, purpose: str, value: str) -> str:
    return hmac.new(_secret(ctx), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def norm_id_number(raw: str) -> str | None:
    """An 18-character resident ID number (its check digit right), upper case; None if not one."""
    number = "".join((raw or "").split()).upper()
    if not _ID_NUMBER.fullmatch(number):
        return None
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return number if _ID_CHECK[total % 11] == number[17] else None


def norm_name(raw: str) -> str:
    """The name as staff will read it, or InvalidName: no control or invisible format characters
    (a zero-width space is no name; a direction override turns the staff list's line round)."""
    name = " ".join((raw or "").split())
    if not 1 <= len(name) <= NAME_MAX or any(
        unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name
    ):
        raise errors.InvalidName()
    return name


def person_key(ctx: Context, phone: str) -> str:
    """The keyed hash of a (normalised) mobile number: who the abuse rule counts."""
    return _keyed(ctx, "phone", phone)


def id_hash(ctx: Context, id_number: str) -> str:
    """The keyed hash of an ID number (the number is never stored); InvalidIdNumber if it is
    not one."""
    number = norm_id_number(id_number)
    if number is None:
        raise errors.InvalidIdNumber()
    return _keyed(ctx, "id", number)


def _lock(s: Session, *parts: str) -> None:
    """Take turns (PostgreSQL) on what ``parts`` name until commit; SQLite's writer lock does it."""
    if s.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(":".join(("hallq-booking", *parts)).encode(), digest_size=8)
    s.execute(_LOCK, {"key": int.from_bytes(digest.digest(), "big", signed=True)})


# --- days and slots -----------------------------------------------------------------------------


def _matter(ctx: Context, service: str) -> Service:
    cfg = ctx.hall_file or ctx.config
    svc = cfg.service(service)
    if svc is None or not svc.kiosk:
        raise errors.UnknownService(service=service)
    if rule.bookable(cfg, service) is None:
        raise errors.NotBookable(name=svc.name)
    return svc


def _cfg(ctx: Context) -> HallConfig:
    """The hall as its file says: a future day's places come from the file's work profiles."""
    return ctx.hall_file or ctx.config


def _taken(s: Session, service: str, days: list[date]) -> dict[datetime, int]:
    rows = s.execute(
        select(Booking.slot_start, func.count())
        .where(
            Booking.service_code == service,
            Booking.day.in_(days),
            Booking.status.in_(TAKING),
        )
        .group_by(Booking.slot_start)
    )
    return {start: int(n) for start, n in rows}


def _slots_of(ctx: Context, svc: Service, day: date, taken: dict[datetime, int]) -> list[Slot]:
    cfg = _cfg(ctx)
    if not rule.offered_on(cfg, svc, day):
        return []
    places = rule.capacity(cfg, svc.code)
    return [
        Slot(start, cfg.booking.slot_minutes, places, taken.get(start, 0))
        for start in (s.astimezone(ctx.tz) for s in rule.slot_starts(cfg, day, ctx.tz))
    ]


def slots(ctx: Context, service: str, day: date) -> list[Slot]:
    """The slots of ``service`` on ``day`` with their places and those taken (none on a day the
    hall or the matter is closed). Any day: whether it can be booked is :func:`days`'s."""
    svc = _matter(ctx, service)
    with ctx.db.read() as s:
        taken = _taken(s, svc.code, [day])
    return _slots_of(ctx, svc, day, taken)


def days(ctx: Context, service: str) -> list[Day]:
    """The days ``service`` can be booked for now, with the places left on each."""
    svc = _matter(ctx, service)
    found = rule.booking_days(_cfg(ctx), svc, ctx.business_day())
    if not found:
        return []
    with ctx.db.read() as s:
        taken = _taken(s, svc.code, found)
    return [Day(d, sum(x.left for x in _slots_of(ctx, svc, d, taken))) for d in found]


def _bookable_slot(ctx: Context, svc: Service, slot: datetime) -> datetime:
    """``slot`` as a slot start of a day ``svc`` can be booked for now (hall-local), or
    NoSuchSlot."""
    cfg = _cfg(ctx)
    try:  # a moment at either end of the calendar has no hall-local day (OverflowError)
        local = slot.astimezone(ctx.tz) if slot.tzinfo else slot.replace(tzinfo=ctx.tz)
    except OverflowError:
        raise errors.NoSuchSlot(name=svc.name, slot=f"{slot:%Y-%m-%d %H:%M}") from None
    start = rule.slot_of(cfg, local, ctx.tz)
    if start is None or local.date() not in rule.booking_days(cfg, svc, ctx.business_day()):
        raise errors.NoSuchSlot(name=svc.name, slot=f"{local:%Y-%m-%d %H:%M}")
    return start


def _slot_words(slot: datetime) -> str:
    return f"{slot:%Y-%m-%d %H:%M}"


# --- booking ------------------------------------------------------------------------------------


def book(
    ctx: Context,
    service: str,
    slot: datetime,
    name: str,
    phone: str,
    lang: str = "zh",
    by: str = "system",
    id_number: str | None = None,
) -> BookingView:
    """Book ``slot`` of ``service`` for a person: their code and check-in times.

    Refused: UnknownService / NotBookable, NoSuchSlot (not a slot of a day it can be booked for),
    InvalidName / InvalidMobile / InvalidIdNumber, BookingBarred (a bar is on, or this booking is
    one too many of the matter that day: the bar is set, and said), SlotFull.
    """
    svc = _matter(ctx, service)
    start = _bookable_slot(ctx, svc, slot)
    name, phone = norm_name(name), notices.mobile(phone)
    hashed_id = id_hash(ctx, id_number) if id_number else None
    person = person_key(ctx, phone)
    for attempt in (1, 2, 3):
        try:
            made = _book(ctx, svc, start, name, phone, lang, by, hashed_id, person)
        except IntegrityError:  # the code was taken meanwhile (1 in 10^10): another code
            if attempt == 3:
                raise
            continue
        if isinstance(made, errors.HallqError):  # the bar was written; now say why
            raise made
        return made
    raise AssertionError("unreachable")


def _held(s: Session, person: str, service: str, day: date) -> int:
    """How many bookings of ``service`` on ``day`` the person holds (a cancelled one is none)."""
    held = s.scalar(
        select(func.count()).where(
            Booking.person_key == person,
            Booking.service_code == service,
            Booking.day == day,
            Booking.status.in_(TAKING),
        )
    )
    return int(held or 0)


def _book(
    ctx: Context,
    svc: Service,
    start: datetime,
    name: str,
    phone: str,
    lang: str,
    by: str,
    hashed_id: str | None,
    person: str,
) -> BookingView | errors.HallqError:
    cfg = _cfg(ctx)
    now = ctx.now()
    with ctx.db.write() as s:
        _lock(s, ctx.hall, svc.code, start.isoformat())
        _lock(s, ctx.hall, "person", person)
        barred = _active_bar(s, person, now)
        if barred is not None:
            raise _barred(ctx, barred)
        held = _held(s, person, svc.code, start.date())
        if rule.over_day_limit(held, cfg.booking.same_matter_per_day):
            bar = _bar(s, ctx, person, "same_matter", now, by)
            return _barred(ctx, bar)  # committed with the bar
        taken = s.scalar(
            select(func.count()).where(
                Booking.service_code == svc.code,
                Booking.slot_start == start,
                Booking.status.in_(TAKING),
            )
        )
        if int(taken or 0) >= rule.capacity(cfg, svc.code):
            raise errors.SlotFull(slot=_slot_words(start))
        code = rule.new_code()
        while s.scalar(select(Booking.id).where(Booking.code == code)) is not None:
            code = rule.new_code()
        row = Booking(
            code=code,
            service_code=svc.code,
            day=start.date(),
            slot_start=start,
            slot_minutes=cfg.booking.slot_minutes,
            name=name,
            phone=phone,
            id_hash=hashed_id,
            lang="en" if lang == "en" else "zh",
            status=BOOKED,
            created_at=now,
            person_key=person,
            reschedules=0,
        )
        s.add(row)
        s.flush()
        _event(s, ctx, "booked", by, now, row)
        if ctx.config.notify.enabled:
            notices.booked(s, row, now)  # the confirmation text, sent after commit
        return _view(ctx, row)


def _event(
    s: Session, ctx: Context, kind: str, by: str, now: datetime, b: Booking, **more: Any
) -> None:
    """The change's event: the code, the matter and the slot (hall-local), never the person."""
    events.record(
        s,
        kind,
        by,
        now,
        code=b.code,
        service=b.service_code,
        slot=b.slot_start.astimezone(ctx.tz).isoformat(),
        **more,
    )


# --- the abuse rule's bars ----------------------------------------------------------------------


def _active_bar(s: Session, person: str, now: datetime) -> BookingBar | None:
    return s.scalars(
        select(BookingBar)
        .where(
            BookingBar.person_key == person,
            BookingBar.lifted_at.is_(None),
            BookingBar.until > now,
        )
        .order_by(BookingBar.until.desc())
        .limit(1)
    ).first()


def _barred(ctx: Context, bar: BookingBar) -> errors.BookingBarred:
    b = _cfg(ctx).booking
    reason = bar.reason
    limit = {
        "no_shows": b.no_shows_per_month,
        "cancels": b.cancels_per_month,
        "same_matter": b.same_matter_per_day,
    }.get(reason, 0)
    until = bar.until.astimezone(ctx.tz)
    return errors.BookingBarred(
        why=lambda lang: Phrase(f"booking.bar.{reason}")(lang).format(limit=limit),
        until=f"{until:%Y-%m-%d %H:%M}",
        reason=reason,
        until_at=until.isoformat(),
    )


def _bar(s: Session, ctx: Context, person: str, reason: str, now: datetime, by: str) -> BookingBar:
    bar = BookingBar(
        person_key=person, reason=reason, until=rule.bar_until(now, _cfg(ctx)), created_at=now
    )
    s.add(bar)
    s.flush()
    events.record(s, "booking_barred", by, now, bar=bar.id, reason=reason)
    return bar


def _last_bar(s: Session, person: str, reason: str) -> datetime | None:
    return s.scalar(
        select(func.max(BookingBar.created_at)).where(
            BookingBar.person_key == person, BookingBar.reason == reason
        )
    )


def _bar_if_repeated(
    s: Session, ctx: Context, person: str, reason: str, now: datetime, by: str
) -> None:
    """After a cancellation or a no-show: bar the person if it makes ``reason``'s count."""
    b = _cfg(ctx).booking
    if reason == "cancels":
        limit = b.cancels_per_month
        moments = s.scalars(
            select(Booking.cancelled_at).where(
                Booking.person_key == person,
                Booking.status == CANCELLED,
                Booking.cancelled_at > now - rule.MONTH,
            )
        )
    else:
        limit = b.no_shows_per_month
        moments = s.scalars(
            select(Booking.slot_start).where(
                Booking.person_key == person,
                Booking.status == NO_SHOW,
                Booking.slot_start > now - rule.MONTH,
            )
        )
    if not limit or _active_bar(s, person, now) is not None:
        return
    if rule.repeated(list(moments), now, limit, after=_last_bar(s, person, reason)):
        _bar(s, ctx, person, reason, now, by)


def bars(ctx: Context, *, lifted: bool = False) -> list[BarView]:
    """The bars in force (``lifted``: also those lifted or over in the last 30 days), newest
    first, each with the name and number of the person's latest booking (staff only)."""
    now = ctx.now()
    with ctx.db.read() as s:
        q = select(BookingBar).order_by(BookingBar.created_at.desc(), BookingBar.id.desc())
        if lifted:
            q = q.where(BookingBar.created_at > now - rule.MONTH)
        else:
            q = q.where(BookingBar.lifted_at.is_(None), BookingBar.until > now)
        found = list(s.scalars(q.limit(500)))
        people: dict[str, tuple[str, str]] = {}
        for bar in found:
            if bar.person_key not in people:
                last = s.execute(
                    select(Booking.name, Booking.phone)
                    .where(Booking.person_key == bar.person_key)
                    .order_by(Booking.created_at.desc())
                    .limit(1)
                ).first()
                people[bar.person_key] = (last.name, last.phone) if last else ("", "")
    return [
        BarView(
            id=b.id,
            reason=b.reason,
            until=b.until.astimezone(ctx.tz),
            created_at=b.created_at.astimezone(ctx.tz),
            lifted_at=b.lifted_at.astimezone(ctx.tz) if b.lifted_at else None,
            lifted_by=b.lifted_by,
            name=people[b.person_key][0] or None,
            phone=people[b.person_key][1] or None,
        )
        for b in found
    ]


def lift_bar(ctx: Context, bar_id: int, by: str) -> BarView:
    """A manager lets the person book again at once."""
    now = ctx.now()
    with ctx.db.write() as s:
        bar = s.scalars(select(BookingBar).where(BookingBar.id == bar_id).with_for_update()).first()
        if bar is None:
            raise errors.UnknownBar(bar=bar_id)
        if bar.lifted_at is None:
            bar.lifted_at, bar.lifted_by = now, by
            events.record(s, "booking_bar_lifted", by, now, bar=bar.id, reason=bar.reason)
        view = BarView(
            id=bar.id,
            reason=bar.reason,
            until=bar.until.astimezone(ctx.tz),
            created_at=bar.created_at.astimezone(ctx.tz),
            lifted_at=bar.lifted_at.astimezone(ctx.tz) if bar.lifted_at else None,
            lifted_by=bar.lifted_by,
            name=None,
            phone=None,
        )
    return view


# --- by the code --------------------------------------------------------------------------------


def by_code(s: Session, code: str) -> Booking | None:
    """The booking with ``code`` (as typed: case, spaces and hyphens do not matter) in the
    session's hall."""
    normal = rule.norm_code(code)
    if normal is None:
        return None
    return s.scalars(select(Booking).where(Booking.code == normal)).first()


def find_for_check_in(s: Session, ctx: Context, key: str) -> Booking | None:
    """The booking a kiosk means by ``key``: a booking code, or an ID number (typed by the card
    reader): then the earliest of today's bookings still to check in made with that number."""
    found = by_code(s, key)
    if found is not None:
        return found
    number = norm_id_number(key)
    if number is None:
        return None
    secret = ctx.cache.get("booking-secret")
    if secret is None:  # read in the caller's transaction (a second one would wait for it)
        found_secret = s.get(Secret, SECRET)
        if found_secret is None:
            return None  # no booking was ever made: none has an ID number
        secret = ctx.cache["booking-secret"] = found_secret.value.encode()
    hashed = hmac.new(secret, f"id:{number}".encode(), hashlib.sha256).hexdigest()
    return s.scalars(
        select(Booking)
        .where(
            Booking.id_hash == hashed,
            Booking.day == ctx.business_day(),
            Booking.status == BOOKED,
        )
        .order_by(Booking.slot_start)
        .limit(1)
    ).first()


def _counted(s: Session, ctx: Context, code: str, client: str | None) -> Booking | None:
    """The booking ``code`` names, the lookup counted against ``client`` (an address) when
    given: refused (BookingLookupsLocked) past the limit; a hit is given back."""
    if client is None:
        return by_code(s, code)
    who = throttle.client_key(client)
    counted = throttle.count(s, who, LOOKUP_ACCOUNT, LOOKUPS, ctx.now())
    if counted.refused:
        raise errors.BookingLookupsLocked(minutes=counted.minutes(ctx.now()))
    found = by_code(s, code)
    if found is not None:
        throttle.give_back(s, who, LOOKUP_ACCOUNT, LOOKUPS)
    return found


def _unknown(code: str) -> errors.UnknownBooking:
    """Said back only when it has a code's shape (not words of the address's choosing)."""
    return errors.UnknownBooking(code=rule.norm_code(code or "") or "?")


def lookup(ctx: Context, code: str, client: str | None = None) -> BookingView:
    """The booking ``code`` names, as its holder sees it (UnknownBooking; BookingLookupsLocked
    for an address that guessed too often)."""
    with ctx.db.write() as s:
        found = _counted(s, ctx, code, client)
        view = _view(ctx, found) if found is not None else None
    if view is None:
        raise _unknown(code)
    return view


def _may_change(ctx: Context, b: Booking, action: str, now: datetime) -> None:
    if b.status != BOOKED or b.slot_start <= now:
        status = b.status if b.status != BOOKED else "started"
        raise errors.BookingNotActive(
            code=b.code,
            status=Phrase(f"booking.status.{status}") if status != "started" else _started,
            action=Phrase(f"booking.action.{action}"),
        )


def _started(lang: str) -> str:
    return "时段已开始" if lang != "en" else "past its start"


def cancel(ctx: Context, code: str, by: str = "system", client: str | None = None) -> BookingView:
    """Cancel a booking before its slot starts: the place goes back; the person's cancellations
    may reach the abuse rule's bar."""
    now = ctx.now()
    with ctx.db.write() as s:
        found = _counted(s, ctx, code, client)
        if found is not None:
            _lock(s, ctx.hall, "person", found.person_key)
            row = s.scalars(select(Booking).where(Booking.id == found.id).with_for_update()).one()
            s.refresh(row)
            _may_change(ctx, row, "cancel", now)
            row.status, row.cancelled_at = CANCELLED, now
            s.flush()
            _event(s, ctx, "booking_cancelled", by, now, row)
            _bar_if_repeated(s, ctx, row.person_key, "cancels", now, by)
            view: BookingView | None = _view(ctx, row)
        else:
            view = None
    if view is None:
        raise _unknown(code)
    return view


def reschedule(
    ctx: Context, code: str, slot: datetime, by: str = "system", client: str | None = None
) -> BookingView:
    """Move a booking to another slot of its matter (before its slot starts; at most
    ``MAX_RESCHEDULES`` times): the same code, the old place given back."""
    now = ctx.now()
    cfg = _cfg(ctx)
    refusal: errors.HallqError | None = None
    with ctx.db.write() as s:
        found = _counted(s, ctx, code, client)
        if found is None:
            view: BookingView | None = None
        else:
            svc = _matter(ctx, found.service_code)
            start = _bookable_slot(ctx, svc, slot)
            # turns in booking's order (the slot, then the person; then the row): no deadlock
            _lock(s, ctx.hall, svc.code, start.isoformat())
            _lock(s, ctx.hall, "person", found.person_key)
            row = s.scalars(select(Booking).where(Booking.id == found.id).with_for_update()).one()
            s.refresh(row)
            _may_change(ctx, row, "reschedule", now)
            if row.reschedules >= rule.MAX_RESCHEDULES:
                raise errors.TooManyReschedules(code=row.code, count=row.reschedules)
            limit = cfg.booking.same_matter_per_day
            if start.date() != row.day and rule.over_day_limit(
                _held(s, row.person_key, svc.code, start.date()), limit
            ):  # one more of the matter on that day, like a booking: barred
                refusal = _barred(ctx, _bar(s, ctx, row.person_key, "same_matter", now, by))
            elif start != row.slot_start.astimezone(ctx.tz):
                taken = s.scalar(
                    select(func.count()).where(
                        Booking.service_code == svc.code,
                        Booking.slot_start == start,
                        Booking.status.in_(TAKING),
                    )
                )
                if int(taken or 0) >= rule.capacity(cfg, svc.code):
                    raise errors.SlotFull(slot=_slot_words(start))
                was = row.slot_start.astimezone(ctx.tz).isoformat()
                row.slot_start, row.day = start, start.date()
                row.reschedules += 1
                s.flush()
                _event(s, ctx, "booking_rescheduled", by, now, row, was=was)
            view = _view(ctx, row)
    if refusal is not None:  # the bar was written; now say why
        raise refusal
    if view is None:
        raise _unknown(code)
    return view


# --- for managers -------------------------------------------------------------------------------


def listing(
    ctx: Context, day: date, service: str | None = None, status: str | None = None
) -> list[BookingRow]:
    """The bookings of ``day`` (of a matter, in a status), by slot: for staff only."""
    with ctx.db.read() as s:
        q = select(Booking).where(Booking.day == day)
        if service:
            q = q.where(Booking.service_code == service)
        if status:
            q = q.where(Booking.status == status)
        rows = list(s.scalars(q.order_by(Booking.slot_start, Booking.service_code, Booking.code)))
        return [_row(ctx, b) for b in rows]


def bookable_services(ctx: Context) -> list[Service]:
    cfg = _cfg(ctx)
    return [svc for svc in cfg.services if rule.bookable(cfg, svc.code) is not None]


# --- the no-show sweep --------------------------------------------------------------------------


def sweep_no_shows(ctx: Context, by: str = "scheduler") -> int:
    """Bookings not checked in by their slot's start plus the grace time become no-shows (and
    a person's no-shows may reach the abuse rule's bar). Answers how many."""
    now = ctx.now()
    cutoff = now - timedelta(minutes=_cfg(ctx).booking.grace_minutes)
    done = 0
    with ctx.db.write() as s:
        due = list(
            s.scalars(
                select(Booking)
                .where(Booking.status == BOOKED, Booking.slot_start < cutoff)
                .order_by(Booking.slot_start)
                .limit(1000)
            )
        )
        people = sorted({b.person_key for b in due})
        for person in people:  # each person's turn before their rows: a cancel takes them so
            _lock(s, ctx.hall, "person", person)
        for b in due:
            moved = s.execute(
                update(Booking)
                .where(Booking.id == b.id, Booking.status == BOOKED)
                .values(status=NO_SHOW)
                .execution_options(synchronize_session=False)
            ).rowcount
            if moved != 1:  # checked in meanwhile
                continue
            done += 1
            _event(s, ctx, "booking_no_show", by, now, b)
        for person in people:
            _bar_if_repeated(s, ctx, person, "no_shows", now, by)
    return done
