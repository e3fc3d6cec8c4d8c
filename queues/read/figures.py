"""Every figure the hall shows, defined once. The counter console's "today", the dashboard, the
reports, the alerts, the drill-down lists and ``GET /api/v1/stats/today`` all count with the
functions here; ``docs/metrics.md`` says the same in words.

A ticket has one step per service it queues for (the unified desk, then the reviewing window).
Per step:

* **entered**: when the step joined its queue: the issue, or the transfer that sent it on.
* **waited**: from entering to the first call. A step not called has waited until now while it
  waits, or until it left the queue uncalled (expired at the close-out, cancelled).
* **called**: called at least once; its wait counts in the mean and the p90.
* **late**: waited longer than its own service's target: called late, or not called and past its
  target (still waiting, or gone). **Within target**: called within it. The share within target
  is within ÷ (called + late uncalled): a ticket still waiting inside its target is not judged.
* **handled** (办理量): a window took the step to its end: finished with an outcome, or served and
  transferred on (the unified desk's work).
* **finished** (办结量): ended with an outcome (即办 done, 承诺 promised, 一次性告知 incomplete,
  咨询 consult). A transfer is handled, never finished: finished = the sum of the outcomes.
* **service time**: from the start (or the call, when the clerk finished without pressing start)
  to the end, of handled steps. Its **expected** value for a window is each handled step at its
  service's ``service_minutes``, on average (:func:`expected_service_mean`).
* **no-show rate**: no-shows ÷ called. **Bad rating**: a score of 1 or 2.

A window's **open time** comes from its state events; its **serving time** runs from each call
to the end of that step, so the walk to the window counts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queues.context import Context
from queues.rules.lifecycle import WINDOW_EVENTS, Outcome, Status, WindowState, values
from queues.rules.rating import is_bad
from queues.store.models import Event, Rating, Step, Ticket

DEFAULT_SERVICE_MINUTES = 8.0
"""The expected service time of a service no longer in the hall file (the file's default)."""
HIST_CAP = 180
"""Waits of three hours or more share the histogram's last minute."""
OUTCOMES = values(Outcome)
STATE_EVENTS = {event: state for state, event in WINDOW_EVENTS.items()}
"""The events that change a window's state, and the state each leaves it in."""


# --- a step ------------------------------------------------------------------------------------


def entered(step: Any) -> datetime:
    """When ``step`` joined its queue (rows from before the transfer time was kept: its place)."""
    return step.entered_at or step.queued_at


def waited_seconds(step: Any, now: datetime) -> float | None:
    """How long ``step`` waited for its first call: to the call, or to ``now`` while it waits, or
    to when it left uncalled; None for a step that never queued (it cannot happen)."""
    if step.called_at is not None:
        until = step.called_at
    elif step.status == Status.WAITING:
        until = now
    elif step.finished_at is not None:
        until = step.finished_at
    else:
        return None
    return max((until - entered(step)).total_seconds(), 0.0)


def is_late(step: Any, target_minutes: int, now: datetime) -> bool:
    """Whether ``step`` waited (or has waited so far) past its service's target."""
    waited = waited_seconds(step, now)
    return waited is not None and waited > target_minutes * 60


def is_handled(step: Any) -> bool:
    """A window took the step to its end: finished, or served and sent on."""
    return step.status in (Status.DONE, Status.TRANSFERRED) and step.finished_at is not None


def is_finished(step: Any) -> bool:
    """The step ended with an outcome (办结)."""
    return step.status == Status.DONE


def service_seconds(step: Any) -> float:
    """A handled step's time at the window."""
    began = step.started_at or step.called_at or step.finished_at
    return max((step.finished_at - began).total_seconds(), 0.0)


# --- figures that add up ----------------------------------------------------------------------

COUNTED = (
    "issued",
    "called",
    "handled",
    "no_shows",
    "transferred",
    "expired",
    "cancelled",
    "wait_count",
    "wait_seconds",
    "within_target",
    "late_uncalled",
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
    handled: int = 0
    no_shows: int = 0
    transferred: int = 0
    expired: int = 0
    cancelled: int = 0
    wait_count: int = 0
    wait_seconds: float = 0.0
    within_target: int = 0
    late_uncalled: int = 0
    wait_minutes: dict[int, int] = field(default_factory=dict)
    late_minutes: dict[int, int] = field(default_factory=dict)
    """Of ``wait_minutes``, the waits past their own target (today only: not rolled up)."""
    service_count: int = 0
    service_seconds: float = 0.0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    rating_count: int = 0
    rating_sum: int = 0
    bad_ratings: int = 0
    arrivals: list[int] = field(default_factory=lambda: [0] * 24)

    def add(self, other: Figures) -> Figures:
        for name in COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for minute, n in other.wait_minutes.items():
            self.wait_minutes[minute] = self.wait_minutes.get(minute, 0) + n
        for minute, n in other.late_minutes.items():
            self.late_minutes[minute] = self.late_minutes.get(minute, 0) + n
        for outcome, n in other.outcomes.items():
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + n
        self.arrivals = [a + b for a, b in zip(self.arrivals, other.arrivals, strict=True)]
        return self

    def count(self, step: Any, target_minutes: int, now: datetime) -> None:
        """Add one step (a row with the columns of ``Step``) whose service has this target."""
        if step.called_at is not None:
            self.called += 1
            seconds = waited_seconds(step, now) or 0.0
            minute = min(int(seconds // 60), HIST_CAP)
            self.wait_count += 1
            self.wait_seconds += seconds
            self.wait_minutes[minute] = self.wait_minutes.get(minute, 0) + 1
            if is_late(step, target_minutes, now):
                self.late_minutes[minute] = self.late_minutes.get(minute, 0) + 1
            else:
                self.within_target += 1
        elif is_late(step, target_minutes, now):
            self.late_uncalled += 1
        if is_handled(step):
            self.handled += 1
            self.service_count += 1
            self.service_seconds += service_seconds(step)
        if is_finished(step):
            outcome = step.outcome or Outcome.DONE
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        elif step.status == Status.NO_SHOW:
            self.no_shows += 1
        elif step.status == Status.TRANSFERRED:
            self.transferred += 1
        elif step.status == Status.EXPIRED:
            self.expired += 1
        elif step.status == Status.CANCELLED:
            self.cancelled += 1

    def rated(self, score: int) -> None:
        self.rating_count += 1
        self.rating_sum += score
        self.bad_ratings += is_bad(score)

    # --- what is shown -------------------------------------------------------------------------

    @property
    def finished(self) -> int:
        """办结量: steps ended with an outcome."""
        return sum(self.outcomes.values())

    @property
    def late(self) -> int:
        """Steps that waited past their target: called late, or not called and past it."""
        return self.wait_count - self.within_target + self.late_uncalled

    @property
    def judged(self) -> int:
        """Steps whose wait can be judged against their target yet."""
        return self.wait_count + self.late_uncalled

    @property
    def wait_mean(self) -> float | None:
        """Minutes from entering the queue to the call, on average over the called."""
        return self.wait_seconds / self.wait_count / 60 if self.wait_count else None

    @property
    def wait_p90(self) -> int | None:
        """Nearest-rank 90th percentile of the waits in whole minutes (rounded down)."""
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
        return self.within_target / self.judged if self.judged else None

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


def clerk_of(actor: str | None) -> str:
    return (actor or "").removeprefix("user:")


def day_bounds(ctx: Context, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=ctx.tz).astimezone(UTC)
    return start, start + timedelta(days=1)


_STEP_FACTS = (
    Step.hall,
    Step.day,
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
)

HallDays = Mapping[str, tuple[Context, date]]
"""Halls by code, each with its context and the day of it wanted (each hall's own today)."""


def day_figures(
    s: Session, ctx: Context, day: date, window: int | None = None
) -> dict[Key, Figures]:
    """One day's figures by (service, window, clerk), from its tickets, steps and ratings (of
    one ``window`` only, if given: then no tickets issued)."""
    return halls_day_figures(s, {ctx.hall: (ctx, day)}, window).get(ctx.hall, {})


def halls_day_figures(
    s: Session, halls: HallDays, window: int | None = None
) -> dict[str, dict[Key, Figures]]:
    """:func:`day_figures` of several halls at once, each its own day, in three queries (a
    network session reads every hall's; a hall's session only its own)."""
    codes, days = list(halls), sorted({day for _, day in halls.values()})
    rows: dict[str, dict[Key, Figures]] = {code: defaultdict(Figures) for code in codes}
    if window is None:
        for hall, day, requested, issued_at in s.execute(
            select(Ticket.hall, Ticket.day, Ticket.requested_service_code, Ticket.issued_at).where(
                Ticket.hall.in_(codes), Ticket.day.in_(days)
            )
        ):
            ctx, wanted = halls[hall]
            if day == wanted:
                f = rows[hall][(requested, 0, "")]
                f.issued += 1
                f.arrivals[issued_at.astimezone(ctx.tz).hour] += 1
    steps_q = select(*_STEP_FACTS).where(Step.hall.in_(codes), Step.day.in_(days))
    ratings_q = (
        select(Ticket.hall, Ticket.day, Rating.step_id, Rating.score)
        .join(Ticket, Ticket.id == Rating.ticket_id)
        .where(Ticket.hall.in_(codes), Ticket.day.in_(days))
    )
    if window is not None:
        steps_q = steps_q.where(Step.window_id == window)
        ratings_q = ratings_q.where(Rating.window_id == window)
    step_keys: dict[int, Key] = {}
    moments = {code: ctx.now() for code, (ctx, _) in halls.items()}
    for st in s.execute(steps_q):
        ctx, wanted = halls[st.hall]
        if st.day != wanted:
            continue
        key = (st.service_code, st.window_id or 0, clerk_of(st.clerk) if st.window_id else "")
        step_keys[st.id] = key
        rows[st.hall][key].count(st, ctx.config.target(st.service_code), moments[st.hall])
    for hall, day, step_id, score in s.execute(ratings_q):
        key = step_keys.get(step_id)
        if key is not None and day == halls[hall][1]:
            rows[hall][key].rated(score)
    return {code: dict(found) for code, found in rows.items()}


def expected_service_mean(
    parts: Mapping[Key, Figures], service_minutes: Mapping[str, float]
) -> float | None:
    """**Expected service time** (minutes) of what was handled: each handled step at its own
    service's expected time (``service_minutes`` of the hall file), on average; the yardstick
    of a window's mean service time, whatever mix of services it handled. None: none handled."""
    handled = sum(f.service_count for f in parts.values())
    if not handled:
        return None
    expected = sum(
        f.service_count * service_minutes.get(service, DEFAULT_SERVICE_MINUTES)
        for (service, _window, _clerk), f in parts.items()
    )
    return expected / handled


def total(parts: Mapping[Any, Figures]) -> Figures:
    """The figures of ``parts`` added up."""
    result = Figures()
    for f in parts.values():
        result.add(f)
    return result


# --- a window's time ----------------------------------------------------------------------------


@dataclass
class WindowTime:
    open_seconds: float = 0.0
    paused_seconds: float = 0.0
    serving_seconds: float = 0.0
    open_by_hour: list[float] = field(default_factory=lambda: [0.0] * 24)

    @property
    def serving_share(self) -> float | None:
        """Share of the open time spent serving."""
        return min(self.serving_seconds / self.open_seconds, 1.0) if self.open_seconds else None


def window_times(
    s: Session, ctx: Context, day: date, until: datetime | None = None
) -> dict[int, WindowTime]:
    """How long each window was open, paused and serving on ``day`` (up to ``until``)."""
    return halls_window_times(s, {ctx.hall: (ctx, day)}, until).get(ctx.hall, {})


def halls_window_times(
    s: Session, halls: HallDays, until: datetime | None = None
) -> dict[str, dict[int, WindowTime]]:
    """:func:`window_times` of several halls at once, each its own day, in two queries."""
    codes = list(halls)
    bounds = {}
    for code, (ctx, day) in halls.items():
        start, end = day_bounds(ctx, day)
        bounds[code] = (start, min(end, until) if until else end)
    first = min(start for start, _ in bounds.values())
    last = max(end for _, end in bounds.values())
    times: dict[str, dict[int, WindowTime]] = {code: defaultdict(WindowTime) for code in codes}
    changes: dict[tuple[str, int], list[tuple[datetime, str, str]]] = defaultdict(list)
    for hall, at, kind, window, data in s.execute(
        select(Event.hall, Event.at, Event.kind, Event.window_id, Event.data)
        .where(
            Event.hall.in_(codes),
            Event.at >= first,
            Event.at < last,
            Event.kind.in_(list(STATE_EVENTS)),
        )
        .order_by(Event.id)
    ):
        start, end = bounds[hall]
        if start <= at < end:
            changes[(hall, window)].append(
                (at, (data or {}).get("previous") or WindowState.CLOSED, STATE_EVENTS[kind])
            )
    for (hall, window), seq in changes.items():
        ctx = halls[hall][0]
        start, end = bounds[hall]
        w = times[hall][window]
        state, since = seq[0][1], start
        for at, _previous, new in [*seq, (end, "", "")]:
            _account(w, ctx, state, since, at)
            state, since = new, at
    days = sorted({day for _, day in halls.values()})
    for hall, day, window, called, finished in s.execute(
        select(Step.hall, Step.day, Step.window_id, Step.called_at, Step.finished_at).where(
            Step.hall.in_(codes),
            Step.day.in_(days),
            Step.window_id.is_not(None),
            Step.called_at.is_not(None),
        )
    ):
        if day != halls[hall][1]:
            continue
        stop = min(finished or bounds[hall][1], bounds[hall][1])
        times[hall][window].serving_seconds += max((stop - called).total_seconds(), 0.0)
    return {code: dict(found) for code, found in times.items()}


def _account(w: WindowTime, ctx: Context, state: str, since: datetime, until: datetime) -> None:
    seconds = max((until - since).total_seconds(), 0.0)
    if state == WindowState.PAUSED:
        w.paused_seconds += seconds
    elif state == WindowState.OPEN:
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
