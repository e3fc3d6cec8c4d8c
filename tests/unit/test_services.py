"""Every use case of queues.services, with the refusals a clerk or visitor would run into."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from queues import errors, project_codes, services
from queues.access.requesters import Requester
from queues.context import Context
from queues.read import boards, counters, tickets
from queues.store.models import Event, PrintJob, Step, Ticket
from tests.support import Clock, beijing

CLERK = "clerk:wang"


@pytest.fixture
def ctx(any_ctx: Context) -> Context:
    """Every use case runs on SQLite and again on PostgreSQL."""
    return any_ctx


def open_windows(ctx: Context, *ids: int) -> None:
    for window in ids:
        services.resume(ctx, window, CLERK)


def events(ctx: Context, kind: str | None = None) -> list[Event]:
    with ctx.db.read() as s:
        q = select(Event).order_by(Event.id)
        if kind:
            q = q.where(Event.kind == kind)
        return list(s.scalars(q))


# --- issue -------------------------------------------------------------------------------------


def test_issue_gives_numbers_in_order_per_prefix(ctx: Context) -> None:
    a = services.issue(ctx, "tax").ticket
    b = services.issue(ctx, "tax").ticket
    c = services.issue(ctx, "housing-fund").ticket
    assert (a.number, b.number, c.number) == ("T001", "T002", "Q001")
    assert a.status == "waiting" and a.zone == "general"
    assert b.ahead == 1


def test_services_sharing_a_prefix_share_its_sequence(ctx: Context) -> None:
    first = services.issue(ctx, "social-insurance").ticket  # both L in tests/halls/main.toml
    second = services.issue(ctx, "employment").ticket
    assert (first.number, second.number) == ("L001", "L002")


def test_issue_same_request_id_answers_the_first_ticket(ctx: Context) -> None:
    first = services.issue(ctx, "tax", request_id="tap-1")
    again = services.issue(ctx, "tax", request_id="tap-1")
    assert first.created and not again.created
    assert again.ticket.id == first.ticket.id and again.ticket.number == "T001"
    assert services.issue(ctx, "tax").ticket.number == "T002"


def test_issue_request_id_reused_for_another_service_is_refused(ctx: Context) -> None:
    services.issue(ctx, "tax", request_id="tap-2")
    with pytest.raises(errors.RequestIdReused):
        services.issue(ctx, "housing-fund", request_id="tap-2")


def test_issue_unknown_service_is_refused(ctx: Context) -> None:
    with pytest.raises(errors.UnknownService) as info:
        services.issue(ctx, "passport")
    assert "passport" in info.value.message("en")


def test_issue_outside_hours_is_refused_and_issues_nothing(ctx: Context, clock: Clock) -> None:
    clock.set(beijing(2026, 11, 24, 16, 45))  # after the last ticket at 16:30
    with pytest.raises(errors.HallClosed) as info:
        services.issue(ctx, "tax")
    assert "16:30" in info.value.message("zh")
    clock.set(beijing(2026, 11, 28, 10, 0))  # a Saturday
    with pytest.raises(errors.HallClosed):
        services.issue(ctx, "tax")
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 0


def test_open_always_ignores_hours(ctx: Context, clock: Clock) -> None:
    clock.set(beijing(2026, 11, 28, 23, 0))
    ctx.open_always = True
    assert services.issue(ctx, "tax").ticket.number == "T001"


def test_service_offered_only_on_some_days(ctx: Context, clock: Clock) -> None:
    assert services.issue(ctx, "notary").ticket.number == "GZ001"  # Tuesday
    clock.set(beijing(2026, 11, 25, 10, 0))  # Wednesday
    with pytest.raises(errors.ServiceNotOffered):
        services.issue(ctx, "notary")


def test_first_step_routes_to_the_registration_desk(ctx: Context) -> None:
    t = services.issue(ctx, "construction-permit").ticket
    assert t.number == "J001"
    assert t.service == "project-registration" and t.requested_service == "construction-permit"
    assert t.zone == "construction"


def test_green_channel_needs_a_code_or_staff(ctx: Context) -> None:
    with pytest.raises(errors.GreenNotAuthorised):
        services.issue(ctx, "tax", "green")
    with pytest.raises(errors.InvalidProjectCode):
        services.issue(ctx, "tax", "green", project_code="NOPE")
    project_codes.add_project_code(
        ctx, "KP-2026-01", "新能源产业园", valid_until=date(2026, 12, 31)
    )
    assert services.issue(ctx, "tax", "green", project_code="KP-2026-01").ticket.priority == "green"
    assert (
        services.issue(ctx, "tax", "green", by=Requester.staff("user:li")).ticket.priority
        == "green"
    )


def test_expired_project_code_is_refused(ctx: Context) -> None:
    project_codes.add_project_code(ctx, "KP-OLD", "旧项目", valid_until=date(2026, 11, 1))
    with pytest.raises(errors.InvalidProjectCode):
        services.issue(ctx, "tax", "green", project_code="KP-OLD")


def test_rate_limit_per_client_address(ctx: Context, clock: Clock) -> None:
    ctx.issue_limit = 3
    for _ in range(3):
        services.issue(ctx, "tax", by=Requester.visitor("10.0.0.9"))
    with pytest.raises(errors.RateLimited):
        services.issue(ctx, "tax", by=Requester.visitor("10.0.0.9"))
    services.issue(ctx, "tax", by=Requester.visitor("10.0.0.10"))
    clock.advance(seconds=61)
    services.issue(ctx, "tax", by=Requester.visitor("10.0.0.9"))


def test_kiosk_ticket_writes_a_print_job_with_the_ticket(ctx: Context) -> None:
    services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))
    services.issue(ctx, "tax")  # an integration without a printer
    with ctx.db.read() as s:
        jobs = s.scalars(select(PrintJob)).all()
        assert [(j.kiosk, j.status) for j in jobs] == [("k1", "pending")]


def test_issue_writes_an_event_with_who(ctx: Context) -> None:
    t = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
    (e,) = events(ctx, "issued")
    assert t.number == "T001" and e.actor == "kiosk:k1" and e.data["number"] == "T001"


# --- a window's day ----------------------------------------------------------------------------


# Window 5 calls tax, window 7 housing-fund (tests/halls/main.toml).


def test_every_window_starts_closed_and_refuses_to_call(ctx: Context) -> None:
    services.issue(ctx, "tax")
    with pytest.raises(errors.WindowClosed):
        services.call_next(ctx, 5, CLERK)


def test_call_next_calls_and_finish_records_outcome(ctx: Context, clock: Clock) -> None:
    open_windows(ctx, 5)
    t = services.issue(ctx, "tax").ticket
    clock.advance(minutes=4)
    called = services.call_next(ctx, 5, CLERK)
    assert called is not None and t.number == called.number == "T001"
    assert called.status == "called" and called.window == 5
    clock.advance(minutes=1)
    serving = services.start(ctx, 5, CLERK)
    assert serving.status == "serving"
    clock.advance(minutes=9)
    done = services.finish(ctx, 5, CLERK, "done")
    assert done.status == "done" and done.outcome == "done"
    assert (done.finished_at - done.started_at) == timedelta(minutes=9)
    assert [e.kind for e in events(ctx)][-4:] == ["issued", "called", "started", "finished"]


def test_call_next_with_nobody_waiting_answers_none(ctx: Context) -> None:
    open_windows(ctx, 5)
    assert services.call_next(ctx, 5, CLERK) is None


def test_window_calls_only_its_own_services(ctx: Context) -> None:
    open_windows(ctx, 5)
    services.issue(ctx, "housing-fund")
    assert services.call_next(ctx, 5, CLERK) is None


def test_call_next_refused_while_window_holds_a_ticket(ctx: Context) -> None:
    open_windows(ctx, 5)
    services.issue(ctx, "tax")
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    with pytest.raises(errors.WindowBusy) as info:
        services.call_next(ctx, 5, CLERK)
    assert "T001" in info.value.message("zh")


def test_paused_window_refuses_to_call_until_resumed(ctx: Context) -> None:
    open_windows(ctx, 5)
    services.issue(ctx, "tax")
    w = services.pause(ctx, 5, CLERK, "午休")
    assert w.state == "paused" and w.state_reason == "午休"
    with pytest.raises(errors.WindowPaused):
        services.call_next(ctx, 5, CLERK)
    services.resume(ctx, 5, CLERK)
    assert services.call_next(ctx, 5, CLERK) is not None


def test_pause_a_closed_window_is_refused(ctx: Context) -> None:
    with pytest.raises(errors.WindowClosed):
        services.pause(ctx, 5, CLERK, "break")


def test_close_refused_while_holding_a_ticket(ctx: Context) -> None:
    open_windows(ctx, 5)
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    with pytest.raises(errors.WindowBusy):
        services.close(ctx, 5, CLERK)
    services.no_show(ctx, 5, CLERK)
    assert services.close(ctx, 5, CLERK).state == "closed"


def test_unknown_window_is_refused(ctx: Context) -> None:
    with pytest.raises(errors.UnknownWindow):
        services.resume(ctx, 99, CLERK)


def test_recall_only_a_called_ticket(ctx: Context, clock: Clock) -> None:
    open_windows(ctx, 5)
    services.issue(ctx, "tax")
    with pytest.raises(errors.NoCurrentTicket):
        services.recall(ctx, 5, CLERK)
    services.call_next(ctx, 5, CLERK)
    clock.advance(seconds=40)
    again = services.recall(ctx, 5, CLERK)
    assert again.status == "called"
    board = boards.board(ctx)
    assert board.calling[0].called_at == clock.now  # the recall shows as the latest call
    services.start(ctx, 5, CLERK)
    with pytest.raises(errors.WrongState):
        services.recall(ctx, 5, CLERK)


def test_start_twice_is_refused(ctx: Context) -> None:
    open_windows(ctx, 5)
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    services.start(ctx, 5, CLERK)
    with pytest.raises(errors.WrongState):
        services.start(ctx, 5, CLERK)


def test_finish_straight_from_called_counts_service_from_the_call(
    ctx: Context, clock: Clock
) -> None:
    open_windows(ctx, 5)
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    clock.advance(minutes=3)
    done = services.finish(ctx, 5, CLERK, "consult")
    assert done.outcome == "consult" and done.started_at == done.called_at


def test_promised_outcome_needs_a_date_not_in_the_past(ctx: Context) -> None:
    open_windows(ctx, 5)
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    with pytest.raises(errors.PromisedDateRequired):
        services.finish(ctx, 5, CLERK, "promised")
    with pytest.raises(errors.PromisedDateInPast):
        services.finish(ctx, 5, CLERK, "promised", date(2026, 11, 1))
    done = services.finish(ctx, 5, CLERK, "promised", date(2026, 12, 4))
    assert done.outcome == "promised" and done.promised_date == date(2026, 12, 4)


def test_finish_with_nothing_held_is_refused(ctx: Context) -> None:
    open_windows(ctx, 5)
    with pytest.raises(errors.NoCurrentTicket):
        services.finish(ctx, 5, CLERK)


def test_no_show_only_for_a_called_ticket(ctx: Context) -> None:
    open_windows(ctx, 5)
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    services.start(ctx, 5, CLERK)
    with pytest.raises(errors.WrongState):
        services.no_show(ctx, 5, CLERK)


def test_no_show_frees_the_window(ctx: Context) -> None:
    open_windows(ctx, 5)
    services.issue(ctx, "tax")
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    assert services.no_show(ctx, 5, CLERK).status == "no_show"
    assert services.call_next(ctx, 5, CLERK).number == "T002"


# --- transfer ----------------------------------------------------------------------------------


def test_transfer_keeps_number_and_issue_time(ctx: Context, clock: Clock) -> None:
    open_windows(ctx, 1, 3)  # the unified desk, and the permits window
    desk = services.issue(ctx, "construction-permit").ticket
    clock.advance(minutes=1)
    services.call_next(ctx, 1, CLERK)
    services.start(ctx, 1, CLERK)
    clock.advance(minutes=20)
    moved = services.transfer(ctx, 1, CLERK, service="construction-permit")
    assert moved.number == desk.number == "J001" and moved.status == "waiting"
    assert moved.service == "construction-permit" and moved.issued_at == desk.issued_at
    assert moved.zone == "construction"
    called = services.call_next(ctx, 3, CLERK)
    assert called.number == "J001" and called.window == 3


def test_transferred_ticket_keeps_its_place_before_later_tickets(
    ctx: Context, clock: Clock
) -> None:
    open_windows(ctx, 8, 11)  # human resources (L), civil affairs (M)
    early = services.issue(ctx, "social-assistance").ticket  # M001 at 10:00
    clock.advance(minutes=10)
    later = services.issue(ctx, "social-insurance").ticket  # L001 at 10:10
    services.call_next(ctx, 11, CLERK)
    clock.advance(minutes=2)
    services.transfer(ctx, 11, CLERK, service="social-insurance")  # M001 to the L line
    called = services.call_next(ctx, 8, CLERK)
    assert (early.number, later.number) == ("M001", "L001")
    assert called.number == "M001"  # before L001, taken ten minutes after it


def test_transfer_to_a_window_only_that_window_calls_it(ctx: Context) -> None:
    open_windows(ctx, 8, 9, 10)  # three windows calling social-insurance
    services.issue(ctx, "social-insurance")
    services.call_next(ctx, 8, CLERK)
    moved = services.transfer(ctx, 8, CLERK, window=10)
    assert moved.status == "waiting" and moved.number == "L001"
    assert services.call_next(ctx, 9, CLERK) is None
    assert services.call_next(ctx, 10, CLERK).number == "L001"


def test_transfer_needs_exactly_one_target(ctx: Context) -> None:
    open_windows(ctx, 5)
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    with pytest.raises(errors.TransferTargetRequired):
        services.transfer(ctx, 5, CLERK)
    with pytest.raises(errors.TransferTargetRequired):
        services.transfer(ctx, 5, CLERK, service="housing-fund", window=7)
    with pytest.raises(errors.UnknownService):
        services.transfer(ctx, 5, CLERK, service="passport")
    with pytest.raises(errors.UnknownTargetWindow):
        services.transfer(ctx, 5, CLERK, window=77)


def test_transfer_records_both_steps(ctx: Context) -> None:
    open_windows(ctx, 5)
    t = services.issue(ctx, "tax").ticket
    services.call_next(ctx, 5, CLERK)
    services.transfer(ctx, 5, CLERK, service="housing-fund")
    with ctx.db.read() as s:
        steps = s.scalars(select(Step).order_by(Step.n)).all()
        assert [(x.n, x.service_code, x.status) for x in steps] == [
            (1, "tax", "transferred"),
            (2, "housing-fund", "waiting"),
        ]
    assert tickets.ticket(ctx, t.id).service == "housing-fund"
    (e,) = events(ctx, "transferred")
    assert e.data == {"from_service": "tax", "to_service": "housing-fund", "to_window": None}


# --- close-out -----------------------------------------------------------------------------


def test_expire_day_closes_out_yesterday(ctx: Context, clock: Clock) -> None:
    open_windows(ctx, 5)
    a = services.issue(ctx, "tax").ticket
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    clock.set(beijing(2026, 11, 25, 8, 0))  # next morning
    assert services.expire_day(ctx) == 2
    assert tickets.ticket(ctx, a.id).status == "expired"
    assert [(w.id, w.state) for w in counters.windows(ctx)] == [(n, "closed") for n in range(1, 13)]
    assert len(events(ctx, "expired")) == 2
    assert services.expire_day(ctx) == 0


def test_expire_day_leaves_today_alone(ctx: Context) -> None:
    services.issue(ctx, "tax")
    assert services.expire_day(ctx) == 0


def test_yesterdays_leftovers_are_not_called_today(ctx: Context, clock: Clock) -> None:
    services.issue(ctx, "tax")
    clock.set(beijing(2026, 11, 25, 9, 30))
    open_windows(ctx, 5)
    assert services.call_next(ctx, 5, CLERK) is None


# --- what screens see --------------------------------------------------------------------------


def test_every_change_moves_the_zone_board_version(ctx: Context) -> None:
    v0 = boards.version(ctx, "general")
    s0 = boards.version(ctx, "social")
    open_windows(ctx, 5)
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    v1 = boards.version(ctx, "general")
    assert v1 >= v0 + 3
    assert boards.version(ctx, "social") == s0
    services.recall(ctx, 5, CLERK)
    assert boards.version(ctx, "general") == v1 + 1
    assert boards.version(ctx) == boards.version(ctx, "general") + boards.version(
        ctx, "construction"
    ) + boards.version(ctx, "social")


def test_board_shows_calls_newest_first_and_queues(ctx: Context, clock: Clock) -> None:
    open_windows(ctx, 5, 7)
    services.issue(ctx, "tax")
    services.issue(ctx, "housing-fund")
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    clock.advance(seconds=30)
    services.call_next(ctx, 7, CLERK)
    board = boards.board(ctx, "general")
    assert [(c.number, c.window) for c in board.calling] == [("Q001", 7), ("T001", 5)]
    assert [(q.zone, q.service, q.waiting) for q in board.queues] == [
        ("general", "tax", 1),
        ("general", "real-estate", 0),
        ("general", "housing-fund", 0),
    ]
    # a newcomer waits for T002 (10 minutes of tax) and for what is left of T001, called at
    # window 5 half a minute ago (9.5 of its 10): 19.5, said as 20
    assert board.queues[0].eta_minutes == 20
    with pytest.raises(errors.UnknownZone):
        boards.board(ctx, "nowhere")


def test_ticket_view_ahead_and_eta(ctx: Context) -> None:
    first = services.issue(ctx, "tax").ticket
    second = services.issue(ctx, "tax").ticket
    assert second.ahead == 1 and second.eta_minutes is None  # no window open
    open_windows(ctx, 5)
    now = tickets.ticket(ctx, second.id)
    assert now.ahead == 1 and now.eta_minutes == 10  # one tax ticket of 10 minutes ahead
    assert tickets.ticket(ctx, first.id).eta_minutes == 0


def test_service_board_says_why_a_service_cannot_be_taken(ctx: Context, clock: Clock) -> None:
    board = {s.code: s for s in boards.service_board(ctx)}
    assert board["tax"].open and board["tax"].reason is None
    clock.set(beijing(2026, 11, 25, 10, 0))  # Wednesday: no notary
    board = {s.code: s for s in boards.service_board(ctx)}
    assert board["notary"].reason == "service_not_offered" and not board["notary"].open
    clock.set(beijing(2026, 11, 25, 20, 0))
    evening = boards.service_board(ctx)
    assert len(evening) == 10 and {s.reason for s in evening} == {"hall_closed"}


def test_windows_view_shows_current_ticket(ctx: Context) -> None:
    open_windows(ctx, 5)
    t = services.issue(ctx, "tax").ticket
    services.call_next(ctx, 5, CLERK)
    w = next(w for w in counters.windows(ctx) if w.id == 5)
    assert w.state == "open" and t.number == w.current.number == "T001" and w.services == ["tax"]


def test_state_changes_record_the_actor(ctx: Context) -> None:
    services.resume(ctx, 5, "clerk:li")
    services.pause(ctx, 5, "clerk:li", "培训")
    kinds = [(e.kind, e.actor, e.window_id) for e in events(ctx)]
    assert kinds[-2:] == [("window_opened", "clerk:li", 5), ("window_paused", "clerk:li", 5)]


def test_refusals_read_well_in_both_languages(ctx: Context, clock: Clock) -> None:
    open_windows(ctx, 5)
    services.issue(ctx, "tax")
    services.call_next(ctx, 5, CLERK)
    services.start(ctx, 5, CLERK)
    with pytest.raises(errors.WrongState) as info:
        services.no_show(ctx, 5, CLERK)
    assert info.value.message("zh") == "T001 号当前为“办理中”，不能过号。"
    assert info.value.message("en") == "Ticket T001 is being served: “No-show” is not possible now."
    clock.set(beijing(2026, 11, 25, 10, 0))
    with pytest.raises(errors.ServiceNotOffered) as info:
        services.issue(ctx, "notary")
    assert "公证" in info.value.message("zh") and "Notary" in info.value.message("en")
