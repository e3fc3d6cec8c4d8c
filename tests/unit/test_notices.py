"""Text messages written with what causes them (queues.notices): in the same transaction, once,
with the words a visitor reads (floor, zone and window as every screen says them).

The tests' hall (tests/halls/main.toml): social-insurance (L) is called at windows 8-10 in the
Social Affairs Zone (社会事务区) on the second floor; ``[notify] near`` is 3 (the default).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from queues import errors, notices, services
from queues.context import Context
from queues.store.models import Booking, Notification, Ticket, TicketPhone
from tests.support import beijing

CLERK = "clerk:test"
PHONE = "13812345678"


def open_windows(ctx: Context, *ids: int) -> None:
    for window in ids:
        services.resume(ctx, window, CLERK)


def rows(ctx: Context) -> list[Notification]:
    with ctx.db.read() as s:
        return list(s.scalars(select(Notification).order_by(Notification.id)))


def words(ctx: Context, n: Notification) -> str:
    return notices.render(ctx.config, n.kind, n.lang, n.data)


def test_mobile_numbers_are_checked_and_masked() -> None:
    assert notices.mobile("138 1234 5678") == PHONE
    assert notices.mobile("+86 138-1234-5678") == PHONE
    for bad in ("12812345678", "1381234567", "138123456789", "abc", "", "01012345678"):
        with pytest.raises(errors.InvalidMobile):
            notices.mobile(bad)
    assert notices.mask(PHONE) == "138****5678"


def test_an_opted_in_walk_in_is_told_near_then_called_in_its_own_words(any_ctx: Context) -> None:
    ctx = any_ctx  # SQLite and PostgreSQL: a second write of a notice changes nothing on both
    open_windows(ctx, 8)
    tickets = [services.issue(ctx, "social-insurance").ticket for _ in range(6)]
    mine = tickets[5]  # L006: five people ahead
    assert notices.opt_in(ctx, mine.id, "138 1234 5678", "zh") == "138****5678"
    assert rows(ctx) == []  # five ahead: not near yet

    services.call_next(ctx, 8, CLERK)  # L001 called: four ahead
    assert rows(ctx) == []
    services.finish(ctx, 8, CLERK)
    services.call_next(ctx, 8, CLERK)  # L002 called: three ahead, told once
    [near] = rows(ctx)
    assert (near.kind, near.phone, near.data["ahead"]) == ("near", PHONE, 3)
    assert words(ctx, near) == (
        "【新区政务服务中心】您的 L006 号前面还有 3 人，请回到二楼社会事务区候叫。"
    )
    for _ in range(3):  # L003, L004, L005: no second near text
        services.finish(ctx, 8, CLERK)
        services.call_next(ctx, 8, CLERK)
    assert [n.kind for n in rows(ctx)] == ["near"]

    services.finish(ctx, 8, CLERK)
    called = services.call_next(ctx, 8, CLERK)
    assert called is not None and called.number == "L006"
    near, call = rows(ctx)
    assert call.kind == "called" and call.ticket_id == near.ticket_id
    assert words(ctx, call) == (
        "【新区政务服务中心】L006 号已叫号，请到二楼社会事务区 8 号窗口办理。"
    )
    services.recall(ctx, 8, CLERK)  # a recall sends no second text for the same call
    assert len(rows(ctx)) == 2


def test_english_words_for_an_english_visitor(ctx: Context) -> None:
    open_windows(ctx, 9)
    first = services.issue(ctx, "social-insurance").ticket
    notices.opt_in(ctx, first.id, PHONE, "en")
    [near] = rows(ctx)  # nobody ahead at once: told it is next, straight away
    assert words(ctx, near) == (
        "[New District Service Centre] Ticket L001 is next. "
        "Please come back to Social Affairs Zone, 2nd floor."
    )
    services.call_next(ctx, 9, CLERK)
    call = rows(ctx)[1]
    assert words(ctx, call) == (
        "[New District Service Centre] Ticket L001 is called. "
        "Please go to window 9, Social Affairs Zone, 2nd floor."
    )


def test_a_ticket_without_a_number_gets_no_text(ctx: Context) -> None:
    open_windows(ctx, 8)
    for _ in range(3):
        services.issue(ctx, "social-insurance")
    for _ in range(3):
        services.call_next(ctx, 8, CLERK)
        services.finish(ctx, 8, CLERK)
    assert rows(ctx) == []


def test_the_call_number_path_writes_the_called_text_too(ctx: Context) -> None:
    open_windows(ctx, 10)
    services.issue(ctx, "social-insurance")
    second = services.issue(ctx, "social-insurance").ticket
    notices.opt_in(ctx, second.id, PHONE, "zh")
    services.call_number(ctx, 10, CLERK, "L002")
    assert [n.kind for n in rows(ctx)] == ["near", "called"]
    assert "10 号窗口" in words(ctx, rows(ctx)[1])


def test_notices_are_written_in_the_callers_transaction(ctx: Context) -> None:
    """Rolled back with the call: no notice of a call that never happened."""
    open_windows(ctx, 8)
    mine = services.issue(ctx, "social-insurance").ticket
    with ctx.db.read() as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == mine.id))
        assert ticket is not None
        ticket_id, day = ticket.id, ticket.day
    with pytest.raises(RuntimeError), ctx.db.write() as s:
        notices.give_phone(s, ticket_id, day, PHONE, "zh", ctx.now())
        s.flush()
        assert s.scalar(select(func.count()).select_from(TicketPhone)) == 1
        raise RuntimeError("the use case fails after writing")
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(TicketPhone)) == 0
    notices.opt_in(ctx, mine.id, PHONE, "zh")
    before = len(rows(ctx))
    original = notices.events.bump

    def fail(*_: object, **__: object) -> None:
        raise RuntimeError("the call's last write fails")

    notices.events.bump = fail  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError):
            services.call_next(ctx, 8, CLERK)
    finally:
        notices.events.bump = original  # type: ignore[assignment]
    assert len(rows(ctx)) == before  # the called text went with the call
    assert services.call_next(ctx, 8, CLERK) is not None
    assert [n.kind for n in rows(ctx)][-1] == "called"


def test_opting_in_is_refused_when_it_cannot_help(ctx: Context) -> None:
    open_windows(ctx, 8)
    first = services.issue(ctx, "social-insurance").ticket
    services.call_next(ctx, 8, CLERK)
    with pytest.raises(errors.NotifyTooLate):
        notices.opt_in(ctx, first.id, PHONE, "zh")
    with pytest.raises(errors.UnknownTicket):
        notices.opt_in(ctx, "nope", PHONE, "zh")
    second = services.issue(ctx, "social-insurance").ticket
    with pytest.raises(errors.InvalidMobile):
        notices.opt_in(ctx, second.id, "12345", "zh")
    for n in range(notices.MAX_CHANGES + 1):
        notices.opt_in(ctx, second.id, f"1390000000{n}", "zh")
    with pytest.raises(errors.NotifyChangesSpent):
        notices.opt_in(ctx, second.id, "13900000099", "zh")
    notices.opt_in(ctx, second.id, "13900000003", "zh")  # the same number again is no change


def booking(ctx: Context, code: str, day: date, at: datetime, status: str = "booked") -> int:
    with ctx.db.write() as s:
        b = Booking(
            code=code,
            service_code="social-insurance",
            day=day,
            slot_start=at,
            slot_minutes=30,
            name="张三",
            phone=PHONE,
            lang="zh",
            status=status,
            created_at=ctx.now(),
            person_key="k" * 64,
            reschedules=0,
        )
        s.add(b)
        s.flush()
        notices.booked(s, b, ctx.now())
        notices.booked(s, b, ctx.now())  # twice: written once
        return b.id


def test_a_booking_is_confirmed_once_in_the_visitors_words(ctx: Context) -> None:
    booking(ctx, "AB3K7QPX", date(2026, 11, 26), beijing(2026, 11, 26, 9, 30))
    [confirmed] = rows(ctx)
    assert confirmed.kind == "booked" and confirmed.booking_id is not None
    assert words(ctx, confirmed) == (
        "【新区政务服务中心】预约成功：社保参保登记，11月26日 09:30，预约码 AB3K7QPX。"
        "请按时到二楼社会事务区取号。"
    )


def test_the_reminder_job_writes_only_the_next_working_days_bookings(ctx: Context) -> None:
    """Friday 27 November 2026, 18:00: Monday's bookings are reminded, not Friday's, not
    Tuesday's, not a cancelled one."""
    ctx.clock.set(beijing(2026, 11, 27, 18, 0))  # type: ignore[attr-defined]
    booking(ctx, "FRIDAY01", date(2026, 11, 27), beijing(2026, 11, 27, 16, 0))
    monday = booking(ctx, "MONDAY01", date(2026, 11, 30), beijing(2026, 11, 30, 9, 0))
    booking(ctx, "MONDAY02", date(2026, 11, 30), beijing(2026, 11, 30, 10, 0), "cancelled")
    booking(ctx, "TUESDAY1", date(2026, 12, 1), beijing(2026, 12, 1, 9, 0))
    assert notices.remind(ctx) == 1
    assert notices.remind(ctx) == 0  # the job run twice writes nothing new
    [reminder] = [n for n in rows(ctx) if n.kind == "remind"]
    assert reminder.booking_id == monday
    assert words(ctx, reminder) == (
        "【新区政务服务中心】提醒：您预约了 11月30日 09:00 的社保参保登记，预约码 MONDAY01，"
        "请携带证件按时到二楼社会事务区。"
    )


def test_claim_puts_into_words_and_gives_up_stale_notices(any_ctx: Context) -> None:
    ctx = any_ctx
    open_windows(ctx, 8)
    first = services.issue(ctx, "social-insurance").ticket
    notices.opt_in(ctx, first.id, PHONE, "zh")  # near, at once
    configs = {ctx.hall: ctx.config}
    later = ctx.now() + notices.STALE["near"] + timedelta(seconds=1)
    assert notices.claim(ctx.db, "w", configs, "dummy:", later) == []
    [n] = rows(ctx)
    assert n.status == "failed" and n.last_error is not None
    services.call_next(ctx, 8, CLERK)
    [task] = notices.claim(ctx.db, "w", configs, "dummy:", ctx.now())
    assert task.kind == "called" and "8 号窗口" in task.text
    assert notices.claim(ctx.db, "w2", configs, "dummy:", ctx.now()) == []  # claimed once
    notices.failed(ctx.db, task.id, "gateway 500", ctx.now())
    assert notices.claim(ctx.db, "w", configs, "dummy:", ctx.now()) == []  # backing off
    [again] = notices.claim(ctx.db, "w", configs, "dummy:", ctx.now() + timedelta(seconds=3))
    assert again.text == task.text and again.attempts == 2
    notices.sent(ctx.db, again.id, ctx.now())
    assert rows(ctx)[-1].status == "sent"
    assert notices.claim(ctx.db, "w", configs, "dummy:", ctx.now() + timedelta(minutes=5)) == []


def test_a_checked_in_booking_gives_its_number_for_the_near_and_called_texts(ctx: Context) -> None:
    """What the check-in does in its transaction (the lead wires it): give_phone with the
    booking's number and language; the next calls text the visitor like any opted-in one."""
    open_windows(ctx, 10)
    services.issue(ctx, "social-insurance")
    mine = services.issue(ctx, "social-insurance").ticket
    with ctx.db.write() as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == mine.id))
        assert ticket is not None
        notices.give_phone(s, ticket.id, ticket.day, "13912345678", "en", ctx.now())
    assert rows(ctx) == []  # told at the next call, not at check-in
    services.call_next(ctx, 10, CLERK)
    [near] = rows(ctx)
    assert near.phone == "13912345678" and near.data["ahead"] == 0
    assert words(ctx, near).startswith("[New District Service Centre] Ticket L002 is next.")
    services.finish(ctx, 10, CLERK)
    services.call_next(ctx, 10, CLERK)
    assert [n.kind for n in rows(ctx)] == ["near", "called"]
