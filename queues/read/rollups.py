"""The hall's history: each day's figures kept by the nightly roll-up, and periods added up.

Each night the scheduler writes the day's figures (:mod:`queues.read.figures`) into
``daily_stats`` (service × window × clerk, with the wait histogram by minute and arrivals by
hour) and ``window_days``. A report over a period adds those rows up in the database: a year is a
few thousand rows, not 60,000 tickets. A day with tickets but no roll-up yet (the server was off
that night) is computed from its tickets until the scheduler catches up, and today always is.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, delete, func, literal, select, text
from sqlalchemy.orm import Session

from queues.context import Context
from queues.read.figures import (
    COUNTED,
    OUTCOMES,
    Figures,
    Key,
    WindowTime,
    day_figures,
    halls_day_figures,
    halls_window_times,
    window_times,
)
from queues.store.models import DailyStat, Ticket, WindowDayStat
from queues.store.scope import HALL_PARAM


def rollup(ctx: Context, day: date) -> int:
    """Write ``day``'s rows (again: running it twice gives the same rows); answers how many."""
    zone_of = {svc.code: svc.zone for svc in ctx.config.services}
    with ctx.db.write() as s:
        figures = day_figures(s, ctx, day)
        windows = window_times(s, ctx, day)
        s.execute(delete(DailyStat).where(DailyStat.day == day))
        s.execute(delete(WindowDayStat).where(WindowDayStat.day == day))
        for (service, window, clerk), f in figures.items():
            s.add(
                DailyStat(
                    day=day,
                    service_code=service,
                    window_id=window,
                    clerk=clerk,
                    zone_code=zone_of.get(service, ""),
                    arrivals=f.arrivals,
                    wait_minutes={str(k): v for k, v in f.wait_minutes.items()},
                    **{name: getattr(f, name) for name in COUNTED},
                    **{f"outcome_{o}": f.outcomes.get(o, 0) for o in OUTCOMES},
                )
            )
        for window, w in windows.items():
            s.add(
                WindowDayStat(
                    day=day,
                    window_id=window,
                    open_seconds=w.open_seconds,
                    paused_seconds=w.paused_seconds,
                    serving_seconds=w.serving_seconds,
                    open_by_hour=w.open_by_hour,
                )
            )
        return len(figures)


def days_with_tickets(ctx: Context, since: date) -> list[date]:
    """Past days from ``since`` on that have tickets (each can be rolled up again)."""
    today = ctx.business_day()
    with ctx.db.read() as s:
        return sorted(
            s.scalars(select(Ticket.day).where(Ticket.day >= since, Ticket.day < today).distinct())
        )


def days_to_roll_up(ctx: Context) -> list[date]:
    """Past days with tickets but no roll-up (the server was off that night)."""
    today = ctx.business_day()
    with ctx.db.read() as s:
        with_tickets = set(s.scalars(select(Ticket.day).where(Ticket.day < today).distinct()))
        rolled = set(s.scalars(select(DailyStat.day).distinct()))
    return sorted(with_tickets - rolled)


# --- reading figures back -----------------------------------------------------------------------

GROUPS = ("zone", "service", "window", "clerk")


def _group_key(group: str | None, key: Key, zone_of: dict[str, str]) -> str | int | None:
    service, window, clerk = key
    if group == "zone":
        return zone_of.get(service, "")
    if group == "service":
        return service
    if group == "window":
        return window or None
    if group == "clerk":
        return clerk or None
    return "all"


def _unrolled(s: Session, start: date, end: date, today: date) -> list[date]:
    """Past days in the period with tickets but no roll-up yet (the night the server was off):
    reports compute them from their tickets until the scheduler catches up."""
    with_tickets = set(
        s.scalars(select(Ticket.day).where(Ticket.day >= start, Ticket.day <= end).distinct())
    )
    rolled = set(
        s.scalars(
            select(DailyStat.day).where(DailyStat.day >= start, DailyStat.day <= end).distinct()
        )
    )
    return sorted(d for d in with_tickets - rolled if d < today)


_SUMMED = (*COUNTED, *(f"outcome_{o}" for o in OUTCOMES))


def _stored(s: Session, ctx: Context, start: date, end: date) -> dict[Key, Figures]:
    """The rolled-up days of the period added up by (service, window, clerk), in the database:
    a year is a few hundred sums and histogram counts to read, not its rows one by one."""
    c = DailyStat.__table__.c
    return _summed(  # type: ignore[return-value]
        s, ctx.db.dialect, (c.service_code, c.window_id, c.clerk), c.hall == HALL_PARAM, start, end
    )


def _summed(
    s: Session, dialect: str, key: tuple[Any, ...], hall: Any, start: date, end: date
) -> dict[tuple[Any, ...], Figures]:
    """The rolled-up days ``start`` to ``end`` of the halls ``hall`` selects, summed in the
    database by the columns ``key``, with their wait histograms."""
    out = _sums(s, key, hall, start, end)
    for k, histogram in _histograms(s, dialect, key, hall, start, end).items():
        out[k].wait_minutes.update(histogram)
    return out


def _sums(
    s: Session, key: tuple[Any, ...], hall: Any, start: date, end: date
) -> dict[tuple[Any, ...], Figures]:
    c = DailyStat.__table__.c
    out: dict[tuple[Any, ...], Figures] = {}
    n = len(key)
    for row in s.execute(
        select(*key, *(func.sum(c[name]) for name in _SUMMED))
        .where(hall, c.day >= start, c.day <= end)
        .group_by(*key)
    ):
        v = dict(zip(_SUMMED, row[n:], strict=True))
        out[tuple(row[:n])] = Figures(
            **{k: v[k] for k in COUNTED}, outcomes={o: v[f"outcome_{o}"] for o in OUTCOMES}
        )
    return out


def _histograms(
    s: Session, dialect: str, key: tuple[Any, ...], hall: Any, start: date, end: date
) -> dict[tuple[Any, ...], dict[int, int]]:
    """The wait histograms (minute → waits) of the rolled-up days, summed by ``key``: each
    day's histogram is spread into its minutes, so the fewer groups the cheaper."""
    c = DailyStat.__table__.c
    if dialect == "sqlite":
        each = func.json_each(c.wait_minutes).table_valued("key", "value")
        minute, count = func.cast(each.c.key, Integer), each.c.value
    else:
        each = func.json_each_text(c.wait_minutes).table_valued("key", "value")
        minute, count = func.cast(each.c.key, Integer), func.cast(each.c.value, Integer)
    out: dict[tuple[Any, ...], dict[int, int]] = defaultdict(dict)
    n = len(key)
    for row in s.execute(
        select(*key, minute, func.sum(count))
        .select_from(DailyStat.__table__)
        .join(each, literal(True))
        .where(hall, c.day >= start, c.day <= end, c.wait_count > 0)
        .group_by(*key, minute)
    ):
        out[tuple(row[:n])][int(row[n])] = int(row[n + 1])
    return out


def reports(
    ctx: Context, start: date, end: date, groups: Iterable[str | None]
) -> dict[str | None, dict[str | int, Figures]]:
    """:func:`report` for several groupings at once (the period is read once)."""
    zone_of = {svc.code: svc.zone for svc in ctx.config.services}
    today = ctx.business_day()
    results: dict[str | None, dict[str | int, Figures]] = {g: defaultdict(Figures) for g in groups}
    with ctx.db.report() as s:
        parts = [_stored(s, ctx, start, min(end, today - timedelta(days=1)))]
        live = _unrolled(s, start, end, today) + ([today] if start <= today <= end else [])
        parts += [day_figures(s, ctx, day) for day in live]
    for part in parts:
        for k, f in part.items():
            for group, result in results.items():
                key = _group_key(group, k, zone_of)
                if key is not None:
                    result[key].add(f)
    return {g: dict(r) for g, r in results.items()}


def report(
    ctx: Context, start: date, end: date, group: str | None = None
) -> dict[str | int, Figures]:
    """Figures for the days ``start`` to ``end`` (both included), added up by ``group``
    (``zone``, ``service``, ``window``, ``clerk``, or None for the whole hall as ``"all"``).

    Rows of no window or clerk (issued tickets, queues never called) count only toward zones and
    services; a window or clerk report counts what windows did.
    """
    return reports(ctx, start, end, [group])[group]


# --- the network: every hall's period at once ----------------------------------------------------


def halls_reports(
    halls: Mapping[str, Context], start: date, end: date, histograms_by: str = "hall"
) -> tuple[dict[str, dict[str, Figures]], dict[str, float], dict[str, dict[int, int]]]:
    """Each hall's figures for the days ``start`` to ``end`` by service, and its windows' open
    seconds, as :func:`reports` and :func:`window_report` count them, for every hall at once in
    one network session and a handful of queries (the network's reports: a city's halls one by
    one would cost hundreds of round trips). Rolled-up days are summed by (hall, service) in
    the database; days not rolled up yet and each hall's today come from their tickets.

    The rolled-up days' wait histograms are the dear part (a year of a city is millions of
    minute counts): they are summed only by ``histograms_by`` (``hall`` or ``service``) and
    answered apart, third; the figures by (hall, service) hold the histograms of the days
    counted from their tickets only."""
    if not halls:
        return {}, {}, {}
    first = next(iter(halls.values()))
    todays = {code: ctx.business_day() for code, ctx in halls.items()}
    stored_end = min(end, min(todays.values()) - timedelta(days=1))
    codes = list(halls)
    c, w = DailyStat.__table__.c, WindowDayStat.__table__.c
    found: dict[str, dict[str, Figures]] = {code: defaultdict(Figures) for code in codes}
    open_seconds = dict.fromkeys(codes, 0.0)
    histograms: dict[str, dict[int, int]] = {}
    with first.db.network.report() as s:
        if first.db.dialect == "postgresql":  # a year of a city's histograms sums in memory
            s.execute(text("SET LOCAL work_mem = '64MB'"))
        if start <= stored_end:
            in_halls = c.hall.in_(codes)
            for (hall, service), f in _sums(
                s, (c.hall, c.service_code), in_halls, start, stored_end
            ).items():
                found[hall][service].add(f)
            by = c.hall if histograms_by == "hall" else c.service_code
            stored = _histograms(s, first.db.dialect, (by,), in_halls, start, stored_end)
            histograms = {k[0]: h for k, h in stored.items()}
            for hall, seconds in s.execute(
                select(w.hall, func.sum(w.open_seconds))
                .where(w.hall.in_(codes), w.day >= start, w.day <= stored_end)
                .group_by(w.hall)
            ):
                open_seconds[hall] += seconds or 0.0
        live: dict[date, dict[str, tuple[Context, date]]] = defaultdict(dict)
        for hall, days in _halls_unrolled(s, first.db.dialect, codes, start, stored_end).items():
            for day in days:
                live[day][hall] = (halls[hall], day)
        for hall, today in todays.items():
            day = stored_end + timedelta(days=1)
            while day <= min(end, today):
                live[day][hall] = (halls[hall], day)
                day += timedelta(days=1)
        until = first.now()  # a past day ends before it: only today is cut at now
        for those in live.values():
            for hall, parts in halls_day_figures(s, those).items():
                for (service, _window, _clerk), f in parts.items():
                    found[hall][service].add(f)
            for hall, windows in halls_window_times(s, those, until=until).items():
                open_seconds[hall] += sum(t.open_seconds for t in windows.values())
    return {code: dict(f) for code, f in found.items()}, open_seconds, histograms


_PROBE = {
    "postgresql": "SELECT c.hall, c.day FROM unnest(CAST(:halls AS varchar[]),"
    " CAST(:days AS date[])) AS c(hall, day)"
    " WHERE EXISTS (SELECT 1 FROM tickets t WHERE t.hall = c.hall AND t.day = c.day)",
    "sqlite": "SELECT json_extract(c.value, '$[0]'), json_extract(c.value, '$[1]')"
    " FROM json_each(:pairs) AS c WHERE EXISTS (SELECT 1 FROM tickets t"
    " WHERE t.hall = json_extract(c.value, '$[0]') AND t.day = json_extract(c.value, '$[1]'))",
}
"""Which of the (hall, day) pairs given have tickets: one index probe a pair."""


def _halls_unrolled(
    s: Session, dialect: str, codes: list[str], start: date, end: date
) -> dict[str, list[date]]:
    """:func:`_unrolled` of several halls: the days ``start`` to ``end`` with tickets but no
    roll-up. Only the days a hall has no roll-up for are looked for in its tickets (one probe
    each), so a year of a city's tickets is not read to find the few."""
    if start > end:
        return {}
    rolled: dict[str, set[date]] = defaultdict(set)
    for hall, day in s.execute(
        select(DailyStat.hall, DailyStat.day)
        .where(DailyStat.hall.in_(codes), DailyStat.day >= start, DailyStat.day <= end)
        .distinct()
    ):
        rolled[hall].add(day)
    every = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    pairs = [(hall, day) for hall in codes for day in every if day not in rolled[hall]]
    if not pairs:
        return {}
    if dialect == "sqlite":
        params: dict[str, Any] = {"pairs": json.dumps([[h, d.isoformat()] for h, d in pairs])}
    else:
        params = {"halls": [h for h, _ in pairs], "days": [d for _, d in pairs]}
    found: dict[str, list[date]] = defaultdict(list)
    for hall, day in s.execute(text(_PROBE[dialect]), params):
        found[hall].append(day if isinstance(day, date) else date.fromisoformat(day))
    return {hall: sorted(days) for hall, days in found.items()}


def window_report(ctx: Context, start: date, end: date) -> dict[int, WindowTime]:
    """Open, paused and serving time per window over the period (summed in the database; the
    hour-by-hour split is left out: :func:`open_windows_by_weekday_hour` has it)."""
    today = ctx.business_day()
    c = WindowDayStat.__table__.c
    result: dict[int, WindowTime] = defaultdict(WindowTime)
    with ctx.db.report() as s:
        for window, open_s, paused_s, serving_s in s.execute(
            select(
                c.window_id, func.sum(c.open_seconds), func.sum(c.paused_seconds),
                func.sum(c.serving_seconds),
            )
            .where(c.hall == HALL_PARAM, c.day >= start, c.day <= end, c.day < today)
            .group_by(c.window_id)
        ):  # fmt: skip
            _add_time(result[window], open_s or 0.0, paused_s or 0.0, serving_s or 0.0, None)
        live = _unrolled(s, start, end, today) + ([today] if start <= today <= end else [])
        for day in live:
            until = ctx.now() if day == today else None
            for window, w in window_times(s, ctx, day, until=until).items():
                _add_time(result[window], w.open_seconds, w.paused_seconds, w.serving_seconds, None)
    return dict(result)


def _add_time(
    w: WindowTime, open_s: float, paused_s: float, serving_s: float, by_hour: Iterable[float] | None
) -> None:
    w.open_seconds += open_s
    w.paused_seconds += paused_s
    w.serving_seconds += serving_s
    if by_hour:
        w.open_by_hour = [a + b for a, b in zip(w.open_by_hour, by_hour, strict=True)]


def arrivals_by_weekday_hour(
    ctx: Context, weeks: int = 8, zone: str | None = None, services: Iterable[str] | None = None
) -> list[list[float]]:
    """Mean tickets per hour for each weekday (Monday first) over the last ``weeks`` weeks."""
    today = ctx.business_day()
    start = today - timedelta(weeks=weeks)
    totals = [[0.0] * 24 for _ in range(7)]
    days: dict[int, set[date]] = defaultdict(set)
    with ctx.db.report() as s:
        query = select(DailyStat.day, DailyStat.arrivals).where(
            DailyStat.day >= start, DailyStat.day < today, DailyStat.window_id == 0
        )
        if zone:
            query = query.where(DailyStat.zone_code == zone)
        if services is not None:
            query = query.where(DailyStat.service_code.in_(list(services)))
        for day, arrivals in s.execute(query):
            if not arrivals:
                continue
            days[day.weekday()].add(day)
            for hour, n in enumerate(arrivals):
                totals[day.weekday()][hour] += n
    return [[n / len(days[w]) if days[w] else 0.0 for n in totals[w]] for w in range(7)]


def open_windows_by_weekday_hour(
    ctx: Context, weeks: int = 8, zone: str | None = None
) -> list[list[float]]:
    """Mean number of windows open in each hour, for each weekday, over the last ``weeks``."""
    in_zone = {w.id for w in ctx.config.windows if zone is None or w.zone == zone}
    today = ctx.business_day()
    start = today - timedelta(weeks=weeks)
    totals = [[0.0] * 24 for _ in range(7)]
    days: dict[int, set[date]] = defaultdict(set)
    with ctx.db.report() as s:
        for day, window, by_hour in s.execute(
            select(WindowDayStat.day, WindowDayStat.window_id, WindowDayStat.open_by_hour).where(
                WindowDayStat.day >= start, WindowDayStat.day < today
            )
        ):
            days[day.weekday()].add(day)
            if window not in in_zone:
                continue
            for hour, seconds in enumerate(by_hour or []):
                totals[day.weekday()][hour] += seconds / 3600
    return [[n / len(days[w]) if days[w] else 0.0 for n in totals[w]] for w in range(7)]


def rolled_days(ctx: Context) -> int:
    with ctx.db.report() as s:
        return int(s.scalar(select(func.count(func.distinct(DailyStat.day)))) or 0)
