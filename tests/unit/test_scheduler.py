"""The scheduler's jobs and the lock that lets exactly one process run them."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import select

from queues import services
from queues.context import Context
from queues.hall import config as hall_config
from queues.hall.sync import apply_config
from queues.network import Network
from queues.read import alerts, boards, counters, rollups
from queues.store.db import Database
from queues.store.models import Alert, DailyStat, Event, Step
from runtime import scheduler
from tests.support import (
    MAIN_HALL,
    TOWN_HALL,
    Clock,
    beijing,
    make_context,
    postgres_schema,
    postgres_url,
)

CLERK = "user:wang"
DAY = date(2026, 11, 24)


@pytest.fixture
def ctx(any_ctx: Context) -> Context:
    return any_ctx


def statuses(ctx: Context) -> list[str]:
    with ctx.db.read() as s:
        return list(s.scalars(select(Step.status).order_by(Step.id)))


def kinds(ctx: Context, kind: str) -> int:
    with ctx.db.read() as s:
        return len(s.scalars(select(Event.id).where(Event.kind == kind)).all())


# Window 5 calls tax, window 6 real-estate (tests/halls/main.toml).


def test_close_out_expires_leftovers_and_closes_windows(ctx: Context, clock: Clock) -> None:
    services.resume(ctx, 5, CLERK)
    for _ in range(3):
        services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)  # T001 called, two waiting
    clock.set(beijing(2026, 11, 24, 17, 30))
    assert scheduler.close_out(ctx) == 3
    assert statuses(ctx) == ["expired"] * 3
    assert kinds(ctx, "expired") == 3
    assert [w.state for w in counters.windows(ctx)] == ["closed"] * 12
    assert [q.waiting for q in boards.board(ctx).queues] == [0] * 10  # the wallboards show none


def test_a_restart_mid_day_catches_up_without_closing_todays_windows(
    ctx: Context, clock: Clock
) -> None:
    clock.set(beijing(2026, 11, 23, 10, 0))  # Monday: the server went off that afternoon
    services.resume(ctx, 5, CLERK)
    services.issue(ctx, "tax")
    clock.set(beijing(2026, 11, 24, 9, 0))  # Tuesday morning
    services.resume(ctx, 6, CLERK)
    services.issue(ctx, "real-estate")
    expired, rolled = scheduler.catch_up(ctx)
    assert (expired, rolled) == (1, 1)
    states = {w.id: w.state for w in counters.windows(ctx)}
    assert states[5] == "closed" and states[6] == "open"
    assert statuses(ctx) == ["expired", "waiting"]
    with ctx.db.read() as s:
        assert set(s.scalars(select(DailyStat.day).distinct())) == {date(2026, 11, 23)}
    assert scheduler.catch_up(ctx) == (0, 0)  # nothing left to do


def test_auto_no_show_after_the_configured_minutes(ctx: Context, clock: Clock) -> None:
    services.resume(ctx, 5, CLERK)
    services.resume(ctx, 6, CLERK)
    services.issue(ctx, "tax")
    services.issue(ctx, "real-estate")
    services.call_next(ctx, 5, CLERK)
    services.call_next(ctx, 6, CLERK)
    services.start(ctx, 6, CLERK)  # this one came up: never a no-show
    clock.advance(minutes=9)
    assert scheduler.auto_no_show(ctx) == 0
    clock.advance(minutes=2)
    assert scheduler.auto_no_show(ctx) == 1
    assert statuses(ctx) == ["no_show", "serving"]
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    clock.advance(minutes=8)
    services.recall(ctx, 5, CLERK)  # a recall starts the minutes again
    clock.advance(minutes=5)
    assert scheduler.auto_no_show(ctx) == 0


def test_auto_no_show_loses_to_the_clerk_who_acts_in_the_meantime(
    ctx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.resume(ctx, 5, CLERK)
    services.resume(ctx, 6, CLERK)
    services.issue(ctx, "tax")
    services.issue(ctx, "tax")
    services.issue(ctx, "real-estate")
    services.call_next(ctx, 5, CLERK)
    services.call_next(ctx, 6, CLERK)
    clock.advance(minutes=11)  # both overdue when the scheduler looks
    no_show = services.no_show

    def clerks_first(ctx: Context, window: int, actor: str, **kwargs: object) -> object:
        if window == 5:  # between the look and the no-show: T001 came, T002 is called
            services.finish(ctx, 5, CLERK)
            services.call_next(ctx, 5, CLERK)
        else:  # the clerk calls the visitor once more
            services.recall(ctx, 6, CLERK)
        return no_show(ctx, window, actor, **kwargs)

    monkeypatch.setattr(services, "no_show", clerks_first)
    assert scheduler.auto_no_show(ctx) == 0
    assert statuses(ctx) == ["done", "called", "called"]  # T002 just called, not a no-show
    assert kinds(ctx, "no_show") == 0


def test_a_hall_open_around_the_clock_keeps_its_queue_through_the_night(
    ctx: Context, clock: Clock
) -> None:
    ctx.open_always = True
    clock.set(beijing(2026, 11, 23, 22, 0))  # Monday night
    services.resume(ctx, 5, CLERK)
    services.issue(ctx, "tax")
    clock.set(beijing(2026, 11, 24, 17, 30))  # Tuesday, when an ordinary hall closes out
    services.issue(ctx, "tax")
    assert scheduler.close_out(ctx) == 0
    assert scheduler.catch_up(ctx)[0] == 0  # a restart keeps yesterday's queue too
    assert statuses(ctx) == ["waiting", "waiting"]
    assert {w.id: w.state for w in counters.windows(ctx)}[5] == "open"
    clock.set(beijing(2026, 11, 25, 0, 30))  # Wednesday: Monday's ticket is past keeping
    assert scheduler.close_out(ctx) == 1
    assert statuses(ctx) == ["expired", "waiting"]
    assert services.call_next(ctx, 5, CLERK).number == "T002"  # Tuesday's, after midnight
    assert {w.id: w.state for w in counters.windows(ctx)}[5] == "open"


def test_the_roll_up_job_covers_today_and_missed_days(ctx: Context, clock: Clock) -> None:
    clock.set(beijing(2026, 11, 23, 10, 0))
    services.issue(ctx, "tax")
    clock.set(beijing(2026, 11, 24, 23, 50))
    assert scheduler.roll_up(ctx) == 2
    with ctx.db.read() as s:
        assert set(s.scalars(select(DailyStat.day).distinct())) == {date(2026, 11, 23)}
    assert rollups.report(ctx, date(2026, 11, 23), date(2026, 11, 23))["all"].issued == 1


def test_alerts_open_and_close_with_what_holds(ctx: Context, clock: Clock) -> None:
    services.issue(ctx, "tax")
    clock.advance(minutes=25)  # past the 20-minute target
    assert alerts.evaluate(ctx) == (1, 0)
    assert alerts.evaluate(ctx) == (0, 0)  # still open, not raised twice
    open_now = alerts.open_alerts(ctx)
    assert [(a.kind, a.subject) for a in open_now] == [("wait", "tax")]
    assert open_now[0].detail["longest"] == 25
    services.resume(ctx, 5, CLERK)
    services.call_next(ctx, 5, CLERK)
    assert alerts.evaluate(ctx) == (0, 1)
    assert alerts.open_alerts(ctx) == []
    with ctx.db.read() as s:
        assert s.scalar(select(Alert.closed_at)) is not None


def test_a_long_pause_raises_an_alert(ctx: Context, clock: Clock) -> None:
    services.resume(ctx, 5, CLERK)
    services.pause(ctx, 5, CLERK, "休息")
    clock.advance(minutes=31)
    alerts.evaluate(ctx)
    assert [(a.kind, a.subject) for a in alerts.open_alerts(ctx)] == [("pause", "5")]


# --- exactly one runner -----------------------------------------------------------------------


def _runners(url: str, count: int) -> tuple[list[scheduler.Runner], list[str], list[Context]]:
    """``count`` runners on their own contexts (as separate processes would be), each with a
    one-off job two seconds from now that notes which runner ran it."""
    ran: list[str] = []
    guard = threading.Lock()
    runners, contexts = [], []
    when = datetime.now(UTC) + timedelta(seconds=2)
    for i in range(count):
        ctx = make_context(url, Clock())
        name = f"runner-{i}"

        def note(name: str = name) -> None:
            with guard:
                ran.append(name)

        job = ("note", note, DateTrigger(run_date=when))
        runners.append(scheduler.Runner(ctx, extra=[job], name=name, retry=0.2))
        contexts.append(ctx)
    return runners, ran, contexts


def test_two_schedulers_started_together_run_each_job_once(any_url: str) -> None:
    runners, ran, contexts = _runners(any_url, 2)
    try:
        for r in runners:
            r.start()
        time.sleep(3.5)
        assert len(ran) == 1, ran
        assert sum(r.running.is_set() for r in runners) == 1
        first = next(r for r in runners if r.running.is_set())
        other = next(r for r in runners if r is not first)
        first.stop()
        deadline = time.monotonic() + 5
        while not other.running.is_set() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert other.running.is_set()  # the second took over when the first stopped
    finally:
        for r in runners:
            r.stop()
        for c in contexts:
            c.db.dispose()


@pytest.mark.postgres
def test_two_deployments_in_two_schemas_of_one_database_each_run_their_jobs() -> None:
    """Advisory locks belong to the whole database: the runner lock is keyed by schema too, so
    a second hallq in another schema of the same database is not left without its jobs."""
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL configured (set HALLQ_TEST_POSTGRES_URL)")
    with postgres_schema(base, MAIN_HALL) as one, postgres_schema(base, MAIN_HALL) as two:
        first, ran_first, first_contexts = _runners(one, 1)
        second, ran_second, second_contexts = _runners(two, 1)
        runners = first + second
        try:
            for r in runners:
                r.start()
            deadline = time.monotonic() + 10
            while (not ran_first or not ran_second) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert (ran_first, ran_second) == (["runner-0"], ["runner-0"])
            assert all(r.running.is_set() for r in runners)
        finally:
            for r in runners:
                r.stop()
            for c in first_contexts + second_contexts:
                c.db.dispose()


def test_a_day_in_the_past_is_never_the_roll_up_of_today(sqlite_url: str) -> None:
    clock = Clock()
    ctx = make_context(sqlite_url, clock)
    clock.set(beijing(2026, 11, 24, 10, 0))
    services.issue(ctx, "tax")
    assert rollups.days_to_roll_up(ctx) == []  # today is rolled up tonight, not caught up
    clock.set(beijing(2026, 11, 25, 8, 0))
    assert rollups.days_to_roll_up(ctx) == [DAY]
    ctx.db.dispose()


def test_the_runner_lock_answers_no_while_the_database_is_away(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Before: acquire() raised, and the runner's thread died with it."""
    ctx = Context(
        db=Database("postgresql://nobody@127.0.0.1:1/none"), config=make_context("sqlite://").config
    )
    lock = scheduler.RunnerLock(ctx)
    try:
        with caplog.at_level(logging.INFO, logger="hallq.scheduler"):
            assert lock.acquire() is False
            assert lock.acquire() is False
        assert lock.unreachable and not lock.held()
        assert caplog.text.count("cannot be reached for the runner lock") == 1  # said once
    finally:
        ctx.db.dispose()


# --- every hall of a network, each in its own hours -----------------------------------------------


def test_each_hall_runs_its_own_jobs_in_its_own_hours(
    sqlite_url: str, clock: Clock, tmp_path: Path
) -> None:
    """The town here keeps Urumqi time and closes at 18:00: its close-out is at 18:30 there
    (12:30 UTC), the tests' hall's at 17:30 Beijing time (09:30 UTC). Running the town's
    close-out expires the town's leftovers and closes the town's windows only."""
    town_file = tmp_path / "town.toml"
    town_file.write_text(
        TOWN_HALL.read_text(encoding="utf-8")
        .replace('timezone = "Asia/Shanghai"', 'timezone = "Asia/Urumqi"')
        .replace('close = "17:00"', 'close = "18:00"'),
        encoding="utf-8",
    )
    db = Database(sqlite_url)
    apply_config(db, hall_config.load(town_file))
    main = Context(db, hall_config.load(MAIN_HALL), clock)
    town = Context(db, hall_config.load(town_file), clock)
    network = Network({main.hall: main, town.hall: town}, default=main.hall)
    runner = scheduler.Runner(network)
    jobs = {name: (func, trigger) for name, func, trigger in runner.hall_jobs()}
    kinds_of_job = (
        "close-out",
        "roll-up",
        "auto-no-show",
        "alerts",
        "sign-in-tidy",
        "booking-no-shows",
        "remind",
    )
    assert set(jobs) == {
        f"{hall}:{job}" for hall in ("new-district", "town") for job in kinds_of_job
    }
    monday = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    fires = {
        hall: jobs[f"{hall}:close-out"][1].get_next_fire_time(None, monday)
        for hall in ("new-district", "town")
    }
    assert fires["new-district"].astimezone(UTC) == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert fires["town"].astimezone(UTC) == datetime(2026, 11, 23, 12, 30, tzinfo=UTC)
    # the day-before reminders at 18:00 in each hall's own time (Shanghai, Urumqi)
    reminds = {
        hall: jobs[f"{hall}:remind"][1].get_next_fire_time(None, monday)
        for hall in ("new-district", "town")
    }
    assert reminds["new-district"].astimezone(UTC) == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert reminds["town"].astimezone(UTC) == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    clock.set(beijing(2026, 11, 24, 13, 0))  # 11:00 in Urumqi: both halls give tickets
    for ctx, window in ((main, 5), (town, 1)):
        services.resume(ctx, window, CLERK)
        services.issue(ctx, "tax")
    close_town = jobs["town:close-out"][0]
    assert close_town() == 1  # the town's one ticket
    assert boards.service_board(town)[0].waiting == 0
    assert [w.state for w in counters.windows(town)] == ["closed", "closed"]
    assert next(s.waiting for s in boards.service_board(main) if s.code == "tax") == 1
    assert next(w.state for w in counters.windows(main) if w.id == 5) == "open"
    db.dispose()
