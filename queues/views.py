"""Read models: what screens and the API show, built from the database in one snapshot.

Nothing here writes. Every function opens a read transaction (on SQLite it does not wait for
the writer) and answers plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from queues import eta
from queues.config import WEEKDAYS
from queues.context import Context
from queues.errors import UnknownTicket, UnknownZone
from queues.models import (
    BoardVersion,
    ProfileService,
    Service,
    Step,
    Ticket,
    Window,
    Zone,
)
from queues.policy import Candidate

ACTIVE = ("called", "serving")
RECENT_DAYS = 14
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


def candidate(step: Step, target_minutes: int) -> Candidate:
    return Candidate(
        step_id=step.id,
        service=step.service_code,
        priority=step.priority,
        queued_at=step.queued_at,
        target_minutes=target_minutes,
        target_window=step.target_window_id,
    )


def load_snapshot(session: Session, ctx: Context) -> eta.Snapshot:
    """Everything wait prediction needs, read in the caller's transaction."""
    now = ctx.now()
    today = ctx.business_day(now)
    rows = session.execute(
        select(
            Step.id,
            Step.service_code,
            Step.priority,
            Step.queued_at,
            Step.target_window_id,
            Service.target_minutes,
        )
        .join(Service, Service.code == Step.service_code)
        .where(Step.status == "waiting", Step.day == today)
    ).all()
    waiting = [
        Candidate(
            step_id=r.id,
            service=r.service_code,
            priority=r.priority,
            queued_at=r.queued_at,
            target_minutes=r.target_minutes,
            target_window=r.target_window_id,
        )
        for r in rows
    ]
    profiles: dict[str, set[str]] = {}
    for p, s in session.execute(select(ProfileService.profile_code, ProfileService.service_code)):
        profiles.setdefault(p, set()).add(s)
    busy = {
        r.window_id: eta.Busy(r.service_code, r.started_at or r.called_at)
        for r in session.execute(
            select(Step.window_id, Step.service_code, Step.called_at, Step.started_at).where(
                Step.status.in_(ACTIVE)
            )
        )
    }
    windows = [
        eta.OpenWindow(id=w.id, services=frozenset(profiles.get(w.profile_code, ())), busy=busy.get(w.id))
        for w in session.execute(
            select(Window.id, Window.profile_code).where(Window.active, Window.state == "open")
        )
    ]
    return eta.Snapshot(now=now, waiting=waiting, windows=windows, minutes=service_minutes(session, ctx))


def service_minutes(session: Session, ctx: Context) -> dict[str, float]:
    """Expected minutes at the window per service: configuration blended with recent times."""
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
    for code, configured in session.execute(select(Service.code, Service.service_minutes)):
        mean, n = measured.get(code, (None, 0))
        result[code] = eta.blend(configured, mean, n)
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
        snapshot = load_snapshot(session, ctx)
        me = candidate(step, step.service.target_minutes)
        prediction = eta.predict(snapshot, me)
    return ticket_view(step, ticket, prediction)


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
        served = {
            code
            for (code,) in s.execute(
                select(ProfileService.service_code)
                .join(Window, Window.profile_code == ProfileService.profile_code)
                .where(Window.active)
                .distinct()
            )
        }
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


def version(ctx: Context, zone: str | None = None) -> int:
    """The board version of ``zone`` (or of the whole hall): it moves on every visible change."""
    with ctx.db.read() as s:
        return _version(s, zone)


def _version(session: Session, zone: str | None) -> int:
    if zone is None:
        return int(session.scalar(select(func.coalesce(func.sum(BoardVersion.version), 0))))
    value = session.scalar(select(BoardVersion.version).where(BoardVersion.zone_code == zone))
    if value is None:
        raise UnknownZone(zone=zone)
    return int(value)


def board(ctx: Context, zone: str | None = None) -> Board:
    """What a wallboard shows: the latest calls, newest first, and every queue's wait."""
    today = ctx.business_day()
    with ctx.db.read() as s:
        ver = _version(s, zone)
        calls_q = (
            select(Ticket.number, Step.window_id, Step.last_called_at, Window.zone_code)
            .join(Ticket, Ticket.id == Step.ticket_id)
            .join(Window, Window.id == Step.window_id)
            .where(Step.day == today, Step.last_called_at.is_not(None))
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


def windows(ctx: Context) -> list[WindowView]:
    """Every active window with its state and the ticket it holds."""
    with ctx.db.read() as s:
        current = {
            step.window_id: (t, step)
            for t, step in s.execute(
                select(Ticket, Step)
                .join(Step, Step.ticket_id == Ticket.id)
                .where(Step.status.in_(ACTIVE))
            ).tuples()
        }
        result = []
        for w in s.scalars(select(Window).where(Window.active).order_by(Window.id)):
            held = current.get(w.id)
            result.append(
                WindowView(
                    id=w.id,
                    zone=w.zone_code,
                    department_zh=w.department_zh,
                    department_en=w.department_en,
                    services=[e.service_code for e in w.profile.entries],
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
