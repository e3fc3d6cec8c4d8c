"""Two requests for one window or one ticket at the same instant, many rounds, counted.

Through gunicorn with four workers on PostgreSQL (READ COMMITTED), as a scaled hall runs: each
pair leaves two threads released by one barrier, and every round must end with the hall's rules
intact: a window holds at most one ticket and a closed window none, a transition happens once
(one event), the loser of a pair is told 409 with the reason, and nobody gets a 500. Each test
uses windows and services of its own (of tests/halls/main.toml), so they share one server.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import delete, func, select

from queues import errors, printjobs, project_codes, services
from queues.access import staff, tokens
from queues.access.requesters import Requester
from queues.context import Context, utcnow
from queues.rules.lifecycle import HELD
from queues.store.models import Event, Printer, Rating, Step, Ticket, Window
from tests.support import (
    MAIN_HALL,
    Clock,
    gunicorn,
    http,
    make_context,
    postgres_schema,
    postgres_url,
)

ROUNDS = 30
T = TypeVar("T")
Answer = tuple[int, Any]
Outcome = tuple[int, str]
OK: Outcome = (200, "")
CLERK = "clerk:races"


@dataclass
class Hall:
    base: str
    token: str
    ctx: Context
    """On the server's database and clock, for setting up and for looking at the outcome."""


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    """One hall behind gunicorn with four workers, for every test of this module."""
    base_url = postgres_url()
    if base_url is None:
        pytest.skip("no PostgreSQL configured (set HALLQ_TEST_POSTGRES_URL)")
    folder: Path = tmp_path_factory.mktemp("races")
    with (
        postgres_schema(base_url, MAIN_HALL) as url,
        gunicorn(url, folder, hall=MAIN_HALL, workers=4) as (base, _),
    ):
        ctx = make_context(url, open_always=True)
        ctx.clock = utcnow  # the server's clock: the tickets it issues are today's here too
        try:
            yield Hall(base, tokens.create_token(ctx, "clerk", "races"), ctx)
        finally:
            ctx.db.dispose()


def at_once(*requests: Callable[[], T]) -> list[T]:
    """Run ``requests`` in threads released together by one barrier; their answers in order."""
    barrier = threading.Barrier(len(requests))
    answers: list[Any] = [None] * len(requests)

    def run(i: int) -> None:
        barrier.wait()
        answers[i] = requests[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return answers


def post(hall: Hall, path: str, body: object = None) -> Answer:
    return http(hall.base, "POST", f"/api/v1{path}", body, token=hall.token)


def outcome(answer: Answer) -> Outcome:
    """The status, and the error code when it is an error."""
    status, body = answer
    if status < 400:
        return status, ""
    return status, body["error"]["code"] if isinstance(body, dict) else str(body)[:80]


def issue(hall: Hall, service: str) -> dict[str, Any]:
    status, body = post(hall, "/tickets", {"service": service})
    assert status == 201, body
    return body


def call(hall: Hall, window: int) -> dict[str, Any]:
    status, body = post(hall, f"/windows/{window}/call-next")
    assert status == 200, body
    return body


def held(ctx: Context, window: int) -> list[str]:
    """The numbers of the tickets ``window`` holds (called or being served)."""
    with ctx.db.read() as s:
        return list(
            s.scalars(
                select(Ticket.number)
                .join(Step, Step.ticket_id == Ticket.id)
                .where(Step.window_id == window, Step.status.in_(HELD))
            )
        )


def state(ctx: Context, window: int) -> str:
    with ctx.db.read() as s:
        return s.scalar(select(Window.state).where(Window.id == window))


def events_of(ctx: Context, kind: str, ticket: str) -> int:
    """How many ``kind`` events ticket ``ticket`` (its public id) has."""
    with ctx.db.read() as s:
        return s.scalar(
            select(func.count())
            .select_from(Event)
            .join(Ticket, Ticket.id == Event.ticket_id)
            .where(Event.kind == kind, Ticket.public_id == ticket)
        )


def release(ctx: Context, window: int) -> None:
    """Finish whatever ``window`` holds, however many tickets that is."""
    for _ in range(5):
        try:
            services.finish(ctx, window, CLERK)
        except errors.NoCurrentTicket:
            return


@pytest.mark.postgres
def test_two_calls_at_once_give_the_window_one_ticket(hall: Hall) -> None:
    window = 5  # tax
    assert post(hall, f"/windows/{window}/resume")[0] == 200
    outcomes: Counter[tuple[Outcome, ...]] = Counter()
    holding: Counter[int] = Counter()
    for _ in range(ROUNDS):
        issue(hall, "tax")
        issue(hall, "tax")
        answers = at_once(*[lambda: post(hall, f"/windows/{window}/call-next")] * 2)
        outcomes[tuple(sorted(map(outcome, answers)))] += 1
        holding[len(held(hall.ctx, window))] += 1
        release(hall.ctx, window)
    assert holding == {1: ROUNDS}  # never two tickets at one window
    assert outcomes == {(OK, (409, "window_busy")): ROUNDS}


@pytest.mark.postgres
def test_closing_during_a_call_never_leaves_a_closed_window_holding_a_ticket(hall: Hall) -> None:
    window = 6  # real estate
    ends: Counter[tuple[str, int]] = Counter()
    outcomes: Counter[tuple[Outcome, Outcome]] = Counter()
    for _ in range(ROUNDS):
        assert post(hall, f"/windows/{window}/resume")[0] == 200
        issue(hall, "real-estate")
        calling, closing = at_once(
            lambda: post(hall, f"/windows/{window}/call-next"),
            lambda: post(hall, f"/windows/{window}/close"),
        )
        outcomes[outcome(calling), outcome(closing)] += 1
        ends[state(hall.ctx, window), len(held(hall.ctx, window))] += 1
        release(hall.ctx, window)
    assert ends[("closed", 1)] == 0, ends
    assert set(ends) <= {("open", 1), ("closed", 0)}, ends
    # the call first (the close is refused), or the close first (the call is refused)
    assert set(outcomes) <= {(OK, (409, "window_busy")), ((409, "window_closed"), OK)}, outcomes
    assert sum(outcomes.values()) == ROUNDS


@pytest.mark.postgres
def test_two_finishes_at_once_finish_once(hall: Hall) -> None:
    window = 7  # housing fund
    assert post(hall, f"/windows/{window}/resume")[0] == 200
    outcomes: Counter[tuple[Outcome, ...]] = Counter()
    finished: Counter[int] = Counter()
    for n in range(ROUNDS):
        issue(hall, "housing-fund")
        ticket = call(hall, window)
        if n % 2:  # from serving as well as from called
            assert post(hall, f"/windows/{window}/start")[0] == 200
        answers = at_once(*[lambda: post(hall, f"/windows/{window}/finish", {})] * 2)
        outcomes[tuple(sorted(map(outcome, answers)))] += 1
        finished[events_of(hall.ctx, "finished", ticket["id"])] += 1
    assert finished == {1: ROUNDS}  # one finished event per ticket
    assert outcomes == {(OK, (409, "no_current_ticket")): ROUNDS}


@pytest.mark.postgres
def test_two_ratings_at_once_store_one(hall: Hall) -> None:
    window = 1  # the unified desk
    assert post(hall, f"/windows/{window}/resume")[0] == 200
    outcomes: Counter[tuple[Outcome, ...]] = Counter()
    stored: Counter[int] = Counter()
    for _ in range(ROUNDS):
        ticket = issue(hall, "project-registration")
        call(hall, window)
        assert post(hall, f"/windows/{window}/finish", {})[0] == 200
        rating = f"/tickets/{ticket['id']}/rating"
        answers = at_once(
            partial(post, hall, rating, {"score": 5}), partial(post, hall, rating, {"score": 2})
        )
        outcomes[tuple(sorted(map(outcome, answers)))] += 1
        with hall.ctx.db.read() as s:
            stored[
                s.scalar(
                    select(func.count())
                    .select_from(Rating)
                    .join(Ticket, Ticket.id == Rating.ticket_id)
                    .where(Ticket.public_id == ticket["id"])
                )
            ] += 1
    assert stored == {1: ROUNDS}
    assert outcomes == {(OK, (409, "already_rated")): ROUNDS}  # never a 500


@pytest.mark.postgres
def test_two_transfers_at_once_send_the_ticket_on_once(hall: Hall) -> None:
    window = 11  # civil affairs, sending on to social insurance (whose windows stay closed)
    assert post(hall, f"/windows/{window}/resume")[0] == 200
    outcomes: Counter[tuple[Outcome, ...]] = Counter()
    open_steps: Counter[int] = Counter()
    for _ in range(ROUNDS):
        ticket = issue(hall, "social-assistance")
        call(hall, window)
        body = {"service": "social-insurance"}
        answers = at_once(*[partial(post, hall, f"/windows/{window}/transfer", body)] * 2)
        outcomes[tuple(sorted(map(outcome, answers)))] += 1
        with hall.ctx.db.read() as s:
            open_steps[
                s.scalar(
                    select(func.count())
                    .select_from(Step)
                    .join(Ticket, Ticket.id == Step.ticket_id)
                    .where(Ticket.public_id == ticket["id"], Step.status != "transferred")
                )
            ] += 1
    assert open_steps == {1: ROUNDS}  # one place in line, not two
    assert outcomes == {(OK, (409, "no_current_ticket")): ROUNDS}


@pytest.mark.postgres
def test_two_recalls_at_once_both_count(hall: Hall) -> None:
    window = 4  # public security
    assert post(hall, f"/windows/{window}/resume")[0] == 200
    outcomes: Counter[tuple[Outcome, ...]] = Counter()
    recalls: Counter[tuple[int, int]] = Counter()
    for _ in range(ROUNDS):
        ticket = issue(hall, "seal-filing")
        call(hall, window)
        answers = at_once(*[lambda: post(hall, f"/windows/{window}/recall")] * 2)
        outcomes[tuple(sorted(map(outcome, answers)))] += 1
        with hall.ctx.db.read() as s:
            count = s.scalar(
                select(Step.recalls)
                .join(Ticket, Ticket.id == Step.ticket_id)
                .where(Ticket.public_id == ticket["id"])
            )
        recalls[count, events_of(hall.ctx, "recalled", ticket["id"])] += 1
        release(hall.ctx, window)
    assert outcomes == {(OK, OK): ROUNDS}
    assert recalls == {(2, 2): ROUNDS}  # two recalls, both counted on the ticket


# --- the same rules with the use cases called from threads, on SQLite and on PostgreSQL --------
# Window 5 calls tax, 6 real-estate, 7 housing-fund, 1 project-registration (the unified desk).
# SQLite takes one writer at a time (BEGIN IMMEDIATE), so these hold there by construction; on
# PostgreSQL they race for real, as above, without a web server in between.

SERVICE_ROUNDS = 20


@pytest.fixture
def ctx(any_ctx: Context) -> Context:
    any_ctx.open_always = True
    return any_ctx


def attempt(action: Callable[..., object], *args: Any, **kwargs: Any) -> Callable[[], str]:
    """``action(*args, **kwargs)``, to run later: it answers ``ok``, the code of the refusal, or
    the name of any other exception (what a client would get as a 500)."""

    def run() -> str:
        try:
            action(*args, **kwargs)
        except errors.HallqError as exc:
            return exc.code
        except Exception as exc:
            return type(exc).__name__
        return "ok"

    return run


def test_use_cases_at_once_keep_one_ticket_per_window(ctx: Context) -> None:
    services.resume(ctx, 5, CLERK)
    calls: Counter[tuple[str, ...]] = Counter()
    holding: Counter[int] = Counter()
    for _ in range(SERVICE_ROUNDS):
        services.issue(ctx, "tax")
        services.issue(ctx, "tax")
        calls[tuple(sorted(at_once(*[attempt(services.call_next, ctx, 5, CLERK)] * 2)))] += 1
        holding[len(held(ctx, 5))] += 1
        release(ctx, 5)
    assert holding == {1: SERVICE_ROUNDS}
    assert calls == {("ok", "window_busy"): SERVICE_ROUNDS}


def test_use_cases_at_once_never_close_a_window_holding_a_ticket(ctx: Context) -> None:
    ends: Counter[tuple[str, int]] = Counter()
    for n in range(SERVICE_ROUNDS):
        services.resume(ctx, 6, CLERK)
        services.issue(ctx, "real-estate")
        if n % 2:  # the clerk closing, or the close-out after hours
            closing = attempt(services.close, ctx, 6, CLERK)
        else:
            closing = attempt(services.expire_day, ctx, ctx.business_day())
        at_once(attempt(services.call_next, ctx, 6, CLERK), closing)
        ends[state(ctx, 6), len(held(ctx, 6))] += 1
        release(ctx, 6)
    assert ends[("closed", 1)] == 0, ends
    assert sum(ends.values()) == SERVICE_ROUNDS


@pytest.mark.parametrize(
    ("action", "kind", "kwargs"),
    [
        (services.finish, "finished", {}),
        (services.no_show, "no_show", {}),
        (services.transfer, "transferred", {"service": "tax"}),
    ],
)
def test_use_cases_at_once_change_a_ticket_once(
    ctx: Context, action: Callable[..., object], kind: str, kwargs: dict[str, Any]
) -> None:
    services.resume(ctx, 7, CLERK)
    outcomes: Counter[tuple[str, ...]] = Counter()
    changes: Counter[int] = Counter()
    for _ in range(SERVICE_ROUNDS):
        ticket = services.issue(ctx, "housing-fund").ticket
        services.call_next(ctx, 7, CLERK)
        outcomes[tuple(sorted(at_once(*[attempt(action, ctx, 7, CLERK, **kwargs)] * 2)))] += 1
        changes[events_of(ctx, kind, ticket.id)] += 1
    assert changes == {1: SERVICE_ROUNDS}
    assert outcomes == {("no_current_ticket", "ok"): SERVICE_ROUNDS}


def test_use_cases_at_once_rate_a_ticket_once(ctx: Context) -> None:
    services.resume(ctx, 1, CLERK)
    ratings: Counter[tuple[str, ...]] = Counter()
    for _ in range(SERVICE_ROUNDS):
        rated = services.issue(ctx, "project-registration").ticket
        services.call_next(ctx, 1, CLERK)
        services.finish(ctx, 1, CLERK)
        both = at_once(
            attempt(services.rate, ctx, rated.id, 5), attempt(services.rate, ctx, rated.id, 1)
        )
        ratings[tuple(sorted(both))] += 1
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Rating)) == SERVICE_ROUNDS
    assert ratings == {("already_rated", "ok"): SERVICE_ROUNDS}


def test_wrong_passwords_at_once_all_count_towards_the_lock(ctx: Context) -> None:
    rounds = 3  # every try costs a password hash
    locked: Counter[str] = Counter()
    for n in range(rounds):
        staff.add_user(ctx, f"clerk{n}", "clerk", "the right password")
        guesses = [attempt(staff.sign_in, ctx, f"clerk{n}", "a guess")] * staff.PER_ACCOUNT.attempts
        at_once(*guesses)
        locked[attempt(staff.sign_in, ctx, f"clerk{n}", "the right password")()] += 1
    assert locked == {"sign_in_locked": rounds}  # five guesses at once lock it like five in a row


def test_managers_at_once_on_tokens_and_project_codes(ctx: Context) -> None:
    added: Counter[tuple[str, ...]] = Counter()
    revoked: Counter[tuple[str, ...]] = Counter()
    for n in range(SERVICE_ROUNDS):
        code = f"KP-{n}"
        pair = [attempt(project_codes.add_project_code, ctx, code, "园区", actor="m")] * 2
        added[tuple(sorted(at_once(*pair)))] += 1
        tokens.create_token(ctx, "manager", f"manager-{n}")
        pair = [attempt(tokens.revoke_token, ctx, f"manager-{n}", actor="m")] * 2
        revoked[tuple(sorted(at_once(*pair)))] += 1
    with ctx.db.read() as s:
        kinds = Counter(s.scalars(select(Event.kind).where(Event.kind == "token_revoked")))
    assert added == {("ok", "ok"): SERVICE_ROUNDS}  # the same code twice: both kept, no 500
    assert revoked == {("ok", "unknown_token"): SERVICE_ROUNDS}
    assert kinds == {"token_revoked": SERVICE_ROUNDS}


def test_print_workers_at_once_cancel_a_job_once_and_record_a_new_printer(
    ctx: Context, clock: Clock
) -> None:
    services.resume(ctx, 5, CLERK)
    claims: Counter[int] = Counter()
    reports: Counter[tuple[str, ...]] = Counter()
    for _ in range(SERVICE_ROUNDS):
        clock.advance(minutes=1)  # each round within the kiosks' own limit
        ticket = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
        services.call_next(ctx, 5, CLERK)  # called before it printed: the slip is not needed
        at_once(*[attempt(printjobs.claim, ctx, "worker", kiosks=["k1"])] * 2)
        claims[events_of(ctx, "print_cancelled", ticket.id)] += 1
        release(ctx, 5)
        with ctx.db.write() as s:  # k2's printer has never been heard of
            s.execute(delete(Printer).where(Printer.kiosk == "k2"))
        services.issue(ctx, "housing-fund", by=Requester.at_kiosk("k2"))
        services.issue(ctx, "housing-fund", by=Requester.at_kiosk("k2"))
        jobs = printjobs.claim(ctx, "worker", kiosks=["k2"])
        pair = [attempt(printjobs.succeeded, ctx, job.job_id, "worker") for job in jobs]
        reports[tuple(sorted(at_once(*pair)))] += 1  # the kiosk's first two reports at once
    assert claims == {1: SERVICE_ROUNDS}  # one print_cancelled event per job
    assert reports == {("ok", "ok"): SERVICE_ROUNDS}  # both recorded, neither failed
