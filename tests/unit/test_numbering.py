"""Ticket numbers: contiguous per day and prefix, never twice, under many processes at once."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from queues import services
from queues.context import Context
from queues.read import boards
from queues.store.models import Ticket
from queues.store.numbering import format_number, next_seq
from tests.support import (
    HALLS,
    TUESDAY_10,
    Clock,
    beijing,
    call_until_empty,
    issue_many,
    make_context,
    postgres_schema,
    postgres_url,
    prepare,
)

PROCESSES = 8
PER_PROCESS = 100


def test_format_number_pads_to_three_digits_and_grows() -> None:
    assert format_number("J", 12) == "J012"
    assert format_number("GZ", 7) == "GZ007"
    assert format_number("A", 1234) == "A1234"


def test_midnight_in_beijing_starts_a_new_day(ctx: Context, clock: Clock) -> None:
    ctx.open_always = True
    services.resume(ctx, 5, "clerk:test")  # window 5 calls tax (tests/halls/main.toml)
    clock.set(beijing(2026, 11, 24, 23, 59))
    late = services.issue(ctx, "tax").ticket
    services.call_next(ctx, 5, "clerk:test")
    services.finish(ctx, 5, "clerk:test")
    clock.set(beijing(2026, 11, 25, 0, 1))
    early = services.issue(ctx, "tax").ticket
    assert late.number == early.number == "T001"
    with ctx.db.read() as s:
        days = {t.number: t.day for t in s.scalars(select(Ticket))}
        assert sorted(str(d) for d in s.scalars(select(Ticket.day))) == ["2026-11-24", "2026-11-25"]
    assert len(days) == 1  # the same number on two days
    # 23:59 Beijing is 15:59 UTC: the UTC date would have put both on the 24th
    assert late.issued_at.date() == early.issued_at.date()


def test_after_midnight_numbers_go_on_past_the_tickets_still_waiting(
    ctx: Context, clock: Clock
) -> None:
    ctx.open_always = True  # a hall open around the clock keeps yesterday's queue
    services.resume(ctx, 5, "clerk:test")
    clock.set(beijing(2026, 11, 24, 23, 50))
    yesterday = [services.issue(ctx, "tax").ticket.number for _ in range(3)]
    assert services.call_next(ctx, 5, "clerk:test").number == "T001"
    services.finish(ctx, 5, "clerk:test")
    clock.set(beijing(2026, 11, 25, 0, 5))
    today = [services.issue(ctx, "tax").ticket.number for _ in range(2)]
    assert yesterday == ["T001", "T002", "T003"]
    assert today == ["T004", "T005"]  # T002 and T003 still wait: no second T002
    assert services.issue(ctx, "housing-fund").ticket.number == "Q001"  # nothing of Q is open
    called = []
    for _ in range(4):
        called.append(services.call_next(ctx, 5, "clerk:test").number)
        assert boards.board(ctx, "general").calling[0].number == called[-1]
        services.finish(ctx, 5, "clerk:test")
    assert called == ["T002", "T003", "T004", "T005"]  # yesterday's first, in their order
    clock.set(beijing(2026, 11, 26, 0, 5))
    assert services.issue(ctx, "tax").ticket.number == "T001"  # nothing open: from 1 again


def test_the_day_counter_starts_after_every_open_ticket_of_earlier_days(
    ctx: Context, clock: Clock
) -> None:
    ctx.open_always = True
    clock.set(beijing(2026, 11, 23, 22, 0))
    services.issue(ctx, "tax")  # T001 of Monday, never served
    clock.set(beijing(2026, 11, 24, 22, 0))
    tuesday = [services.issue(ctx, "tax").ticket.number for _ in range(2)]
    clock.set(beijing(2026, 11, 25, 1, 0))
    assert tuesday == ["T002", "T003"]
    assert services.issue(ctx, "tax").ticket.number == "T004"


def test_rolled_back_ticket_gives_its_number_back(ctx: Context) -> None:
    day = ctx.business_day()
    with pytest.raises(RuntimeError), ctx.db.write() as s:
        assert next_seq(s, day, "T") == 1
        raise RuntimeError("the printer spool blew up before commit")
    assert services.issue(ctx, "tax").ticket.number == "T001"


@pytest.mark.parametrize(
    "url_fixture", ["sqlite_url", pytest.param("pg_url", marks=pytest.mark.postgres)]
)
def test_numbers_contiguous_under_many_processes(
    url_fixture: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(url_fixture)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(PROCESSES, mp_context=spawn) as pool:
        futures = [
            pool.submit(issue_many, url, TUESDAY_10.isoformat(), "tax", PER_PROCESS)
            for _ in range(PROCESSES)
        ]
        numbers = [n for f in futures for n in f.result()]
    total = PROCESSES * PER_PROCESS
    assert len(numbers) == total
    duplicates = [n for n, k in Counter(numbers).items() if k > 1]
    assert duplicates == []
    assert sorted(int(n[1:]) for n in numbers) == list(range(1, total + 1))


SIX_WINDOWS = HALLS / "six_windows.toml"
"""Windows 1 to 6, every one calling social-insurance (L), and nothing else."""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def six_windows_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database holding the six-window hall, on SQLite and again on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'six.db'}"
        prepare(url, SIX_WINDOWS)
        yield url
        return
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL configured (set HALLQ_TEST_POSTGRES_URL)")
    with postgres_schema(base, SIX_WINDOWS) as url:
        yield url


def test_windows_calling_at_once_never_share_a_ticket(six_windows_url: str) -> None:
    url = six_windows_url
    ctx = make_context(url, Clock(TUESDAY_10), open_always=True, hall=SIX_WINDOWS)
    issued = [services.issue(ctx, "social-insurance").ticket.number for _ in range(80)]
    assert issued == [f"L{n:03}" for n in range(1, 81)]
    windows = [1, 2, 3, 4, 5, 6]
    for w in windows:
        services.resume(ctx, w, "clerk:test")
    ctx.db.dispose()
    spawn = multiprocessing.get_context("spawn")
    moment = TUESDAY_10.isoformat()
    with ProcessPoolExecutor(len(windows), mp_context=spawn) as pool:
        futures = [pool.submit(call_until_empty, url, moment, w, SIX_WINDOWS) for w in windows]
        called = [n for f in futures for n in f.result()]
    assert sorted(called) == issued  # every ticket called, none twice
