"""The counter console's newer use cases: taking back a no-show, calling a given number out of
turn (特呼), the line the console lists, and the promised date's limits; on SQLite and on
PostgreSQL. Windows and services are those of tests/halls/main.toml: window 5 calls tax (T),
6 real-estate (N), 7 housing-fund (Q), 8-10 social insurance and employment (both L)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from queues import errors, services
from queues.context import Context
from queues.read import counters, tickets
from queues.store.models import Event
from queues.store.numbering import parse_number
from tests.support import Clock

CLERK = "clerk:wang"


@pytest.fixture
def ctx(any_ctx: Context) -> Context:
    return any_ctx


def kinds(ctx: Context) -> list[str]:
    with ctx.db.read() as s:
        return list(s.scalars(select(Event.kind).order_by(Event.id)))


# --- undoing a no-show ---------------------------------------------------------------------------


def test_a_no_show_taken_back_within_seconds_is_called_at_the_window_again(
    ctx: Context, clock: Clock
) -> None:
    services.resume(ctx, 5, CLERK)
    ticket = services.issue(ctx, "tax").ticket
    services.call_next(ctx, 5, CLERK)
    services.no_show(ctx, 5, CLERK)
    clock.advance(seconds=7)
    offer = counters.console(ctx, 5, CLERK).undo
    assert offer is not None and (offer.number, offer.seconds_left) == ("T001", 3)
    back = services.undo_no_show(ctx, 5, CLERK)
    assert (back.number, back.status, back.window) == ("T001", "called", 5)
    assert tickets.ticket(ctx, ticket.id).status == "called"  # the visitor's phone says so too
    view = counters.console(ctx, 5, CLERK)
    assert view.current is not None and view.current.number == "T001" and view.undo is None
    assert view.today.no_shows == 0  # the figures no longer count it
    assert kinds(ctx)[-2:] == ["no_show", "no_show_undone"]
    services.start(ctx, 5, CLERK)  # and the service goes on as if it never happened


def test_undo_is_refused_once_its_seconds_are_over(ctx: Context, clock: Clock) -> None:
    services.resume(ctx, 5, CLERK)
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    services.no_show(ctx, 5, CLERK)
    clock.advance(seconds=11)
    assert counters.console(ctx, 5, CLERK).undo is None
    with pytest.raises(errors.NothingToUndo) as refused:
        services.undo_no_show(ctx, 5, CLERK)
    assert "10 秒" in refused.value.message("zh")
    assert kinds(ctx)[-1] == "no_show"  # nothing written


def test_undo_takes_back_only_your_own_no_show_and_not_over_a_new_call(
    ctx: Context, clock: Clock
) -> None:
    services.resume(ctx, 5, CLERK)
    services.issue(ctx, "tax")
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    services.no_show(ctx, 5, "scheduler")  # the automatic no-show is nobody's to take back
    with pytest.raises(errors.NothingToUndo):
        services.undo_no_show(ctx, 5, CLERK)
    services.call_next(ctx, 5, CLERK)
    services.no_show(ctx, 5, CLERK)
    with pytest.raises(errors.NothingToUndo):
        services.undo_no_show(ctx, 5, "clerk:li")
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)  # the window moved on: T003 is at the window
    assert counters.console(ctx, 5, CLERK).undo is None
    with pytest.raises(errors.WindowBusy):
        services.undo_no_show(ctx, 5, CLERK)
    assert tickets.ticket(ctx, services.issue(ctx, "tax").ticket.id).status == "waiting"


# --- 特呼: calling a given number ----------------------------------------------------------------


def test_a_given_number_is_called_out_of_turn(ctx: Context) -> None:
    services.resume(ctx, 5, CLERK)
    for _ in range(3):
        services.issue(ctx, "tax")
    called = services.call_number(ctx, 5, CLERK, " t3 ")  # as typed in a hurry
    assert (called.number, called.status, called.window) == ("T003", "called", 5)
    with ctx.db.read() as s:
        event = s.scalars(select(Event).where(Event.kind == "called")).one()
    assert event.data["out_of_turn"] is True and event.window_id == 5
    services.finish(ctx, 5, CLERK)
    assert services.call_next(ctx, 5, CLERK).number == "T001"  # the others keep their order


def test_a_number_of_another_service_is_refused_with_the_reason(ctx: Context) -> None:
    services.resume(ctx, 5, CLERK)
    services.issue(ctx, "housing-fund")  # Q001, window 7's
    with pytest.raises(errors.NotForThisWindow) as refused:
        services.call_number(ctx, 5, CLERK, "Q001")
    assert refused.value.message("zh") == (
        "Q001 号办理的是“住房公积金提取、贷款”，5 号窗口不办理，不能特呼。"
    )
    assert refused.value.code == "not_for_this_window"
    assert counters.console(ctx, 5).current is None
    services.resume(ctx, 7, CLERK)  # Q001 still waits, for its own window
    assert services.call_next(ctx, 7, CLERK).number == "Q001"


def test_numbers_not_waiting_here_are_refused_each_with_its_reason(ctx: Context) -> None:
    for window in (5, 6, 7):
        services.resume(ctx, window, CLERK)
    services.issue(ctx, "tax")
    services.issue(ctx, "tax")
    services.call_number(ctx, 5, CLERK, "T001")
    with pytest.raises(errors.WindowBusy):  # the window holds T001
        services.call_number(ctx, 5, CLERK, "T002")
    services.finish(ctx, 5, CLERK)
    with pytest.raises(errors.NotWaiting) as done:
        services.call_number(ctx, 5, CLERK, "T001")
    assert "已办结" in done.value.message("zh") or "done" in done.value.message("en")
    with pytest.raises(errors.UnknownNumber) as unknown:
        services.call_number(ctx, 5, CLERK, "T099")
    assert unknown.value.message("zh") == "今天没有 T099 号。"
    with pytest.raises(errors.InvalidTicketNumber):
        services.call_number(ctx, 5, CLERK, "第二个")
    services.issue(ctx, "real-estate")  # N001
    services.call_next(ctx, 6, CLERK)
    services.transfer(ctx, 6, CLERK, window=7)  # sent on to window 7 by name
    with pytest.raises(errors.SentToAnotherWindow) as sent:
        services.call_number(ctx, 6, CLERK, "N001")
    said = sent.value.message("en")
    assert said == "Ticket N001 was sent to window 7; only that window calls it."
    services.pause(ctx, 5, CLERK, "休息")
    with pytest.raises(errors.WindowPaused):
        services.call_number(ctx, 5, CLERK, "T002")


def test_a_number_called_at_another_window_says_which(ctx: Context) -> None:
    services.resume(ctx, 8, CLERK)
    services.resume(ctx, 9, CLERK)
    services.issue(ctx, "employment")
    services.call_number(ctx, 8, CLERK, "L001")
    with pytest.raises(errors.CalledElsewhere) as refused:
        services.call_number(ctx, 9, CLERK, "L001")
    assert refused.value.message("zh") == "L001 号已被 8 号窗口呼叫。"


def test_the_console_lists_the_line_in_the_order_call_next_calls(
    ctx: Context, clock: Clock
) -> None:
    services.resume(ctx, 5, CLERK)
    services.issue(ctx, "tax")  # T001, 10:00
    clock.advance(minutes=1)
    services.issue(ctx, "tax", "priority")  # T002, priority: first
    clock.advance(minutes=1)
    services.issue(ctx, "tax")  # T003
    clock.advance(minutes=3)
    line = counters.console(ctx, 5).line
    assert [(w.number, w.priority, w.waited_minutes) for w in line] == [
        ("T002", "priority", 4),
        ("T001", "normal", 5),
        ("T003", "normal", 3),
    ]
    called = [services.call_next(ctx, 5, CLERK).number]
    for _ in range(2):
        services.finish(ctx, 5, CLERK)
        called.append(services.call_next(ctx, 5, CLERK).number)
    assert called == ["T002", "T001", "T003"]


def test_the_line_lists_six_of_one_service_not_call_nexts_five(ctx: Context) -> None:
    for _ in range(7):
        services.issue(ctx, "tax")
    view = counters.console(ctx, 5)
    assert [w.number for w in view.line] == ["T001", "T002", "T003", "T004", "T005", "T006"]
    assert view.waiting == 7


def test_numbers_as_a_clerk_types_them() -> None:
    assert parse_number("T012") == ("T", 12)
    assert parse_number(" gz 3 ") == ("GZ", 3)
    assert parse_number("T1000") == ("T", 1000)
    assert [parse_number(x) for x in ("", "T", "12", "T0", "ABC1", "T-1", "T１")] == [None] * 7


# --- the promised date ------------------------------------------------------------------------


def test_promised_dates_must_be_from_today_to_a_year_ahead(ctx: Context) -> None:
    services.resume(ctx, 5, CLERK)
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    today = ctx.business_day()
    assert today == date(2026, 11, 24)
    with pytest.raises(errors.PromisedDateTooFar) as far:
        services.finish(ctx, 5, CLERK, "promised", date(9999, 2, 2))
    said = far.value.message("zh")
    assert said == "承诺办结日期 9999-02-02 太远，最晚可填 2027-11-25。请检查年份。"
    with pytest.raises(errors.PromisedDateInPast):
        services.finish(ctx, 5, CLERK, "promised", today - timedelta(days=1))
    assert counters.console(ctx, 5).current is not None  # nothing lost: still at the window
    done = services.finish(ctx, 5, CLERK, "promised", today + timedelta(days=366))
    assert done.outcome == "promised"


def test_a_phone_number_with_letters_is_refused_in_words(ctx: Context) -> None:
    services.resume(ctx, 5, CLERK)
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    with pytest.raises(errors.InvalidPhone) as refused:
        services.record_visitor(ctx, 5, CLERK, name="王芳", phone="call me")
    assert refused.value.message("en") == (
        "The phone number “call me” may hold only digits, +, -, brackets and spaces."
    )
    services.record_visitor(ctx, 5, CLERK, name="王芳", phone="+86 (010) 1234-5678")
    visitor = counters.console(ctx, 5).visitor
    assert visitor is not None and visitor.phone == "+86 (010) 1234-5678"
