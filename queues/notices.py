"""Text messages to visitors (短信通知): written with what causes them, sent after commit.

A notice is a row of ``notifications`` (:class:`~queues.store.models.Notification`) written in
the caller's transaction, so it exists exactly when what it tells of happened: a booking made
(:func:`booked`), the day-before reminder (:func:`remind`, the scheduler's job), a ticket called
(:func:`on_call`, in the call's own transaction) and "N people ahead of you" for the tickets
whose line just shortened to the hall's ``[notify] near`` or fewer (also :func:`on_call`).
Near and called texts go to tickets whose visitor left a mobile number (:func:`give_phone`:
the phone page's 到号提醒, or a booking's check-in).

Each notice is written once: its ``dedup`` name (``called:t12:1`` — the ticket and its step,
``booked:b5``, ``remind:b5:2026-12-07``) is unique in the hall, and a second write of the same
notice changes nothing (``INSERT … ON CONFLICT DO NOTHING``, which does not spoil the call's
transaction on PostgreSQL).

Delivery follows the outbox's lifecycle (:mod:`queues.outbox`): the notifier
(:mod:`runtime.notifier`) claims due rows (:func:`claim`), sends them through the channel, and
says how it went (:func:`sent`, :func:`failed`). The text is put into words, in the visitor's
language, when a notice is first claimed, and sent unchanged on every retry. A notice sent is
never sent again, unless the worker died between the gateway taking it and the database hearing
so: then once more after the lease, with the same ``id`` for the receiver to deduplicate on.
A near or called text older than ``STALE`` is no use to anyone and is given up (``failed``,
"expired"), as is one the gateway refuses outright (a 4xx: a number it will not text).

The phone number is personal data: no public page or answer reads it, the staff page shows it
masked (:func:`mask`), and events name the ticket, never the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import and_, bindparam, exists, func, insert, select, update
from sqlalchemy.orm import Session

from queues import errors, outbox
from queues.context import Context
from queues.hall.config import HallConfig
from queues.line import STEP_ROW, STEPS, current_row, queue_since
from queues.rules import eta
from queues.rules import mobile as rules_mobile
from queues.rules.lifecycle import Status
from queues.rules.policy import Candidate
from queues.store import events
from queues.store.db import Database, insert_for
from queues.store.models import Booking, Event, Notification, Step, Ticket, TicketPhone
from queues.store.scope import HALL_PARAM, hall_of
from queues.text.directions import directions, to_window
from queues.text.i18n import norm_lang, t

KINDS = ("booked", "remind", "near", "called")
MAX_CHANGES = 3
"""How often a ticket's number may be changed after it was first given."""
LEASE = timedelta(seconds=60)
"""A claim never answered (the worker died mid-send) may be taken again after this."""
MOST_BACKOFF = 60
STALE = {
    "near": timedelta(minutes=15),
    "called": timedelta(minutes=15),
    "booked": timedelta(hours=12),
    "remind": timedelta(hours=12),
}
"""How long a notice is worth sending: a called text a quarter of an hour late is noise."""


def mobile(raw: str) -> str:
    """``raw`` as a mainland mobile number (:mod:`queues.rules.mobile`), or ``InvalidMobile``."""
    digits = rules_mobile.parse(raw)
    if digits is None:
        raise errors.InvalidMobile(phone=(raw or "")[:20])
    return digits


mask = rules_mobile.mask


# --- writing notices, in the caller's transaction ------------------------------------------------


def _write(s: Session, now: datetime, *, kind: str, dedup: str, **values: Any) -> bool:
    """One notice, unless one of the same name exists; answers whether it was written."""
    table = Notification.__table__
    hall = values.pop("hall", None) or hall_of(s)
    statement = (
        insert_for(s.get_bind().dialect.name)(table)
        .values(
            hall=hall,
            kind=kind,
            dedup=dedup,
            status="pending",
            attempts=0,
            text="",
            channel="",
            created_at=now,
            next_attempt_at=now,
            **values,
        )
        .on_conflict_do_nothing(index_elements=[table.c.hall, table.c.dedup])
    )
    return bool(s.execute(statement).rowcount == 1)


def booked(s: Session, booking: Booking, now: datetime) -> bool:
    """The booking's confirmation (预约成功) to the number it was made with."""
    return _write(
        s,
        now,
        hall=booking.hall,
        kind="booked",
        dedup=f"booked:b{booking.id}",
        booking_id=booking.id,
        phone=booking.phone,
        lang=norm_lang(booking.lang),
        data=_booking_data(booking),
    )


def _booking_data(booking: Booking) -> dict[str, Any]:
    return {
        "code": booking.code,
        "service": booking.service_code,
        "slot": booking.slot_start.isoformat(),
    }


def give_phone(s: Session, ticket_id: int, day: date, phone: str, lang: str, now: datetime) -> None:
    """Text ticket ``ticket_id`` (of business day ``day``) at ``phone`` when its turn is near
    and when it is called. Giving another number later replaces it, ``MAX_CHANGES`` times at
    most (``NotifyChangesSpent``)."""
    phone = mobile(phone)
    row = s.get(TicketPhone, ticket_id, with_for_update=True)
    if row is None:
        s.add(
            TicketPhone(
                ticket_id=ticket_id,
                day=day,
                phone=phone,
                lang=norm_lang(lang),
                changes=0,
                created_at=now,
            )
        )
        s.flush()
        return
    if row.phone != phone:
        if row.changes >= MAX_CHANGES:
            number = s.scalar(select(Ticket.number).where(Ticket.id == ticket_id))
            raise errors.NotifyChangesSpent(number=number or "", changes=row.changes)
        row.phone, row.changes = phone, row.changes + 1
    row.lang = norm_lang(lang)


def opt_in(ctx: Context, public_id: str, phone: str, lang: str) -> str:
    """The phone page's 到号提醒: a waiting ticket's visitor leaves a mobile number. One
    transaction: the number kept, an event (naming the ticket, not the number), and the near
    text at once if the turn is near already. Answers the number masked."""
    if not ctx.config.notify.enabled:
        raise errors.NotifyOff()
    number = mobile(phone)
    now = ctx.now()
    with ctx.db.write() as s:
        row = current_row(s, public_id)
        if row["status"] != Status.WAITING:
            raise errors.NotifyTooLate(number=row["number"])
        give_phone(s, row["ticket_id"], row["day"], number, lang, now)
        events.record(s, "notify_opt_in", "visitor", now, ticket_id=row["ticket_id"])
        _near(s, ctx, row["service_code"], now)
    return mask(number)


def phone_of(ctx: Context, public_id: str) -> str | None:
    """The number a ticket's texts go to, masked (the phone page says where they go)."""
    with ctx.db.read() as s:
        row = current_row(s, public_id)
        phone = s.scalar(_PHONE, {"b_ticket": row["ticket_id"]})
    return mask(phone) if phone else None


_st = Step.__table__.c
_tk = Ticket.__table__.c
_tp = TicketPhone.__table__.c
_nt = Notification.__table__.c
_PHONE = select(_tp.phone).where(_tp.hall == HALL_PARAM, _tp.ticket_id == bindparam("b_ticket"))
_PHONE_LANG = select(_tp.phone, _tp.lang).where(
    _tp.hall == HALL_PARAM, _tp.ticket_id == bindparam("b_ticket")
)
_NOT_TOLD_NEAR = ~exists().where(
    _nt.ticket_id == _st.ticket_id, _nt.kind == "near", _nt.step == _st.n
)
_OPTED_IN = (
    select(*STEP_ROW, _tp.phone, _tp.lang.label("phone_lang"))
    .select_from(
        TicketPhone.__table__.join(
            STEPS, and_(_st.ticket_id == _tp.ticket_id, _st.status == Status.WAITING)
        )
    )
    .where(
        _tp.hall == HALL_PARAM,
        _tp.day >= bindparam("b_since"),
        _st.service_code == bindparam("b_service"),
        _NOT_TOLD_NEAR,
    )
)
"""The waiting tickets of one service whose visitor left a number and has not been told their
turn is near: from the day's few numbers (``ticket_phones`` by hall and day), not the line."""
_LINE = select(_st.id, _st.service_code, _st.priority, _st.queued_at, _st.target_window_id).where(
    _st.hall == HALL_PARAM,
    _st.status == Status.WAITING,
    _st.day >= bindparam("b_since"),
    _st.service_code == bindparam("b_service"),
)


def on_call(s: Session, ctx: Context, row: dict[str, Any], now: datetime) -> None:
    """In a call's transaction (call next, recall, call a number): the called ticket's text, if
    its visitor left a number and was not told of this call yet; and the near texts of the
    called service's line. ``row``: the called step (:data:`queues.line.STEP_ROW`)."""
    cfg = ctx.config
    if not cfg.notify.enabled:
        return
    found = s.execute(_PHONE_LANG, {"b_ticket": row["ticket_id"]}).first()
    if found is not None and row["window_id"] is not None:
        _write(
            s,
            now,
            kind="called",
            dedup=f"called:t{row['ticket_id']}:{row['n']}",
            ticket_id=row["ticket_id"],
            step=row["n"],
            phone=found.phone,
            lang=found.lang,
            data={
                "number": row["number"],
                "window": row["window_id"],
                "service": row["service_code"],
            },
        )
    _near(s, ctx, row["service_code"], now)


def _near(s: Session, ctx: Context, service: str, now: datetime) -> int:
    """Near texts for the opted-in tickets of ``service`` with ``[notify] near`` or fewer people
    ahead; answers how many were written. One look-up of the day's numbers; the line itself
    is read only when one of them waits for ``service``."""
    params = {"b_since": queue_since(ctx, ctx.business_day(now)), "b_service": service}
    opted = [dict(r._mapping) for r in s.execute(_OPTED_IN, params)]
    if not opted:
        return 0
    target = ctx.config.target(service)
    line = [Candidate(r[0], r[1], r[2], r[3], target, r[4]) for r in s.execute(_LINE, params)]
    written = 0
    for r in opted:
        mine = Candidate(
            r["id"], service, r["priority"], r["queued_at"], target, r["target_window_id"]
        )
        ahead = eta.same_line(eta.called_first(line, mine, now), mine)
        if ahead > ctx.config.notify.near:
            continue
        written += _write(
            s,
            now,
            kind="near",
            dedup=f"near:t{r['ticket_id']}:{r['n']}",
            ticket_id=r["ticket_id"],
            step=r["n"],
            phone=r["phone"],
            lang=r["phone_lang"],
            data={
                "number": r["number"],
                "ahead": ahead,
                "service": service,
                "target_window": r["target_window_id"],
            },
        )
    return written


def next_working_day(cfg: HallConfig, day: date) -> date | None:
    """The first working day of the hall after ``day`` (within a month), or None."""
    for n in range(1, 32):
        candidate = day + timedelta(days=n)
        if cfg.hours.is_working_day(candidate):
            return candidate
    return None


def remind(ctx: Context) -> int:
    """The day-before reminders: one for each booking of the hall's next working day still
    booked, in one transaction (the scheduler's job at ``[notify] remind_at``). Run twice, it
    writes nothing new. Answers how many were written."""
    cfg = ctx.config
    if not cfg.notify.enabled:
        return 0
    day = next_working_day(cfg, ctx.business_day())
    if day is None:
        return 0
    now = ctx.now()
    written = 0
    with ctx.db.write() as s:
        for b in s.scalars(select(Booking).where(Booking.day == day, Booking.status == "booked")):
            written += _write(
                s,
                now,
                kind="remind",
                dedup=f"remind:b{b.id}:{day.isoformat()}",
                booking_id=b.id,
                phone=b.phone,
                lang=norm_lang(b.lang),
                data=_booking_data(b),
            )
        if written:
            events.record(s, "reminders", "scheduler", now, day=day.isoformat(), count=written)
    return written


# --- words ---------------------------------------------------------------------------------------


def render(cfg: HallConfig, kind: str, lang: str, data: dict[str, Any]) -> str:
    """A notice's text in ``lang``, from the catalogue (``notify.<kind>``) and the hall file:
    the floor, zone and window as every screen says them (:mod:`queues.text.directions`)."""
    hall = cfg.hall.name(lang)
    if kind == "called":
        where = to_window(cfg, int(data["window"]), data.get("service")).text(lang)
        return t("notify.called", lang, hall=hall, number=data["number"], where=where)
    if kind == "near":
        place = directions(cfg, data["service"], data.get("target_window")).place(lang)
        key = "notify.near" if int(data["ahead"]) > 0 else "notify.near_next"
        return t(key, lang, hall=hall, number=data["number"], ahead=data["ahead"], place=place)
    slot = datetime.fromisoformat(data["slot"]).astimezone(cfg.tz)
    svc = cfg.service(data["service"])
    when = f"{slot.month}月{slot.day}日" if lang != "en" else f"{slot:%d %b}".lstrip("0")
    return t(
        f"notify.{kind}",
        lang,
        hall=hall,
        service=svc.name(lang) if svc else data["service"],
        date=when,
        time=f"{slot:%H:%M}",
        code=data["code"],
        place=directions(cfg, data["service"]).place(lang),
    )


# --- delivery (the notifier's side) ----------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """A claimed notice, ready for its channel."""

    id: int
    hall: str
    kind: str
    phone: str
    text: str
    attempts: int


def due_halls(db: Database, now: datetime) -> set[str]:
    """The halls with notices due now (one query over the network)."""
    with db.network.read() as s:
        return set(
            s.scalars(
                select(Notification.hall).where(outbox.due(Notification, now, LEASE)).distinct()
            )
        )


def claim(
    db: Database,
    worker: str,
    configs: dict[str, HallConfig],
    channel: str,
    now: datetime,
    limit: int = 20,
) -> list[Delivery]:
    """Take up to ``limit`` due notices of the halls of ``configs`` (those sending through
    ``channel``); each put into words the first time. A notice past its ``STALE`` time is
    given up instead."""
    taken: list[Delivery] = []
    with db.network.write() as s:
        due = outbox.due(Notification, now, LEASE)
        rows = s.scalars(
            select(Notification)
            .where(due, Notification.hall.in_(sorted(configs)))
            .order_by(Notification.id)
            .limit(limit)
        ).all()
        for n in rows:
            if now - n.created_at > STALE.get(n.kind, timedelta(hours=1)):
                expired = s.execute(
                    update(Notification)
                    .where(Notification.id == n.id, due)
                    .values(status="failed", last_error="expired: not sent in time")
                    .execution_options(synchronize_session=False)
                )
                if expired.rowcount == 1:  # not given up or taken by another worker first
                    _event(s, n, "text_given_up", now, error="expired")
                continue
            if not outbox.take(s, Notification, n.id, worker, now, LEASE):
                continue  # another worker took it first
            text = n.text or render(configs[n.hall], n.kind, n.lang, n.data)
            s.execute(
                update(Notification)
                .where(Notification.id == n.id)
                .values(text=text, channel=shown_channel(channel))
                .execution_options(synchronize_session=False)
            )
            taken.append(Delivery(n.id, n.hall, n.kind, n.phone, text, n.attempts + 1))
    return taken


_INSERT_EVENT = insert(Event.__table__)


def _event(s: Session, n: Notification, kind: str, now: datetime, **data: Any) -> None:
    """The history's row for what happened to notice ``n``, in its hall (the notifier works in
    a network session): which notice, of what kind, for which ticket or booking; never the
    number or the words."""
    s.execute(
        _INSERT_EVENT,
        {
            "hall": n.hall,
            "at": now,
            "kind": kind,
            "actor": n.claimed_by or "notifier",
            "ticket_id": n.ticket_id,
            "window_id": None,
            "data": {"notice": n.id, "notice_kind": n.kind, "booking": n.booking_id, **data},
        },
    )


def shown_channel(uri: str) -> str:
    """A channel's URI as staff may read it: without a user, password or query string (a
    gateway's key may ride in any of them)."""
    parts = urlsplit(uri)
    if parts.scheme in ("http", "https"):
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))[:200]
    return uri[:200]


def sent(db: Database, notice: int, now: datetime) -> None:
    """The channel took the notice (event ``text_sent``). Idempotent."""
    with db.network.write() as s:
        n = s.get(Notification, notice, with_for_update=True)
        if n is None or n.status == "sent":
            return
        n.status, n.sent_at, n.last_error = "sent", now, None
        _event(s, n, "text_sent", now, attempts=n.attempts)


def failed(
    db: Database, notice: int, error: str, now: datetime, *, final: bool = False
) -> datetime | None:
    """The channel did not take the notice: tried again after the back-off, or (``final``: the
    gateway refused it for good) given up. Answers when it is tried next (None: given up or
    settled meanwhile). Events: ``text_failed`` at a notice's first failure (not one a retry),
    ``text_given_up``."""
    with db.network.write() as s:
        n = s.get(Notification, notice, with_for_update=True)
        if n is None or n.status in ("sent", "failed"):
            return None
        first = n.last_error is None
        n.last_error, n.claimed_at = error[:2000], None
        if final:
            n.status = "failed"
            _event(s, n, "text_given_up", now, error=error[:300])
            return None
        if first:
            _event(s, n, "text_failed", now, error=error[:300])
        n.status = "pending"
        n.next_attempt_at = now + outbox.backoff(n.attempts, most=MOST_BACKOFF)
        return n.next_attempt_at


# --- for staff ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failing:
    """A channel with notices waiting to be sent again, and its last error."""

    channel: str
    waiting: int
    error: str


@dataclass(frozen=True)
class FailedNotice:
    id: int
    kind: str
    phone: str
    """Masked."""
    number: str | None
    error: str
    attempts: int
    created_at: datetime


def failing_channels(ctx: Context) -> list[Failing]:
    """The hall's channels whose notices are being retried (a gateway down, refusing)."""
    query = (
        select(Notification.channel, func.count(), func.max(Notification.id))
        .where(
            Notification.status.in_(("pending", "sending")),
            Notification.attempts > 0,
            Notification.last_error.is_not(None),
        )
        .group_by(Notification.channel)
    )
    with ctx.db.read() as s:
        out = []
        for channel, count, last in s.execute(query).all():
            error = s.scalar(select(Notification.last_error).where(Notification.id == last))
            out.append(Failing(channel or "", int(count), (error or "")[:300]))
        return out


def failed_today(ctx: Context, limit: int = 50) -> list[FailedNotice]:
    """The notices of today given up, newest first; numbers masked."""
    start = datetime.combine(ctx.business_day(), datetime.min.time(), ctx.tz)
    query = (
        select(Notification, Ticket.number)
        .outerjoin(Ticket, Ticket.id == Notification.ticket_id)
        .where(Notification.status == "failed", Notification.created_at >= start)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    with ctx.db.read() as s:
        return [
            FailedNotice(
                n.id,
                n.kind,
                mask(n.phone),
                number,
                (n.last_error or "")[:300],
                n.attempts,
                n.created_at,
            )
            for n, number in s.execute(query).all()
        ]
