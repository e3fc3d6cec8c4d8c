"""Appointments (预约): which days and slots a matter can be booked in, how many places a slot
has, and the abuse rule. Pure: the hall file and numbers in, answers out.

**Days.** A visitor books one of the next ``[booking] horizon_days`` working days of the hall,
counted from tomorrow (today's places are the walk-ins'): a working day is one of
``hours.days`` that is not in ``hours.holidays``, or a make-up day in ``hours.workdays``
(``Hours.is_working_day``), and the matter must be offered on its weekday (``services.days``).

**Slots.** Slots start at opening time and every ``slot_minutes`` after it; a slot is offered
when it ends by closing time and starts before the last ticket of the day (``hours.issue_until``),
so a booked visitor can always be given a ticket at its start.

**Places in a slot** (:func:`capacity`), for a matter with expected service time ``d`` minutes
(``services.service_minutes``) and a slot of ``L`` minutes::

    places = floor( Σ over the windows whose profile lists the matter of  L / k_w
                    × (1 − walk_in_share) / d )

where ``k_w`` is the number of services window ``w``'s profile lists: a window shares its time
equally among what it serves (weights order the calls; they do not share the time). The share
``walk_in_share`` of that time is kept for walk-ins. Example: 30-minute slots, window 1 serves
tax alone, window 2 tax and notary, tax takes 10 minutes, walk-ins keep 0.4:
``floor((30/1 + 30/2) × 0.6 / 10) = floor(2.7) = 2`` places. Computed in exact fractions, so a
hand-computed 3.0 is 3 and not 2.999….

**Abuse** (:func:`repeated`, :func:`over_day_limit`): a person (their mobile's keyed hash) who
reaches ``no_shows_per_month`` no-shows or ``cancels_per_month`` cancellations within 30 days,
or asks for one more booking of a matter on a day where they already hold
``same_matter_per_day``, is barred from booking for ``bar_days`` days. Only what happened after
their last bar of the same reason counts again (a manager's lift is not undone by the same old
no-shows). A limit of 0 switches its trigger off.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Literal
from zoneinfo import ZoneInfo

from queues.hall.config import WEEKDAYS, HallConfig, Service

MONTH = timedelta(days=30)
"""What "a month" means for the abuse rule: the last 30 days."""
Reason = Literal["no_shows", "cancels", "same_matter"]
REASONS: tuple[Reason, ...] = ("no_shows", "cancels", "same_matter")
ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
"""A booking code's characters: no 0/O, 1/I/L, 2/Z, 5/S, 6/G and 8/B look-alikes."""
CODE_LENGTH = 8
MAX_RESCHEDULES = 2
"""How often one booking may be moved to another slot (more is a cancellation and a booking)."""


@dataclass(frozen=True)
class Slot:
    """One slot of a matter on a day: ``capacity`` places, ``booked`` of them taken."""

    start: datetime
    """Aware, in UTC."""
    minutes: int
    capacity: int
    booked: int = 0

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.booked)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def norm_code(text: str) -> str | None:
    """A code as typed or scanned (lower case, spaces, hyphens) in its stored form, or None when
    it cannot be one."""
    code = "".join(text.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def bookable(cfg: HallConfig, code: str) -> Service | None:
    """The matter ``code`` if it can be booked at all: booking on, in the hall file, on the kiosk,
    ``bookable``, and served by some window."""
    svc = cfg.service(code)
    if not cfg.booking.enabled or svc is None or not (svc.kiosk and svc.bookable):
        return None
    if not cfg.windows_serving.get(svc.code) or not cfg.windows_serving.get(
        svc.first_step or svc.code
    ):
        return None
    return svc


def offered_on(cfg: HallConfig, svc: Service, day: date) -> bool:
    """Whether ``svc`` can be booked for ``day``: a working day of the hall and the matter."""
    return cfg.hours.is_working_day(day) and (not svc.days or WEEKDAYS[day.weekday()] in svc.days)


def booking_days(cfg: HallConfig, svc: Service, today: date) -> list[date]:
    """The days ``svc`` can be booked for, seen on ``today``: the next ``horizon_days`` working
    days of the hall after today, those on which the matter is offered."""
    days: list[date] = []
    day = today
    counted = 0
    for _ in range(400):  # a year of holidays at most
        day += timedelta(days=1)
        if not cfg.hours.is_working_day(day):
            continue
        counted += 1
        if counted > cfg.booking.horizon_days:
            break
        if offered_on(cfg, svc, day):
            days.append(day)
    return days


def slot_starts(cfg: HallConfig, day: date, tz: ZoneInfo) -> list[datetime]:
    """The starts (hall-local, aware) of the day's slots: from opening time, every
    ``slot_minutes``, each ending by closing time and starting before the last ticket."""
    step = timedelta(minutes=cfg.booking.slot_minutes)
    start = datetime.combine(day, cfg.hours.open, tzinfo=tz)
    close = datetime.combine(day, cfg.hours.close, tzinfo=tz)
    last = datetime.combine(day, cfg.hours.last_ticket, tzinfo=tz)
    out = []
    while start + step <= close and start < last:
        out.append(start)
        start += step
    return out


def share_of_windows(cfg: HallConfig, code: str) -> Fraction:
    """How many windows' worth of time serve matter ``code``: Σ 1/k_w over the windows whose
    profile lists it (k_w: the services the window's profile lists)."""
    total = Fraction(0)
    for services in cfg.weights_of_window.values():
        if code in services:
            total += Fraction(1, len(services))
    return total


def capacity(cfg: HallConfig, code: str) -> int:
    """The places one slot of matter ``code`` has (see the module's words)."""
    svc = cfg.service(code)
    if svc is None:
        return 0
    minutes = Fraction(cfg.booking.slot_minutes) * share_of_windows(cfg, code)
    booked_share = 1 - Fraction(str(cfg.booking.walk_in_share))
    return math.floor(minutes * booked_share / Fraction(str(svc.service_minutes)))


def slot_of(cfg: HallConfig, start: datetime, tz: ZoneInfo) -> datetime | None:
    """``start`` as one of its day's slot starts (hall-local), or None when no slot starts then."""
    local = start.astimezone(tz)
    for candidate in slot_starts(cfg, local.date(), tz):
        if candidate == local:
            return candidate
    return None


def check_in_window(cfg: HallConfig, slot_start: datetime) -> tuple[datetime, datetime]:
    """From when until when a booking of ``slot_start`` may be checked in: ``early_minutes``
    before the slot to ``grace_minutes`` after its start (then it is a no-show)."""
    b = cfg.booking
    return (
        slot_start - timedelta(minutes=b.early_minutes),
        slot_start + timedelta(minutes=b.grace_minutes),
    )


# --- the abuse rule -------------------------------------------------------------------------


def repeated(
    moments: Iterable[datetime], now: datetime, limit: int, after: datetime | None = None
) -> bool:
    """Whether ``moments`` (a person's no-shows or cancellations) reach ``limit`` within the last
    30 days, counting only those after ``after`` (their last bar of the same reason). 0: never."""
    if limit <= 0:
        return False
    since = now - MONTH
    if after is not None and after > since:
        since = after
    return sum(1 for m in moments if since < m <= now) >= limit


def over_day_limit(held: int, limit: int) -> bool:
    """Whether one more booking of a matter on a day is too many, the person holding ``held``
    (not cancelled) already. 0: no limit."""
    return limit > 0 and held >= limit


def bar_until(now: datetime, cfg: HallConfig) -> datetime:
    return now + timedelta(days=cfg.booking.bar_days)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The hall-local day as an interval of aware datetimes."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, start + timedelta(days=1)
