"""Bookings in the reports: per matter and slot, what was booked and what came of it, and the
wait of booked visitors beside the walk-ins' (issue 13, item 6).

For the bookings of slots on the period's days, by matter and by the slot's start (its time of
day, the period's days together):

* **bookings**: every booking of the slot, whatever became of it;
* **checked in**: bookings checked in (on time, within grace or late);
* **no-shows**: bookings marked no-show (not checked in by the end of their grace);
* **cancelled**: bookings cancelled;
* **check-in rate**: checked in ÷ (checked in + no-shows): the bookings whose day has been
  judged (one still open today, or cancelled, is not counted either way);
* **mean wait, booked / walk-in**: the mean wait of the tickets' first steps called, exactly as
  every figure of the hall defines it (:func:`queues.read.figures.waited_seconds` through
  :class:`~queues.read.figures.Figures`: from entering the queue, the arrival, to the first
  call). Booked: the tickets of checked-in bookings, in their booking's slot. Walk-in: every
  other ticket of the matter, in the slot its issue time falls in (slots start at opening time,
  every ``[booking] slot_minutes``; a ticket taken before opening counts in the first slot).

A matter's line with the slot ``None`` adds its slots up; the last line, matter ``None``, adds up
every matter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, select

from queues.context import Context
from queues.read.figures import Figures
from queues.store.models import Booking, Step, Ticket
from queues.text.i18n import t

SHARES = ("check_in_rate",)
"""Columns that are shares, headed ``report.col.<column>`` as the reports' other shares are (the
workbook formats them as percentages)."""
COLUMNS = (
    "bookings",
    "checked_in",
    "check_in_rate",
    "no_shows",
    "cancelled",
    "wait_booked",
    "wait_walk_in",
)


@dataclass
class Line:
    """One matter in one slot (``slot`` None: the matter's slots together; ``service`` None too:
    every matter)."""

    service: str | None
    slot: str | None
    """The slot's start in the hall's time, ``10:00``."""
    bookings: int = 0
    checked_in: int = 0
    no_shows: int = 0
    cancelled: int = 0
    booked: Figures = field(default_factory=Figures)
    """The booked tickets' first steps, counted as every figure counts them."""
    walk_in: Figures = field(default_factory=Figures)

    @property
    def check_in_rate(self) -> float | None:
        judged = self.checked_in + self.no_shows
        return self.checked_in / judged if judged else None

    @property
    def wait_booked(self) -> float | None:
        return self.booked.wait_mean

    @property
    def wait_walk_in(self) -> float | None:
        return self.walk_in.wait_mean

    def add(self, other: Line) -> None:
        self.bookings += other.bookings
        self.checked_in += other.checked_in
        self.no_shows += other.no_shows
        self.cancelled += other.cancelled
        self.booked.add(other.booked)
        self.walk_in.add(other.walk_in)


def slot_of(ctx: Context, moment: datetime) -> str:
    """The start (``HH:MM``, the hall's time) of the slot ``moment`` falls in: slots start at
    opening time every ``[booking] slot_minutes``; before opening, the first slot."""
    local = ctx.local(moment)
    opening = datetime.combine(local.date(), ctx.config.hours.open, tzinfo=local.tzinfo)
    minutes = ctx.config.booking.slot_minutes
    n = max(int((local - opening).total_seconds() // 60) // minutes, 0)
    return f"{opening + timedelta(minutes=n * minutes):%H:%M}"


def lines(ctx: Context, start: date, end: date) -> list[Line]:
    """The figures of the bookings of ``start`` … ``end`` (see the module's text): a line per
    matter and slot, each matter's total after its slots, the total of all last; no lines when
    nothing was booked."""
    now = ctx.now()
    cells: dict[tuple[str, str], Line] = {}

    def cell(service: str, slot: str) -> Line:
        return cells.setdefault((service, slot), Line(service, slot))

    with ctx.db.read() as s:
        booked_tickets: dict[int, tuple[str, str]] = {}
        for b in s.execute(
            select(
                Booking.service_code, Booking.slot_start, Booking.status, Booking.ticket_id
            ).where(Booking.day >= start, Booking.day <= end)
        ):
            slot = f"{ctx.local(b.slot_start):%H:%M}"
            line = cell(b.service_code, slot)
            line.bookings += 1
            line.checked_in += b.status == "checked_in"
            line.no_shows += b.status == "no_show"
            line.cancelled += b.status == "cancelled"
            if b.ticket_id is not None:
                booked_tickets[b.ticket_id] = (b.service_code, slot)
        if not cells:
            return []
        matters = {service for service, _ in cells}
        for step in s.execute(
            select(Step, Ticket.requested_service_code, Ticket.issued_at)
            .join(Ticket, and_(Ticket.id == Step.ticket_id))
            .where(
                Step.n == 1,
                Step.day >= start,
                Step.day <= end,
                Ticket.requested_service_code.in_(sorted(matters)),
            )
        ):
            first: Any = step[0]
            target = ctx.config.target(first.service_code)
            place = booked_tickets.get(first.ticket_id)
            if place is not None:
                cell(*place).booked.count(first, target, now)
            else:
                line = cell(step.requested_service_code, slot_of(ctx, step.issued_at))
                line.walk_in.count(first, target, now)
    return _with_totals(ctx, cells)


def _with_totals(ctx: Context, cells: dict[tuple[str, str], Line]) -> list[Line]:
    order = [svc.code for svc in ctx.config.services]
    by_matter: dict[str, list[Line]] = defaultdict(list)
    for (service, _slot), line in sorted(cells.items()):
        by_matter[service].append(line)
    out: list[Line] = []
    everything = Line(None, None)
    for service in sorted(by_matter, key=lambda c: (order.index(c) if c in order else 999, c)):
        # the slots walk-ins came in but nobody booked say nothing of bookings: left out
        slots = [line for line in by_matter[service] if line.bookings]
        matter = Line(service, None)
        for line in by_matter[service]:
            matter.add(line)
        out += [*slots, matter]
        everything.add(matter)
    out.append(everything)
    return out


def _one(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(x, digits)


def headings(lang: str) -> list[str]:
    return [t("checkin.report.service", lang), t("checkin.report.slot", lang)] + [
        t(f"report.col.{c}" if c in SHARES else f"checkin.report.{c}", lang) for c in COLUMNS
    ]


def rows(ctx: Context, found: list[Line], lang: str) -> list[list[Any]]:
    """The lines as a table's rows (shares as fractions, minutes to one decimal)."""
    out = []
    for line in found:
        svc = ctx.config.service(line.service) if line.service else None
        if line.service is None:
            label = t("checkin.report.total", lang)
        else:
            label = svc.name(lang) if svc else line.service
        slot = line.slot if line.slot is not None else t("checkin.report.total", lang)
        out.append(
            [
                label,
                slot if line.service is not None else "",
                line.bookings,
                line.checked_in,
                _one(line.check_in_rate, 3),
                line.no_shows,
                line.cancelled,
                _one(line.wait_booked),
                _one(line.wait_walk_in),
            ]
        )
    return out
