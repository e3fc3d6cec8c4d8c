"""The tickets behind a figure of today's dashboard: click a number, see the tickets it counts.

Each list is chosen with the same definitions the figure was counted with
(:mod:`queues.read.figures`), so a list's length is the figure beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from queues.context import Context
from queues.line import queue_since
from queues.read.figures import is_finished, is_handled, is_late, waited_seconds
from queues.rules.lifecycle import Status
from queues.rules.rating import is_bad
from queues.store.models import Rating, Step, Ticket


@dataclass(frozen=True)
class TicketLine:
    number: str
    service: str
    status: str
    window: int | None
    issued_at: datetime
    waited_minutes: float | None
    rating: int | None = None


Chooser = Callable[[Any, int, datetime], bool]
"""Whether a step (with its rating as ``score``) is behind the figure, given its target and now."""

FIGURES: dict[str, Chooser] = {
    "waiting": lambda st, _target, _now: st.status == Status.WAITING,
    "called": lambda st, _target, _now: st.called_at is not None,
    "handled": lambda st, _target, _now: is_handled(st),
    "finished": lambda st, _target, _now: is_finished(st),
    "no_shows": lambda st, _target, _now: st.status == Status.NO_SHOW,
    "late": is_late,
    "rated": lambda st, _target, _now: st.score is not None,
    "bad_ratings": lambda st, _target, _now: st.score is not None and is_bad(st.score),
}
"""The figures a dashboard number can open, each with what it counts."""


def tickets_behind(
    ctx: Context, figure: str, zone: str | None = None, window: int | None = None
) -> list[TicketLine]:
    """The steps behind one of today's ``FIGURES``, in order of issue, of one zone or one
    window. ``waiting`` includes yesterday's queue where a hall stays open past midnight."""
    chooser = FIGURES.get(figure)
    if chooser is None:
        raise ValueError(figure)
    moment = ctx.now()
    today = ctx.business_day(moment)
    cfg = ctx.config
    query = (
        select(
            Ticket.number,
            Ticket.issued_at,
            Step.service_code,
            Step.status,
            Step.window_id,
            Step.entered_at,
            Step.queued_at,
            Step.called_at,
            Step.started_at,
            Step.finished_at,
            Rating.score,
        )
        .join(Ticket, Ticket.id == Step.ticket_id)
        .outerjoin(Rating, Rating.step_id == Step.id)
        .order_by(Ticket.issued_at, Step.id)
    )
    if figure == "waiting":
        query = query.where(Step.status == Status.WAITING, Step.day >= queue_since(ctx, today))
    else:
        query = query.where(Step.day == today)
    if window is not None:
        query = query.where(Step.window_id == window)
    lines = []
    with ctx.db.read() as s:
        for st in s.execute(query):
            svc = cfg.service(st.service_code)
            if zone and (svc is None or svc.zone != zone):
                continue
            if not chooser(st, cfg.target(st.service_code), moment):
                continue
            waited = waited_seconds(st, moment)
            lines.append(
                TicketLine(
                    st.number,
                    st.service_code,
                    st.status,
                    st.window_id,
                    st.issued_at,
                    None if waited is None else waited / 60,
                    st.score,
                )
            )
    return lines
