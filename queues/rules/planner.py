"""Capacity planning: how many windows each hour needs to meet the wait targets (Erlang C).

For a weekday, the arrivals of each hour are forecast as their mean over the last weeks; with
the zone's mean service time, Erlang C's M/M/c queue gives the probability that a visitor waits
longer than the target when ``c`` windows are open, and the plan is the smallest ``c`` that keeps
``share`` (80 %) of visitors within it. Beside it stands the number of windows open in that hour
on those weekdays, so a manager sees where to open more, or fewer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from queues.context import Context
from queues.read import metrics

MAX_WINDOWS = 60


def erlang_c(servers: int, load: float) -> float:
    """The probability that an arrival waits at all, with ``servers`` and offered ``load``
    (arrival rate × mean service time); 1 when the servers cannot keep up."""
    if servers <= 0 or load >= servers:
        return 1.0
    if load <= 0:
        return 0.0
    term, total = 1.0, 1.0  # a^k / k!, summed for k < servers
    for k in range(1, servers):
        term *= load / k
        total += term
    last = term * load / servers  # a^c / c!
    tail = last * servers / (servers - load)
    return tail / (total + tail)


def within(servers: int, per_hour: float, service_minutes: float, target_minutes: float) -> float:
    """Share of visitors called within ``target_minutes``."""
    if per_hour <= 0:
        return 1.0
    rate = per_hour / 60  # arrivals a minute
    mu = 1 / service_minutes
    load = rate * service_minutes
    if load >= servers:
        return 0.0
    waits = erlang_c(servers, load)
    return 1 - waits * math.exp(-(servers * mu - rate) * target_minutes)


def needed(
    per_hour: float, service_minutes: float, target_minutes: float, share: float = 0.8
) -> int:
    """The fewest windows that call ``share`` of visitors within ``target_minutes``."""
    if per_hour <= 0:
        return 0
    for servers in range(1, MAX_WINDOWS + 1):
        if within(servers, per_hour, service_minutes, target_minutes) >= share:
            return servers
    return MAX_WINDOWS


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
    by_service = metrics.report(
        ctx, today - timedelta(weeks=weeks), today - timedelta(days=1), "service"
    )
    opened = metrics.open_windows_by_weekday_hour(ctx, weeks, zone)[weekday]
    hours = list(range(cfg.hours.first_ticket.hour, cfg.hours.close.hour + 1))
    arrivals = dict.fromkeys(hours, 0.0)
    windows = dict.fromkeys(hours, 0)
    for codes in departments(ctx, zone).values():
        forecast = metrics.arrivals_by_weekday_hour(ctx, weeks, services=codes)[weekday]
        measured = metrics.Figures()
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
