"""The check-in rule (policy.booked_place): early, on time, within grace and late, against the
order the windows call in, first on hand-written candidates, then through issue and call_next."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from queues import services
from queues.context import Context
from queues.rules.policy import Candidate, booked_place, order
from tests.support import Clock, beijing

GRACE = timedelta(minutes=15)
SLOT = beijing(2026, 11, 24, 10, 0)  # the booked slot: 10:00-10:30


def at(hh: int, mm: int, ss: int = 0) -> datetime:
    return beijing(2026, 11, 24, hh, mm, ss)


def walk_in(step_id: int, arrived: datetime) -> Candidate:
    return Candidate(step_id, "tax", "normal", arrived, target_minutes=60)


def booked(step_id: int, arrived: datetime) -> tuple[Candidate, str]:
    place, timing = booked_place(SLOT, arrived, GRACE)
    return Candidate(step_id, "tax", "normal", place, target_minutes=60), timing


def called_order(cands: list[Candidate], now: datetime) -> list[int]:
    return [c.step_id for c in order(cands, now, 5, {"tax": 1})]


def test_early_arrival_waits_for_its_slot_behind_everyone_already_there() -> None:
    b, timing = booked(9, at(9, 40))
    assert timing == "early" and b.queued_at == SLOT
    before = [walk_in(1, at(9, 50)), walk_in(2, at(9, 54)), b]
    # 09:55: the slot has not begun; the booked ticket goes after both walk-ins
    assert called_order(before, at(9, 55)) == [1, 2, 9]
    # 10:10: a walk-in who came at 10:05, after the slot began, goes after it
    assert called_order([*before, walk_in(3, at(10, 5))], at(10, 10)) == [1, 2, 9, 3]


def test_on_time_arrival_takes_the_slot_start() -> None:
    b, timing = booked(9, at(10, 0, 30))
    assert timing == "on_time" and b.queued_at == SLOT
    cands = [walk_in(1, at(9, 50)), b, walk_in(3, at(10, 0, 10))]
    # the walk-in at 10:00:10 arrived before the booked visitor but after the slot began
    assert called_order(cands, at(10, 10)) == [1, 9, 3]


def test_arrival_within_grace_keeps_the_slot() -> None:
    b, timing = booked(9, at(10, 12))
    assert timing == "grace" and b.queued_at == SLOT
    cands = [walk_in(1, at(9, 50)), walk_in(3, at(10, 5)), walk_in(4, at(10, 11)), b]
    assert called_order(cands, at(10, 14)) == [1, 9, 3, 4]


def test_grace_ends_at_its_last_second() -> None:
    assert booked_place(SLOT, SLOT + GRACE, GRACE) == (SLOT, "grace")
    late = SLOT + GRACE + timedelta(seconds=1)
    assert booked_place(SLOT, late, GRACE) == (late, "late")


def test_late_arrival_is_a_walk_in_from_its_arrival() -> None:
    b, timing = booked(9, at(10, 20))
    assert timing == "late" and b.queued_at == at(10, 20)
    cands = [walk_in(1, at(9, 50)), walk_in(3, at(10, 5)), walk_in(4, at(10, 18)), b]
    cands.append(walk_in(5, at(10, 25)))
    assert called_order(cands, at(10, 30)) == [1, 3, 4, 9, 5]


# --- the same through the use cases: issue(place=…) and the window's call_next -------------------


@pytest.fixture
def ctx(any_ctx: Context) -> Context:
    return any_ctx


def test_issue_with_a_place_is_called_at_that_place(ctx: Context, clock: Clock) -> None:
    services.resume(ctx, 5, "clerk:wang")
    clock.set(at(9, 50))
    first = services.issue(ctx, "tax").ticket
    clock.set(at(10, 5))
    after_slot = services.issue(ctx, "tax").ticket
    clock.set(at(10, 12))  # the booked visitor, within grace: place 10:00
    place, timing = booked_place(SLOT, clock.now, GRACE)
    slot_ticket = services.issue(ctx, "tax", place=place).ticket
    assert timing == "grace"
    assert slot_ticket.number == "T003"  # one numbering: the next number, whatever the place
    assert slot_ticket.ahead == 1  # only the 09:50 walk-in is ahead of it
    clock.set(at(10, 20))  # late: a walk-in from 10:20
    place, timing = booked_place(SLOT, clock.now, GRACE)
    late_ticket = services.issue(ctx, "tax", place=place).ticket
    assert timing == "late"
    clock.set(at(10, 25))
    called = []
    for _ in range(4):
        t = services.call_next(ctx, 5, "clerk:wang")
        assert t is not None
        called.append(t.number)
        services.finish(ctx, 5, "clerk:wang")
    assert called == [first.number, slot_ticket.number, after_slot.number, late_ticket.number]


def test_an_early_arrival_is_told_a_wait_of_at_least_until_its_slot(
    ctx: Context, clock: Clock
) -> None:
    services.resume(ctx, 5, "clerk:wang")
    clock.set(at(9, 35))
    place, timing = booked_place(SLOT, clock.now, GRACE)
    early = services.issue(ctx, "tax", place=place).ticket
    assert timing == "early" and early.ahead == 0
    assert early.eta_minutes == 25  # nobody ahead, an open window: still, the turn is at 10:00
    clock.set(at(10, 0))
    walk_in = services.issue(ctx, "tax").ticket  # came at the slot's start: after the booking
    assert walk_in.ahead == 1
