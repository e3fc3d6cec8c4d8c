"""The windows as the hall sees them (state, the ticket each holds) and as a clerk sees one: the
counter console, which carries the visitor's record and so is for staff only."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from queues.answers import TicketView, WindowView, ticket_view
from queues.context import Context
from queues.errors import UnknownWindow
from queues.hall.config import HallConfig
from queues.line import (
    STEP_ROW,
    STEPS,
    held,
    undoable_no_show,
    waiting_for_window,
    window_candidates,
)
from queues.read.figures import Figures, day_figures, total, waited_seconds
from queues.rules import policy
from queues.rules.lifecycle import NO_SHOW_UNDO_SECONDS, Status
from queues.store.models import Step, Ticket, Window

NEXT_SHOWN = 5
LINE_SHOWN = 6
"""Who waits for the window, listed on the console next first (特呼 calls any of them)."""


def windows(ctx: Context, only: int | None = None) -> list[WindowView]:
    """Every active window (or window ``only``) with its state and the ticket it holds."""
    with ctx.db.read() as s:
        return _windows(s, ctx.config, only)


def _windows(s: Session, cfg: HallConfig, only: int | None = None) -> list[WindowView]:
    held_q = (
        select(*STEP_ROW).select_from(STEPS).where(held(Step.__table__.c.status))
    )  # STEPS: the hall's
    windows_q = select(Window).where(Window.active).order_by(Window.id)
    if only is not None:
        held_q = held_q.where(Step.__table__.c.window_id == only)
        windows_q = windows_q.where(Window.id == only)
    current = {row.window_id: row._mapping for row in s.execute(held_q)}
    weights = cfg.weights_of_window
    return [
        WindowView(
            id=w.id,
            zone=w.zone_code,
            department_zh=w.department_zh,
            department_en=w.department_en,
            services=list(weights.get(w.id, {})),
            state=w.state,
            state_reason=w.state_reason,
            state_since=w.state_since,
            current=ticket_view(cfg, current[w.id]) if w.id in current else None,
        )
        for w in s.scalars(windows_q)
    ]


@dataclass(frozen=True)
class Visitor:
    name: str | None
    company: str | None
    phone: str | None


@dataclass(frozen=True)
class Waiting:
    """One ticket in the window's line, as the console lists it."""

    number: str
    service: str
    priority: str
    waited_minutes: int
    target_window: int | None


@dataclass(frozen=True)
class Undo:
    """The no-show the clerk may still take back, and for how long."""

    number: str
    step_id: int
    seconds_left: int


@dataclass(frozen=True)
class ConsoleView:
    """What a clerk sees at a window: staff only (it carries the visitor's record)."""

    window: WindowView
    current: TicketView | None
    waited_minutes: int | None
    """From entering this queue to the call (:func:`queues.read.figures.waited_seconds`)."""
    from_service: str | None
    """The service the ticket was transferred from, if it was."""
    visitor: Visitor | None
    waiting: int
    next_numbers: list[str]
    today: Figures
    """What the window did today, counted as the dashboard counts it."""
    line: list[Waiting] = field(default_factory=list)
    """Who waits for the window, next first: the order call-next calls in (the first
    ``LINE_SHOWN``)."""
    undo: Undo | None = None
    """The clerk's own no-show still to be taken back, while the window holds no ticket."""


def console(ctx: Context, window_id: int, actor: str | None = None) -> ConsoleView:
    """The window as its clerk (``actor``, who may take back their own no-show) sees it."""
    now = ctx.now()
    today = ctx.business_day(now)
    with ctx.db.read() as s:
        found = _windows(s, ctx.config, window_id)
        if not found:
            raise UnknownWindow(window=window_id)
        window = found[0]
        current = window.current
        waited = from_service = visitor = None
        if current is not None:
            step, ticket = s.execute(
                select(Step, Ticket)
                .join(Ticket, Ticket.id == Step.ticket_id)
                .where(Ticket.public_id == current.id, Step.status != Status.TRANSFERRED)
            ).one()
            waited = int((waited_seconds(step, now) or 0) // 60)
            if step.n > 1:
                from_service = s.scalar(
                    select(Step.service_code).where(
                        Step.ticket_id == step.ticket_id, Step.n == step.n - 1
                    )
                )
            visitor = Visitor(ticket.visitor_name, ticket.visitor_company, ticket.visitor_phone)
        weights = ctx.config.weights_of_window.get(window_id, {})
        candidates, numbers = window_candidates(s, ctx, window_id, today, LINE_SHOWN)
        ranked = policy.order(candidates, now, window_id, weights)
        undo = None
        if actor is not None and current is None:
            row = undoable_no_show(s, window_id, actor, now)
            if row is not None:
                left = NO_SHOW_UNDO_SECONDS - (now - row["finished_at"]).total_seconds()
                undo = Undo(row["number"], row["id"], max(1, math.ceil(left)))
        return ConsoleView(
            window=window,
            current=current,
            waited_minutes=waited,
            from_service=from_service,
            visitor=visitor,
            waiting=waiting_for_window(s, ctx, window_id, today),
            next_numbers=[numbers[c.step_id] for c in ranked[:NEXT_SHOWN]],
            today=total(day_figures(s, ctx, today, window=window_id)),
            line=[
                Waiting(
                    numbers[c.step_id],
                    c.service,
                    c.priority,
                    int(max((now - c.queued_at).total_seconds(), 0) // 60),
                    c.target_window,
                )
                for c in ranked[:LINE_SHOWN]
            ],
            undo=undo,
        )
