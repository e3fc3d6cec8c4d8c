"""Applying the hall file to the database: idempotent, nothing history needs is deleted, and no
ticket is left at a window the file no longer has."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text, update

from queues import services
from queues.context import Context
from queues.hall import config
from queues.hall.sync import apply_config
from queues.read import boards, counters, tickets
from queues.store.models import Event, ProfileService, Service, Step, Window
from tests.support import MAIN_HALL, Clock, make_context

TEXT = MAIN_HALL.read_text(encoding="utf-8")
LAST_WINDOW = TEXT[TEXT.index("[[windows]]\nid = 12\n") :]
"""Window 12, the notary's: the last thing in the tests' hall file."""


def test_applying_the_same_file_twice_changes_nothing(ctx: Context) -> None:
    assert apply_config(ctx.db, ctx.config) == {
        "zones": 0,
        "services": 0,
        "profiles": 0,
        "windows": 0,
    }


def test_removed_window_is_retired_not_deleted(ctx: Context) -> None:
    services.resume(ctx, 12, "admin:test")
    assert LAST_WINDOW.count("[[windows]]") == 1
    shorter = TEXT.removesuffix(LAST_WINDOW)
    assert apply_config(ctx.db, config.parse(shorter))["windows"] == 1
    assert [w.id for w in counters.windows(ctx)] == list(range(1, 12))
    with ctx.db.read() as s:
        assert s.get(Window, (ctx.hall, 12)).active is False


def test_changed_weight_and_name_are_written(ctx: Context) -> None:
    assert TEXT.count('"employment" = 1.5') == TEXT.count("税务登记与申报") == 1
    text = TEXT.replace('"employment" = 1.5', '"employment" = 3').replace(
        "税务登记与申报", "税务综合服务"
    )
    changed = apply_config(ctx.db, config.parse(text))
    assert changed["profiles"] == 1 and changed["services"] == 1
    with ctx.db.read() as s:
        assert s.get(Service, (ctx.hall, "tax")).name_zh == "税务综合服务"
        weight = s.scalar(
            select(ProfileService.weight).where(
                ProfileService.profile_code == "human-resources",
                ProfileService.service_code == "employment",
            )
        )
        assert weight == 3


# --- a window removed while it holds a ticket -----------------------------------------------

CLERK = "clerk:wang"


def without_window(window: int) -> config.HallConfig:
    """The tests' hall file with window ``window``'s block taken out."""
    start = TEXT.index(f"[[windows]]\nid = {window}\n")
    end = TEXT.find("[[windows]]", start + 1)
    return config.parse(TEXT[:start] + (TEXT[end:] if end != -1 else ""))


def returned(ctx: Context) -> list[Event]:
    with ctx.db.read() as s:
        return list(s.scalars(select(Event).where(Event.kind == "returned_to_queue")))


@pytest.mark.parametrize("held", ["called", "serving"])
def test_ticket_at_a_removed_window_goes_back_to_its_queue_in_its_place(
    any_ctx: Context, clock: Clock, held: str
) -> None:
    ctx = any_ctx
    for window in (8, 9):
        services.resume(ctx, window, CLERK)
    early = services.issue(ctx, "social-insurance").ticket  # L001
    clock.advance(minutes=5)
    later = services.issue(ctx, "social-insurance").ticket  # L002
    services.call_next(ctx, 9, CLERK)
    if held == "serving":
        services.start(ctx, 9, CLERK)
    version = boards.version(ctx, "social")
    clock.advance(minutes=3)

    apply_config(ctx.db, without_window(9), now=ctx.now())

    ticket = tickets.ticket(ctx, early.id)
    assert ticket.status == "waiting" and ticket.window is None
    assert ticket.issued_at == early.issued_at and ticket.called_at is None
    assert boards.version(ctx, "social") > version
    (event,) = returned(ctx)
    assert (event.actor, event.window_id, event.at) == ("system:config", 9, ctx.now())
    assert event.data == {
        "number": early.number,
        "service": "social-insurance",
        "previous": held,
        "reason": "window_removed",
    }
    again = services.call_next(ctx, 8, CLERK)  # before L002, issued later
    assert again.number == early.number != later.number


def test_ticket_sent_to_a_removed_window_goes_back_to_its_service(
    any_ctx: Context, clock: Clock
) -> None:
    ctx = any_ctx
    for window in (8, 9, 10):
        services.resume(ctx, window, CLERK)
    services.issue(ctx, "social-insurance")
    services.call_next(ctx, 8, CLERK)
    moved = services.transfer(ctx, 8, CLERK, window=10)
    assert services.call_next(ctx, 9, CLERK) is None  # only window 10 may call it

    apply_config(ctx.db, without_window(10), now=ctx.now())

    ticket = tickets.ticket(ctx, moved.id)
    assert ticket.status == "waiting" and ticket.target_window is None
    (event,) = returned(ctx)
    assert (event.window_id, event.data["previous"]) == (10, "waiting")
    assert services.call_next(ctx, 9, CLERK).number == moved.number


def test_removing_a_window_that_holds_nothing_writes_no_event(ctx: Context) -> None:
    services.resume(ctx, 9, CLERK)
    apply_config(ctx.db, without_window(9))
    assert returned(ctx) == []
    assert apply_config(ctx.db, without_window(9))["windows"] == 0


@pytest.mark.postgres
def test_ticket_started_while_the_window_is_removed_still_goes_back(
    pg_url: str, clock: Clock
) -> None:
    """PostgreSQL, READ COMMITTED: the clerk starts the ticket while the file is applied. The
    hand-back waits for the start, finds the ticket no longer called, reads it again and gives
    it back as the ticket being served: it is not left at the window."""
    ctx = make_context(pg_url, clock)
    try:
        services.resume(ctx, 9, CLERK)
        early = services.issue(ctx, "social-insurance").ticket
        services.call_next(ctx, 9, CLERK)
        with ctx.db.engine.connect() as clerk:
            starting = clerk.begin()
            clerk.execute(
                update(Step)
                .where(Step.window_id == 9, Step.status == "called")
                .values(status="serving", started_at=ctx.now())
            )
            pid = clerk.scalar(text("SELECT pg_backend_pid()"))
            applying = threading.Thread(
                target=apply_config, args=(ctx.db, without_window(9), ctx.now())
            )
            applying.start()
            waits = text(
                "SELECT count(*) FROM pg_stat_activity WHERE :p = ANY(pg_blocking_pids(pid))"
            )
            deadline = time.monotonic() + 10
            while not ctx.db.scalar(waits, {"p": pid}) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert applying.is_alive(), "the hand-back did not wait for the clerk's start"
            starting.commit()
        applying.join(10)
        assert not applying.is_alive()
        assert tickets.ticket(ctx, early.id).status == "waiting"
        (event,) = returned(ctx)
        assert event.data["previous"] == "serving"
    finally:
        ctx.db.dispose()
