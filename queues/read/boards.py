"""What the lobby sees: the kiosk's matters with their queues and waits, the wallboard's latest
calls and queues, and the board version every screen polls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from queues.context import Context
from queues.errors import UnknownZone
from queues.line import load_snapshot, queue_since
from queues.rules import eta, issuing
from queues.store.models import BoardVersion, Step, Ticket, Window
from queues.store.scope import HALL_PARAM

CALLING_SHOWN = 10


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
class CalledTicket:
    """A call on the wallboard: this number, to that window."""

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
    calling: list[CalledTicket]
    queues: list[QueueLine]


def service_board(ctx: Context) -> list[ServiceStatus]:
    """What the kiosk offers: each service with its queue, expected wait, and whether a ticket
    may be taken now (:mod:`queues.rules.issuing`, the same decision the issue makes)."""
    cfg = ctx.config
    local = ctx.local()
    with ctx.db.read() as s:
        snapshot = load_snapshot(s, ctx)
    counts = eta.waiting_counts(snapshot.waiting)
    result = []
    for svc in cfg.services:
        if not svc.kiosk:
            continue
        first = issuing.first_desk(cfg, svc)
        reason = issuing.refusal(cfg, svc.code, local, open_always=ctx.open_always)
        result.append(
            ServiceStatus(
                code=svc.code,
                name_zh=svc.name.zh,
                name_en=svc.name.en,
                zone=svc.zone,
                prefix=svc.prefix,
                waiting=counts.get(first.code, 0),
                eta_minutes=eta.predict_new(snapshot, first.code).eta_minutes,
                open=reason is None,
                reason=reason,
                first_step=svc.first_step,
            )
        )
    return result


_bv = BoardVersion.__table__.c
_VERSION_ALL = select(func.coalesce(func.sum(_bv.version), 0)).where(_bv.hall == HALL_PARAM)
_VERSION_ZONE = select(func.sum(_bv.version)).where(
    _bv.hall == HALL_PARAM, _bv.zone_code == bindparam("b_zone")
)


def version(ctx: Context, zone: str | None = None) -> int:
    """The board version of ``zone`` (or of the whole hall): it moves on every visible change.

    Every polling screen asks once a second: while the process's feed is live
    (:mod:`queues.store.feed`) the answer comes from memory, with no database round trip; else
    from one prebuilt statement on a plain connection, without a session around it."""
    if zone is not None and ctx.config.zone(zone) is None:
        raise UnknownZone(zone=zone)
    if not ctx.db.in_batch:
        known = ctx.db.feed.version(ctx.hall, zone)
        if known is not None:
            return known
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
    cfg = ctx.config
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
            CalledTicket(
                number=r.number, window=r.window_id, called_at=r.last_called_at, zone=r.zone_code
            )
            for r in s.execute(calls_q)
        ]
        snapshot = load_snapshot(s, ctx)
    counts = eta.waiting_counts(snapshot.waiting)
    queues = [
        QueueLine(
            service=svc.code,
            name_zh=svc.name.zh,
            name_en=svc.name.en,
            zone=svc.zone,
            waiting=counts.get(svc.code, 0),
            eta_minutes=eta.predict_new(snapshot, svc.code).eta_minutes,
        )
        for svc in cfg.services
        if zone is None or svc.zone == zone
    ]
    return Board(version=ver, calling=calling, queues=queues)
