"""The capacity planner: for a weekday, each opening hour's forecast arrivals, the windows it
needs to meet the wait targets (:mod:`queues.rules.planner`), and the windows that were open.

The arrivals of each hour are forecast as their mean over the same weekday of the last weeks;
each department (the work profile that mainly serves a service) is planned on its own, with its
measured mean service time and its services' targets, since one department's windows cannot
stand in for another's. Beside it stands the number of windows open in that hour on those
weekdays, so a manager sees where to open more, or fewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from queues.context import Context
from queues.read import figures, rollups
from queues.rules.planner import needed


@dataclass(frozen=True)
class Hour:
    hour: int
    arrivals: float
    needed: int
    open: float


def departments(ctx: Context, zone: str | None = None) -> dict[str, list[str]]:
    """Services grouped by the work profile that mainly serves them (its department's windows);
    a department's windows can stand in for each other, another department's cannot."""
    cfg = ctx.config
    main: dict[str, tuple[float, str]] = {}
    for p in cfg.profiles:
        for code, weight in p.services.items():
            if code not in main or weight > main[code][0]:
                main[code] = (weight, p.code)
    groups: dict[str, list[str]] = {}
    for svc in cfg.services:
        if (zone is None or svc.zone == zone) and svc.code in main:
            groups.setdefault(main[svc.code][1], []).append(svc.code)
    return groups


def plan(
    ctx: Context, weekday: int, zone: str | None = None, weeks: int = 8, share: float = 0.8
) -> list[Hour]:
    """Each opening hour of ``weekday`` (0 Monday): forecast arrivals, windows needed (each
    department on its own), and windows that were open."""
    cfg = ctx.config
    today = ctx.business_day()
    by_service = rollups.report(
        ctx, today - timedelta(weeks=weeks), today - timedelta(days=1), "service"
    )
    opened = rollups.open_windows_by_weekday_hour(ctx, weeks, zone)[weekday]
    hours = list(range(cfg.hours.first_ticket.hour, cfg.hours.close.hour + 1))
    arrivals = dict.fromkeys(hours, 0.0)
    windows = dict.fromkeys(hours, 0)
    for codes in departments(ctx, zone).values():
        forecast = rollups.arrivals_by_weekday_hour(ctx, weeks, services=codes)[weekday]
        measured = figures.Figures()
        for code in codes:
            if code in by_service:
                measured.add(by_service[code])
        configured = [cfg.service(c) for c in codes]
        minutes = measured.service_mean or sum(s.service_minutes for s in configured) / len(
            configured
        )
        target = sum(s.target_minutes for s in configured) / len(configured)
        for hour in hours:
            arrivals[hour] += forecast[hour]
            windows[hour] += needed(forecast[hour], minutes, target, share)
    return [Hour(h, arrivals[h], windows[h], opened[h]) for h in hours]
