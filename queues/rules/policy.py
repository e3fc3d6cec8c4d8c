"""Which waiting ticket a window calls next.

The rule, in order:

1. A window calls only tickets it may serve: those of the services its work profile lists and not
   sent to another window, and those transferred to this window by name.
2. Classes: the green channel (绿色通道) first, then priority (优先: elderly, disabled, pregnant),
   then normal.
3. **No starvation.** A normal ticket that has waited past its service's target joins the
   priority class and competes there on its wait. A steady stream of fresh priority tickets
   therefore cannot hold back a ticket that is already late: its wait is longer than theirs and
   keeps growing. (Green-channel tickets, few and authorised one by one, still go first.)
4. Within a class, the longest *weighted* wait goes first: the wait since the ticket's place in
   the line (its issue time, kept across transfers) times the weight the window's profile gives
   its service (1 when the profile does not list it, for tickets transferred here by name). A
   weight of 2 makes a service's tickets count twice as long.
5. Ties (equal weighted waits) go to the earlier place in line, then the lower step id.

**Booked visitors** (预约) blend in through their place in line, never through a class of their
own (:func:`booked_place`). A checked-in booking's ticket takes the booked slot's start as its
place (``queued_at``, the field a transfer keeps): it stands behind everyone who came before the
slot began and ahead of the walk-ins who arrive after it began. So it keeps the place the booking
promised without jumping the people already waiting, and the 09:00 rush of walk-ins is not
starved by a column of bookings. Timing, against the slot's start and the hall's grace time:

* **early** (before the slot): the place is the slot's start; the visitor is told the turn starts
  then. Until then its wait counts as nothing, so it goes after every ticket already waiting
  (a window with nobody else to call may still call it early).
* **on time** (at the start or within the slot's first minute): the slot's start.
* **within grace** (up to ``grace_minutes`` after the start): still the slot's start; the minutes
  late are forgiven.
* **late** (past the grace time): the place is the arrival, as any walk-in's.

The functions are pure: the caller loads the candidates and makes the claim atomic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from queues.rules.lifecycle import Priority

CLASS_RANK = {Priority.GREEN: 0, Priority.PRIORITY: 1, Priority.NORMAL: 2}


@dataclass(frozen=True, slots=True)
class Candidate:
    step_id: int
    service: str
    priority: str
    queued_at: datetime
    target_minutes: int
    target_window: int | None = None


def effective_class(c: Candidate, now: datetime) -> int:
    rank = CLASS_RANK.get(c.priority, 2)
    if (
        rank == CLASS_RANK[Priority.NORMAL]
        and (now - c.queued_at).total_seconds() >= c.target_minutes * 60
    ):
        return CLASS_RANK[Priority.PRIORITY]
    return rank


def sort_key(
    c: Candidate, now: datetime, weights: Mapping[str, float]
) -> tuple[int, float, datetime, int]:
    wait = max((now - c.queued_at).total_seconds(), 0.0)
    return (effective_class(c, now), -wait * weights.get(c.service, 1.0), c.queued_at, c.step_id)


def eligible(c: Candidate, window: int, weights: Mapping[str, float]) -> bool:
    if c.target_window is not None:
        return c.target_window == window
    return c.service in weights


def order(
    candidates: Iterable[Candidate],
    now: datetime,
    window: int,
    weights: Mapping[str, float],
) -> list[Candidate]:
    """The tickets ``window`` may call, best first."""
    mine = [c for c in candidates if eligible(c, window, weights)]
    return sorted(mine, key=lambda c: sort_key(c, now, weights))


def choose(
    candidates: Iterable[Candidate],
    now: datetime,
    window: int,
    weights: Mapping[str, float],
) -> Candidate | None:
    ranked = order(candidates, now, window, weights)
    return ranked[0] if ranked else None


# --- booked visitors ---------------------------------------------------------------------------

EARLY, ON_TIME, GRACE, LATE = "early", "on_time", "grace", "late"
TIMINGS = (EARLY, ON_TIME, GRACE, LATE)
ON_TIME_SECONDS = 60
"""Arriving within the slot's first minute counts as on time, not as forgiven lateness."""


def booked_place(
    slot_start: datetime, arrived_at: datetime, grace: timedelta
) -> tuple[datetime, str]:
    """The place in line (``queued_at``) of a booking checked in at ``arrived_at``, and its
    timing: ``early``/``on_time``/``grace`` take the slot's start, ``late`` (past ``grace``) the
    arrival, as a walk-in (see the module's rule)."""
    late_by = (arrived_at - slot_start).total_seconds()
    if late_by < 0:
        return slot_start, EARLY
    if late_by < ON_TIME_SECONDS:
        return slot_start, ON_TIME
    if late_by <= grace.total_seconds():
        return slot_start, GRACE
    return arrived_at, LATE
