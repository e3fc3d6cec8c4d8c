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
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from queues import config, errors, eta, events, policy, views
from queues.config import WEEKDAYS
from queues.context import Context
from queues.i18n import weekdays
from queues.models import (
    ApiToken,
    PrintJob,
    ProjectCode,
    Rating,
    Service,
    Step,
    Ticket,
    Window,
)
from queues.numbering import format_number, next_seq

PRIORITIES = ("normal", "priority", "green")
OUTCOMES = ("done", "promised", "incomplete", "consult")
ROLES = ("kiosk", "clerk", "manager", "admin")
OPEN_STATES = ("waiting", "called", "serving")


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
    Ticket.__table__.c.request_id == bindparam("request_id")
)
_INSERT_PRINT_JOB = insert(PrintJob.__table__)


def _window(s: Session, window_id: int) -> Window:
    """The window, locked for the rest of the transaction (PostgreSQL row lock)."""
    w = s.scalar(
        select(Window).where(Window.id == window_id, Window.active).with_for_update(of=Window)
    )
    if w is None:
        raise errors.UnknownWindow(window=window_id)
    return w


def _current(s: Session, window: Window) -> Step | None:
    return s.scalar(select(Step).where(Step.window_id == window.id, Step.status.in_(views.ACTIVE)))


def _require_current(s: Session, window: Window, action: str, *allowed: str) -> Step:
    step = _current(s, window)
    if step is None:
        raise errors.NoCurrentTicket(window=window.id)
    if step.status not in allowed:
        raise _wrong_state(step, action)
    return step


def _wrong_state(step: Step, action: str) -> errors.WrongState:
    return errors.WrongState.of(step.ticket.number, step.status, action)


def _answer(s: Session, ctx: Context, step: Step) -> views.TicketView:
    return views.ticket_in(s, ctx, step.ticket, step)


# --- issuing ----------------------------------------------------------------------------------


def issue(
    ctx: Context,
    service: str,
    priority: str = "normal",
    *,
    kiosk: str | None = None,
    request_id: str | None = None,
    project_code: str | None = None,
    actor: str = "kiosk",
    staff: bool = False,
    client: str | None = None,
    limit_per_minute: int = 0,
) -> Issued:
    """Give a visitor a numbered ticket for ``service``.

    The number, the ticket, its first step, the event and (for a kiosk) the print job are written
    together: either all of them exist afterwards or none. Asking again with the same
    ``request_id`` answers the first ticket instead of making a second (a double tap, a retry
    after a lost answer). ``limit_per_minute`` caps tickets per ``client`` address.
    """
    if priority not in PRIORITIES:
        raise errors.InvalidPriority(priority=priority)
    for attempt in (1, 2):
        try:
            return _issue(
                ctx,
                service,
                priority,
                kiosk,
                request_id,
                project_code,
                actor,
                staff,
                client,
                limit_per_minute,
            )
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
    kiosk: str | None,
    request_id: str | None,
    project_code: str | None,
    actor: str,
    staff: bool,
    client: str | None,
    limit_per_minute: int,
) -> Issued:
    now = ctx.now()
    local = ctx.local(now)
    day = local.date()
    svc, first = _issuable(ctx, service, staff, local)
    with ctx.db.write() as s:
        if request_id is not None:
            found = s.scalar(_FIND_REQUEST, {"request_id": request_id})
            if found is not None:
                existing = s.get_one(Ticket, found)
                if existing.requested_service_code != service or existing.priority != priority:
                    raise errors.RequestIdReused()
                return Issued(_answer(s, ctx, existing.step), created=False)
        if priority == "green" and not staff:
            _check_project_code(s, project_code, day)
        if limit_per_minute and client:
            recent = s.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(Ticket.client == client, Ticket.issued_at > now - timedelta(minutes=1))
            )
            if recent >= limit_per_minute:
                raise errors.RateLimited(seconds=60)

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
                project_code=project_code if priority == "green" else None,
                client=client,
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
                status="waiting",
                recalls=0,
            ),
        ).scalar_one()
        events.record(
            s,
            "issued",
            actor,
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
        ahead=prediction.ahead,
        eta_minutes=prediction.eta_minutes,
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
        t_, step = views.load_ticket(s, ticket_id)
        if step.status not in ("waiting", "called"):
            raise _wrong_state(step, "cancel")
        step.status = "cancelled"
        step.finished_at = now
        events.record(s, "cancelled", actor, now, ticket_id=t_.id, window_id=step.window_id)
        view = _answer(s, ctx, step)
        events.bump(s, step.service.zone_code, _zone_of_window(s, step.window_id))
        return view


# --- the window's actions ---------------------------------------------------------------------


def call_next(ctx: Context, window_id: int, actor: str) -> views.TicketView | None:
    """Call the best waiting ticket to ``window_id`` (see :mod:`queues.policy`); None if none.

    Two windows calling at the same instant never get the same ticket: the claim is an update
    that only succeeds while the ticket is still waiting, and the loser takes the next one.
    """
    now = ctx.now()
    with ctx.db.write() as s:
        w = _window(s, window_id)
        if w.state == "closed":
            raise errors.WindowClosed(window=w.id)
        if w.state == "paused":
            raise errors.WindowPaused(window=w.id)
        held = _current(s, w)
        if held is not None:
            raise errors.WindowBusy(window=w.id, number=held.ticket.number)
        weights = {e.service_code: e.weight for e in w.profile.entries}
        rows = s.execute(
            select(Step, Service.target_minutes)
            .join(Service, Service.code == Step.service_code)
            .where(
                Step.status == "waiting",
                Step.day == ctx.business_day(now),
                or_(
                    and_(Step.service_code.in_(weights), Step.target_window_id.is_(None)),
                    Step.target_window_id == w.id,
                ),
            )
        ).all()
        steps = {step.id: step for step, _ in rows}
        candidates = [views.candidate(step, target) for step, target in rows]
        for c in policy.order(candidates, now, w.id, weights):
            claimed = s.execute(
                update(Step)
                .where(Step.id == c.step_id, Step.status == "waiting")
                .values(
                    status="called",
                    window_id=w.id,
                    clerk=actor,
                    called_at=now,
                    last_called_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:
                step = steps[c.step_id]
                s.refresh(step)
                events.record(
                    s,
                    "called",
                    actor,
                    now,
                    ticket_id=step.ticket_id,
                    window_id=w.id,
                    number=step.ticket.number,
                    service=step.service_code,
                )
                view = _answer(s, ctx, step)
                events.bump(s, w.zone_code, step.service.zone_code)
                return view
        return None


def _act(
    ctx: Context,
    window_id: int,
    actor: str,
    action: str,
    allowed: tuple[str, ...],
    event: str,
    change: Callable[[Step, datetime], dict[str, Any]],
) -> views.TicketView:
    """Apply ``change`` to the window's current ticket if its status is one of ``allowed``."""
    now = ctx.now()
    with ctx.db.write() as s:
        w = _window(s, window_id)
        step = _require_current(s, w, action, *allowed)
        data = change(step, now)
        events.record(s, event, actor, now, ticket_id=step.ticket_id, window_id=w.id, **data)
        view = _answer(s, ctx, step)
        events.bump(s, w.zone_code)
        return view


def recall(ctx: Context, window_id: int, actor: str) -> views.TicketView:
    """Call the window's current ticket again (shown and spoken once more)."""

    def change(step: Step, now: datetime) -> dict[str, Any]:
        step.recalls += 1
        step.last_called_at = now
        return {"recalls": step.recalls}

    return _act(ctx, window_id, actor, "recall", ("called",), "recalled", change)


def start(ctx: Context, window_id: int, actor: str) -> views.TicketView:
    """The called visitor has arrived at the window: service begins."""

    def change(step: Step, now: datetime) -> dict[str, Any]:
        step.status, step.started_at, step.clerk = "serving", now, actor
        return {}

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

    def change(step: Step, now: datetime) -> dict[str, Any]:
        step.started_at = step.started_at or step.called_at
        step.status, step.finished_at = "done", now
        step.outcome, step.promised_date = outcome, promised_date
        promised = promised_date.isoformat() if promised_date else None
        return {"outcome": outcome, "promised_date": promised}

    return _act(ctx, window_id, actor, "finish", ("called", "serving"), "finished", change)


def no_show(ctx: Context, window_id: int, actor: str) -> views.TicketView:
    """The called visitor did not come."""

    def change(step: Step, now: datetime) -> dict[str, Any]:
        step.status, step.finished_at = "no_show", now
        return {"recalls": step.recalls}

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
        w = _window(s, window_id)
        step = _require_current(s, w, "transfer", "called", "serving")
        if service is not None:
            target_service = s.get(Service, service)
            if target_service is None or not target_service.active:
                raise errors.UnknownService(service=service)
            target_window = None
        else:
            target_window = s.scalar(select(Window).where(Window.id == window, Window.active))
            if target_window is None:
                raise errors.UnknownTargetWindow(window=window)
            target_service = step.service
        step.started_at = step.started_at or step.called_at
        step.status = "transferred"
        step.finished_at = now
        s.flush()
        nxt = Step(
            ticket_id=step.ticket_id,
            n=step.n + 1,
            day=step.day,
            service_code=target_service.code,
            priority=step.priority,
            target_window_id=target_window.id if target_window else None,
            queued_at=step.queued_at,
            status="waiting",
            recalls=0,
        )
        s.add(nxt)
        s.flush()
        events.record(
            s,
            "transferred",
            actor,
            now,
            ticket_id=step.ticket_id,
            window_id=w.id,
            from_service=step.service_code,
            to_service=target_service.code,
            to_window=target_window.id if target_window else None,
        )
        s.refresh(nxt)
        view = _answer(s, ctx, nxt)
        events.bump(
            s,
            w.zone_code,
            target_service.zone_code,
            target_window.zone_code if target_window else None,
        )
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
        w = _window(s, window_id)
        step = _require_current(s, w, "record", "called", "serving")
        ticket = step.ticket
        ticket.visitor_name = name.strip()[:100] or None
        ticket.visitor_company = company.strip()[:200] or None
        ticket.visitor_phone = phone.strip()[:40] or None
        events.record(s, "visitor_recorded", actor, now, ticket_id=ticket.id, window_id=w.id)


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
        if state == "paused" and w.state == "closed":
            raise errors.WindowClosed(window=w.id)
        if state == "closed":
            held = _current(s, w)
            if held is not None:
                raise errors.WindowBusy(window=w.id, number=held.ticket.number)
        if w.state != state or w.state_reason != reason:
            previous = w.state
            w.state, w.state_reason, w.state_since = state, reason, now
            events.record(
                s,
                _STATE_EVENTS[state],
                actor,
                now,
                window_id=w.id,
                previous=previous,
                reason=reason,
            )
            events.bump(s, w.zone_code)
    return views.windows(ctx, only=window_id)[0]


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
        ticket, step = views.load_ticket(s, ticket_id)
        if step.status != "done":
            raise errors.NotServed(number=ticket.number)
        if s.scalar(select(Rating.id).where(Rating.ticket_id == ticket.id)) is not None:
            raise errors.AlreadyRated(number=ticket.number)
        s.add(
            Rating(
                ticket_id=ticket.id,
                step_id=step.id,
                window_id=step.window_id,
                score=score,
                comment=comment,
                created_at=now,
                follow_up="open" if score in BAD_SCORES else None,
            )
        )
        s.flush()
        events.record(
            s, "rated", "visitor", now, ticket_id=ticket.id, window_id=step.window_id, score=score
        )
        return views.ticket_in(s, ctx, ticket, step)


# --- the end of the day -----------------------------------------------------------------------


def expire_day(ctx: Context, day: date | None = None, actor: str = "system") -> int:
    """Close out ``day`` (default: every day before today) and answer how many tickets expired.

    Tickets still waiting, called or in service become ``expired``, each with an event, and every
    window is closed, so the next day starts clean.
    """
    now = ctx.now()
    last = day if day is not None else ctx.business_day(now) - timedelta(days=1)
    with ctx.db.write() as s:
        steps = s.scalars(select(Step).where(Step.status.in_(OPEN_STATES), Step.day <= last)).all()
        zones: set[str | None] = set()
        for step in steps:
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
            step.status = "expired"
            step.finished_at = now
            zones.add(step.service.zone_code)
        for w in s.scalars(select(Window).where(Window.state != "closed")):
            events.record(
                s, "window_closed", actor, now, window_id=w.id, previous=w.state, reason="close-out"
            )
            w.state, w.state_reason, w.state_since = "closed", None, now
            zones.add(w.zone_code)
        events.bump(s, *zones)
        return len(steps)


# --- API tokens and key-project codes ---------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    name: str
    role: str

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.name}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(ctx: Context, role: str, name: str, actor: str = "cli") -> str:
    """Make a new API token and answer it; only its hash is stored, so it is shown once."""
    if role not in ROLES:
        raise errors.InvalidRole(role=role, roles=", ".join(ROLES))
    token = "hq_" + secrets.token_urlsafe(32)
    now = ctx.now()
    with ctx.db.write() as s:
        s.add(ApiToken(name=name, role=role, token_hash=_hash(token), created_at=now))
        events.record(s, "token_created", actor, now, name=name, role=role)
    return token


def authenticate(ctx: Context, token: str) -> Principal | None:
    """The holder of ``token``, or None for an unknown or revoked one."""
    with ctx.db.read() as s:
        row = s.scalar(
            select(ApiToken).where(
                ApiToken.token_hash == _hash(token), ApiToken.revoked_at.is_(None)
            )
        )
        return Principal(name=row.name, role=row.role) if row else None


def add_project_code(
    ctx: Context, code: str, name: str, valid_until: date | None = None, actor: str = "cli"
) -> None:
    """Register a key project whose code opens the green channel at the kiosk."""
    now = ctx.now()
    with ctx.db.write() as s:
        found = s.get(ProjectCode, code)
        if found is None:
            s.add(ProjectCode(code=code, name=name, valid_until=valid_until, created_at=now))
        else:
            found.name, found.valid_until, found.active = name, valid_until, True
        events.record(s, "project_code_added", actor, now, code=code, name=name)
