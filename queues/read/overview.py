"""Today at a glance, for the dashboard and ``GET /api/v1/stats/today``: the hall this minute
(who waits, for how long, which windows are open) and its day so far, for the hall, each zone and
each window, counted as :mod:`queues.read.figures` defines."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from queues.context import Context
from queues.line import in_line, load_snapshot
from queues.read import counters
from queues.read.figures import (
    Figures,
    WindowTime,
    day_figures,
    entered,
    is_late,
    window_times,
)
from queues.rules import eta
from queues.rules.lifecycle import WindowState
from queues.store.models import Step, Window


@dataclass
class Now:
    """The hall this minute."""

    waiting: int
    waiting_late: int
    """Of those waiting, how many have waited past their own service's target."""
    longest_wait: float | None
    """Minutes the longest-waiting ticket has waited."""
    waiting_by_zone: dict[str, int]
    windows_open: int
    windows_total: int


def now(ctx: Context, zone: str | None = None) -> Now:
    """The hall (or ``zone``) this minute."""
    moment = ctx.now()
    cfg = ctx.config
    windows_q = select(Window.state).where(Window.active)
    if zone is not None:
        windows_q = windows_q.where(Window.zone_code == zone)
    with ctx.db.report() as s:
        rows = in_line(s, ctx, moment)
        states = s.execute(windows_q).scalars().all()
    by_zone: dict[str, int] = defaultdict(int)
    longest = None
    waiting = late = 0
    for step in rows:
        svc = cfg.service(step.service_code)
        by_zone[svc.zone if svc else ""] += 1
        if zone is not None and (svc is None or svc.zone != zone):
            continue
        waiting += 1
        late += is_late(step, cfg.target(step.service_code), moment)
        waited = (moment - entered(step)).total_seconds() / 60
        longest = waited if longest is None else max(longest, waited)
    return Now(
        waiting=waiting,
        waiting_late=late,
        longest_wait=longest,
        waiting_by_zone=dict(by_zone),
        windows_open=sum(1 for st in states if st == WindowState.OPEN),
        windows_total=len(states),
    )


@dataclass(frozen=True)
class ServiceNow:
    """One service this minute, for the dashboard's "where is the bottleneck" table."""

    code: str
    zone: str
    waiting: int
    late: int
    """Of those waiting, how many are past the service's own target."""
    longest: float | None
    """Minutes the longest-waiting ticket of the service has waited."""
    target: int
    windows_open: int
    """Open windows that call the service today (their work profile of the day)."""
    eta_minutes: int | None
    """The wait a visitor taking a ticket now would have (the kiosk's, the board's)."""

    @property
    def strain(self) -> float:
        """The longest wait as a share of the target (1: at the target)."""
        return (self.longest or 0.0) / self.target if self.target else 0.0


def services_now(ctx: Context, zone: str | None = None) -> list[ServiceNow]:
    """Every service of the hall (or ``zone``) this minute, worst first: furthest past its own
    target, then most waiting, then with no open window for those waiting."""
    moment = ctx.now()
    cfg = ctx.config
    with ctx.db.report() as s:
        rows = in_line(s, ctx, moment)
        snapshot = load_snapshot(s, ctx)
    steps: dict[str, list[Any]] = defaultdict(list)
    for step in rows:
        steps[step.service_code].append(step)
    found = []
    for svc in cfg.services:
        if zone is not None and svc.zone != zone:
            continue
        mine = steps.get(svc.code, [])
        target = cfg.target(svc.code)
        waited = [(moment - entered(st)).total_seconds() / 60 for st in mine]
        found.append(
            ServiceNow(
                code=svc.code,
                zone=svc.zone,
                waiting=len(mine),
                late=sum(is_late(st, target, moment) for st in mine),
                longest=max(waited, default=None),
                target=target,
                windows_open=len(snapshot.servers(svc.code)),
                eta_minutes=eta.predict_new(snapshot, svc.code).eta_minutes,
            )
        )
    found.sort(key=lambda x: (-x.strain, -x.waiting, x.windows_open, x.code))
    return found


def queue_series(
    ctx: Context, day: date, minutes: int = 10
) -> dict[str, list[tuple[datetime, int]]]:
    """Tickets waiting in each zone through ``day``, every ``minutes`` (up to now if today)."""
    zone_of = {svc.code: svc.zone for svc in ctx.config.services}
    first = ctx.config.hours.first_ticket
    first = first.replace(minute=first.minute - first.minute % minutes)  # on the clock's tens
    opening = datetime.combine(day, first, tzinfo=ctx.tz).astimezone(UTC)
    closing = datetime.combine(day, ctx.config.hours.close, tzinfo=ctx.tz).astimezone(UTC)
    changes: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    with ctx.db.report() as s:
        for step in s.execute(
            select(
                Step.service_code, Step.entered_at, Step.queued_at, Step.called_at, Step.finished_at
            ).where(Step.day == day)
        ):
            zone = zone_of.get(step.service_code, "")
            changes[zone].append((entered(step), 1))
            left = step.called_at or step.finished_at
            if left is not None:
                changes[zone].append((left, -1))
    moments = [at for deltas in changes.values() for at, _ in deltas]
    # Tickets taken before the first ticket time or after closing (a hall open around the
    # clock, HALLQ_OPEN_ALWAYS) widen the day; today runs up to now.
    start = min([opening, *(_floor(at, minutes) for at in moments)])
    end = max([closing, *moments])
    if day == ctx.business_day():
        moment_now = ctx.now()
        end = moment_now if ctx.open_always or moment_now < closing else min(end, moment_now)
        start = min(start, _floor(end, minutes))
    stop = end
    opening = start
    series: dict[str, list[tuple[datetime, int]]] = {}
    for zone, deltas in changes.items():
        deltas.sort()
        points, level, i = [], 0, 0
        moment = opening
        while moment <= stop:
            while i < len(deltas) and deltas[i][0] <= moment:
                level += deltas[i][1]
                i += 1
            points.append((moment, level))
            moment += timedelta(minutes=minutes)
        series[zone] = points
    return series


def _floor(moment: datetime, minutes: int) -> datetime:
    """``moment`` down to the clock's last ``minutes`` (whole-hour time zones)."""
    return moment.replace(second=0, microsecond=0) - timedelta(minutes=moment.minute % minutes)


@dataclass(frozen=True)
class WindowLine:
    """One window's today, for the dashboard's table."""

    id: int
    zone: str
    department_zh: str
    department_en: str
    state: str
    state_reason: str | None
    current: str | None
    figures: Figures
    time: WindowTime


@dataclass(frozen=True)
class Today:
    """Today's figures: the whole hall (or the zone asked for), each zone, each window."""

    day: date
    hall: Figures
    zones: dict[str, Figures]
    now: Now
    windows: list[WindowLine]


def today(ctx: Context, zone: str | None = None) -> Today:
    """What the dashboard and ``GET /api/v1/stats/today`` show (``zone``: one zone only)."""
    moment = ctx.now()
    day = ctx.business_day(moment)
    zone_of = {svc.code: svc.zone for svc in ctx.config.services}
    zones: dict[str, Figures] = {z.code: Figures() for z in ctx.config.zones}
    by_window: dict[int, Figures] = defaultdict(Figures)
    with ctx.db.report() as s:
        figures = day_figures(s, ctx, day)
        times = window_times(s, ctx, day, until=moment)
    for (service, window, _clerk), f in figures.items():
        zones.setdefault(zone_of.get(service, ""), Figures()).add(f)
        if window:
            by_window[window].add(f)
    lines = [
        WindowLine(
            id=w.id,
            zone=w.zone,
            department_zh=w.department_zh,
            department_en=w.department_en,
            state=w.state,
            state_reason=w.state_reason,
            current=w.current.number if w.current else None,
            figures=by_window.get(w.id, Figures()),
            time=times.get(w.id, WindowTime()),
        )
        for w in counters.windows(ctx)
        if zone is None or w.zone == zone
    ]
    hall = Figures()
    for code, f in zones.items():
        if zone is None or code == zone:
            hall.add(f)
    return Today(day=day, hall=hall, zones=zones, now=now(ctx, zone), windows=lines)
