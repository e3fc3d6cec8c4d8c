"""The hall's figures: what the dashboard shows now and what the reports add up over time.

Definitions (the same everywhere):

* A **wait** is a step's time from entering its queue (the issue, or the transfer) to its first
  call. It counts toward the service's target when it is at most ``target_minutes``.
* **p90** is the nearest-rank 90th percentile of the waits counted in whole minutes (rounded
  down): nine in ten visitors were called within that many minutes.
* **Served** counts steps a window finished with a service: done, or transferred on after being
  served (the unified desk's work). **Outcomes** count the ``done`` ones by their outcome.
* **Service time** runs from start (or the call, when the clerk finished without pressing start)
  to finish, for served steps. A window's **serving** time runs from each call to its end.
* A **no-show rate** is no-shows over called steps. **Bad ratings** are the lowest two levels.

A day's figures are kept in ``daily_stats`` (service × window × clerk) and ``window_days`` by the
nightly roll-up; a report over a long period adds those rows up, and today's figures are
computed from today's steps in the same way.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Integer, delete, func, literal, or_, select
from sqlalchemy.orm import Session

from queues.context import Context
from queues.read import counters
from queues.rules.lifecycle import Outcome, values
from queues.store import queue
from queues.store.models import DailyStat, Event, Rating, Step, Ticket, Window, WindowDayStat

HIST_CAP = 180
OUTCOME_VALUES = values(Outcome)
BAD = (1, 2)
STATE_EVENTS = {"window_opened": "open", "window_paused": "paused", "window_closed": "closed"}


COUNTED = (
    "issued",
    "called",
    "served",
    "no_shows",
    "transferred",
    "expired",
    "cancelled",
    "wait_count",
    "wait_seconds",
    "within_target",
    "service_count",
    "service_seconds",
    "rating_count",
    "rating_sum",
    "bad_ratings",
)
"""The plain counts and sums of :class:`Figures`, each a column of the same name in
``daily_stats``; the outcomes are the columns ``outcome_<outcome>``."""


@dataclass
class Figures:
    """Counts and sums that add up across days, services, windows and clerks."""

    issued: int = 0
    called: int = 0
    served: int = 0
    no_shows: int = 0
    transferred: int = 0
    expired: int = 0
    cancelled: int = 0
    wait_count: int = 0
    wait_seconds: float = 0.0
    within_target: int = 0
    wait_minutes: dict[int, int] = field(default_factory=dict)
    service_count: int = 0
    service_seconds: float = 0.0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOME_VALUES, 0))
    rating_count: int = 0
    rating_sum: int = 0
    bad_ratings: int = 0
    arrivals: list[int] = field(default_factory=lambda: [0] * 24)

    def add(self, other: Figures) -> Figures:
        for name in COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for minute, n in other.wait_minutes.items():
            self.wait_minutes[minute] = self.wait_minutes.get(minute, 0) + n
        for outcome, n in other.outcomes.items():
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + n
        self.arrivals = [a + b for a, b in zip(self.arrivals, other.arrivals, strict=True)]
        return self

    def wait(self, seconds: float, target_minutes: int) -> None:
        self.wait_count += 1
        self.wait_seconds += seconds
        self.within_target += seconds <= target_minutes * 60
        minute = min(int(seconds // 60), HIST_CAP)
        self.wait_minutes[minute] = self.wait_minutes.get(minute, 0) + 1

    # --- what is shown -------------------------------------------------------------------------

    @property
    def wait_mean(self) -> float | None:
        return self.wait_seconds / self.wait_count / 60 if self.wait_count else None

    @property
    def wait_p90(self) -> int | None:
        if not self.wait_count:
            return None
        rank = math.ceil(0.9 * self.wait_count)
        seen = 0
        for minute in sorted(self.wait_minutes):
            seen += self.wait_minutes[minute]
            if seen >= rank:
                return minute
        return HIST_CAP

    @property
    def within_target_share(self) -> float | None:
        return self.within_target / self.wait_count if self.wait_count else None

    @property
    def service_mean(self) -> float | None:
        return self.service_seconds / self.service_count / 60 if self.service_count else None

    @property
    def no_show_rate(self) -> float | None:
        return self.no_shows / self.called if self.called else None

    @property
    def rating_mean(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None


Key = tuple[str, int, str]
"""(service code, window id or 0, clerk or "")."""


def _clerk(actor: str | None) -> str:
    return (actor or "").removeprefix("user:")


def _day_bounds(ctx: Context, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=ctx.tz).astimezone(UTC)
    return start, start + timedelta(days=1)


def day_figures(s: Session, ctx: Context, day: date) -> dict[Key, Figures]:
    """One day's figures by (service, window, clerk), from its tickets, steps and ratings."""
    rows: dict[Key, Figures] = defaultdict(Figures)
    for requested, issued_at in s.execute(
        select(Ticket.requested_service_code, Ticket.issued_at).where(Ticket.day == day)
    ):
        f = rows[(requested, 0, "")]
        f.issued += 1
        f.arrivals[issued_at.astimezone(ctx.tz).hour] += 1
    steps = s.execute(
        select(
            Step.id,
            Step.service_code,
            Step.window_id,
            Step.clerk,
            Step.status,
            Step.outcome,
            Step.entered_at,
            Step.queued_at,
            Step.called_at,
            Step.started_at,
            Step.finished_at,
        ).where(Step.day == day)
    ).all()
    step_keys: dict[int, Key] = {}
    for st in steps:
        key = (st.service_code, st.window_id or 0, _clerk(st.clerk) if st.window_id else "")
        step_keys[st.id] = key
        f = rows[key]
        if st.called_at is not None:
            f.called += 1
            entered = st.entered_at or st.queued_at
            f.wait((st.called_at - entered).total_seconds(), ctx.config.target(st.service_code))
        if st.status in ("done", "transferred") and st.finished_at is not None:
            f.served += 1
            began = st.started_at or st.called_at or st.finished_at
            f.service_count += 1
            f.service_seconds += max((st.finished_at - began).total_seconds(), 0.0)
        if st.status == "done":
            f.outcomes[st.outcome or "done"] = f.outcomes.get(st.outcome or "done", 0) + 1
        elif st.status == "no_show":
            f.no_shows += 1
        elif st.status == "transferred":
            f.transferred += 1
        elif st.status == "expired":
            f.expired += 1
        elif st.status == "cancelled":
            f.cancelled += 1
    for step_id, score in s.execute(
        select(Rating.step_id, Rating.score)
        .join(Ticket, Ticket.id == Rating.ticket_id)
        .where(Ticket.day == day)
    ):
        key = step_keys.get(step_id)
        if key is None:
            continue
        f = rows[key]
        f.rating_count += 1
        f.rating_sum += score
        f.bad_ratings += score in BAD
    return dict(rows)


@dataclass
class WindowTime:
    open_seconds: float = 0.0
    paused_seconds: float = 0.0
    serving_seconds: float = 0.0
    open_by_hour: list[float] = field(default_factory=lambda: [0.0] * 24)


def window_times(
    s: Session, ctx: Context, day: date, until: datetime | None = None
) -> dict[int, WindowTime]:
    """How long each window was open, paused and serving on ``day`` (up to ``until``)."""
    start, end = _day_bounds(ctx, day)
    end = min(end, until) if until else end
    times: dict[int, WindowTime] = defaultdict(WindowTime)
    changes: dict[int, list[tuple[datetime, str, str]]] = defaultdict(list)
    for at, kind, window, data in s.execute(
        select(Event.at, Event.kind, Event.window_id, Event.data)
        .where(Event.at >= start, Event.at < end, Event.kind.in_(list(STATE_EVENTS)))
        .order_by(Event.id)
    ):
        changes[window].append((at, (data or {}).get("previous") or "closed", STATE_EVENTS[kind]))
    for window, seq in changes.items():
        w = times[window]
        state, since = seq[0][1], start
        for at, _previous, new in [*seq, (end, "", "")]:
            _account(w, ctx, state, since, at)
            state, since = new, at
    for window, called, finished in s.execute(
        select(Step.window_id, Step.called_at, Step.finished_at).where(
            Step.day == day, Step.window_id.is_not(None), Step.called_at.is_not(None)
        )
    ):
        stop = min(finished or end, end)
        times[window].serving_seconds += max((stop - called).total_seconds(), 0.0)
    return dict(times)


def _account(w: WindowTime, ctx: Context, state: str, since: datetime, until: datetime) -> None:
    seconds = max((until - since).total_seconds(), 0.0)
    if state == "paused":
        w.paused_seconds += seconds
    elif state == "open":
        w.open_seconds += seconds
        moment = since
        while moment < until:
            local = moment.astimezone(ctx.tz)
            next_hour = (
                local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            ).astimezone(UTC)
            piece = min(next_hour, until)
            w.open_by_hour[local.hour] += (piece - moment).total_seconds()
            moment = piece


# --- the nightly roll-up ------------------------------------------------------------------------


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
                    **{f"outcome_{o}": f.outcomes.get(o, 0) for o in OUTCOME_VALUES},
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


_SUMMED = (*COUNTED, *(f"outcome_{o}" for o in OUTCOME_VALUES))


def _stored(s: Session, ctx: Context, start: date, end: date) -> dict[Key, Figures]:
    """The rolled-up days of the period added up by (service, window, clerk), in the database:
    a year is a few hundred sums and histogram counts to read, not its rows one by one."""
    c = DailyStat.__table__.c
    key = (c.service_code, c.window_id, c.clerk)
    period = (c.day >= start, c.day <= end)
    out: dict[Key, Figures] = {}
    for row in s.execute(
        select(*key, *(func.sum(c[name]) for name in _SUMMED)).where(*period).group_by(*key)
    ):
        v = dict(zip(_SUMMED, row[3:], strict=True))
        out[(row[0], row[1], row[2])] = Figures(
            **{k: v[k] for k in COUNTED}, outcomes={o: v[f"outcome_{o}"] for o in OUTCOME_VALUES}
        )
    if ctx.db.dialect == "sqlite":
        each = func.json_each(c.wait_minutes).table_valued("key", "value")
        minute, count = func.cast(each.c.key, Integer), each.c.value
    else:
        each = func.json_each_text(c.wait_minutes).table_valued("key", "value")
        minute, count = func.cast(each.c.key, Integer), func.cast(each.c.value, Integer)
    for service, window, clerk, m, n in s.execute(
        select(*key, minute, func.sum(count))
        .select_from(DailyStat.__table__)
        .join(each, literal(True))
        .where(*period, c.wait_count > 0)
        .group_by(*key, minute)
    ):
        out[(service, window, clerk)].wait_minutes[int(m)] = int(n)
    return out


def reports(
    ctx: Context, start: date, end: date, groups: Iterable[str | None]
) -> dict[str | None, dict[str | int, Figures]]:
    """:func:`report` for several groupings at once (the period is read once)."""
    zone_of = {svc.code: svc.zone for svc in ctx.config.services}
    today = ctx.business_day()
    results: dict[str | None, dict[str | int, Figures]] = {g: defaultdict(Figures) for g in groups}
    with ctx.db.read() as s:
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


def window_report(ctx: Context, start: date, end: date) -> dict[int, WindowTime]:
    """Open, paused and serving time per window over the period (summed in the database; the
    hour-by-hour split is left out: :func:`open_windows_by_weekday_hour` has it)."""
    today = ctx.business_day()
    c = WindowDayStat.__table__.c
    result: dict[int, WindowTime] = defaultdict(WindowTime)
    with ctx.db.read() as s:
        for window, open_s, paused_s, serving_s in s.execute(
            select(
                c.window_id, func.sum(c.open_seconds), func.sum(c.paused_seconds),
                func.sum(c.serving_seconds),
            )
            .where(c.day >= start, c.day <= end, c.day < today)
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
    with ctx.db.read() as s:
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
    with ctx.db.read() as s:
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
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count(func.distinct(DailyStat.day)))) or 0)


# --- the dashboard's now ------------------------------------------------------------------------


@dataclass
class Now:
    """The hall this minute."""

    waiting: int
    longest_wait: float | None
    """Minutes the longest-waiting ticket has waited."""
    waiting_by_zone: dict[str, int]
    windows_open: int
    windows_total: int


def now(ctx: Context, zone: str | None = None) -> Now:
    """The hall (or ``zone``) this minute."""
    moment = ctx.now()
    today = ctx.business_day(moment)
    zone_of = {svc.code: svc.zone for svc in ctx.config.services}
    windows_q = select(Window.state).where(Window.active)
    if zone is not None:
        windows_q = windows_q.where(Window.zone_code == zone)
    with ctx.db.read() as s:
        rows = s.execute(
            select(Step.service_code, Step.entered_at, Step.queued_at).where(
                Step.status == "waiting", Step.day >= queue.queue_since(ctx, today)
            )
        ).all()
        states = s.execute(windows_q).scalars().all()
    by_zone: dict[str, int] = defaultdict(int)
    longest = None
    waiting = 0
    for service, entered, queued in rows:
        by_zone[zone_of.get(service, "")] += 1
        if zone is not None and zone_of.get(service) != zone:
            continue
        waiting += 1
        waited = (moment - (entered or queued)).total_seconds() / 60
        longest = waited if longest is None else max(longest, waited)
    return Now(
        waiting=waiting,
        longest_wait=longest,
        waiting_by_zone=dict(by_zone),
        windows_open=sum(1 for st in states if st == "open"),
        windows_total=len(states),
    )


def queue_series(
    ctx: Context, day: date, minutes: int = 10
) -> dict[str, list[tuple[datetime, int]]]:
    """Tickets waiting in each zone through ``day``, every ``minutes`` (up to now if today)."""
    zone_of = {svc.code: svc.zone for svc in ctx.config.services}
    first = ctx.config.hours.first_ticket
    first = first.replace(minute=first.minute - first.minute % minutes)  # on the clock's tens
    opening = datetime.combine(day, first, tzinfo=ctx.tz).astimezone(UTC)
    closing = datetime.combine(day, ctx.config.hours.close, tzinfo=ctx.tz).astimezone(UTC)
    stop = min(max(closing, opening), ctx.now()) if day == ctx.business_day() else closing
    changes: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    with ctx.db.read() as s:
        for service, entered, queued, called, finished in s.execute(
            select(
                Step.service_code, Step.entered_at, Step.queued_at, Step.called_at, Step.finished_at
            ).where(Step.day == day)
        ):
            zone = zone_of.get(service, "")
            changes[zone].append((entered or queued, 1))
            left = called or finished
            if left is not None:
                changes[zone].append((left, -1))
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


@dataclass(frozen=True)
class TicketLine:
    number: str
    service: str
    status: str
    window: int | None
    issued_at: datetime
    waited_minutes: float | None
    rating: int | None = None


FIGURES_BEHIND = ("waiting", "called", "served", "no_shows", "late", "rated", "bad_ratings")


def tickets_behind(
    ctx: Context, figure: str, zone: str | None = None, window: int | None = None
) -> list[TicketLine]:
    """The steps behind a figure of today's dashboard, in order of issue: ``waiting``, ``called``
    (every wait counted), ``served``, ``no_shows``, ``late`` (waited past target, or waiting past
    it now), ``rated``, ``bad_ratings``; of one zone or one window."""
    if figure not in FIGURES_BEHIND:
        raise ValueError(figure)
    moment = ctx.now()
    today = ctx.business_day(moment)
    zone_of = {svc.code: svc.zone for svc in ctx.config.services}
    query = (
        select(
            Ticket.number,
            Step.service_code,
            Step.status,
            Step.window_id,
            Ticket.issued_at,
            Step.entered_at,
            Step.queued_at,
            Step.called_at,
            Rating.score,
        )
        .join(Ticket, Ticket.id == Step.ticket_id)
        .outerjoin(Rating, Rating.step_id == Step.id)
        .order_by(Ticket.issued_at, Step.id)
    )
    if figure == "waiting":  # still in line from before midnight, where a hall stays open
        query = query.where(Step.day >= queue.queue_since(ctx, today))
    else:
        query = query.where(Step.day == today)
    if window is not None:
        query = query.where(Step.window_id == window)
    if figure == "waiting":
        query = query.where(Step.status == "waiting")
    elif figure == "called":
        query = query.where(Step.called_at.is_not(None))
    elif figure == "served":
        query = query.where(Step.status.in_(("done", "transferred")), Step.finished_at.is_not(None))
    elif figure == "no_shows":
        query = query.where(Step.status == "no_show")
    elif figure == "rated":
        query = query.where(Rating.score.is_not(None))
    elif figure == "bad_ratings":
        query = query.where(Rating.score.in_(BAD))
    elif figure == "late":
        query = query.where(or_(Step.called_at.is_not(None), Step.status == "waiting"))
    lines = []
    with ctx.db.read() as s:
        for r in s.execute(query):
            if zone and zone_of.get(r.service_code) != zone:
                continue
            until = r.called_at or (moment if r.status == "waiting" else None)
            waited = (until - (r.entered_at or r.queued_at)).total_seconds() / 60 if until else None
            if figure == "late" and (waited is None or waited <= ctx.config.target(r.service_code)):
                continue
            lines.append(
                TicketLine(
                    r.number, r.service_code, r.status, r.window_id, r.issued_at, waited, r.score
                )
            )
    return lines


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
    open_seconds: float
    serving_seconds: float

    @property
    def serving_share(self) -> float | None:
        return min(self.serving_seconds / self.open_seconds, 1.0) if self.open_seconds else None


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
    with ctx.db.read() as s:
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
            open_seconds=times[w.id].open_seconds if w.id in times else 0.0,
            serving_seconds=times[w.id].serving_seconds if w.id in times else 0.0,
        )
        for w in counters.windows(ctx)
        if zone is None or w.zone == zone
    ]
    hall = Figures()
    for code, f in zones.items():
        if zone is None or code == zone:
            hall.add(f)
    return Today(day=day, hall=hall, zones=zones, now=now(ctx, zone), windows=lines)
