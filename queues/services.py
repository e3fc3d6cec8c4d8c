"""What the hall can do: one function per use case.

Each function is one database transaction that changes the state, writes one row in the
append-only ``events`` table saying who did it, and bumps the board version of every zone whose
screens show the change. Which action a ticket's status allows is :mod:`queues.rules.lifecycle`'s
table. Failures are domain exceptions (:mod:`queues.errors`); nothing here knows about HTTP or
Dash. Tokens and staff sign-in are in :mod:`queues.access`, key-project codes in
:mod:`queues.project_codes`, printing in :mod:`queues.printjobs`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, exists, insert, or_, select, update
from sqlalchemy.orm import Session

from queues import errors, notices, project_codes
from queues.access import requesters
from queues.access.requesters import INTERNAL, Requester
from queues.answers import TicketView, WindowView, ticket_view
from queues.context import Context
from queues.hall.config import HallConfig, Service
from queues.inputs import PHONE
from queues.line import (
    CURRENT_BY_PUBLIC_ID,
    STEP_ROW,
    STEPS,
    answer,
    by_number,
    candidate_of,
    cut_short,
    held,
    queue_since,
    step_row,
    undoable_no_show,
    window_candidates,
)
from queues.rules import issuing, policy
from queues.rules.issuing import Refusal
from queues.rules.lifecycle import (
    ALLOWED,
    HELD,
    NO_SHOW_UNDO_SECONDS,
    OPEN,
    WINDOW_EVENTS,
    Action,
    Outcome,
    Priority,
    Status,
    WindowState,
    latest_promise,
    parse,
    promised_date_problem,
)
from queues.rules.rating import SCORES, FollowUp, is_bad
from queues.store import db, events
from queues.store.models import Alert, PrintJob, Rating, Step, Ticket, Window
from queues.store.numbering import format_number, next_seq, parse_number
from queues.store.scope import HALL_PARAM, hall_of
from queues.text.i18n import Phrase, weekdays


@dataclass(frozen=True)
class Issued:
    ticket: TicketView
    created: bool
    """False when the same ``request_id`` came again and the first ticket is answered."""
    late: bool = False
    """The expected wait runs past closing time (``[rules] late_wait``, :func:`issuing.late`)."""
    ticket_id: int | None = None
    """The ticket's database id, when made here (for a caller in the same transaction)."""


# --- helpers --------------------------------------------------------------------------------

# Built once: the statements every ticket runs (building a statement costs more than running it).
_tk = Ticket.__table__.c
# A request id names one ticket among its requester's: a second insert with it inserts nothing
# (its unique key, ``ix_tickets_hall_requester_request``) and answers no id; without one (NULL)
# there is no conflict.
_INSERT_TICKET = {
    dialect: db.insert_for(dialect)(Ticket.__table__)
    .on_conflict_do_nothing(index_elements=[_tk.hall, _tk.requester, _tk.request_id])
    .returning(_tk.id)
    for dialect in db.DIALECTS
}
_INSERT_STEP = insert(Step.__table__).returning(Step.__table__.c.id)
# The ticket a request id named, as its current step's row, with what it was asked for.
_ASKED_BEFORE = (
    select(*STEP_ROW, _tk.priority.label("asked_priority"))
    .select_from(STEPS)
    .where(
        _tk.hall == HALL_PARAM,
        _tk.requester == bindparam("requester"),
        _tk.request_id == bindparam("request_id"),
        Step.__table__.c.status != Status.TRANSFERRED,
    )
)
_INSERT_PRINT_JOB = insert(PrintJob.__table__)


_wn = Window.__table__.c
_st = Step.__table__.c
_WINDOW_COLUMNS = (
    _wn.id.label("w_id"),
    _wn.zone_code.label("w_zone"),
    _wn.state.label("w_state"),
    _wn.state_reason.label("w_reason"),
    _wn.state_since.label("w_since"),
    _wn.department_zh.label("w_department_zh"),
    _wn.department_en.label("w_department_en"),
)
# The window, locked (PostgreSQL) until commit: what attaches a ticket to a window or changes its
# state (call, pause, resume, close, the close-out) takes turns on it. What the window holds is
# read after the lock, never in the same statement: joined to the locked row, it would come from
# the snapshot taken before the wait (READ COMMITTED re-reads only the locked row), so a caller
# queued behind another's call would find the window empty and call a second ticket.
# FOR NO KEY UPDATE: rows that merely refer to the window (an event, a rating) need not wait.
_LOCK_WINDOW = (
    select(*_WINDOW_COLUMNS)
    .where(_wn.hall == HALL_PARAM, _wn.id == bindparam("w"), _wn.active)
    .with_for_update(key_share=True)
)
_HELD = (
    select(*STEP_ROW)
    .select_from(STEPS)
    .where(_st.hall == HALL_PARAM, _st.window_id == bindparam("w"), held(_st.status))
)
# The ticket a window holds, locked, with the window's zone: what recall, start, finish, no-show,
# transfer and the visitor record change. One statement, right under READ COMMITTED: after
# waiting for another action on the same ticket, PostgreSQL re-reads the locked step and drops it
# if it is no longer called or served (the other one finished it first). The ticket's and the
# window's columns come from the snapshot, and none of them changes while a ticket is held. A
# ticket called to the window meanwhile is not seen: the answer is "no ticket", as a moment
# earlier.
_LOCK_HELD = (
    select(*STEP_ROW, _wn.zone_code.label("w_zone"))
    .select_from(STEPS.join(Window.__table__, and_(_wn.hall == _st.hall, _wn.id == _st.window_id)))
    .where(_st.hall == HALL_PARAM, _st.window_id == bindparam("w"), held(_st.status), _wn.active)
    .with_for_update(of=Step.__table__, key_share=True)
)
_KNOWN_WINDOW = select(_wn.id).where(_wn.hall == HALL_PARAM, _wn.id == bindparam("w"), _wn.active)
# Every change of a step is conditional on the status it was read in: the loser of a race
# changes nothing and is told so, instead of writing a second event.
_UPDATE_STEP = update(Step.__table__).where(
    _st.id == bindparam("b_step"), _st.status == bindparam("b_was")
)
_STEP_STATUS = select(_st.status).where(_st.id == bindparam("b_step"))
_WINDOW_STATE = update(Window.__table__).where(
    _wn.hall == HALL_PARAM, _wn.id == bindparam("b_window"), _wn.state == bindparam("b_was")
)
# The unique ticket_id decides between two ratings at once: the second inserts nothing.
_INSERT_RATING = {
    dialect: db.insert_for(dialect)(Rating.__table__)
    .on_conflict_do_nothing(index_elements=[Rating.__table__.c.ticket_id])
    .returning(Rating.__table__.c.id)
    for dialect in db.DIALECTS
}
# A claim takes a ticket still waiting, for a window that holds none: the window's lock keeps
# other callers out, and the guard reads what it holds in the claim's own statement, after it.
_held_by = Step.__table__.alias("held_by")
_CLAIM = (
    update(Step.__table__)
    .where(
        _st.id == bindparam("b_step"),
        _st.status == Status.WAITING,
        ~exists().where(
            _held_by.c.hall == _st.hall,
            _held_by.c.window_id == bindparam("b_window"),
            held(_held_by.c.status),
        ),
    )
    .values(
        status=Status.CALLED,
        window_id=bindparam("b_window"),
        clerk=bindparam("b_clerk"),
        called_at=bindparam("b_now"),
        last_called_at=bindparam("b_now"),
    )
)


@dataclass(frozen=True)
class _Locked:
    id: int
    zone_code: str
    state: str
    state_reason: str | None
    state_since: datetime | None
    department_zh: str
    department_en: str


def _window(s: Session, window_id: int) -> _Locked:
    """The window, locked for the rest of the transaction (read what it holds with ``_held``)."""
    found = s.execute(_LOCK_WINDOW, {"w": window_id}).first()
    if found is None:
        raise errors.UnknownWindow(window=window_id)
    m = found._mapping
    return _Locked(
        m["w_id"],
        m["w_zone"],
        m["w_state"],
        m["w_reason"],
        m["w_since"],
        m["w_department_zh"],
        m["w_department_en"],
    )


def _held(s: Session, window_id: int) -> dict[str, Any] | None:
    """The ticket the window holds (called or being served), as a step row; read after its lock,
    it stays so until commit but for the close-out (see ``_update_step``)."""
    found = s.execute(_HELD, {"w": window_id}).first()
    return dict(found._mapping) if found is not None else None


def _holding(s: Session, window_id: int, action: Action) -> tuple[dict[str, Any], str]:
    """The ticket ``window_id`` holds, locked, if its status allows ``action``; and the window's
    zone."""
    found = s.execute(_LOCK_HELD, {"w": window_id}).first()
    if found is None:
        if s.scalar(_KNOWN_WINDOW, {"w": window_id}) is None:
            raise errors.UnknownWindow(window=window_id)
        raise errors.NoCurrentTicket(window=window_id)
    row = dict(found._mapping)
    zone = row.pop("w_zone")
    if row["status"] not in ALLOWED[action]:
        raise errors.WrongState.of(row["number"], row["status"], action)
    return row, zone


def _refuse_unless_open(w: _Locked) -> None:
    """A window calls only while open: closed or paused, it is told which."""
    if w.state == WindowState.CLOSED:
        raise errors.WindowClosed(window=w.id)
    if w.state == WindowState.PAUSED:
        raise errors.WindowPaused(window=w.id)


def _refuse_if_busy(s: Session, w: _Locked) -> None:
    holding = _held(s, w.id)
    if holding is not None:
        raise errors.WindowBusy(window=w.id, number=holding["number"])


def _step_moved(s: Session, step: int, was: str, values: dict[str, Any]) -> bool:
    """Write ``values`` to ``step`` if its status is still ``was``: False if another transaction
    changed it first."""
    return s.execute(_UPDATE_STEP, {"b_step": step, "b_was": was, **values}).rowcount == 1


def _window_moved(s: Session, window: int, was: str, values: dict[str, Any]) -> bool:
    """Write ``values`` to ``window`` if its state is still ``was``."""
    params = {"b_window": window, "b_was": was, HALL_PARAM.key: hall_of(s), **values}
    return s.execute(_WINDOW_STATE, params).rowcount == 1


def _update_step(s: Session, row: dict[str, Any], action: str, values: dict[str, Any]) -> None:
    """Write ``values`` to the step ``row`` if it is still in the status it was read in; if
    another transaction changed it first (a second click, the close-out), refuse with the status
    it has now."""
    if not _step_moved(s, row["id"], row["status"], values):
        now = s.scalar(_STEP_STATUS, {"b_step": row["id"]})
        raise errors.WrongState.of(row["number"], now, action)


def _zone_of_service(ctx: Context, service: str) -> str | None:
    svc = ctx.config.service(service)
    return svc.zone if svc else None


# --- issuing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Asked:
    """What a visitor asked for, and who asked."""

    service: str
    priority: Priority
    by: Requester
    request_id: str | None
    project_code: str | None
    place: datetime | None = None
    """The first step's place in line when not the issue time (a booking's slot)."""
    booked: bool = False
    """A booking checked in within its slot's grace: the hall promised it a turn, so the wait
    running past closing does not refuse it."""


def issue(
    ctx: Context,
    service: str,
    priority: str = Priority.NORMAL,
    *,
    by: Requester = INTERNAL,
    request_id: str | None = None,
    project_code: str | None = None,
    predict: bool = True,
    place: datetime | None = None,
) -> Issued:
    """Give a visitor a numbered ticket for ``service``, asked for by ``by``.

    The number, the ticket, its first step, the event and (for a kiosk) the print job are written
    together: either all of them exist afterwards or none. Asking again with the same
    ``request_id`` answers the first ticket instead of making a second (a double tap, a retry
    after a lost answer); a request id names a ticket only among ``by``'s own. ``by``'s limit
    (:mod:`queues.access.requesters`) applies. Without ``predict`` the answer leaves out people
    ahead and the expected wait (loading history). With ``place`` the ticket's first step takes
    that place in line (``queued_at``, the field a transfer keeps) instead of the issue time: a
    checked-in booking's slot (:func:`queues.rules.policy.booked_place`).
    """
    klass = parse(Priority, priority)
    if klass is None:
        raise errors.InvalidPriority(priority=priority)
    asked = _Asked(service, klass, by, request_id, project_code, place)
    for _attempt in (1, 2):
        try:
            return _issue(ctx, asked, predict)
        except _AskedBefore:
            # The request id named a ticket already: this transaction, number included, was
            # rolled back; answer that ticket (read after the rollback, in a snapshot that
            # sees it). Gone meanwhile (a purge): issue anew.
            with ctx.db.read() as s:
                earlier = _asked_before(s, ctx, asked)
            if earlier is not None:
                return Issued(earlier, created=False)
    raise AssertionError("a request id's ticket came and went twice")


class _AskedBefore(Exception):
    """The ticket's request id names an earlier ticket of the same requester."""


def _issue(ctx: Context, asked: _Asked, predict: bool) -> Issued:
    now = ctx.now()
    local = ctx.local(now)
    svc, first = _may_issue(ctx, asked, local)
    return ctx.db.transact(lambda s: _issue_in(s, ctx, asked, svc, first, now, predict))


def issue_within(
    s: Session,
    ctx: Context,
    service: str,
    *,
    by: Requester,
    now: datetime,
    place: datetime,
    booked: bool,
) -> Issued:
    """:func:`issue` inside the caller's transaction (a booking's check-in, :mod:`queues.checkin`):
    a normal ticket for ``service`` at ``place`` in line (its ``ticket_id`` set)."""
    asked = _Asked(service, Priority.NORMAL, by, None, None, place, booked)
    svc, first = _may_issue(ctx, asked, ctx.local(now))
    return _issue_in(s, ctx, asked, svc, first, now, True)


def _issue_in(
    s: Session,
    ctx: Context,
    asked: _Asked,
    svc: Service,
    first: Service,
    now: datetime,
    predict: bool,
) -> Issued:
    local = ctx.local(now)
    try:
        if asked.priority == Priority.GREEN and not asked.by.is_staff:
            project_codes.check(s, asked.project_code, local.date())
        requesters.check(s, ctx, asked.by, now)
    except errors.HallqError:
        # a retry of a ticket already made is answered it, even past the limit
        if asked.request_id is not None and _asked_before(s, ctx, asked) is not None:
            raise _AskedBefore() from None
        raise
    row = _write_ticket(s, asked, svc, first, now, local.date())
    if row is None:
        raise _AskedBefore()  # rolls the number back: no gap
    if asked.by.kiosk is not None:
        _queue_slip(s, row["ticket_id"], asked.by.kiosk, now)
    # people ahead and the expected wait, as the ticket's answer gives them to everyone
    view = answer(s, ctx, row) if predict else ticket_view(ctx.config, row)
    late = issuing.late(ctx.config, local, view.eta_minutes, open_always=ctx.open_always)
    # staff decide for themselves; a booking within its grace was promised its turn
    if late == "refuse" and not asked.by.is_staff and not asked.booked:
        raise _too_late(ctx.config, view.eta_minutes)  # the whole ticket is rolled back
    events.bump(s, first.zone)
    return Issued(view, created=True, late=late is not None, ticket_id=row["ticket_id"])


def _too_late(cfg: HallConfig, minutes: int | None) -> errors.WaitPastClosing:
    return errors.WaitPastClosing(minutes=minutes or 0, close=f"{cfg.hours.close:%H:%M}")


def _may_issue(ctx: Context, asked: _Asked, local: datetime) -> tuple[Service, Service]:
    """The service asked for and the desk queued for first, if a ticket may be taken now
    (:mod:`queues.rules.issuing`), asked by a kiosk of the hall file if by one."""
    cfg = ctx.config
    refusal = issuing.refusal(
        cfg, asked.service, local, staff=asked.by.is_staff, open_always=ctx.open_always
    )
    if refusal is not None:
        raise _refused(cfg, refusal, asked.service)
    kiosk = asked.by.kiosk
    if kiosk is not None and cfg.kiosk(kiosk) is None:
        raise errors.UnknownKiosk(kiosk=kiosk)
    svc = cfg.service(asked.service)
    assert svc is not None  # refusal() said it is there
    return svc, issuing.first_desk(cfg, svc)


def hall_closed(cfg: HallConfig) -> errors.HallClosed:
    """The refusal of a ticket outside the hall's ticket hours, with the hours in its words."""
    hours = cfg.hours
    return errors.HallClosed(
        days=lambda lang: weekdays(hours.days, lang),
        first=f"{hours.first_ticket:%H:%M}",
        last=f"{hours.last_ticket:%H:%M}",
    )


def _refused(cfg: HallConfig, refusal: Refusal, code: str) -> errors.HallqError:
    svc = cfg.service(code)
    if refusal == "unknown_service" or svc is None:
        return errors.UnknownService(service=code)
    if refusal == "hall_closed":
        return hall_closed(cfg)
    if refusal == "service_not_offered":
        return errors.ServiceNotOffered(name=svc.name)
    return errors.NoWindowForService(name=svc.name)


def _asked_before(s: Session, ctx: Context, asked: _Asked) -> TicketView | None:
    """The ticket this requester already took with this request id (a double tap, a retry);
    ``RequestIdReused`` if it was for another service or class."""
    if asked.request_id is None:
        return None
    found = s.execute(
        _ASKED_BEFORE, {"requester": asked.by.scope, "request_id": asked.request_id}
    ).first()
    if found is None:
        return None
    row = dict(found._mapping)
    if row["requested_service_code"] != asked.service or row.pop("asked_priority") != (
        asked.priority
    ):
        raise errors.RequestIdReused()
    return answer(s, ctx, row)


def _write_ticket(
    s: Session, asked: _Asked, svc: Service, first: Service, now: datetime, day: date
) -> dict[str, Any] | None:
    """The next number, the ticket, its first step and the event; answers the step's row, or
    None when the request id names an earlier ticket (nothing written but the number, which the
    caller rolls back)."""
    seq = next_seq(s, day, first.prefix)
    ticket = dict(
        hall=hall_of(s),
        public_id=secrets.token_urlsafe(12),
        day=day,
        prefix=first.prefix,
        seq=seq,
        number=format_number(first.prefix, seq),
        priority=asked.priority,
        requested_service_code=svc.code,
        issued_at=now,
        kiosk=asked.by.kiosk,
        request_id=asked.request_id,
        requester=asked.by.scope,
        project_code=asked.project_code if asked.priority == Priority.GREEN else None,
        client=asked.by.address,
    )
    ticket_id = s.execute(_INSERT_TICKET[s.get_bind().dialect.name], ticket).scalar()
    if ticket_id is None:
        return None
    step = dict(
        hall=ticket["hall"],
        ticket_id=ticket_id,
        n=1,
        day=day,
        service_code=first.code,
        priority=asked.priority,
        queued_at=asked.place or now,
        entered_at=now,
        status=Status.WAITING,
        recalls=0,
    )
    step_id = s.execute(_INSERT_STEP, step).scalar_one()
    events.record(
        s,
        "issued",
        asked.by.actor,
        now,
        ticket_id=ticket_id,
        number=ticket["number"],
        service=svc.code,
        first_step=first.code,
        priority=asked.priority,
        kiosk=asked.by.kiosk,
    )
    return {**_NOTHING_YET, **ticket, **step, "id": step_id}


_NOTHING_YET = dict.fromkeys(
    (
        "window_id",
        "called_at",
        "last_called_at",
        "started_at",
        "finished_at",
        "outcome",
        "promised_date",
        "target_window_id",
    )
)
"""What a new ticket's step row holds before its first call."""


def _queue_slip(s: Session, ticket_id: int, kiosk: str, now: datetime) -> None:
    """The print job of the kiosk's slip, delivered after commit (:mod:`queues.printjobs`)."""
    s.execute(
        _INSERT_PRINT_JOB,
        dict(
            hall=hall_of(s),
            ticket_id=ticket_id,
            kiosk=kiosk,
            status="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        ),
    )


# --- the window's actions ---------------------------------------------------------------------


def call_next(ctx: Context, window_id: int, actor: str) -> TicketView | None:
    """Call the best waiting ticket to ``window_id`` (see :mod:`queues.rules.policy`); None if none.

    Two windows calling at the same instant never get the same ticket: the claim is an update
    that only succeeds while the ticket is still waiting, and the loser takes the next one. Two
    calls at one window take turns on its lock, and the claim also needs the window to hold no
    ticket: the second is refused (``WindowBusy``), and the window holds one ticket.
    """
    now = ctx.now()
    with ctx.db.write() as s:
        w = _window(s, window_id)
        _refuse_unless_open(w)
        weights = ctx.config.weights_of_window.get(w.id, {})
        while True:
            candidates, numbers = window_candidates(s, ctx, w.id, ctx.business_day(now))
            if not candidates:
                _refuse_if_busy(s, w)  # nobody waits; a window still holding a ticket says so
                return None
            chosen = _claim_first(s, policy.order(candidates, now, w.id, weights), w, actor, now)
            if chosen is not None:
                break
            # Every ticket read was taken by other windows meanwhile; if a group was read only
            # in part, more may wait behind: read again.
            if not cut_short(candidates):
                return None
        row = step_row(s, chosen.step_id)
        events.record(
            s,
            "called",
            actor,
            now,
            ticket_id=row["ticket_id"],
            window_id=w.id,
            number=numbers[chosen.step_id],
            service=chosen.service,
        )
        notices.on_call(s, ctx, row, now)
        events.bump(s, w.zone_code, _zone_of_service(ctx, chosen.service))
        return ticket_view(ctx.config, row)


def _claim_first(
    s: Session, ranked: list[policy.Candidate], w: _Locked, actor: str, now: datetime
) -> policy.Candidate | None:
    """The first of ``ranked`` that is still waiting, claimed for window ``w``. A claim that
    fails lost the ticket to another window, or found ``w`` holding one (``WindowBusy``): the
    first failure looks which."""
    for n, c in enumerate(ranked):
        params = {"b_step": c.step_id, "b_window": w.id, "b_clerk": actor, "b_now": now}
        if s.execute(_CLAIM, params).rowcount == 1:
            return c
        if n == 0:
            _refuse_if_busy(s, w)
    return None


def _act(
    ctx: Context,
    window_id: int,
    actor: str,
    action: Action,
    event: str,
    change: Callable[[dict[str, Any], datetime], tuple[dict[str, Any], dict[str, Any]]],
    *,
    calls: bool = False,
) -> TicketView:
    """Apply ``change`` to the window's current ticket if its status allows ``action``.

    ``change`` answers the step's new values and the event's data. ``calls``: the action calls
    the ticket (a recall): its visitor's text, if none was sent for this call yet.
    """
    now = ctx.now()
    with ctx.db.write() as s:
        row, zone = _holding(s, window_id, action)
        values, data = change(row, now)
        _update_step(s, row, action, values)
        events.record(s, event, actor, now, ticket_id=row["ticket_id"], window_id=window_id, **data)
        if calls:
            notices.on_call(s, ctx, {**row, **values}, now)
        events.bump(s, zone)
        return ticket_view(ctx.config, {**row, **values})


def recall(ctx: Context, window_id: int, actor: str) -> TicketView:
    """Call the window's current ticket again (shown and spoken once more)."""

    def change(row: dict[str, Any], now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
        recalls = row["recalls"] + 1
        return {"recalls": recalls, "last_called_at": now}, {"recalls": recalls}

    return _act(ctx, window_id, actor, Action.RECALL, "recalled", change, calls=True)


def start(ctx: Context, window_id: int, actor: str) -> TicketView:
    """The called visitor has arrived at the window: service begins."""

    def change(row: dict[str, Any], now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"status": Status.SERVING, "started_at": now, "clerk": actor}, {}

    return _act(ctx, window_id, actor, Action.START, "started", change)


def finish(
    ctx: Context,
    window_id: int,
    actor: str,
    outcome: str = Outcome.DONE,
    promised_date: date | None = None,
) -> TicketView:
    """End the service with its outcome; ``promised`` needs the date the matter will be ready."""
    ended = parse(Outcome, outcome)
    if ended is None:
        raise errors.InvalidOutcome(outcome=outcome)
    if ended != Outcome.PROMISED:
        promised_date = None
    elif promised_date is None:
        raise errors.PromisedDateRequired()
    else:
        _check_promise(promised_date, ctx.business_day())

    def change(row: dict[str, Any], now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
        values = {
            "status": Status.DONE,
            "finished_at": now,
            "started_at": row["started_at"] or row["called_at"],
            "outcome": ended,
            "promised_date": promised_date,
        }
        promised = promised_date.isoformat() if promised_date else None
        return values, {"outcome": ended, "promised_date": promised}

    return _act(ctx, window_id, actor, Action.FINISH, "finished", change)


def _check_promise(day: date, today: date) -> None:
    """Refuse a promised date in the past or beyond the horizon, saying which."""
    problem = promised_date_problem(day, today)
    if problem == "past":
        raise errors.PromisedDateInPast(date=day.isoformat())
    if problem == "too_far":
        raise errors.PromisedDateTooFar(
            date=day.isoformat(), latest=latest_promise(today).isoformat()
        )


def no_show(
    ctx: Context, window_id: int, actor: str, *, called_before: datetime | None = None
) -> TicketView:
    """The called visitor did not come.

    ``called_before``: only if the ticket was last called before then (the automatic no-show,
    which must not hit a ticket the clerk recalled, or called after the one it found overdue).
    """

    def change(row: dict[str, Any], now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
        if called_before is not None and row["last_called_at"] >= called_before:
            raise errors.NotOverdue(number=row["number"])
        return {"status": Status.NO_SHOW, "finished_at": now}, {"recalls": row["recalls"]}

    return _act(ctx, window_id, actor, Action.NO_SHOW, "no_show", change)


def undo_no_show(ctx: Context, window_id: int, actor: str) -> TicketView:
    """Take back the no-show ``actor`` made at ``window_id`` less than ``NO_SHOW_UNDO_SECONDS``
    ago: the ticket is called to the window again, as it was before (its call time and recalls
    kept, so the wallboard does not announce it again), with an event.

    Done on the server at once, not by holding the no-show back in the browser: the visitor's
    phone, the boards and the next call see the no-show the moment the key is pressed, and a
    closed tab or a lost connection cannot leave one pending. The window's lock makes an undo
    and a call at the same window take turns: the undo is refused once the window holds another
    ticket (``WindowBusy``); a closed window takes nothing back.
    """
    now = ctx.now()
    with ctx.db.write() as s:
        w = _window(s, window_id)
        if w.state == WindowState.CLOSED:
            raise errors.WindowClosed(window=w.id)
        row = undoable_no_show(s, w.id, actor, now)
        if row is None:
            raise errors.NothingToUndo(window=w.id, seconds=NO_SHOW_UNDO_SECONDS)
        _refuse_if_busy(s, w)
        values = {"status": Status.CALLED, "finished_at": None}
        _update_step(s, row, Action.UNDO_NO_SHOW, values)
        events.record(
            s,
            "no_show_undone",
            actor,
            now,
            ticket_id=row["ticket_id"],
            window_id=w.id,
            no_show_at=row["finished_at"].isoformat(),
        )
        events.bump(s, w.zone_code, _zone_of_service(ctx, row["service_code"]))
        return ticket_view(ctx.config, {**row, **values})


def call_number(ctx: Context, window_id: int, actor: str, number: str) -> TicketView:
    """特呼: call the ticket numbered ``number`` to ``window_id`` out of turn.

    Only a ticket waiting for this window (one of its services, or sent to it by name: the
    window's own line, :func:`queues.line.window_candidates`); anything else is refused saying
    why. The same discipline as :func:`call_next`: the window is locked, and the claim is an
    update that succeeds only while the ticket still waits and the window holds none, so two
    windows calling one number at once give it to one of them, and the other is told where it
    went.
    """
    wanted = parse_number(number)
    if wanted is None:
        raise errors.InvalidTicketNumber(number=number.strip()[:20])
    label = format_number(*wanted)
    now = ctx.now()
    with ctx.db.write() as s:
        w = _window(s, window_id)
        _refuse_unless_open(w)
        _refuse_if_busy(s, w)
        row = by_number(s, ctx, *wanted, ctx.business_day(now))
        if row is None:
            raise errors.UnknownNumber(number=label)
        _refuse_unless_waiting_here(ctx, row, w.id)
        params = {"b_step": row["id"], "b_window": w.id, "b_clerk": actor, "b_now": now}
        if s.execute(_CLAIM, params).rowcount != 1:
            _refuse_if_busy(s, w)
            _refuse_unless_waiting_here(ctx, step_row(s, row["id"]), w.id)
            raise errors.NotWaiting(number=label, status=Phrase("status.waiting"))
        row = step_row(s, row["id"])
        events.record(
            s,
            "called",
            actor,
            now,
            ticket_id=row["ticket_id"],
            window_id=w.id,
            number=row["number"],
            service=row["service_code"],
            out_of_turn=True,
        )
        notices.on_call(s, ctx, row, now)
        events.bump(s, w.zone_code, _zone_of_service(ctx, row["service_code"]))
        return ticket_view(ctx.config, row)


def _refuse_unless_waiting_here(ctx: Context, row: dict[str, Any], window_id: int) -> None:
    """Refuse, saying why, unless the step ``row`` waits for ``window_id`` (the rule call-next
    calls by, :func:`queues.rules.policy.eligible`)."""
    number = row["number"]
    if row["status"] in HELD and row["window_id"] != window_id:
        raise errors.CalledElsewhere(number=number, window=row["window_id"])
    if row["status"] != Status.WAITING:
        raise errors.NotWaiting(number=number, status=Phrase(f"status.{row['status']}"))
    weights = ctx.config.weights_of_window.get(window_id, {})
    if not policy.eligible(candidate_of(ctx, row), window_id, weights):
        target = row["target_window_id"]
        if target is not None:
            raise errors.SentToAnotherWindow(number=number, target=target)
        svc = ctx.config.service(row["service_code"])
        name = svc.name if svc else row["service_code"]
        raise errors.NotForThisWindow(number=number, service=name, window=window_id)


def transfer(
    ctx: Context,
    window_id: int,
    actor: str,
    *,
    service: str | None = None,
    window: int | None = None,
) -> TicketView:
    """Send the window's current ticket on to another service or to one window.

    The ticket keeps its number and its place in line (its issue time): the visitor does not
    go to the back of the next queue.
    """
    if (service is None) == (window is None):
        raise errors.TransferTargetRequired()
    now = ctx.now()
    with ctx.db.write() as s:
        row, zone = _holding(s, window_id, Action.TRANSFER)
        if service is not None:
            target = ctx.config.service(service)
            if target is None:
                raise errors.UnknownService(service=service)
            to_service, to_window, to_window_zone = target.code, None, None
        else:
            # FOR SHARE: the hall file's sync cannot retire the window under this transfer
            # (it locks the window first), so no ticket is sent to a window that is gone.
            found = s.execute(
                select(_wn.id, _wn.zone_code)
                .where(_wn.hall == HALL_PARAM, _wn.id == window, _wn.active)
                .with_for_update(read=True)
            ).first()
            if found is None:
                raise errors.UnknownTargetWindow(window=window)
            to_service, to_window, to_window_zone = row["service_code"], found.id, found.zone_code
        _update_step(
            s,
            row,
            Action.TRANSFER,
            {
                "status": Status.TRANSFERRED,
                "finished_at": now,
                "started_at": row["started_at"] or row["called_at"],
            },
        )
        new_id = s.execute(
            _INSERT_STEP,
            dict(
                hall=hall_of(s),
                ticket_id=row["ticket_id"],
                n=row["n"] + 1,
                day=row["day"],
                service_code=to_service,
                priority=row["priority"],
                target_window_id=to_window,
                queued_at=row["queued_at"],
                entered_at=now,
                status=Status.WAITING,
                recalls=0,
            ),
        ).scalar_one()
        events.record(
            s,
            "transferred",
            actor,
            now,
            ticket_id=row["ticket_id"],
            window_id=window_id,
            from_service=row["service_code"],
            to_service=to_service,
            to_window=to_window,
        )
        view = answer(s, ctx, step_row(s, new_id))
        events.bump(s, zone, _zone_of_service(ctx, to_service), to_window_zone)
        return view


def record_visitor(
    ctx: Context,
    window_id: int,
    actor: str,
    *,
    name: str = "",
    company: str = "",
    phone: str = "",
) -> None:
    """Note who the window's current ticket belongs to (the register of visitors, 登记簿).

    Kept on the ticket for staff and reports; no public screen or public answer shows it.
    """
    if not PHONE.fullmatch(phone.strip()):
        raise errors.InvalidPhone(phone=phone.strip()[:40])
    now = ctx.now()
    with ctx.db.write() as s:
        row, _ = _holding(s, window_id, Action.RECORD)
        s.execute(
            update(Ticket.__table__)
            .where(Ticket.__table__.c.id == row["ticket_id"])
            .values(
                visitor_name=name.strip()[:100] or None,
                visitor_company=company.strip()[:200] or None,
                visitor_phone=phone.strip()[:40] or None,
            )
        )
        events.record(
            s, "visitor_recorded", actor, now, ticket_id=row["ticket_id"], window_id=window_id
        )


def pause(ctx: Context, window_id: int, actor: str, reason: str = "") -> WindowView:
    """Stop calling at this window for a while (a break, a meeting); the reason is recorded."""
    return _set_window_state(ctx, window_id, actor, WindowState.PAUSED, reason.strip() or None)


def resume(ctx: Context, window_id: int, actor: str) -> WindowView:
    """Open the window: from paused, or from closed at the start of the day."""
    return _set_window_state(ctx, window_id, actor, WindowState.OPEN, None)


def close(ctx: Context, window_id: int, actor: str) -> WindowView:
    """Close the window for the day; it must not hold a ticket."""
    return _set_window_state(ctx, window_id, actor, WindowState.CLOSED, None)


def _set_window_state(
    ctx: Context, window_id: int, actor: str, state: str, reason: str | None
) -> WindowView:
    now = ctx.now()
    with ctx.db.write() as s:
        w = _window(s, window_id)
        holding = _held(s, w.id)
        if state == WindowState.PAUSED and w.state == WindowState.CLOSED:
            raise errors.WindowClosed(window=w.id)
        if state == WindowState.CLOSED and holding is not None:
            raise errors.WindowBusy(window=w.id, number=holding["number"])
        since = w.state_since
        if w.state != state or w.state_reason != reason:
            since = now
            values = {"state": state, "state_reason": reason, "state_since": now}
            if not _window_moved(s, w.id, w.state, values):
                raise errors.WindowChanged(window=w.id)
            events.record(
                s, WINDOW_EVENTS[state], actor, now, window_id=w.id, previous=w.state, reason=reason
            )
            events.bump(s, w.zone_code)
    return WindowView(
        id=w.id,
        zone=w.zone_code,
        department_zh=w.department_zh,
        department_en=w.department_en,
        services=list(ctx.config.weights_of_window.get(w.id, {})),
        state=state,
        state_reason=reason,
        state_since=since,
        current=ticket_view(ctx.config, holding) if holding else None,
    )


# --- the visitor's judgement -----------------------------------------------------------------


def rate(ctx: Context, ticket_id: str, score: int, comment: str | None = None) -> TicketView:
    """The visitor's rating of a finished service, once per ticket: 5 非常满意 … 1 非常不满意
    (:mod:`queues.rules.rating`)."""
    if score not in SCORES:
        raise errors.InvalidScore(score=score)
    now = ctx.now()
    comment = (comment or "").strip() or None
    with ctx.db.write() as s:
        found = s.execute(CURRENT_BY_PUBLIC_ID, {"b_ticket": ticket_id}).first()
        if found is None:
            raise errors.UnknownTicket(ticket=ticket_id)
        row = found._mapping
        if row["status"] != Status.DONE:
            raise errors.NotServed(number=row["number"])
        rated = s.execute(
            _INSERT_RATING[ctx.db.dialect],
            {
                "hall": ctx.hall,
                "ticket_id": row["ticket_id"],
                "step_id": row["id"],
                "window_id": row["window_id"],
                "score": score,
                "comment": comment,
                "created_at": now,
                "follow_up": FollowUp.OPEN if is_bad(score) else None,
            },
        ).scalar()
        if rated is None:  # rated before, or by a second tap a moment ago: the first one stands
            raise errors.AlreadyRated(number=row["number"])
        events.record(
            s,
            "rated",
            "visitor",
            now,
            ticket_id=row["ticket_id"],
            window_id=row["window_id"],
            score=score,
        )
        return ticket_view(ctx.config, row, rating=score)


def follow_up(ctx: Context, rating_id: int, state: str, note: str, actor: str) -> None:
    """A manager records the follow-up of a bad rating (state and what was done)."""
    stage = parse(FollowUp, state)
    if stage is None:
        raise errors.InvalidFollowUp(state=state)
    note = note.strip()[:2000]
    now = ctx.now()
    with ctx.db.write() as s:
        # locked: two managers saving at once take turns, and the events keep their order
        rating = s.get(Rating, rating_id, with_for_update=True)
        if rating is None:
            raise errors.UnknownRating(rating=rating_id)
        rating.follow_up = stage
        rating.follow_up_note = note or None
        events.record(
            s,
            "rating_followed_up",
            actor,
            now,
            ticket_id=rating.ticket_id,
            window_id=rating.window_id,
            rating=rating_id,
            state=stage,
        )


# --- the end of the day -----------------------------------------------------------------------


def expire_day(ctx: Context, day: date | None = None, actor: str = "system") -> int:
    """Close out ``day`` (default: every day whose tickets are no longer in line today) and
    answer how many tickets expired.

    Tickets still waiting, called or in service become ``expired``, each with an event, and the
    windows are closed (for past days only those left open since before today: a restart in the
    middle of the day leaves today's windows as they are), so the next day starts clean. A hall
    open around the clock keeps yesterday's queue (``queue_since``) and has no closing
    time: by default it expires only what is older and leaves its windows open.

    The windows are locked first, as every window action locks its window: a call at the same
    moment lands either before (its ticket expires with the rest) or after (it finds the window
    closed). A window that still holds a later day's ticket stays open: its clerk is at work.
    """
    now = ctx.now()
    today = ctx.business_day(now)
    last = day if day is not None else queue_since(ctx, today) - timedelta(days=1)
    windows_q = (
        select(_wn.id, _wn.state, _wn.zone_code)
        .where(_wn.hall == HALL_PARAM, _wn.state != WindowState.CLOSED)
        .order_by(_wn.id)
        .with_for_update(key_share=True)
    )
    if day is None:
        start_of_today = datetime.combine(today, time(0), tzinfo=ctx.tz).astimezone(UTC)
        windows_q = windows_q.where(
            or_(_wn.state_since.is_(None), _wn.state_since < start_of_today)
        )
    with ctx.db.write() as s:
        closing = [] if day is None and ctx.open_always else s.execute(windows_q).all()
        steps = s.execute(
            select(_st.id, _st.status, _st.ticket_id, _st.window_id, _st.day, _st.service_code)
            .where(_st.hall == HALL_PARAM, _st.status.in_(OPEN), _st.day <= last)
            .order_by(_st.id)
        ).all()
        zones: set[str | None] = set()
        expired = 0
        for step in steps:
            values = {"status": Status.EXPIRED, "finished_at": now}
            if not _step_moved(s, step.id, step.status, values):
                continue  # finished a moment ago
            events.record(
                s,
                "expired",
                actor,
                now,
                ticket_id=step.ticket_id,
                window_id=step.window_id,
                previous=step.status,
                day=step.day.isoformat(),
            )
            expired += 1
            zones.add(_zone_of_service(ctx, step.service_code))
        holding = select(_st.window_id).where(
            _st.hall == HALL_PARAM, _st.window_id.in_([w.id for w in closing]), held(_st.status)
        )
        busy = set(s.scalars(holding)) if closing else set()
        for w in closing:
            if w.id in busy:
                continue
            values = {"state": WindowState.CLOSED, "state_reason": None, "state_since": now}
            if not _window_moved(s, w.id, w.state, values):
                continue
            events.record(
                s, "window_closed", actor, now, window_id=w.id, previous=w.state, reason="close-out"
            )
            zones.add(w.zone_code)
        events.bump(s, *zones)
        return expired


# --- a visitor asks for help ---------------------------------------------------------------


def call_staff(ctx: Context, by: Requester) -> bool:
    """A visitor at a kiosk taps 找工作人员: the call is an event and an alert (kind ``help``)
    on the dashboard and the staff page until staff answer it (:func:`answer_help`).

    Taps from the same place while its call is open add to that call (the alert counts them)
    instead of raising another. ``by``'s limit applies (:func:`requesters.check_help`). Answers
    True for a new call, False when one from the same place was already open."""
    now = ctx.now()
    subject = (by.kiosk or by.name)[:64]
    with ctx.db.write() as s:
        requesters.check_help(s, ctx, by, now)
        events.record(s, "help_requested", by.actor, now, kiosk=by.kiosk)
        open_call = s.scalar(
            select(Alert).where(
                Alert.kind == "help", Alert.subject == subject, Alert.closed_at.is_(None)
            )
        )
        if open_call is not None:
            open_call.detail = {**open_call.detail, "calls": open_call.detail.get("calls", 1) + 1}
            return False
        s.add(Alert(kind="help", subject=subject, detail={"calls": 1}, opened_at=now))
    return True


def answer_help(ctx: Context, alert_id: int, actor: str) -> bool:
    """Staff have gone to the visitor who called: the help alert closes (an event says who).
    Answers False when the call was already answered (or is not a call)."""
    now = ctx.now()
    with ctx.db.write() as s:
        call = s.get(Alert, alert_id)
        if call is None or call.kind != "help" or call.closed_at is not None:
            return False
        call.closed_at = now
        events.record(s, "help_answered", actor, now, subject=call.subject, alert=alert_id)
    return True
