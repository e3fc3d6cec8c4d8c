"""What the window performance board shows (``/display/performance``): each window's state,
today's work, its mean service time against what its services are expected to take, and this
month's satisfaction and ranking (先进窗口). No visitor data: numbers of windows and figures,
and a clerk only as the hall file's ``[display] clerk`` allows (nobody, the staff number, or the
display name).

Every figure is :mod:`queues.read.figures`'s (today's from the day's steps, the month's from
the roll-ups and today, :func:`queues.read.rollups.reports`) and the ranking is the reports'
(:func:`queues.read.reports.rank`): the board counts nothing its own way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from queues.context import Context
from queues.read import counters, reports, rollups
from queues.read.figures import Figures, Key, clerk_of, day_figures, expected_service_mean, total
from queues.rules.lifecycle import WindowState
from queues.store.models import Step, User

CLERK_SHOWN = ("none", "staff_number", "display_name")
FIRST_PLACES = 3
"""The windows named 先进窗口 on the board: the month's first three."""


@dataclass(frozen=True)
class WindowPerformance:
    id: int
    zone: str
    department_zh: str
    department_en: str
    state: str
    clerk: str | None
    """As the hall file allows: None unless ``[display] clerk`` names what to show."""
    today: Figures
    expected_minutes: float | None
    """What its services are expected to take, for what it handled today."""
    month: Figures
    place: int | None
    """Its place in the month's ranking (None: handled no one this month)."""
    score: float | None


@dataclass(frozen=True)
class Board:
    day: date
    month_start: date
    windows: list[WindowPerformance]
    ranked: int
    """How many windows the month's ranking holds."""


def board(ctx: Context) -> Board:
    cfg = ctx.config
    day = ctx.business_day()
    month_start, month_end = reports.bounds("month", day)
    with ctx.db.read() as s:
        parts = day_figures(s, ctx, day)
        clerks = _clerks(s, ctx, day) if cfg.display.clerk != "none" else {}
    by_window: dict[int, dict[Key, Figures]] = defaultdict(dict)
    for key, f in parts.items():
        if key[1]:
            by_window[key[1]][key] = f
    month = rollups.report(ctx, month_start, month_end, "window")
    ranking = {
        int(r.label): r for r in reports.rank({str(window): f for window, f in month.items()})
    }
    minutes = {svc.code: svc.service_minutes for svc in cfg.services}
    windows = []
    for w in counters.windows(ctx):
        mine = by_window.get(w.id, {})
        ranked = ranking.get(w.id)
        windows.append(
            WindowPerformance(
                id=w.id,
                zone=w.zone,
                department_zh=w.department_zh,
                department_en=w.department_en,
                state=w.state,
                clerk=clerks.get(w.id) if w.state != WindowState.CLOSED else None,
                today=total(mine),
                expected_minutes=expected_service_mean(mine, minutes),
                month=month.get(w.id, Figures()),
                place=ranked.place if ranked else None,
                score=ranked.score if ranked else None,
            )
        )
    return Board(day=day, month_start=month_start, windows=windows, ranked=len(ranking))


def _clerks(s: Session, ctx: Context, day: date) -> dict[int, str]:
    """Window → the clerk of its latest call today, as the hall file allows them shown: the
    staff number (the sign-in name) or the display name; nothing for a token or a name unset."""
    latest = (
        select(Step.window_id, Step.clerk)
        .where(Step.day == day, Step.window_id.is_not(None), Step.last_called_at.is_not(None))
        .order_by(Step.last_called_at)
    )
    names = {row.window_id: row.clerk for row in s.execute(latest)}  # the latest wins
    users = {clerk_of(c) for c in names.values() if c and c.startswith("user:")}
    shown: dict[str, str] = {}
    if users:
        for name, display_name in s.execute(
            select(User.name, User.display_name).where(User.name.in_(users))
        ):
            value = name if ctx.config.display.clerk == "staff_number" else display_name
            if value:
                shown[name] = value
    return {
        window: shown[clerk_of(c)]
        for window, c in names.items()
        if c and c.startswith("user:") and clerk_of(c) in shown
    }
