"""The kiosk's check-in in its flow (pages/kiosk/flow.py) and on the slip (queues/text/slip.py),
without a browser."""

from __future__ import annotations

from pages.kiosk import flow
from pages.kiosk.flow import Menu, next_state
from queues import checkin
from queues.access.requesters import Requester
from queues.context import Context
from queues.printjobs import claim
from queues.text import slip
from tests.booked import book
from tests.support import Clock, beijing

MENU = Menu(zones=(("general", ("tax",)), ("social", ("pension",))))
ONE_ZONE = Menu(zones=(("general", ("tax",)),))


def test_i_have_a_booking_opens_the_check_in_keypad_and_ok_asks_to_check_in() -> None:
    s = next_state(MENU, flow.start(), ("booking",))
    assert s.screen == "booking" and s.key == ""
    empty = next_state(MENU, s, ("ok",))
    assert (empty.error, empty.pending) == ("checkin.empty", None)
    typed = s.model_copy(update={"key": "ACDE3467"})
    asked = next_state(MENU, typed, ("ok",))
    assert (asked.pending, asked.key) == ("check_in", "ACDE3467")
    back = next_state(MENU, s, ("back",))
    assert back.screen == "home"
    # a hall of one zone starts on its matters: the booking button is there, and back leads there
    first = flow.home(ONE_ZONE)
    assert next_state(ONE_ZONE, next_state(ONE_ZONE, first, ("booking",)), ("back",)) == first


def test_a_scan_checks_in_from_any_screen() -> None:
    how = flow.start().model_copy(update={"screen": "how", "service": "tax", "request": "0" * 32})
    s = next_state(MENU, how, ("scan", " 11010519491231002x "))
    assert (s.screen, s.key, s.pending, s.service) == (
        "booking",
        "11010519491231002X",
        "check_in",
        None,
    )
    assert next_state(MENU, how, ("scan", "ACDE-3467!")) == how  # not what a reader types


def test_the_outcome_shows_the_ticket_or_the_refusal() -> None:
    asked = flow.start().model_copy(
        update={"screen": "booking", "key": "ACDE3467", "pending": "check_in"}
    )
    done = next_state(MENU, asked, ("checked_in", "tid", "early", "10:00"))
    assert (done.screen, done.ticket, done.timing, done.slot) == ("ticket", "tid", "early", "10:00")
    assert done.key == ""  # the next visitor starts with an empty field
    refused = next_state(MENU, asked, ("not_checked_in", "签到还没开始"))
    assert (refused.screen, refused.said, refused.pending) == ("booking", "签到还没开始", None)
    # an outcome nobody asked for changes nothing
    assert next_state(MENU, flow.start(), ("not_checked_in", "x")).said is None


def test_the_slip_of_a_booked_ticket_says_so(ctx: Context, clock: Clock) -> None:
    book(ctx, "ACDE3467", beijing(2026, 11, 24, 10, 30))
    clock.set(beijing(2026, 11, 24, 10, 0))
    checkin.check_in(ctx, "ACDE3467", Requester.at_kiosk("k1"))
    (task,) = claim(ctx, "worker")
    assert task.booked == slip.Booked(slot="10:30", timing="early")
    rows = [
        r.text
        for r in slip.build(task.ticket, ctx.config, base_url="http://h", booked=task.booked).head
    ]
    assert "预约号 Booked ticket" in rows
    assert (
        "您的号从 10:30 开始排，请稍候" in rows and "Your turn starts at 10:30. Please wait" in rows
    )
    late = [r.text for r in slip.booked_rows(slip.Booked(slot="10:30", timing="late"))]
    assert late == [
        "您来晚了，已过预约时间，按现场取号排队",
        "You came after your booking's time: you queue as a walk-in",
    ]
