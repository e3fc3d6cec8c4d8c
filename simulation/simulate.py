"""A discrete-event model of the default hall's days, driven through ``queues.services``.

Visitors arrive by service and by hour (a morning and an afternoon peak, a quiet lunch, Monday
busiest), take tickets (some priority, a few by the green channel), wait, are called by the
windows that serve them, walk up or fail to (a no-show, after one recall), are served for a time
drawn around their service's expected time (each clerk a little faster or slower), leave an
outcome and sometimes a rating; the unified desk's visitors are sent on to their matter. Clerks
open their windows in the morning, take breaks and close in the evening. Every one of these is a
call of ``queues.services``, so the history left behind is exactly what real use leaves: the
dashboard, reports and benchmarks run on it.

``simulate_days`` fills a database with past days (``hallq simulate``); ``run_live`` plays the
model against the running system in real time or faster (``hallq demo``).

**Booked visitors** (``Model.booked_share``, ``hallq simulate --booked SHARE``): that share of
the day's visitors of bookable matters book the slot their arrival falls in the evening before
(:func:`queues.bookings.book`, so a full slot turns them into walk-ins, as it would), then arrive
around the slot (on average a few minutes early, some late, past the grace a few), or not at all
(``booked_no_show_share``), and check in at the kiosk (:func:`queues.checkin.check_in`); the
day ends with the no-show sweep. The reports' booking figures
(:mod:`queues.read.booking_figures`) then show booked and walk-in waits apart.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import random
import time as walltime
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from queues import bookings, checkin, errors, project_codes, services
from queues.access.requesters import Requester
from queues.context import Context
from queues.hall.config import HallConfig
from queues.read import rollups
from queues.rules.lifecycle import Outcome, Priority
from queues.text.i18n import t

log = logging.getLogger("hallq.simulate")

CLERKS = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄敏",
    "周杰",
    "吴婷",
    "徐强",
    "孙丽",
    "胡斌",
    "朱琳",
    "高翔",
    "林霞",
    "何涛",
    "郭蕾",
    "马超",
    "罗红",
    "梁勇",
    "宋佳",
    "郑浩",
    "谢雪",
    "韩冰",
    "唐亮",
    "冯梅",
    "于洋",
    "董洁",
    "萧峰",
    "程鹏",
    "曹颖",
    "袁博",
    "邓辉",
    "许可",
]
PROJECT_CODE = "2026-370102-48-01-000001"
SIMULATED = Requester("internal", "kiosk:sim")
"""The simulated visitors' kiosk: no limits, no printing."""

# Relative demand by the hour's quarter, 08:45 to 16:30: a morning and an afternoon peak.
QUARTERS = {
    (8, 45): 0.6,
    (9, 0): 1.4,
    (9, 15): 1.7,
    (9, 30): 1.9,
    (9, 45): 2.0,
    (10, 0): 2.0,
    (10, 15): 1.9,
    (10, 30): 1.7,
    (10, 45): 1.5,
    (11, 0): 1.2,
    (11, 15): 1.0,
    (11, 30): 0.8,
    (11, 45): 0.6,
    (12, 0): 0.35,
    (12, 15): 0.3,
    (12, 30): 0.3,
    (12, 45): 0.35,
    (13, 0): 0.5,
    (13, 15): 0.7,
    (13, 30): 1.0,
    (13, 45): 1.3,
    (14, 0): 1.6,
    (14, 15): 1.8,
    (14, 30): 1.8,
    (14, 45): 1.7,
    (15, 0): 1.6,
    (15, 15): 1.5,
    (15, 30): 1.3,
    (15, 45): 1.0,
    (16, 0): 0.7,
    (16, 15): 0.4,
}
WEEKDAY = {0: 1.3, 1: 1.05, 2: 1.0, 3: 0.95, 4: 0.85, 5: 0.5, 6: 0.5}
# The day's share of each service: social and general matters are the many, construction the few.
MIX = {
    "project-registration": 3,
    "project-approval": 2,
    "land-approval": 1.5,
    "land-registration": 2,
    "construction-permit": 2.5,
    "completion-filing": 1.5,
    "environment-approval": 1.5,
    "fire-design": 1.5,
    "fire-acceptance": 1.5,
    "civil-defence": 1,
    "seal-filing": 4,
    "non-tax-payment": 4,
    "road-permit": 1.5,
    "greening": 1,
    "company-registration": 7,
    "name-reservation": 5,
    "special-equipment": 1,
    "processing-trade": 1,
    "food-licence": 3,
    "tax": 10,
    "real-estate": 8,
    "housing-fund": 8,
    "social-insurance": 12,
    "employment": 6,
    "social-assistance": 4,
    "disability-card": 2,
    "birth-service": 3,
    "social-security-card": 8,
    "medical-insurance": 6,
    "notary": 3,
    "enquiries": 5,
}
MIX_OTHER = 1.0
"""The share of a matter the district's mix does not name (a town's or a village's own)."""
DISTRICT_WINDOWS = 35
"""The windows of the district centre, whose day ``Model.tickets_per_day`` describes."""
OUTCOMES = (
    (Outcome.DONE, 0.68),
    (Outcome.PROMISED, 0.17),
    (Outcome.INCOMPLETE, 0.10),
    (Outcome.CONSULT, 0.05),
)


@dataclass
class Model:
    """The hall's habits; the defaults are the district centre of the 2013 report."""

    tickets_per_day: float = 240.0
    priority_share: float = 0.08
    green_share: float = 0.01
    no_show_share: float = 0.04
    rating_share: float = 0.45
    service_sigma: float = 0.45
    clerk_spread: float = 0.12
    breaks: tuple[int, int] = (1, 2)
    break_minutes: tuple[int, int] = (8, 20)
    predict: bool = False
    """Issue with wait prediction and note each promise (slower: for measuring predictions)."""
    booked_share: float = 0.0
    """The share of visitors of bookable matters who book their slot ahead and check in."""
    booked_no_show_share: float = 0.08
    booked_early_minutes: tuple[float, float] = (-6.0, 9.0)
    """A booked visitor's arrival against the slot's start: mean and spread in minutes (a
    negative mean: early)."""

    @classmethod
    def for_hall(cls, config: HallConfig) -> Model:
        """The district's habits at the size of ``config``'s hall: a town centre of four windows
        sees four thirty-fifths of the district's visitors (at least a handful a day)."""
        share = len(config.windows) / DISTRICT_WINDOWS
        return cls(tickets_per_day=max(4.0, cls.tickets_per_day * share))


class SimClock:
    """The simulated moment; ``Context.clock`` reads it."""

    def __init__(self, moment: datetime) -> None:
        self.now = moment

    def __call__(self) -> datetime:
        return self.now


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    action: Callable[[], None] = field(compare=False)


@dataclass
class DayResult:
    day: date
    issued: int = 0
    served: int = 0
    no_shows: int = 0
    transferred: int = 0
    expired: int = 0
    rated: int = 0
    booked: int = 0
    """Bookings made for the day (``Model.booked_share``)."""
    checked_in: int = 0
    promises: list[Promise] = field(default_factory=list)
    """With ``Model.predict``: what each visitor was told at the kiosk."""


@dataclass(frozen=True)
class Promise:
    ticket: str
    """The ticket's public id."""
    service: str
    ahead: int | None
    eta_minutes: int | None


class HallDay:
    """One business day of the hall, played event by event."""

    def __init__(
        self,
        ctx: Context,
        clock: SimClock | None,
        model: Model,
        rng: random.Random,
        day: date,
        pace: float = 0.0,
    ) -> None:
        self.ctx, self.clock, self.model, self.rng, self.day = ctx, clock, model, rng, day
        self.pace = pace
        """0: as fast as the machine goes (past days); otherwise real seconds per model second."""
        cfg: HallConfig = ctx.config
        self.cfg = cfg
        self.queue: list[_Event] = []
        self.seq = itertools.count()
        self.busy: dict[int, bool] = {}
        self.closing: set[int] = set()
        self.pause_wanted: dict[int, int] = {}
        self.speed = {w.id: math.exp(rng.gauss(0, model.clerk_spread)) for w in cfg.windows}
        self.clerk = {w.id: f"user:{CLERKS[(w.id - 1) % len(CLERKS)]}" for w in cfg.windows}
        self.result = DayResult(day)
        self.windows_for: dict[str, list[int]] = {
            code: sorted(ids) for code, ids in cfg.windows_serving.items()
        }
        self.profile = {w: list(weights) for w, weights in cfg.weights_of_window.items()}
        self.waiting: dict[str, int] = {}
        """Tickets waiting per service, as the consoles show them (no transfers to one window)."""

    # --- time ------------------------------------------------------------------------------------

    def at(self, hh: int, mm: int = 0) -> datetime:
        return datetime.combine(self.day, time(hh, mm), tzinfo=self.cfg.tz).astimezone(UTC)

    def now(self) -> datetime:
        return self.clock.now if self.clock else datetime.now(UTC)

    def schedule(self, moment: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self.queue, _Event(moment, next(self.seq), action))

    def after(self, minutes: float, action: Callable[[], None]) -> None:
        self.schedule(self.now() + timedelta(minutes=minutes), action)

    def run(self, until: datetime | None = None) -> DayResult:
        """Every event in time order (up to ``until``), on the simulated clock."""
        assert self.clock is not None
        while self.queue and (until is None or self.queue[0].at <= until):
            event = heapq.heappop(self.queue)
            self.clock.now = max(self.clock.now, event.at)
            event.action()
        return self.result

    def run_paced(self, stop: Callable[[], bool]) -> None:
        """Every event when the real clock reaches it (a live demo); the database may go away."""
        while self.queue and not stop():
            delay = (self.queue[0].at - datetime.now(UTC)).total_seconds()
            if delay > 0:
                walltime.sleep(min(delay, 0.5))
                continue
            event = heapq.heappop(self.queue)
            try:
                event.action()
            except errors.HallqError as exc:
                log.warning("demo: %s", exc.message("en"))

    # --- the plan of the day ---------------------------------------------------------------------

    def plan(self, start: datetime | None = None, end: datetime | None = None) -> None:
        """Arrivals and the windows' day. ``start``/``end`` cut the plan (a live demo)."""
        m, rng = self.model, self.rng
        day_total = m.tickets_per_day * WEEKDAY[self.day.weekday()]
        weight = sum(QUARTERS.values())
        offered = [svc for svc in self.cfg.services if svc.kiosk] or self.cfg.services
        mix = [(code, w) for code, w in MIX.items() if any(svc.code == code for svc in offered)]
        mix += [(svc.code, MIX_OTHER) for svc in offered if svc.code not in MIX]
        codes, weights = zip(*mix, strict=True)
        booking = self.cfg.booking
        bookable = (
            {svc.code for svc in offered if booking.enabled and svc.bookable}
            if m.booked_share > 0
            else set()
        )
        ahead: list[tuple[str, datetime]] = []
        for (hh, mm), share in QUARTERS.items():
            slot = self.at(hh, mm)
            expected = day_total * share / weight
            for _ in range(_poisson(rng, expected)):
                moment = slot + timedelta(seconds=rng.uniform(0, 900))
                if (start and moment < start) or (end and moment > end):
                    continue
                service = rng.choices(codes, weights)[0]
                if service in bookable and rng.random() < m.booked_share:
                    ahead.append((service, moment))
                    continue
                self.schedule(moment, lambda s=service: self.arrive(s))
        if ahead:
            self.book_ahead(ahead)
        for w in self.cfg.windows:
            opening = self.at(9, 0) - timedelta(minutes=rng.uniform(0, 6))
            if not start or opening >= start:
                self.schedule(opening, lambda w=w.id: self.open_window(w))
            breaks = rng.randint(*m.breaks)
            for _ in range(breaks):
                moment = self.at(9, 45) + timedelta(minutes=rng.uniform(0, 390))
                minutes = rng.randint(*m.break_minutes)
                if not start or moment >= start:
                    self.schedule(moment, lambda w=w.id, d=minutes: self.want_pause(w, d))
            self.schedule(self.at(17, 0), lambda w=w.id: self.want_close(w))

    # --- visitors ---------------------------------------------------------------------------

    def arrive(self, service: str) -> None:
        rng, m = self.rng, self.model
        roll = rng.random()
        priority = (
            Priority.GREEN
            if roll < m.green_share
            else Priority.PRIORITY
            if roll < m.green_share + m.priority_share
            else Priority.NORMAL
        )
        try:
            issued = services.issue(
                self.ctx,
                service,
                priority,
                by=SIMULATED,
                predict=m.predict,
                project_code=PROJECT_CODE if priority == Priority.GREEN else None,
            )
        except errors.HallqError:
            return  # closed, not offered today: the visitor goes home
        self.result.issued += 1
        if m.predict:
            v = issued.ticket
            self.result.promises.append(Promise(v.id, v.service, v.ahead, v.eta_minutes))
        self.joined(issued.ticket.service)

    def book_ahead(self, wanted: list[tuple[str, datetime]]) -> None:
        """The evening before: each booked visitor books the slot their arrival falls in; a
        slot with no place left (or a matter that cannot be booked) leaves them a walk-in."""
        m, rng, cfg = self.model, self.rng, self.cfg
        minutes = cfg.booking.slot_minutes
        opening = self.at(cfg.hours.open.hour, cfg.hours.open.minute)
        saved = self.clock.now if self.clock else None
        if self.clock is not None:
            self.clock.now = self.at(0, 0) - timedelta(hours=4)  # 20:00 the day before
        try:
            for service, moment in wanted:
                n = max(int((moment - opening).total_seconds() // 60) // minutes, 0)
                slot = opening + timedelta(minutes=n * minutes)
                phone = f"139{next(_PHONES):08d}"
                try:
                    made = bookings.book(self.ctx, service, slot, "模拟", phone, by="simulation")
                except errors.HallqError:
                    self.schedule(moment, lambda s=service: self.arrive(s))
                    continue
                self.result.booked += 1
                if rng.random() < m.booked_no_show_share:
                    continue  # never comes: the sweep makes it a no-show
                early, spread = m.booked_early_minutes
                late_by = max(rng.gauss(early, spread), -45.0)
                arrival = slot + timedelta(minutes=late_by)
                self.schedule(arrival, lambda c=made.code, s=service: self.check_in(c, s))
        finally:
            if self.clock is not None and saved is not None:
                self.clock.now = saved

    def check_in(self, code: str, service: str) -> None:
        """A booked visitor at the kiosk: checked in (the slot's place, or a walk-in's if late)."""
        try:
            done = checkin.check_in(self.ctx, code, SIMULATED)
        except errors.HallqError:
            return
        self.result.issued += 1
        self.result.checked_in += 1
        self.joined(done.ticket.service)

    def joined(self, service: str) -> None:
        """A ticket joined ``service``'s queue: one idle clerk who serves it looks up and calls."""
        self.waiting[service] = self.waiting.get(service, 0) + 1
        idle = [w for w in self.windows_for.get(service, []) if not self.busy.get(w, True)]
        if idle:
            window = self.rng.choice(idle)
            self.after(0, lambda: self.try_call(window))

    # --- windows ----------------------------------------------------------------------------

    def open_window(self, window: int) -> None:
        services.resume(self.ctx, window, self.clerk[window])
        self.busy[window] = False
        self.try_call(window)

    def try_call(self, window: int) -> None:
        if self.busy.get(window, True):
            return
        if window in self.pause_wanted:
            self.pause(window, self.pause_wanted.pop(window))
            return
        if window in self.closing:
            services.close(self.ctx, window, self.clerk[window])
            self.busy[window] = True
            return
        if not any(self.waiting.get(code) for code in self.profile[window]):
            return  # the console shows nobody waiting: the clerk waits for someone to arrive
        try:
            called = services.call_next(self.ctx, window, self.clerk[window])
        except errors.HallqError:
            return
        if called is None:
            return
        self.waiting[called.service] -= 1
        self.busy[window] = True
        if self.rng.random() < self.model.no_show_share:
            self.after(1.5, lambda: services.recall(self.ctx, window, self.clerk[window]))
            self.after(3.5, lambda: self.no_show(window))
            return
        walk = self.rng.uniform(0.3, 1.5)
        self.after(walk, lambda: self.start(window, called.service, called.requested_service))

    def start(self, window: int, service: str, requested: str) -> None:
        """The visitor is at the window; the unified desk sends its visitors on afterwards."""
        services.start(self.ctx, window, self.clerk[window])
        svc = self.cfg.service(service)
        expected = (svc.service_minutes if svc else 8.0) * self.speed[window]
        sigma = self.model.service_sigma
        minutes = self.rng.lognormvariate(math.log(expected) - sigma**2 / 2, sigma)
        onward = requested if requested != service and self.cfg.service(requested) else None
        self.after(minutes, lambda: self.end(window, onward))

    def end(self, window: int, onward: str | None) -> None:
        if onward is not None:
            services.transfer(self.ctx, window, self.clerk[window], service=onward)
            self.result.transferred += 1
            self.joined(onward)
        else:
            outcome = self.rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
            promised = (
                self.day + timedelta(days=self.rng.randint(3, 15))
                if outcome == "promised"
                else None
            )
            done = services.finish(self.ctx, window, self.clerk[window], outcome, promised)
            self.result.served += 1
            if self.rng.random() < self.model.rating_share:
                self.after(self.rng.uniform(0.5, 10), lambda tid=done.id, w=done: self.rate(tid, w))
        self.busy[window] = False
        self.try_call(window)

    def no_show(self, window: int) -> None:
        services.no_show(self.ctx, window, self.clerk[window])
        self.result.no_shows += 1
        self.busy[window] = False
        self.try_call(window)

    def rate(self, ticket: str, view: object) -> None:
        waited_long = (
            getattr(view, "called_at", None)
            and getattr(view, "issued_at", None)
            and (
                (view.called_at - view.issued_at).total_seconds() > 30 * 60  # type: ignore[attr-defined]
            )
        )
        weights = (1, 2, 8, 25, 64) if not waited_long else (4, 8, 18, 30, 40)
        score = self.rng.choices((1, 2, 3, 4, 5), weights)[0]
        try:
            services.rate(
                self.ctx, ticket, score, "等太久了" if score <= 2 and waited_long else None
            )
            self.result.rated += 1
        except errors.HallqError:
            pass

    def want_pause(self, window: int, minutes: int) -> None:
        if self.busy.get(window, True) and window not in self.closing:
            self.pause_wanted[window] = minutes  # after the visitor in hand
            return
        self.pause(window, minutes)

    def pause(self, window: int, minutes: int) -> None:
        if window in self.closing:
            return
        services.pause(self.ctx, window, self.clerk[window], t("counter.reason.break", "zh"))
        self.busy[window] = True
        self.after(minutes, lambda: self.back(window))

    def back(self, window: int) -> None:
        if window in self.closing:
            services.close(self.ctx, window, self.clerk[window])
            return
        services.resume(self.ctx, window, self.clerk[window])
        self.busy[window] = False
        self.try_call(window)

    def want_close(self, window: int) -> None:
        self.closing.add(window)
        if not self.busy.get(window, True):
            services.close(self.ctx, window, self.clerk[window])
            self.busy[window] = True


_PHONES = itertools.count(1)
"""Each simulated booking's own mobile number: one person's bookings never bar another's."""


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method for small means, a rounded normal for large ones."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def prepare(ctx: Context) -> None:
    """What the model needs in the database: its key-project code for the green channel."""
    project_codes.add_project_code(ctx, PROJECT_CODE, "模拟重点项目（演示）", actor="simulation")


def simulate_days(
    ctx: Context,
    start: date,
    days: int,
    *,
    seed: int = 1,
    model: Model | None = None,
    workers: int = 1,
    progress: Callable[[DayResult], None] | None = None,
) -> list[DayResult]:
    """Play ``days`` calendar days from ``start`` (the hall's working days only) into the database,
    closing out and rolling up each one, as the scheduler would.

    With ``workers`` > 1 the days are shared out in runs of consecutive days, one process each
    (days do not depend on each other: every day starts with closed windows and empty queues).
    On PostgreSQL the processes write to the database side by side; on SQLite, which has one
    writer, each writes a database of its own that is then added to this one with its row ids
    moved past the ones already there. The same seed and number of workers give the same history.
    """
    model = model or Model()
    working = [
        start + timedelta(days=offset)
        for offset in range(days)
        if ctx.config.hours.is_working_day(start + timedelta(days=offset))
    ]
    prepare(ctx)
    workers = max(1, min(workers, len(working) // 5 or 1))
    if workers == 1:
        return _play(ctx, working, random.Random(seed), model, progress)
    size = math.ceil(len(working) / workers)
    chunks = [working[i : i + size] for i in range(0, len(working), size)]
    return _play_parallel(ctx, chunks, seed, model, progress)


def _play(
    ctx: Context,
    days: list[date],
    rng: random.Random,
    model: Model,
    progress: Callable[[DayResult], None] | None = None,
) -> list[DayResult]:
    clock = SimClock(datetime.now(UTC))
    original = ctx.clock
    ctx.clock = clock
    results = []
    try:
        for day in days:
            clock.now = datetime.combine(day, time(6), tzinfo=ctx.tz).astimezone(UTC)
            with ctx.db.batch():  # a day in one transaction: each use case is a savepoint of it
                hall = HallDay(ctx, clock, model, rng, day)
                hall.plan()
                result = hall.run()
                clock.now = datetime.combine(day, time(17, 30), tzinfo=ctx.tz).astimezone(UTC)
                if result.booked:
                    bookings.sweep_no_shows(ctx, by="simulation")
                result.expired = services.expire_day(ctx, day, actor="system")
                rollups.rollup(ctx, day)
            results.append(result)
            if progress:
                progress(result)
    finally:
        ctx.clock = original
    return results


def booked_summary(ctx: Context, first: date, last: date) -> str:
    """The bookings of ``first`` … ``last`` in one line: how many, checked in, no-shows, and the
    mean waits of booked and walk-in tickets of the bookable matters, apart
    (:mod:`queues.read.booking_figures`)."""
    from queues.read import booking_figures

    found = booking_figures.lines(ctx, first, last)
    if not found:
        return "bookings: none"
    total = found[-1]

    def minutes(x: float | None) -> str:
        return "-" if x is None else f"{x:.1f} min"

    rate = "-" if total.check_in_rate is None else f"{total.check_in_rate:.0%}"
    return (
        f"bookings: {total.bookings}, checked in {total.checked_in} ({rate}), "
        f"no-shows {total.no_shows}; mean wait booked {minutes(total.wait_booked)}, "
        f"walk-in {minutes(total.wait_walk_in)}"
    )


def play_until(
    ctx: Context, until: datetime, *, seed: int = 1, model: Model | None = None
) -> DayResult:
    """Play the day of ``until`` from its start up to ``until`` and stop there: a hall in the
    middle of its day, with people waiting and windows busy (``hallq simulate --today``)."""
    model = model or Model()
    day = ctx.business_day(until)
    prepare(ctx)
    clock = SimClock(datetime.combine(day, time(6), tzinfo=ctx.tz).astimezone(UTC))
    original = ctx.clock
    ctx.clock = clock
    try:
        with ctx.db.batch():
            hall = HallDay(ctx, clock, model, random.Random(seed), day)
            hall.plan()
            result = hall.run(until)
    finally:
        ctx.clock = original
    return result


def _chunk(
    url: str, config: HallConfig, days: list[date], seed: int, model: Model, fresh: bool
) -> list[DayResult]:
    """A worker process: play ``days`` into ``url`` (a fresh database of its own if ``fresh``)."""
    from queues.hall.sync import apply_config
    from queues.store.db import Database
    from queues.store.migrate import upgrade

    db = Database(url)
    try:
        if fresh:
            upgrade(db)
            apply_config(db, config)
        ctx = Context(db=db, config=config)
        prepare(ctx)
        return _play(ctx, days, random.Random(seed), model)
    finally:
        db.dispose()


def _play_parallel(
    ctx: Context,
    chunks: list[list[date]],
    seed: int,
    model: Model,
    progress: Callable[[DayResult], None] | None,
) -> list[DayResult]:
    import multiprocessing
    import tempfile
    from concurrent.futures import ProcessPoolExecutor

    sqlite = ctx.db.dialect == "sqlite"
    results: list[DayResult] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        ProcessPoolExecutor(len(chunks), mp_context=multiprocessing.get_context("spawn")) as pool,
    ):
        targets = [
            f"sqlite:///{Path(tmp) / f'chunk{i}.db'}"
            if sqlite
            else ctx.db.url.render_as_string(hide_password=False)
            for i in range(len(chunks))
        ]
        futures = [
            pool.submit(_chunk, target, ctx.config, days, seed * 1000 + i, model, sqlite)
            for i, (target, days) in enumerate(zip(targets, chunks, strict=True))
        ]
        for target, future in zip(targets, futures, strict=True):
            chunk_results = future.result()
            if sqlite:
                merge_sqlite(ctx, Path(target.removeprefix("sqlite:///")))
            for result in chunk_results:
                results.append(result)
                if progress:
                    progress(result)
    return results


# Tables a simulated chunk adds to, and the columns that hold row ids of moved tables.
_MERGED = {
    "tickets": {"id": "tickets"},
    "steps": {"id": "steps", "ticket_id": "tickets"},
    "events": {"id": "events", "ticket_id": "tickets"},
    "ratings": {"id": "ratings", "ticket_id": "tickets", "step_id": "steps"},
    "print_jobs": {"id": "print_jobs", "ticket_id": "tickets"},
    "bookings": {"id": "bookings", "ticket_id": "tickets"},
    "day_counters": {},
    "daily_stats": {},
    "window_days": {},
}


def merge_sqlite(ctx: Context, chunk: Path) -> None:
    """Add a chunk database's history to this SQLite database, moving its row ids past ours."""
    from queues.store.models import Base

    raw = ctx.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("ATTACH DATABASE ? AS chunk", (str(chunk),))
        cursor.execute("BEGIN IMMEDIATE")
        offsets = {
            table: cursor.execute(f"SELECT coalesce(max(id), 0) FROM main.{table}").fetchone()[0]
            for table in ("tickets", "steps", "events", "ratings", "print_jobs", "bookings")
        }
        for table, moved in _MERGED.items():
            columns = [c.name for c in Base.metadata.tables[table].columns]
            exprs = [f"{c} + {offsets[moved[c]]}" if c in moved else c for c in columns]
            cursor.execute(
                f"INSERT INTO main.{table} ({', '.join(columns)}) "
                f"SELECT {', '.join(exprs)} FROM chunk.{table}"
            )
        cursor.execute("COMMIT")
        cursor.execute("DETACH DATABASE chunk")
    finally:
        raw.close()


def run_live(
    ctx: Context,
    *,
    speed: float = 1.0,
    seed: int | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Play today's model against the running system from now on (``hallq demo``).

    At ``speed`` 10 a model minute passes in six seconds; times in the database stay real.
    """
    model = Model()
    rng = random.Random(seed)
    prepare(ctx)
    real_start = datetime.now(UTC)
    day = ctx.business_day()
    hall = HallDay(ctx, None, model, rng, day, pace=1.0)
    model_start = datetime.combine(day, time(9, 0), tzinfo=ctx.tz).astimezone(UTC)
    hall.plan()
    # Replay the plan from 09:00 at ``speed``: shift every event onto the real clock.
    events = sorted(hall.queue)
    hall.queue = []
    for e in events:
        if e.at < model_start - timedelta(minutes=10):
            continue
        moment = real_start + (e.at - model_start) / speed
        heapq.heappush(hall.queue, _Event(max(moment, real_start), e.seq, e.action))
    original_after = hall.after
    hall.after = lambda minutes, action: original_after(minutes / speed, action)  # type: ignore[method-assign]
    hall.run_paced(stop)
