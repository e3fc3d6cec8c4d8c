"""Who serves what today: a window's work profile for the day, set on the staff page.

Halls move windows between services every morning (a clerk off sick, a queue that grew). The
hall file keeps each window's usual profile; a manager sets the day's services of a window here,
and from then on that window calls those services (and the kiosk, the boards and the wait
prediction count it among their windows) until the day ends. The day's profiles are rows of
their own (``window_day_services``, one per window and day): applying the hall file at a restart
rewrites the windows' usual profiles from the file but leaves these rows alone, so a morning's
edit holds through a restart for the rest of that day, and the next day starts from the file.

Each process keeps the hall with the day's profiles applied in ``ctx.config`` (the file's own is
``ctx.hall_file``); :func:`refresh` looks at the rows again at most every
``REFRESH_SECONDS`` (every request calls it), and at once in the process that made the change.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from sqlalchemy import select

from queues import errors
from queues.context import Context
from queues.store import events
from queues.store.models import WindowDayServices

REFRESH_SECONDS = 5.0
"""How long another process may still call with a window's earlier profile."""
MAX_SERVICES = 60
_STAMP = "workday"


def day_services(ctx: Context, day: date | None = None) -> dict[int, dict[str, float]]:
    """The windows whose profile is set for ``day`` (default: today): id → code → weight, the
    codes the hall file no longer has left out."""
    day = day or ctx.business_day()
    known = {s.code for s in _file(ctx).services}
    windows = {w.id for w in _file(ctx).windows}
    with ctx.db.read() as s:
        rows = s.execute(
            select(WindowDayServices.window_id, WindowDayServices.services).where(
                WindowDayServices.day == day
            )
        ).all()
    found: dict[int, dict[str, float]] = {}
    for window, services in rows:
        kept = {code: float(w) for code, w in (services or {}).items() if code in known}
        if window in windows and kept:
            found[window] = kept
    return found


def refresh(ctx: Context, *, now: bool = False) -> None:
    """Bring ``ctx.config`` in line with today's profiles (at most every ``REFRESH_SECONDS``
    unless ``now``)."""
    clock = time.monotonic()
    stamp = ctx.cache.get(_STAMP)
    if not now and stamp is not None and clock - stamp[0] < REFRESH_SECONDS:
        return
    found = day_services(ctx)
    key = (ctx.business_day(), sorted((w, sorted(s.items())) for w, s in found.items()))
    # The first look with no profile set for the day leaves the hall as the process loaded it.
    if (stamp is None and found) or (stamp is not None and stamp[1] != key):
        ctx.config = _file(ctx).with_window_services(found)
        ctx.cache.pop("service_minutes", None)
    ctx.cache[_STAMP] = (clock, key)


def set_services(ctx: Context, window: int, services: list[str], actor: str) -> dict[str, float]:
    """Set ``window``'s services for today (the file's weights kept, 1 for a service new to the
    window); answers the profile set. An event ``window_services_set`` says who changed what."""
    hall = _file(ctx)
    if not any(w.id == window for w in hall.windows):
        raise errors.UnknownWindow(window=window)
    chosen = list(dict.fromkeys(services))
    if not chosen:
        raise errors.NoServices(window=window)
    if len(chosen) > MAX_SERVICES:
        raise errors.NoServices(window=window)
    for code in chosen:
        if hall.service(code) is None:
            raise errors.UnknownService(service=code)
    usual = hall.weights_of_window.get(window, {})
    weights = {code: float(usual.get(code, 1.0)) for code in chosen}
    before = sorted(ctx.config.weights_of_window.get(window, {}))
    now = ctx.now()
    day = ctx.business_day(now)
    with ctx.db.write() as s:
        row = s.get(WindowDayServices, (ctx.hall, day, window))
        if row is None:
            s.add(
                WindowDayServices(
                    day=day, window_id=window, services=weights, set_by=actor, set_at=now
                )
            )
        else:
            row.services, row.set_by, row.set_at = weights, actor, now
        events.record(
            s,
            "window_services_set",
            actor,
            now,
            window_id=window,
            services=chosen,
            before=before,
            day=day.isoformat(),
        )
        zone = next(w.zone for w in hall.windows if w.id == window)
        events.bump(s, zone)
    refresh(ctx, now=True)
    return weights


def services_of(ctx: Context, window: int) -> list[str]:
    """The services ``window`` calls today."""
    return list(ctx.config.weights_of_window.get(window, {}))


def usual_services_of(ctx: Context, window: int) -> list[str]:
    """The services the hall file gives ``window``."""
    return list(_file(ctx).weights_of_window.get(window, {}))


def _file(ctx: Context) -> Any:
    return ctx.hall_file or ctx.config
