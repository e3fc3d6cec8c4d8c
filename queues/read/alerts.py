"""Alerts for the dashboard: what a manager should look at now.

* ``wait``: a service has tickets waiting past its target (the longest wait and how many);
* ``queue``: a service has ``rules.queue_alert`` or more tickets waiting;
* ``pause``: a window has been paused longer than ``rules.pause_alert_minutes``;
* ``printer``: a kiosk's printer reports a fault;
* ``help``: a visitor tapped 找工作人员 at a kiosk (``services.call_staff``). Not found by
  ``current`` but raised by the tap itself, and closed when staff answer it
  (``services.answer_help``) or, unanswered, when the day is over.

``evaluate`` (the scheduler runs it every minute) opens the alerts that hold now, updates the
ones still open and closes the ones that no longer hold, in the ``alerts`` table, so every web
process shows the same list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from queues import line
from queues.context import Context
from queues.read import figures
from queues.store import events
from queues.store.models import Alert, Printer, Window

RAISED_BY_HAND = frozenset({"help"})
"""Alerts raised by an action, not found by ``current``: ``evaluate`` leaves them open."""


@dataclass(frozen=True)
class Found:
    kind: str
    subject: str
    detail: dict[str, Any]


def current(ctx: Context, now: datetime | None = None) -> list[Found]:
    """The alerts that hold at ``now``."""
    now = now or ctx.now()
    cfg, rules = ctx.config, ctx.config.rules
    found: list[Found] = []
    with ctx.db.read() as s:
        waiting: dict[str, list[Any]] = {}
        for step in line.in_line(s, ctx, now):
            waiting.setdefault(step.service_code, []).append(step)
        for service, steps in waiting.items():
            target = cfg.target(service)
            late = [
                (figures.waited_seconds(st, now) or 0.0) / 60
                for st in steps
                if figures.is_late(st, target, now)
            ]
            if late and len(late) / len(steps) >= rules.wait_alert_share:
                found.append(
                    Found(
                        "wait",
                        service,
                        {"late": len(late), "longest": int(max(late)), "target": target},
                    )
                )
            if len(steps) >= rules.queue_alert:
                found.append(Found("queue", service, {"waiting": len(steps)}))
        for window, since, reason in s.execute(
            select(Window.id, Window.state_since, Window.state_reason).where(
                Window.active, Window.state == "paused"
            )
        ):
            minutes = (now - since).total_seconds() / 60 if since else 0
            if minutes >= rules.pause_alert_minutes:
                found.append(
                    Found("pause", str(window), {"minutes": int(minutes), "reason": reason})
                )
        for kiosk, error, paper, code in s.execute(
            select(Printer.kiosk, Printer.last_error, Printer.paper, Printer.error_code).where(
                Printer.state == "fault"
            )
        ):
            # code: the fault's words in the catalogue (fault.<code>); error: the raw detail
            detail = {"error": (error or "")[:300], "paper": paper, "code": code or "other"}
            found.append(Found("printer", kiosk, detail))
    return found


def evaluate(ctx: Context) -> tuple[int, int]:
    """Bring the ``alerts`` table in line with what holds now: answers (opened, closed)."""
    now = ctx.now()
    holding = {(f.kind, f.subject): f for f in current(ctx, now)}
    opened = closed = 0
    with ctx.db.write() as s:
        for alert in s.scalars(select(Alert).where(Alert.closed_at.is_(None))):
            if alert.kind in RAISED_BY_HAND:
                if ctx.local(alert.opened_at).date() < ctx.local(now).date():
                    alert.closed_at = now  # yesterday's call for help
                    closed += 1
                continue
            f = holding.pop((alert.kind, alert.subject), None)
            if f is None:
                alert.closed_at = now
                closed += 1
            elif alert.detail != f.detail:
                alert.detail = f.detail
        for f in holding.values():
            s.add(Alert(kind=f.kind, subject=f.subject, detail=f.detail, opened_at=now))
            events.record(
                s, "alert_raised", "system", now, alert=f.kind, subject=f.subject, **f.detail
            )
            opened += 1
    return opened, closed


def open_alerts(ctx: Context) -> list[Alert]:
    with ctx.db.read() as s:
        return list(
            s.scalars(select(Alert).where(Alert.closed_at.is_(None)).order_by(Alert.opened_at))
        )
