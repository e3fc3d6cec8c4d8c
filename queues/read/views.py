"""Read models: what screens and the API show, built from the database in one snapshot.

Nothing here writes. Every function opens a read transaction (on SQLite it does not wait for
the writer) and answers plain dataclasses.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from queues.context import Context
from queues.errors import UnknownTicket, UnknownWindow, UnknownZone
from queues.hall.config import WEEKDAYS
from queues.rules import eta, policy
from queues.rules.policy import Candidate
from queues.store.models import (
    BoardVersion,
    Rating,
    Service,
    Step,
    Ticket,
    Window,
    Zone,
)

ACTIVE = ("called", "serving")


def queue_since(ctx: Context, today: date) -> date:
    """The first day whose waiting tickets are still in line today. A hall open around the clock
    (``open_always``: a 24-hour service point) keeps the visitors who took a ticket before
    midnight: they are called after it in their order. A hall that closes starts each day with
    empty queues: yesterday's leftovers left with the visitors (close-out expires them)."""
    return today - timedelta(days=1) if ctx.open_always else today


def active(status: ColumnElement[str]) -> ColumnElement[bool]:
    """``status`` is one of ACTIVE, written out: an IN list would be expanded at every run."""
    return or_(*(status == value for value in ACTIVE))


RECENT_DAYS = 14
DEFAULT_TARGET = 20
CALLING_SHOWN = 10


@dataclass(frozen=True)
class TicketView:
    id: str
    number: str
    service: str
    zone: str
    priority: str
    status: str
    issued_at: datetime
    requested_service: str
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    window: int | None = None
    target_window: int | None = None
    recalls: int = 0
    outcome: str | None = None
    promised_date: date | None = None
    ahead: int | None = None
    eta_minutes: int | None = None
    service_name_zh: str = ""
    service_name_en: str = ""
    rating: int | None = None
    """The visitor's score, once rated."""

    @property
    def status_url(self) -> str:
        return f"/t/{self.id}"


@dataclass(frozen=True)
class ServiceStatus:
    code: str
    name_zh: str
    name_en: str
    zone: str
    prefix: str
    waiting: int
    eta_minutes: int | None
    open: bool
    reason: str | None
    """Why it is not open: ``hall_closed``, ``service_not_offered`` or ``no_window_for_service``."""
    first_step: str | None


@dataclass(frozen=True)
class Call:
    number: str
    window: int
    called_at: datetime
    zone: str


@dataclass(frozen=True)
class QueueLine:
    service: str
    name_zh: str
    name_en: str
    zone: str
    waiting: int
    eta_minutes: int | None


@dataclass(frozen=True)
class Board:
    version: int
    calling: list[Call]
    queues: list[QueueLine]


@dataclass(frozen=True)
class WindowView:
    id: int
    zone: str
    department_zh: str
    department_en: str
    services: list[str]
    state: str
    state_reason: str | None
    state_since: datetime | None
    current: TicketView | None


# --- building blocks ----------------------------------------------------------------------


def ticket_view(step: Step, ticket: Ticket, prediction: eta.Prediction | None = None) -> TicketView:
    waiting = step.status == "waiting"
    return TicketView(
        id=ticket.public_id,
        number=ticket.number,
        service=step.service_code,
        zone=step.service.zone_code,
        priority=ticket.priority,
        status=step.status,
        issued_at=ticket.issued_at,
        requested_service=ticket.requested_service_code,
        called_at=step.called_at,
        started_at=step.started_at,
        finished_at=step.finished_at,
        window=step.window_id,
        target_window=step.target_window_id,
        recalls=step.recalls,
        outcome=step.outcome,
        promised_date=step.promised_date,
        ahead=prediction.ahead if waiting and prediction else None,
        eta_minutes=prediction.eta_minutes if waiting and prediction else None,
        service_name_zh=step.service.name_zh,
        service_name_en=step.service.name_en,
    )


# A step with its ticket as one row: what the window actions and their answers work from.
_st = Step.__table__.c
_tk = Ticket.__table__.c
STEP_ROW = (
    _st.id,
    _st.n,
    _st.ticket_id,
    _st.service_code,
    _st.status,
    _st.window_id,
    _st.called_at,
    _st.last_called_at,
    _st.started_at,
    _st.finished_at,
    _st.recalls,
    _st.outcome,
    _st.promised_date,
    _st.target_window_id,
    _st.queued_at,
    _st.entered_at,
    _st.day,
    _st.priority,
    _tk.public_id,
    _tk.number,
    _tk.issued_at,
    _tk.requested_service_code,
)
STEPS = Step.__table__.join(Ticket.__table__, _tk.id == _st.ticket_id)


def row_view(
    ctx: Context,
    row: Mapping[str, Any],
    prediction: eta.Prediction | None = None,
    rating: int | None = None,
) -> TicketView:
    """A ticket's view from a step row (``STEP_ROW``), without going back to the database."""
    svc = ctx.config.service(row["service_code"])
    waiting = row["status"] == "waiting"
    return TicketView(
        id=row["public_id"],
        number=row["number"],
        service=row["service_code"],
        zone=svc.zone if svc else "",
        priority=row["priority"],
        status=row["status"],
        issued_at=row["issued_at"],
        requested_service=row["requested_service_code"],
        called_at=row["called_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        window=row["window_id"],
        target_window=row["target_window_id"],
        recalls=row["recalls"],
        outcome=row["outcome"],
        promised_date=row["promised_date"],
        ahead=prediction.ahead if waiting and prediction else None,
        eta_minutes=prediction.eta_minutes if waiting and prediction else None,
        service_name_zh=svc.name.zh if svc else row["service_code"],
        service_name_en=svc.name.en if svc else row["service_code"],
        rating=rating,
    )


def predicted_row_view(session: Session, ctx: Context, row: Mapping[str, Any]) -> TicketView:
    """``row_view`` with people ahead and expected wait, for a waiting step."""
    if row["status"] != "waiting":
        return row_view(ctx, row)
    svc = ctx.config.service(row["service_code"])
    me = Candidate(
        row["id"],
        row["service_code"],
        row["priority"],
        row["queued_at"],
        svc.target_minutes if svc else DEFAULT_TARGET,
        row["target_window_id"],
    )
    snapshot = load_snapshot(session, ctx, [row["service_code"]])
    return row_view(ctx, row, eta.predict(snapshot, me))


def candidate(step: Step, target_minutes: int) -> Candidate:
    return Candidate(
        step_id=step.id,
        service=step.service_code,
        priority=step.priority,
        queued_at=step.queued_at,
        target_minutes=target_minutes,
        target_window=step.target_window_id,
    )


_steps = Step.__table__.c
_windows = Window.__table__.c
_OPEN_WINDOWS = (
    select(_windows.id, _steps.service_code, _steps.called_at, _steps.started_at)
    .select_from(Window.__table__)
    .outerjoin(
        Step.__table__,
        and_(_steps.window_id == _windows.id, active(_steps.status)),
    )
    .where(_windows.active, _windows.state == "open")
)
_WAITING = select(
    _steps.id, _steps.service_code, _steps.priority, _steps.queued_at, _steps.target_window_id
).where(_steps.status == "waiting", _steps.day >= bindparam("since"))
_WAITING_RELATED = _WAITING.where(
    or_(
        _steps.service_code.in_(bindparam("related", expanding=True)),
        _steps.target_window_id.in_(bindparam("reach", expanding=True)),
    )
)


def load_snapshot(
    session: Session, ctx: Context, services: Iterable[str] | None = None
) -> eta.Snapshot:
    """Everything wait prediction needs, read in the caller's transaction.

    With ``services``, only the queues that can hold up those services' tickets are read: the
    services sharing a window with them, and tickets sent to one of those windows by name.
    """
    cfg = ctx.config
    now = ctx.now()
    weights = cfg.weights_of_window
    windows = [
        eta.OpenWindow(
            id=r.id,
            services=frozenset(weights.get(r.id, ())),
            busy=eta.Busy(r.service_code, r.started_at or r.called_at) if r.service_code else None,
        )
        for r in session.execute(_OPEN_WINDOWS)
    ]
    params: dict[str, object] = {"since": queue_since(ctx, ctx.business_day(now))}
    if services is None:
        query = _WAITING
    else:
        serving = cfg.windows_serving
        reach = frozenset().union(*(serving.get(code, frozenset()) for code in services))
        related = {code for code, ids in serving.items() if ids & reach} | set(services)
        query = _WAITING_RELATED
        params.update(related=sorted(related), reach=sorted(reach))
    targets = {svc.code: svc.target_minutes for svc in cfg.services}
    waiting = [
        Candidate(
            step_id=r.id,
            service=r.service_code,
            priority=r.priority,
            queued_at=r.queued_at,
            target_minutes=targets.get(r.service_code, DEFAULT_TARGET),
            target_window=r.target_window_id,
        )
        for r in session.execute(query, params)
    ]
    return eta.Snapshot(
        now=now, waiting=waiting, windows=windows, minutes=service_minutes(session, ctx)
    )


MINUTES_TTL_SECONDS = 30.0


def service_minutes(session: Session, ctx: Context) -> dict[str, float]:
    """Expected minutes at the window per service: configuration blended with recent times.

    Recomputed at most every ``MINUTES_TTL_SECONDS`` per process: it moves by a visit at a time.
    """
    cached = ctx.cache.get("service_minutes")
    clock = time.monotonic()
    if cached is not None and clock - cached[0] < MINUTES_TTL_SECONDS:
        return cached[1]
    since = ctx.business_day() - timedelta(days=RECENT_DAYS)
    seconds = ctx.db.seconds_between(Step.started_at, Step.finished_at)
    measured = {
        r.service_code: (float(r.mean) / 60, int(r.n))
        for r in session.execute(
            select(Step.service_code, func.avg(seconds).label("mean"), func.count().label("n"))
            .where(Step.status == "done", Step.day >= since, Step.started_at.is_not(None))
            .group_by(Step.service_code)
        )
    }
    result = {}
    for svc in ctx.config.services:
        mean, n = measured.get(svc.code, (None, 0))
        result[svc.code] = eta.blend(svc.service_minutes, mean, n)
    ctx.cache["service_minutes"] = (clock, result)
    return result


def load_ticket(session: Session, public_id: str) -> tuple[Ticket, Step]:
    row = session.execute(
        select(Ticket, Step)
        .join(Step, Step.ticket_id == Ticket.id)
        .where(Ticket.public_id == public_id, Step.status != "transferred")
    ).first()
    if row is None:
        raise UnknownTicket(ticket=public_id)
    return row[0], row[1]


def ticket_in(session: Session, ctx: Context, ticket: Ticket, step: Step) -> TicketView:
    prediction = None
    if step.status == "waiting":
        snapshot = load_snapshot(session, ctx, [step.service_code])
        me = candidate(step, step.service.target_minutes)
        prediction = eta.predict(snapshot, me)
    view = ticket_view(step, ticket, prediction)
    if step.status == "done":
        score = session.scalar(select(Rating.score).where(Rating.ticket_id == ticket.id))
        view = replace(view, rating=score)
    return view


# --- queries ------------------------------------------------------------------------------


def ticket(ctx: Context, public_id: str) -> TicketView:
    """A ticket by its public id, with people ahead and expected wait while it waits."""
    with ctx.db.read() as s:
        t, step = load_ticket(s, public_id)
        return ticket_in(s, ctx, t, step)


def service_board(ctx: Context) -> list[ServiceStatus]:
    """What the kiosk offers: each service with its queue, expected wait, and whether open."""
    local = ctx.local()
    weekday = WEEKDAYS[local.weekday()]
    issuing = ctx.open_always or ctx.config.hours.issuing(local)
    with ctx.db.read() as s:
        snapshot = load_snapshot(s, ctx)
        served = {code for code, ids in ctx.config.windows_serving.items() if ids}
        counts = eta.waiting_counts(snapshot.waiting)
        result = []
        services = s.scalars(
            select(Service).where(Service.active, Service.kiosk).order_by(Service.position)
        ).all()
        for svc in services:
            first = svc.first_step_code or svc.code
            reason = None
            if not issuing:
                reason = "hall_closed"
            elif svc.days and weekday not in svc.days.split(",") and not ctx.open_always:
                reason = "service_not_offered"
            elif first not in served:
                reason = "no_window_for_service"
            prediction = eta.predict_new(snapshot, first)
            result.append(
                ServiceStatus(
                    code=svc.code,
                    name_zh=svc.name_zh,
                    name_en=svc.name_en,
                    zone=svc.zone_code,
                    prefix=svc.prefix,
                    waiting=counts.get(first, 0),
                    eta_minutes=prediction.eta_minutes,
                    open=reason is None,
                    reason=reason,
                    first_step=svc.first_step_code,
                )
            )
        return result


_bv = BoardVersion.__table__.c
_VERSION_ALL = select(func.coalesce(func.sum(_bv.version), 0))
_VERSION_ZONE = select(func.sum(_bv.version)).where(_bv.zone_code == bindparam("b_zone"))


def version(ctx: Context, zone: str | None = None) -> int:
    """The board version of ``zone`` (or of the whole hall): it moves on every visible change.

    Every screen asks once a second, so this is one prebuilt statement on a plain connection,
    without a session around it."""
    if zone is None:
        return int(ctx.db.scalar(_VERSION_ALL))
    value = ctx.db.scalar(_VERSION_ZONE, {"b_zone": zone})
    if value is None:
        raise UnknownZone(zone=zone)
    return int(value)


def _version(session: Session, zone: str | None) -> int:
    if zone is None:
        return int(session.scalar(_VERSION_ALL))
    value = session.scalar(_VERSION_ZONE, {"b_zone": zone})
    if value is None:
        raise UnknownZone(zone=zone)
    return int(value)


def board(ctx: Context, zone: str | None = None) -> Board:
    """What a wallboard shows: the latest calls, newest first, and every queue's wait. The calls
    are those of the tickets still in line today: after midnight in a hall open around the
    clock, a ticket of yesterday's queue is called on the board like any other."""
    since = queue_since(ctx, ctx.business_day())
    with ctx.db.read() as s:
        ver = _version(s, zone)
        calls_q = (
            select(Ticket.number, Step.window_id, Step.last_called_at, Window.zone_code)
            .join(Ticket, Ticket.id == Step.ticket_id)
            .join(Window, Window.id == Step.window_id)
            .where(Step.day >= since, Step.last_called_at.is_not(None))
            .order_by(Step.last_called_at.desc(), Step.id.desc())
            .limit(CALLING_SHOWN)
        )
        if zone is not None:
            calls_q = calls_q.where(Window.zone_code == zone)
        calling = [
            Call(number=r.number, window=r.window_id, called_at=r.last_called_at, zone=r.zone_code)
            for r in s.execute(calls_q)
        ]
        snapshot = load_snapshot(s, ctx)
        counts = eta.waiting_counts(snapshot.waiting)
        services_q = select(Service).where(Service.active).order_by(Service.position)
        if zone is not None:
            services_q = services_q.where(Service.zone_code == zone)
        queues = [
            QueueLine(
                service=svc.code,
                name_zh=svc.name_zh,
                name_en=svc.name_en,
                zone=svc.zone_code,
                waiting=counts.get(svc.code, 0),
                eta_minutes=eta.predict_new(snapshot, svc.code).eta_minutes,
            )
            for svc in s.scalars(services_q)
        ]
        return Board(version=ver, calling=calling, queues=queues)


def windows(ctx: Context, only: int | None = None) -> list[WindowView]:
    """Every active window (or window ``only``) with its state and the ticket it holds."""
    with ctx.db.read() as s:
        return _windows(s, ctx.config.weights_of_window, only)


def _windows(
    s: Session, weights: dict[int, dict[str, float]], only: int | None = None
) -> list[WindowView]:
    held_q = select(Ticket, Step).join(Step, Step.ticket_id == Ticket.id)
    held_q = held_q.where(Step.status.in_(ACTIVE))
    windows_q = select(Window).where(Window.active).order_by(Window.id)
    if only is not None:
        held_q = held_q.where(Step.window_id == only)
        windows_q = windows_q.where(Window.id == only)
    current = {step.window_id: (t, step) for t, step in s.execute(held_q)}
    result = []
    for w in s.scalars(windows_q):
        held = current.get(w.id)
        result.append(
            WindowView(
                id=w.id,
                zone=w.zone_code,
                department_zh=w.department_zh,
                department_en=w.department_en,
                services=list(weights.get(w.id, {})),
                state=w.state,
                state_reason=w.state_reason,
                state_since=w.state_since,
                current=ticket_view(held[1], held[0]) if held else None,
            )
        )
    return result


def zones(ctx: Context) -> list[Zone]:
    with ctx.db.read() as s:
        return list(s.scalars(select(Zone).where(Zone.active).order_by(Zone.position)))


# --- the counter console ------------------------------------------------------------------------

NEXT_SHOWN = 5


@dataclass(frozen=True)
class Visitor:
    name: str | None
    company: str | None
    phone: str | None


@dataclass(frozen=True)
class WindowDay:
    served: int
    no_shows: int
    transferred: int
    mean_service_minutes: float | None
    mean_wait_minutes: float | None


@dataclass(frozen=True)
class ConsoleView:
    """What a clerk sees at a window: staff only (it carries the visitor's record)."""

    window: WindowView
    current: TicketView | None
    waited_minutes: int | None
    """From the ticket's place in line to its call."""
    from_service: str | None
    """The service the ticket was transferred from, if it was."""
    visitor: Visitor | None
    waiting: int
    next_numbers: list[str]
    today: WindowDay


def console(ctx: Context, window_id: int) -> ConsoleView:
    now = ctx.now()
    today = ctx.business_day(now)
    with ctx.db.read() as s:
        found = _windows(s, ctx.config.weights_of_window, window_id)
        if not found:
            raise UnknownWindow(window=window_id)
        window = found[0]
        current = window.current
        waited = from_service = visitor = None
        if current is not None:
            ticket, step = load_ticket(s, current.id)
            entered = step.entered_at or step.queued_at
            waited = int(((step.called_at or now) - entered).total_seconds() // 60)
            if step.n > 1:
                from_service = s.scalar(
                    select(Step.service_code).where(
                        Step.ticket_id == step.ticket_id, Step.n == step.n - 1
                    )
                )
            visitor = Visitor(ticket.visitor_name, ticket.visitor_company, ticket.visitor_phone)
        weights = ctx.config.weights_of_window.get(window_id, {})
        candidates, numbers = window_candidates(s, ctx, window_id, today)
        ranked = policy.order(candidates, now, window_id, weights)
        waiting = s.scalar(
            _WINDOW_WAITING,
            {"b_day": queue_since(ctx, today), "b_services": list(weights), "b_window": window_id},
        )
        return ConsoleView(
            window=window,
            current=current,
            waited_minutes=waited,
            from_service=from_service,
            visitor=visitor,
            waiting=int(waiting or 0),
            next_numbers=[numbers[c.step_id] for c in ranked[:NEXT_SHOWN]],
            today=_window_day(s, ctx, window_id, today),
        )


# Within one service, class and target window the policy prefers the ticket longest in line,
# so the best few of each such group hold the window's best tickets: only those are read.
FEW = 5
_FOR_WINDOW = (
    _st.status == "waiting",
    _st.day >= bindparam("b_day"),
    or_(
        and_(
            _st.service_code.in_(bindparam("b_services", expanding=True)),
            _st.target_window_id.is_(None),
        ),
        _st.target_window_id == bindparam("b_window"),
    ),
)
_ranked = (
    select(
        _st.id,
        _st.service_code,
        _st.priority,
        _st.queued_at,
        _st.target_window_id,
        _tk.number,
        func.row_number()
        .over(
            partition_by=(_st.service_code, _st.priority, _st.target_window_id),
            order_by=(_st.queued_at, _st.id),
        )
        .label("place"),
    )
    .select_from(STEPS)
    .where(*_FOR_WINDOW)
    .subquery()
)
_WINDOW_CANDIDATES = select(
    _ranked.c.id,
    _ranked.c.service_code,
    _ranked.c.priority,
    _ranked.c.queued_at,
    _ranked.c.target_window_id,
    _ranked.c.number,
).where(_ranked.c.place <= FEW)
_WINDOW_WAITING = select(func.count()).select_from(STEPS).where(*_FOR_WINDOW)


def cut_short(candidates: list[Candidate]) -> bool:
    """Whether a group of ``window_candidates`` was full, so may have more behind it."""
    groups: dict[tuple[str, str, int | None], int] = {}
    for c in candidates:
        key = (c.service, c.priority, c.target_window)
        groups[key] = groups.get(key, 0) + 1
    return any(n >= FEW for n in groups.values())


def window_candidates(
    s: Session, ctx: Context, window_id: int, day: date
) -> tuple[list[Candidate], dict[int, str]]:
    """The tickets waiting on ``day`` among which ``window_id`` calls its next (the first
    ``FEW`` of each service, class and target window), and their numbers by step id."""
    weights = ctx.config.weights_of_window.get(window_id, {})
    targets = ctx.config.targets
    rows = s.execute(
        _WINDOW_CANDIDATES,
        {"b_day": queue_since(ctx, day), "b_services": list(weights), "b_window": window_id},
    ).all()
    candidates = [
        Candidate(r[0], r[1], r[2], r[3], targets.get(r[1], DEFAULT_TARGET), r[4]) for r in rows
    ]
    return candidates, {r[0]: r[5] for r in rows}


def _window_day(s: Session, ctx: Context, window_id: int, day: date) -> WindowDay:
    service = ctx.db.seconds_between(Step.started_at, Step.finished_at)
    wait = ctx.db.seconds_between(Step.queued_at, Step.called_at)
    counts = dict(
        s.execute(
            select(Step.status, func.count())
            .where(Step.window_id == window_id, Step.day == day)
            .group_by(Step.status)
        ).all()
    )
    mean_service = s.scalar(
        select(func.avg(service)).where(
            Step.window_id == window_id,
            Step.day == day,
            Step.status == "done",
            Step.started_at.is_not(None),
        )
    )
    mean_wait = s.scalar(
        select(func.avg(wait)).where(
            Step.window_id == window_id, Step.day == day, Step.called_at.is_not(None)
        )
    )
    return WindowDay(
        served=counts.get("done", 0),
        no_shows=counts.get("no_show", 0),
        transferred=counts.get("transferred", 0),
        mean_service_minutes=float(mean_service) / 60 if mean_service is not None else None,
        mean_wait_minutes=float(mean_wait) / 60 if mean_wait is not None else None,
    )
