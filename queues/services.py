"""What the hall can do: one function per use case.

Each function is one database transaction that changes the state, writes one row in the
append-only ``events`` table saying who did it, and bumps the board version of every zone whose
screens show the change. Failures are domain exceptions (:mod:`queues.errors`); nothing here
knows about HTTP or Dash.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from queues import errors
from queues.access import requesters
from queues.access.requesters import INTERNAL, Requester
from queues.context import Context
from queues.hall import config
from queues.hall.config import WEEKDAYS
from queues.read import views
from queues.rules import eta, policy
from queues.store import db, events
from queues.store.models import (
    OPEN_STATES,
    ApiToken,
    PrintJob,
    ProjectCode,
    Rating,
    Step,
    Ticket,
    Window,
)
from queues.store.numbering import format_number, next_seq
from queues.text.i18n import weekdays

PRIORITIES = ("normal", "priority", "green")
OUTCOMES = ("done", "promised", "incomplete", "consult")
ROLES = ("kiosk", "clerk", "manager", "admin")


@dataclass(frozen=True)
class Issued:
    ticket: views.TicketView
    created: bool
    """False when the same ``request_id`` came again and the first ticket is answered."""


# --- helpers --------------------------------------------------------------------------------

# Built once: the statements every ticket runs (building a statement costs more than running it).
_INSERT_TICKET = insert(Ticket.__table__).returning(Ticket.__table__.c.id)
_INSERT_STEP = insert(Step.__table__).returning(Step.__table__.c.id)
_FIND_REQUEST = select(Ticket.__table__.c.id).where(
    Ticket.__table__.c.requester == bindparam("requester"),
    Ticket.__table__.c.request_id == bindparam("request_id"),
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
    .where(_wn.id == bindparam("w"), _wn.active)
    .with_for_update(key_share=True)
)
_HELD = (
    select(*views.STEP_ROW)
    .select_from(views.STEPS)
    .where(_st.window_id == bindparam("w"), views.active(_st.status))
)
# The ticket a window holds, locked, with the window's zone: what recall, start, finish, no-show,
# transfer and the visitor record change. One statement, right under READ COMMITTED: after
# waiting for another action on the same ticket, PostgreSQL re-reads the locked step and drops it
# if it is no longer called or served (the other one finished it first). The ticket's and the
# window's columns come from the snapshot, and none of them changes while a ticket is held. A
# ticket called to the window meanwhile is not seen: the answer is "no ticket", as a moment
# earlier.
_LOCK_HELD = (
    select(*views.STEP_ROW, _wn.zone_code.label("w_zone"))
    .select_from(views.STEPS.join(Window.__table__, _wn.id == _st.window_id))
    .where(_st.window_id == bindparam("w"), views.active(_st.status), _wn.active)
    .with_for_update(of=Step.__table__, key_share=True)
)
_KNOWN_WINDOW = select(_wn.id).where(_wn.id == bindparam("w"), _wn.active)
_STEP = select(*views.STEP_ROW).select_from(views.STEPS).where(_st.id == bindparam("b_step"))
# Every change of a step is conditional on the status it was read in: the loser of a race
# changes nothing and is told so, instead of writing a second event.
_UPDATE_STEP = update(Step.__table__).where(
    _st.id == bindparam("b_step"), _st.status == bindparam("b_was")
)
_STEP_STATUS = select(_st.status).where(_st.id == bindparam("b_step"))
_WINDOW_STATE = update(Window.__table__).where(
    _wn.id == bindparam("b_window"), _wn.state == bindparam("b_was")
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
        _st.status == "waiting",
        ~exists().where(
            _held_by.c.window_id == bindparam("b_window"), views.active(_held_by.c.status)
        ),
    )
    .values(
        status="called",
        window_id=bindparam("b_window"),
        clerk=bindparam("b_clerk"),
        called_at=bindparam("b_now"),
        last_called_at=bindparam("b_now"),
    )
)
_CURRENT_STEP = (
    select(*views.STEP_ROW)
    .select_from(views.STEPS)
    .where(views.STEPS.c.tickets_public_id == bindparam("b_ticket"), _st.status != "transferred")
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
    it stays so until commit but for a cancel or the close-out (see ``_update_step``)."""
    found = s.execute(_HELD, {"w": window_id}).first()
    return dict(found._mapping) if found is not None else None


def _holding(s: Session, window_id: int, action: str, *allowed: str) -> tuple[dict[str, Any], str]:
    """The ticket ``window_id`` holds, locked, if its status is one of ``allowed``; and the
    window's zone."""
    found = s.execute(_LOCK_HELD, {"w": window_id}).first()
    if found is None:
        if s.scalar(_KNOWN_WINDOW, {"w": window_id}) is None:
            raise errors.UnknownWindow(window=window_id)
        raise errors.NoCurrentTicket(window=window_id)
    row = dict(found._mapping)
    zone = row.pop("w_zone")
    if row["status"] not in allowed:
        raise errors.WrongState.of(row["number"], row["status"], action)
    return row, zone


def _refuse_if_busy(s: Session, w: _Locked) -> None:
    held = _held(s, w.id)
    if held is not None:
        raise errors.WindowBusy(window=w.id, number=held["number"])


def _step_moved(s: Session, step: int, was: str, values: dict[str, Any]) -> bool:
    """Write ``values`` to ``step`` if its status is still ``was``: False if another transaction
    changed it first."""
    return s.execute(_UPDATE_STEP, {"b_step": step, "b_was": was, **values}).rowcount == 1


def _window_moved(s: Session, window: int, was: str, values: dict[str, Any]) -> bool:
    """Write ``values`` to ``window`` if its state is still ``was``."""
    return s.execute(_WINDOW_STATE, {"b_window": window, "b_was": was, **values}).rowcount == 1


def _update_step(s: Session, row: dict[str, Any], action: str, values: dict[str, Any]) -> None:
    """Write ``values`` to the step ``row`` if it is still in the status it was read in; if
    another transaction changed it first (a second click, a cancel, the close-out), refuse with
    the status it has now."""
    if not _step_moved(s, row["id"], row["status"], values):
        now = s.scalar(_STEP_STATUS, {"b_step": row["id"]})
        raise errors.WrongState.of(row["number"], now, action)


def _zone_of_service(ctx: Context, service: str) -> str | None:
    svc = ctx.config.service(service)
    return svc.zone if svc else None


# --- issuing ----------------------------------------------------------------------------------


def issue(
    ctx: Context,
    service: str,
    priority: str = "normal",
    *,
    by: Requester = INTERNAL,
    request_id: str | None = None,
    project_code: str | None = None,
    predict: bool = True,
) -> Issued:
    """Give a visitor a numbered ticket for ``service``, asked for by ``by``.

    The number, the ticket, its first step, the event and (for a kiosk) the print job are written
    together: either all of them exist afterwards or none. Asking again with the same
    ``request_id`` answers the first ticket instead of making a second (a double tap, a retry
    after a lost answer); a request id names a ticket only among ``by``'s own. ``by``'s limit
    (:mod:`queues.access.requesters`) applies. Without ``predict`` the answer leaves out people
    ahead
    and the expected wait (loading history).
    """
    if priority not in PRIORITIES:
        raise errors.InvalidPriority(priority=priority)
    for attempt in (1, 2):
        try:
            return _issue(ctx, service, priority, by, request_id, project_code, predict)
        except IntegrityError:
            # Two requests with one request_id raced past the lookup (PostgreSQL): the loser's
            # transaction, number included, was rolled back; answer the winner's ticket.
            if attempt == 2 or request_id is None:
                raise
    raise AssertionError("unreachable")


def _issue(
    ctx: Context,
    service: str,
    priority: str,
    by: Requester,
    request_id: str | None,
    project_code: str | None,
    predict: bool,
) -> Issued:
    now = ctx.now()
    local = ctx.local(now)
    day = local.date()
    svc, first = _issuable(ctx, service, by.is_staff, local)
    kiosk = by.kiosk
    if kiosk is not None and ctx.config.kiosk(kiosk) is None:
        raise errors.UnknownKiosk(kiosk=kiosk)
    with ctx.db.write() as s:
        if request_id is not None:
            found = s.scalar(_FIND_REQUEST, {"requester": by.scope, "request_id": request_id})
            if found is not None:
                existing = s.get_one(Ticket, found)
                if existing.requested_service_code != service or existing.priority != priority:
                    raise errors.RequestIdReused()
                return Issued(views.ticket_in(s, ctx, existing, existing.step), created=False)
        if priority == "green" and not by.is_staff:
            _check_project_code(s, project_code, day)
        requesters.check(s, ctx, by, now)

        seq = next_seq(s, day, first.prefix)
        number = format_number(first.prefix, seq)
        public_id = secrets.token_urlsafe(12)
        ticket_id = s.execute(
            _INSERT_TICKET,
            dict(
                public_id=public_id,
                day=day,
                prefix=first.prefix,
                seq=seq,
                number=number,
                priority=priority,
                requested_service_code=svc.code,
                issued_at=now,
                kiosk=kiosk,
                request_id=request_id,
                requester=by.scope,
                project_code=project_code if priority == "green" else None,
                client=by.address,
            ),
        ).scalar_one()
        step_id = s.execute(
            _INSERT_STEP,
            dict(
                ticket_id=ticket_id,
                n=1,
                day=day,
                service_code=first.code,
                priority=priority,
                queued_at=now,
                entered_at=now,
                status="waiting",
                recalls=0,
            ),
        ).scalar_one()
        events.record(
            s,
            "issued",
            by.actor,
            now,
            ticket_id=ticket_id,
            number=number,
            service=svc.code,
            first_step=first.code,
            priority=priority,
            kiosk=kiosk,
        )
        if kiosk is not None:
            s.execute(
                _INSERT_PRINT_JOB,
                dict(
                    ticket_id=ticket_id,
                    kiosk=kiosk,
                    status="pending",
                    attempts=0,
                    created_at=now,
                    next_attempt_at=now,
                ),
            )
        prediction = None
        if predict:
            me = policy.Candidate(step_id, first.code, priority, now, first.target_minutes)
            prediction = eta.predict(views.load_snapshot(s, ctx, [first.code]), me)
        events.bump(s, first.zone)
    view = views.TicketView(
        id=public_id,
        number=number,
        service=first.code,
        zone=first.zone,
        priority=priority,
        status="waiting",
        issued_at=now,
        requested_service=svc.code,
        ahead=prediction.ahead if prediction else None,
        eta_minutes=prediction.eta_minutes if prediction else None,
        service_name_zh=first.name.zh,
        service_name_en=first.name.en,
    )
    return Issued(view, created=True)


def _issuable(
    ctx: Context, service: str, staff: bool, local: datetime
) -> tuple[config.Service, config.Service]:
    """The service asked for and the one queued for first, if a ticket may be taken now."""
    cfg = ctx.config
    svc = cfg.service(service)
    if svc is None or not (svc.kiosk or staff):
        raise errors.UnknownService(service=service)
    first = cfg.service(svc.first_step) if svc.first_step else svc
    assert first is not None
    if not ctx.open_always:
        hours = cfg.hours
        if not hours.issuing(local):
            raise errors.HallClosed(
                days=lambda lang: weekdays(hours.days, lang),
                first=f"{hours.first_ticket:%H:%M}",
                last=f"{hours.last_ticket:%H:%M}",
            )
        if svc.days and WEEKDAYS[local.weekday()] not in svc.days:
            raise errors.ServiceNotOffered(name=svc.name)
    if not cfg.windows_serving.get(first.code):
        raise errors.NoWindowForService(name=svc.name)
    return svc, first


def _check_project_code(s: Session, code: str | None, day: date) -> None:
    if not code:
        raise errors.GreenNotAuthorised()
    found = s.get(ProjectCode, code.strip())
    if found is None or not found.active or (found.valid_until and found.valid_until < day):
        raise errors.InvalidProjectCode(code=code)


def cancel(ctx: Context, ticket_id: str, actor: str) -> views.TicketView:
    """Withdraw a ticket that is waiting or called (the visitor left, a duplicate)."""
    now = ctx.now()
    with ctx.db.write() as s:
        found = s.execute(_CURRENT_STEP, {"b_ticket": ticket_id}).first()
        if found is None:
            raise errors.UnknownTicket(ticket=ticket_id)
        row = dict(found._mapping)
        if row["status"] not in ("waiting", "called"):
            raise errors.WrongState.of(row["number"], row["status"], "cancel")
        values = {"status": "cancelled", "finished_at": now}
        _update_step(s, row, "cancel", values)
        events.record(
            s, "cancelled", actor, now, ticket_id=row["ticket_id"], window_id=row["window_id"]
        )
        events.bump(
            s, _zone_of_service(ctx, row["service_code"]), _zone_of_window(s, row["window_id"])
        )
        return views.row_view(ctx, {**row, **values})


# --- the window's actions ---------------------------------------------------------------------


def call_next(ctx: Context, window_id: int, actor: str) -> views.TicketView | None:
    """Call the best waiting ticket to ``window_id`` (see :mod:`queues.rules.policy`); None if none.

    Two windows calling at the same instant never get the same ticket: the claim is an update
    that only succeeds while the ticket is still waiting, and the loser takes the next one. Two
    calls at one window take turns on its lock, and the claim also needs the window to hold no
    ticket: the second is refused (``WindowBusy``), and the window holds one ticket.
    """
    now = ctx.now()
    with ctx.db.write() as s:
        w = _window(s, window_id)
        if w.state == "closed":
            raise errors.WindowClosed(window=w.id)
        if w.state == "paused":
            raise errors.WindowPaused(window=w.id)
        weights = ctx.config.weights_of_window.get(w.id, {})
        while True:
            candidates, numbers = views.window_candidates(s, ctx, w.id, ctx.business_day(now))
            if not candidates:
                _refuse_if_busy(s, w)  # nobody waits; a window still holding a ticket says so
                return None
            chosen = _claim_first(s, policy.order(candidates, now, w.id, weights), w, actor, now)
            if chosen is not None:
                break
            # Every ticket read was taken by other windows meanwhile; if a group was read only
            # in part, more may wait behind: read again.
            if not views.cut_short(candidates):
                return None
        row = dict(s.execute(_STEP, {"b_step": chosen.step_id}).one()._mapping)
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
        events.bump(s, w.zone_code, _zone_of_service(ctx, chosen.service))
        return views.row_view(ctx, row)


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
    action: str,
    allowed: tuple[str, ...],
    event: str,
    change: Callable[[dict[str, Any], datetime], tuple[dict[str, Any], dict[str, Any]]],
) -> views.TicketView:
    """Apply ``change`` to the window's current ticket if its status is one of ``allowed``.

    ``change`` answers the step's new values and the event's data.
    """
    now = ctx.now()
    with ctx.db.write() as s:
        row, zone = _holding(s, window_id, action, *allowed)
        values, data = change(row, now)
        _update_step(s, row, action, values)
        events.record(s, event, actor, now, ticket_id=row["ticket_id"], window_id=window_id, **data)
        events.bump(s, zone)
        return views.row_view(ctx, {**row, **values})


def recall(ctx: Context, window_id: int, actor: str) -> views.TicketView:
    """Call the window's current ticket again (shown and spoken once more)."""

    def change(row: dict[str, Any], now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
        recalls = row["recalls"] + 1
        return {"recalls": recalls, "last_called_at": now}, {"recalls": recalls}

    return _act(ctx, window_id, actor, "recall", ("called",), "recalled", change)


def start(ctx: Context, window_id: int, actor: str) -> views.TicketView:
    """The called visitor has arrived at the window: service begins."""

    def change(row: dict[str, Any], now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"status": "serving", "started_at": now, "clerk": actor}, {}

    return _act(ctx, window_id, actor, "start", ("called",), "started", change)


def finish(
    ctx: Context,
    window_id: int,
    actor: str,
    outcome: str = "done",
    promised_date: date | None = None,
) -> views.TicketView:
    """End the service with its outcome; ``promised`` needs the date the matter will be ready."""
    if outcome not in OUTCOMES:
        raise errors.InvalidOutcome(outcome=outcome)
    if outcome != "promised":
        promised_date = None
    elif promised_date is None:
        raise errors.PromisedDateRequired()
    elif promised_date < ctx.business_day():
        raise errors.PromisedDateInPast(date=promised_date.isoformat())

    def change(row: dict[str, Any], now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
        values = {
            "status": "done",
            "finished_at": now,
            "started_at": row["started_at"] or row["called_at"],
            "outcome": outcome,
            "promised_date": promised_date,
        }
        promised = promised_date.isoformat() if promised_date else None
        return values, {"outcome": outcome, "promised_date": promised}

    return _act(ctx, window_id, actor, "finish", ("called", "serving"), "finished", change)


def no_show(
    ctx: Context, window_id: int, actor: str, *, called_before: datetime | None = None
) -> views.TicketView:
    """The called visitor did not come.

    ``called_before``: only if the ticket was last called before then (the automatic no-show,
    which must not hit a ticket the clerk recalled, or called after the one it found overdue).
    """

    def change(row: dict[str, Any], now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
        if called_before is not None and row["last_called_at"] >= called_before:
            raise errors.NotOverdue(number=row["number"])
        return {"status": "no_show", "finished_at": now}, {"recalls": row["recalls"]}

    return _act(ctx, window_id, actor, "no_show", ("called",), "no_show", change)


def transfer(
    ctx: Context,
    window_id: int,
    actor: str,
    *,
    service: str | None = None,
    window: int | None = None,
) -> views.TicketView:
    """Send the window's current ticket on to another service or to one window.

    The ticket keeps its number and its place in line (its issue time): the visitor does not
    go to the back of the next queue.
    """
    if (service is None) == (window is None):
        raise errors.TransferTargetRequired()
    now = ctx.now()
    with ctx.db.write() as s:
        row, zone = _holding(s, window_id, "transfer", "called", "serving")
        if service is not None:
            target = ctx.config.service(service)
            if target is None:
                raise errors.UnknownService(service=service)
            to_service, to_window, to_window_zone = target.code, None, None
        else:
            found = s.execute(
                select(_wn.id, _wn.zone_code).where(_wn.id == window, _wn.active)
            ).first()
            if found is None:
                raise errors.UnknownTargetWindow(window=window)
            to_service, to_window, to_window_zone = row["service_code"], found.id, found.zone_code
        _update_step(
            s,
            row,
            "transfer",
            {
                "status": "transferred",
                "finished_at": now,
                "started_at": row["started_at"] or row["called_at"],
            },
        )
        new_id = s.execute(
            _INSERT_STEP,
            dict(
                ticket_id=row["ticket_id"],
                n=row["n"] + 1,
                day=row["day"],
                service_code=to_service,
                priority=row["priority"],
                target_window_id=to_window,
                queued_at=row["queued_at"],
                entered_at=now,
                status="waiting",
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
        new = dict(s.execute(_STEP, {"b_step": new_id}).one()._mapping)
        view = views.predicted_row_view(s, ctx, new)
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
    now = ctx.now()
    with ctx.db.write() as s:
        row, _ = _holding(s, window_id, "record", "called", "serving")
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


def pause(ctx: Context, window_id: int, actor: str, reason: str = "") -> views.WindowView:
    """Stop calling at this window for a while (a break, a meeting); the reason is recorded."""
    return _set_window_state(ctx, window_id, actor, "paused", reason.strip() or None)


def resume(ctx: Context, window_id: int, actor: str) -> views.WindowView:
    """Open the window: from paused, or from closed at the start of the day."""
    return _set_window_state(ctx, window_id, actor, "open", None)


def close(ctx: Context, window_id: int, actor: str) -> views.WindowView:
    """Close the window for the day; it must not hold a ticket."""
    return _set_window_state(ctx, window_id, actor, "closed", None)


_STATE_EVENTS = {"open": "window_opened", "paused": "window_paused", "closed": "window_closed"}


def _set_window_state(
    ctx: Context, window_id: int, actor: str, state: str, reason: str | None
) -> views.WindowView:
    now = ctx.now()
    with ctx.db.write() as s:
        w = _window(s, window_id)
        held = _held(s, w.id)
        if state == "paused" and w.state == "closed":
            raise errors.WindowClosed(window=w.id)
        if state == "closed" and held is not None:
            raise errors.WindowBusy(window=w.id, number=held["number"])
        since = w.state_since
        if w.state != state or w.state_reason != reason:
            since = now
            values = {"state": state, "state_reason": reason, "state_since": now}
            if not _window_moved(s, w.id, w.state, values):
                raise errors.WindowChanged(window=w.id)
            events.record(
                s, _STATE_EVENTS[state], actor, now, window_id=w.id, previous=w.state, reason=reason
            )
            events.bump(s, w.zone_code)
    return views.WindowView(
        id=w.id,
        zone=w.zone_code,
        department_zh=w.department_zh,
        department_en=w.department_en,
        services=list(ctx.config.weights_of_window.get(w.id, {})),
        state=state,
        state_reason=reason,
        state_since=since,
        current=views.row_view(ctx, held) if held else None,
    )


def _zone_of_window(s: Session, window_id: int | None) -> str | None:
    if window_id is None:
        return None
    return s.scalar(select(Window.zone_code).where(Window.id == window_id))


# --- the visitor's judgement -----------------------------------------------------------------

BAD_SCORES = (1, 2)
"""非常不满意 and 不满意: bad ratings are followed up (the national 好差评 rules)."""


def rate(ctx: Context, ticket_id: str, score: int, comment: str | None = None) -> views.TicketView:
    """The visitor's rating of a finished service, once per ticket: 5 非常满意 … 1 非常不满意."""
    if score not in (1, 2, 3, 4, 5):
        raise errors.InvalidScore(score=score)
    now = ctx.now()
    comment = (comment or "").strip() or None
    with ctx.db.write() as s:
        found = s.execute(_CURRENT_STEP, {"b_ticket": ticket_id}).first()
        if found is None:
            raise errors.UnknownTicket(ticket=ticket_id)
        row = found._mapping
        if row["status"] != "done":
            raise errors.NotServed(number=row["number"])
        rated = s.execute(
            _INSERT_RATING[ctx.db.dialect],
            {
                "ticket_id": row["ticket_id"],
                "step_id": row["id"],
                "window_id": row["window_id"],
                "score": score,
                "comment": comment,
                "created_at": now,
                "follow_up": "open" if score in BAD_SCORES else None,
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
        return views.row_view(ctx, row, rating=score)


FOLLOW_UP = ("open", "contacted", "resolved")
"""A bad rating's follow-up: not yet handled, the visitor contacted, the matter resolved."""


def follow_up(ctx: Context, rating_id: int, state: str, note: str, actor: str) -> None:
    """A manager records the follow-up of a bad rating (state and what was done)."""
    if state not in FOLLOW_UP:
        raise errors.InvalidFollowUp(state=state)
    note = note.strip()[:2000]
    now = ctx.now()
    with ctx.db.write() as s:
        # locked: two managers saving at once take turns, and the events keep their order
        rating = s.get(Rating, rating_id, with_for_update=True)
        if rating is None:
            raise errors.UnknownRating(rating=rating_id)
        rating.follow_up = state
        rating.follow_up_note = note or None
        events.record(
            s,
            "rating_followed_up",
            actor,
            now,
            ticket_id=rating.ticket_id,
            window_id=rating.window_id,
            rating=rating_id,
            state=state,
        )


# --- the end of the day -----------------------------------------------------------------------


def expire_day(ctx: Context, day: date | None = None, actor: str = "system") -> int:
    """Close out ``day`` (default: every day whose tickets are no longer in line today) and
    answer how many tickets expired.

    Tickets still waiting, called or in service become ``expired``, each with an event, and the
    windows are closed (for past days only those left open since before today: a restart in the
    middle of the day leaves today's windows as they are), so the next day starts clean. A hall
    open around the clock keeps yesterday's queue (``views.queue_since``) and has no closing
    time: by default it expires only what is older and leaves its windows open.

    The windows are locked first, as every window action locks its window: a call at the same
    moment lands either before (its ticket expires with the rest) or after (it finds the window
    closed). A window that still holds a later day's ticket stays open: its clerk is at work.
    """
    now = ctx.now()
    today = ctx.business_day(now)
    last = day if day is not None else views.queue_since(ctx, today) - timedelta(days=1)
    windows_q = (
        select(_wn.id, _wn.state, _wn.zone_code)
        .where(_wn.state != "closed")
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
            .where(_st.status.in_(OPEN_STATES), _st.day <= last)
            .order_by(_st.id)
        ).all()
        zones: set[str | None] = set()
        expired = 0
        for step in steps:
            values = {"status": "expired", "finished_at": now}
            if not _step_moved(s, step.id, step.status, values):
                continue  # finished or cancelled a moment ago
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
        held = select(_st.window_id).where(
            _st.window_id.in_([w.id for w in closing]), views.active(_st.status)
        )
        busy = set(s.scalars(held)) if closing else set()
        for w in closing:
            if w.id in busy:
                continue
            values = {"state": "closed", "state_reason": None, "state_since": now}
            if not _window_moved(s, w.id, w.state, values):
                continue
            events.record(
                s, "window_closed", actor, now, window_id=w.id, previous=w.state, reason="close-out"
            )
            zones.add(w.zone_code)
        events.bump(s, *zones)
        return expired


# --- API tokens and key-project codes ---------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    windows: tuple[int, ...] = ()
    """For a clerk token: the windows it may act at (empty: any, as for tokens made before)."""

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.name}"

    def may_work(self, window: int) -> bool:
        """A clerk token acts at its own windows; managers and administrators at any."""
        return self.role != "clerk" or not self.windows or window in self.windows


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    ctx: Context,
    role: str,
    name: str,
    actor: str = "cli",
    *,
    windows: list[int] | tuple[int, ...] = (),
) -> str:
    """Make a new API token and answer it; only its hash is stored, so it is shown once.

    A clerk token may be bound to ``windows``, as a clerk's account is; a kiosk token's name is
    the kiosk it speaks for (one of the hall file's)."""
    if role not in ROLES:
        raise errors.InvalidRole(role=role, roles=", ".join(ROLES))
    if role == "kiosk" and ctx.config.kiosk(name) is None:
        raise errors.UnknownKiosk(kiosk=name)
    known = {w.id for w in ctx.config.windows}
    unknown = [w for w in windows if w not in known]
    if unknown:
        raise errors.UnknownWindow(window=unknown[0])
    bound = ",".join(str(w) for w in sorted(set(windows))) if role == "clerk" else ""
    token = "hq_" + secrets.token_urlsafe(32)
    now = ctx.now()
    with ctx.db.write() as s:
        s.add(
            ApiToken(name=name, role=role, token_hash=_hash(token), windows=bound, created_at=now)
        )
        events.record(s, "token_created", actor, now, name=name, role=role, windows=bound)
    return token


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None


def tokens(ctx: Context) -> list[TokenInfo]:
    """Every token ever made (never the token itself: only its hash is kept)."""
    with ctx.db.read() as s:
        return [
            TokenInfo(t.id, t.name, t.role, t.created_at, t.revoked_at)
            for t in s.scalars(select(ApiToken).order_by(ApiToken.id))
        ]


def revoke_token(ctx: Context, which: str, actor: str = "cli") -> list[TokenInfo]:
    """Revoke the token with id ``which``, or every live token named ``which``; answers those
    revoked. A revoked token is refused from the next request on."""
    now = ctx.now()
    with ctx.db.write() as s:
        # locked, and re-checked after the lock: a token revoked twice at once is revoked once
        query = select(ApiToken).where(ApiToken.revoked_at.is_(None)).with_for_update()
        query = query.where(
            ApiToken.id == int(which) if which.isdigit() else ApiToken.name == which
        )
        found = list(s.scalars(query))
        if not found:
            raise errors.UnknownToken(token=which)
        for t in found:
            t.revoked_at = now
            events.record(s, "token_revoked", actor, now, name=t.name, role=t.role, token=t.id)
        return [TokenInfo(t.id, t.name, t.role, t.created_at, t.revoked_at) for t in found]


def authenticate(ctx: Context, token: str) -> Principal | None:
    """The holder of ``token``, or None for an unknown or revoked one."""
    with ctx.db.read() as s:
        row = s.scalar(
            select(ApiToken).where(
                ApiToken.token_hash == _hash(token), ApiToken.revoked_at.is_(None)
            )
        )
        if row is None:
            return None
        windows = tuple(int(w) for w in row.windows.split(",") if w.strip())
        return Principal(name=row.name, role=row.role, windows=windows)


def add_project_code(
    ctx: Context, code: str, name: str, valid_until: date | None = None, actor: str = "cli"
) -> None:
    """Register a key project whose code opens the green channel at the kiosk."""
    now = ctx.now()
    table = ProjectCode.__table__
    known = {"name": name, "valid_until": valid_until, "active": True}
    add = (
        db.insert_for(ctx.db.dialect)(table)
        .values(code=code, created_at=now, **known)
        .on_conflict_do_update(index_elements=[table.c.code], set_=known)
    )  # one statement: two managers adding the same code at once both succeed
    with ctx.db.write() as s:
        s.execute(add)
        events.record(s, "project_code_added", actor, now, code=code, name=name)
