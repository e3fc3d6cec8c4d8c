"""特呼 at the same instant as another window's call, many rounds, counted: through gunicorn with
four workers on PostgreSQL, as tests/hostile/test_races.py does the other window actions.

Windows 8 and 9 both call social insurance and employment (tests/halls/main.toml): a visitor's
number called from both at once goes to exactly one of them, once, and the other is told where
it went; never a 500, never one ticket at two windows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select

from queues.access import tokens
from queues.context import Context, utcnow
from queues.rules.lifecycle import HELD
from queues.store.models import Step, Ticket
from tests.hostile.test_races import (
    OK,
    ROUNDS,
    Hall,
    Outcome,
    at_once,
    events_of,
    held,
    issue,
    outcome,
    post,
    release,
)
from tests.support import MAIN_HALL, gunicorn, make_context, postgres_schema, postgres_url


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    base_url = postgres_url()
    if base_url is None:
        pytest.skip("no PostgreSQL configured (set HALLQ_TEST_POSTGRES_URL)")
    folder: Path = tmp_path_factory.mktemp("call-races")
    with (
        postgres_schema(base_url, MAIN_HALL) as url,
        gunicorn(url, folder, hall=MAIN_HALL, workers=4) as (base, _),
    ):
        ctx = make_context(url, open_always=True)
        ctx.clock = utcnow  # the server's clock
        try:
            yield Hall(base, tokens.create_token(ctx, "clerk", "races"), ctx)
        finally:
            ctx.db.dispose()


def windows_holding(ctx: Context, ticket: str) -> int:
    """How many windows hold ticket ``ticket`` (its public id)."""
    with ctx.db.read() as s:
        return s.scalar(
            select(func.count())
            .select_from(Step)
            .join(Ticket, Ticket.id == Step.ticket_id)
            .where(Ticket.public_id == ticket, Step.status.in_(HELD))
        )


@pytest.mark.postgres
def test_two_windows_calling_one_number_at_once_one_wins(hall: Hall) -> None:
    for window in (8, 9):
        assert post(hall, f"/windows/{window}/resume")[0] == 200
    outcomes: Counter[tuple[Outcome, ...]] = Counter()
    winners: Counter[int] = Counter()
    calls: Counter[tuple[int, int]] = Counter()
    for _ in range(ROUNDS):
        ticket = issue(hall, "employment")
        body = {"number": ticket["number"]}
        answers = at_once(
            partial(post, hall, "/windows/8/call", body),
            partial(post, hall, "/windows/9/call", body),
        )
        outcomes[tuple(sorted(map(outcome, answers)))] += 1
        winners[next((w for w, a in zip((8, 9), answers, strict=True) if a[0] == 200), 0)] += 1
        calls[
            events_of(hall.ctx, "called", ticket["id"]), windows_holding(hall.ctx, ticket["id"])
        ] += 1
        assert len(held(hall.ctx, 8)) + len(held(hall.ctx, 9)) == 1
        release(hall.ctx, 8)
        release(hall.ctx, 9)
    assert outcomes == {(OK, (409, "called_elsewhere")): ROUNDS}
    assert calls == {(1, 1): ROUNDS}  # one call, one window, every round
    assert sum(winners.values()) == ROUNDS and 0 not in winners


@pytest.mark.postgres
def test_a_number_called_as_another_window_calls_next_goes_to_one(hall: Hall) -> None:
    for window in (8, 9):
        assert post(hall, f"/windows/{window}/resume")[0] == 200
    outcomes: Counter[tuple[Outcome, Outcome]] = Counter()
    calls: Counter[tuple[int, int]] = Counter()
    for _ in range(ROUNDS):
        ticket = issue(hall, "social-insurance")  # the only one waiting for 8 and 9
        calling_next, calling_it = at_once(
            partial(post, hall, "/windows/8/call-next"),
            partial(post, hall, "/windows/9/call", {"number": ticket["number"]}),
        )
        outcomes[outcome(calling_next), outcome(calling_it)] += 1
        calls[
            events_of(hall.ctx, "called", ticket["id"]), windows_holding(hall.ctx, ticket["id"])
        ] += 1
        release(hall.ctx, 8)
        release(hall.ctx, 9)
    # call-next first (特呼 is told where it went), or 特呼 first (nothing left for call-next)
    assert set(outcomes) <= {(OK, (409, "called_elsewhere")), ((204, ""), OK)}, outcomes
    assert calls == {(1, 1): ROUNDS}


@pytest.mark.postgres
def test_an_undo_and_a_call_at_one_window_at_once_leave_it_one_ticket(hall: Hall) -> None:
    window = 10  # social insurance and employment, like 8 and 9
    assert post(hall, f"/windows/{window}/resume")[0] == 200
    outcomes: Counter[tuple[Outcome, Outcome]] = Counter()
    holding: Counter[int] = Counter()
    for _ in range(ROUNDS):
        issue(hall, "employment")
        issue(hall, "employment")
        assert post(hall, f"/windows/{window}/call-next")[0] == 200
        assert post(hall, f"/windows/{window}/no-show")[0] == 200
        undoing, calling = at_once(
            partial(post, hall, f"/windows/{window}/undo-no-show"),
            partial(post, hall, f"/windows/{window}/call-next"),
        )
        outcomes[outcome(undoing), outcome(calling)] += 1
        holding[len(held(hall.ctx, window))] += 1
        release(hall.ctx, window)
        release(hall.ctx, window)
    assert holding == {1: ROUNDS}  # the ticket taken back, or the next one: never both
    # the undo first (the call is refused: the window holds it), or the call first
    assert set(outcomes) <= {(OK, (409, "window_busy")), ((409, "window_busy"), OK)}, outcomes
