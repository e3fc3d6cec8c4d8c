"""The line: the live queue as the use cases and the read side both read it.

* a step with its ticket as one row (:data:`STEP_ROW`), what window actions work from and every
  ticket's view is built from (:func:`queues.answers.ticket_view`);
* which days' tickets are still in line (:func:`queue_since`);
* what wait prediction needs (:func:`load_snapshot`), and the tickets among which a window calls
  its next (:func:`window_candidates`).

Every function reads in the caller's transaction.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from queues.answers import TicketView, ticket_view
from queues.context import Context
from queues.errors import UnknownTicket
from queues.rules import eta
from queues.rules.lifecycle import HELD, NO_SHOW_UNDO_SECONDS, OPEN, Status
from queues.rules.policy import Candidate
from queues.store.models import Event, Rating, Step, Ticket, Window
from queues.store.scope import HALL_PARAM


def queue_since(ctx: Context, today: date) -> date:
    """The first day whose waiting tickets are still in line today. A hall open around the clock
    (``open_always``: a 24-hour service point) keeps the visitors who took a ticket before
    midnight: they are called after it in their order. A hall that closes starts each day with
    empty queues: yesterday's leftovers left with the visitors (close-out expires them)."""
    return today - timedelta(days=1) if ctx.open_always else today


def held(status: ColumnElement[str]) -> ColumnElement[bool]:
    """``status`` is one a window holds (called, serving), written out: an IN list would be
    expanded at every run."""
    return or_(*(status == value for value in HELD))


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
STEPS = Step.__table__.join(Ticket.__table__, and_(_tk.id == _st.ticket_id, _st.hall == HALL_PARAM))
"""Steps with their tickets, in the session's hall (:mod:`queues.store.scope`)."""
STEP_BY_ID = select(*STEP_ROW).select_from(STEPS).where(_st.id == bindparam("b_step"))
_CURRENT = (
    select(*STEP_ROW)
    .select_from(STEPS)
    .where(_st.hall == HALL_PARAM, _st.status != Status.TRANSFERRED)
)
CURRENT_BY_PUBLIC_ID = _CURRENT.where(_tk.public_id == bindparam("b_ticket"))
"""A ticket's current step (the one not transferred), by the ticket's public id."""
_CURRENT_BY_ID = _CURRENT.where(_tk.id == bindparam("b_ticket_id"))
_RATING = select(Rating.score).where(Rating.ticket_id == bindparam("b_ticket_id"))


def current_row(session: Session, public_id: str) -> dict[str, Any]:
    """The ticket's current step as a :data:`STEP_ROW`; unknown id: ``UnknownTicket``."""
    found = session.execute(CURRENT_BY_PUBLIC_ID, {"b_ticket": public_id}).first()
    if found is None:
        raise UnknownTicket(ticket=public_id)
    return dict(found._mapping)


def current_row_of(session: Session, ticket_id: int) -> dict[str, Any]:
    """The current step of the ticket with database id ``ticket_id``."""
    return dict(session.execute(_CURRENT_BY_ID, {"b_ticket_id": ticket_id}).one()._mapping)


def step_row(session: Session, step_id: int) -> dict[str, Any]:
    return dict(session.execute(STEP_BY_ID, {"b_step": step_id}).one()._mapping)


def answer(session: Session, ctx: Context, row: Mapping[str, Any]) -> TicketView:
    """The ticket's view from its step row: with people ahead and the expected wait while it
    waits, with the visitor's score once rated."""
    if row["status"] == Status.WAITING:
        snapshot = load_snapshot(session, ctx, [row["service_code"]])
        return ticket_view(ctx.config, row, eta.predict(snapshot, candidate_of(ctx, row)))
    rating = None
    if row["status"] == Status.DONE:
        rating = session.scalar(_RATING, {"b_ticket_id": row["ticket_id"]})
    return ticket_view(ctx.config, row, rating=rating)


_IN_LINE = select(
    _st.service_code, _st.status, _st.entered_at, _st.queued_at, _st.called_at, _st.finished_at
).where(_st.hall == HALL_PARAM, _st.status == Status.WAITING, _st.day >= bindparam("since"))


def in_line(session: Session, ctx: Context, now: datetime) -> list[Any]:
    """The steps waiting at ``now`` (yesterday's too where a hall stays open past midnight),
    with what the figures need to judge their wait (:mod:`queues.read.figures`)."""
    return list(session.execute(_IN_LINE, {"since": queue_since(ctx, ctx.business_day(now))}))


_IN_LINES = select(
    _st.hall,
    _st.day,
    _st.service_code,
    _st.status,
    _st.entered_at,
    _st.queued_at,
    _st.called_at,
    _st.finished_at,
).where(
    _st.hall.in_(bindparam("halls", expanding=True)),
    _st.status == Status.WAITING,
    _st.day >= bindparam("since"),
)


def in_lines(session: Session, contexts: Iterable[Context], now: datetime) -> dict[str, list[Any]]:
    """:func:`in_line` of several halls in one query (a network session: the network's page),
    by hall code; each hall's line starts at its own :func:`queue_since`."""
    since = {ctx.hall: queue_since(ctx, ctx.business_day(now)) for ctx in contexts}
    found: dict[str, list[Any]] = {code: [] for code in since}
    if not since:
        return found
    params = {"halls": list(since), "since": min(since.values())}
    for row in session.execute(_IN_LINES, params):
        if row.day >= since[row.hall]:
            found[row.hall].append(row)
    return found


# --- what wait prediction needs -----------------------------------------------------------------

_WINDOW, _WAITING_STEP = 0, 1
"""What a row of the prediction's read is: an open window, or a waiting step."""

_windows = Window.__table__.c
_OPEN_WINDOWS = (
    select(
        literal(_WINDOW).label("kind"),
        _windows.id,
        _st.service_code,
        null().label("priority"),
        _st.called_at.label("since"),
        _st.started_at,
        null().label("target_window_id"),
    )
    .select_from(Window.__table__)
    .outerjoin(
        Step.__table__,
        and_(_st.hall == _windows.hall, _st.window_id == _windows.id, held(_st.status)),
    )
    .where(_windows.hall == HALL_PARAM, _windows.active, _windows.state == "open")
)
_WAITING = select(
    literal(_WAITING_STEP).label("kind"),
    _st.id,
    _st.service_code,
    _st.priority,
    _st.queued_at,
    null(),
    _st.target_window_id,
).where(_st.hall == HALL_PARAM, _st.status == Status.WAITING, _st.day >= bindparam("since"))
_WAITING_RELATED = _WAITING.where(
    or_(
        _st.service_code.in_(bindparam("related", expanding=True)),
        _st.target_window_id.in_(bindparam("reach", expanding=True)),
    )
)
# The open windows (with what each holds) and the waiting steps, in one read: one round trip
# instead of two, in one snapshot.
_SNAPSHOT = union_all(_OPEN_WINDOWS, _WAITING)
_SNAPSHOT_RELATED = union_all(_OPEN_WINDOWS, _WAITING_RELATED)


def load_snapshot(
    session: Session, ctx: Context, services: Iterable[str] | None = None
) -> eta.Snapshot:
    """Everything wait prediction needs, read in the caller's transaction (one statement; the
    expected minutes are the process's, :func:`service_minutes`).

    With ``services``, only the queues that can hold up those services' tickets are read: the
    services sharing a window with them, and tickets sent to one of those windows by name.
    """
    cfg = ctx.config
    now = ctx.now()
    weights = cfg.weights_of_window
    params: dict[str, object] = {"since": queue_since(ctx, ctx.business_day(now))}
    if services is None:
        query = _SNAPSHOT
    else:
        serving = cfg.windows_serving
        reach = frozenset().union(*(serving.get(code, frozenset()) for code in services))
        related = {code for code, ids in serving.items() if ids & reach} | set(services)
        query = _SNAPSHOT_RELATED
        params.update(related=sorted(related), reach=sorted(reach))
    targets = cfg.targets
    windows = []
    waiting = []
    for kind, id_, service, priority, since, started_at, target in session.execute(query, params):
        if kind == _WINDOW:
            busy = eta.Busy(service, started_at or since) if service else None
            windows.append(
                eta.OpenWindow(id=id_, services=frozenset(weights.get(id_, ())), busy=busy)
            )
        else:
            waiting.append(
                Candidate(
                    step_id=id_,
                    service=service,
                    priority=priority,
                    queued_at=since,
                    target_minutes=targets[service],
                    target_window=target,
                )
            )
    return eta.Snapshot(
        now=now, waiting=waiting, windows=windows, minutes=service_minutes(session, ctx)
    )


RECENT_DAYS = 14
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
            .where(Step.status == Status.DONE, Step.day >= since, Step.started_at.is_not(None))
            .group_by(Step.service_code)
        )
    }
    result = {}
    for svc in ctx.config.services:
        mean, n = measured.get(svc.code, (None, 0))
        result[svc.code] = eta.blend(svc.service_minutes, mean, n)
    ctx.cache["service_minutes"] = (clock, result)
    return result


# --- the tickets a window calls from --------------------------------------------------------------

# Within one service, class and target window the policy prefers the ticket longest in line,
# so the best few of each such group hold the window's best tickets: only those are read.
FEW = 5
_FOR_WINDOW = (
    _st.hall == HALL_PARAM,
    _st.status == Status.WAITING,
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
).where(_ranked.c.place <= bindparam("b_few"))
_WINDOW_WAITING = select(func.count()).select_from(STEPS).where(*_FOR_WINDOW)


def _for_window(ctx: Context, window_id: int, day: date) -> dict[str, object]:
    weights = ctx.config.weights_of_window.get(window_id, {})
    return {"b_day": queue_since(ctx, day), "b_services": list(weights), "b_window": window_id}


def window_candidates(
    s: Session, ctx: Context, window_id: int, day: date, few: int = FEW
) -> tuple[list[Candidate], dict[int, str]]:
    """The tickets waiting on ``day`` among which ``window_id`` calls its next (the first
    ``few`` of each service, class and target window), and their numbers by step id. Ranked by
    :func:`queues.rules.policy.order`, their first ``few`` are the window's next ``few`` calls."""
    params = {**_for_window(ctx, window_id, day), "b_few": few}
    rows = s.execute(_WINDOW_CANDIDATES, params).all()
    targets = ctx.config.targets
    candidates = [Candidate(r[0], r[1], r[2], r[3], targets[r[1]], r[4]) for r in rows]
    return candidates, {r[0]: r[5] for r in rows}


def waiting_for_window(s: Session, ctx: Context, window_id: int, day: date) -> int:
    """How many tickets ``window_id`` could call now."""
    return int(s.scalar(_WINDOW_WAITING, _for_window(ctx, window_id, day)) or 0)


def candidate_of(ctx: Context, row: Mapping[str, Any]) -> Candidate:
    """A waiting step's row (:data:`STEP_ROW`) as the policy sees it."""
    return Candidate(
        row["id"],
        row["service_code"],
        row["priority"],
        row["queued_at"],
        ctx.config.target(row["service_code"]),
        row["target_window_id"],
    )


def cut_short(candidates: list[Candidate]) -> bool:
    """Whether a group of ``window_candidates`` was full, so may have more behind it."""
    groups: dict[tuple[str, str, int | None], int] = {}
    for c in candidates:
        key = (c.service, c.priority, c.target_window)
        groups[key] = groups.get(key, 0) + 1
    return any(n >= FEW for n in groups.values())


# --- one ticket by its number (特呼), and the no-show a window may take back --------------------

_BY_NUMBER = (
    select(*STEP_ROW)
    .select_from(STEPS)
    .where(
        _tk.hall == HALL_PARAM,
        _tk.day >= bindparam("b_day"),
        _tk.prefix == bindparam("b_prefix"),
        _tk.seq == bindparam("b_seq"),
        _st.status != Status.TRANSFERRED,
    )
    .order_by(_tk.day.desc())
)


def by_number(s: Session, ctx: Context, prefix: str, seq: int, day: date) -> dict[str, Any] | None:
    """The current step of the ticket numbered ``prefix``/``seq`` still in line on ``day``: the
    open one (open tickets never share a number, :mod:`queues.store.numbering`), else the
    latest day's."""
    rows = [
        dict(r._mapping)
        for r in s.execute(
            _BY_NUMBER, {"b_day": queue_since(ctx, day), "b_prefix": prefix, "b_seq": seq}
        )
    ]
    waiting = [r for r in rows if r["status"] in OPEN]
    return (waiting or rows or [None])[0]


_ev = Event.__table__.c
_LAST_NO_SHOW = (
    select(_ev.ticket_id, _ev.actor)
    .where(
        _ev.hall == HALL_PARAM,
        _ev.at >= bindparam("b_since"),
        _ev.kind == "no_show",
        _ev.window_id == bindparam("b_window"),
    )
    .order_by(_ev.id.desc())
    .limit(1)
)


def undoable_no_show(
    s: Session, window_id: int, actor: str, now: datetime
) -> dict[str, Any] | None:
    """The no-show ``actor`` may still take back at window ``window_id`` at ``now``, as a
    :data:`STEP_ROW`: the window's latest no-show, if ``actor`` made it less than
    ``NO_SHOW_UNDO_SECONDS`` ago (not the automatic one, nor another clerk's) and it still
    stands."""
    since = now - timedelta(seconds=NO_SHOW_UNDO_SECONDS)
    last = s.execute(_LAST_NO_SHOW, {"b_window": window_id, "b_since": since}).first()
    if last is None or last.actor != actor:
        return None
    row = current_row_of(s, last.ticket_id)
    if row["status"] != Status.NO_SHOW or row["window_id"] != window_id:
        return None
    return row
