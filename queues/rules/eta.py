"""Wait prediction: minutes until a waiting ticket is called.

A fluid model of the windows that can serve the ticket. The work ahead of it is the expected
service time of every ticket the policy would call first (same class order and place in line),
counted only in the share that the ticket's own windows will take on (a ticket that three open
windows can serve, one of them ours, puts a third of its work on ours). To that is added what is
left of the services in progress at those windows. The sum, divided among those windows, is the
wait. No open window for the ticket: no prediction (``None``).

Expected service times blend the service's configured expectation with the times recently
measured at the windows (the configured value counts as ``PRIOR_WEIGHT`` observations), so a
new hall predicts from its configuration and a running one from what it sees.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from queues.rules.lifecycle import Priority
from queues.rules.policy import CLASS_RANK, Candidate, effective_class

PRIOR_WEIGHT = 5.0


@dataclass(frozen=True, slots=True)
class Busy:
    """A ticket being called or served at a window now."""

    service: str
    since: datetime


@dataclass(frozen=True, slots=True)
class OpenWindow:
    id: int
    services: frozenset[str]
    busy: Busy | None = None


@dataclass
class Snapshot:
    now: datetime
    waiting: list[Candidate]
    windows: list[OpenWindow]
    """The windows open now (paused and closed ones take no one)."""
    minutes: Mapping[str, float]
    """Expected service minutes per service."""
    _by_service: dict[str, frozenset[int]] = field(default_factory=dict, init=False)

    def servers(self, service: str, target_window: int | None = None) -> frozenset[int]:
        """Open windows that may call a ticket of ``service`` (or sent to ``target_window``)."""
        if target_window is not None:
            return frozenset(w.id for w in self.windows if w.id == target_window)
        if service not in self._by_service:
            self._by_service[service] = frozenset(
                w.id for w in self.windows if service in w.services
            )
        return self._by_service[service]

    def expected(self, service: str) -> float:
        return self.minutes.get(service, 8.0)


@dataclass(frozen=True, slots=True)
class Prediction:
    ahead: int
    """Tickets of the same service that will be called first."""
    eta_minutes: int | None


def blend(configured: float, measured_mean: float | None, measured_count: int) -> float:
    """Expected service minutes from the configuration and ``measured_count`` recent times."""
    if not measured_count or measured_mean is None:
        return configured
    return (PRIOR_WEIGHT * configured + measured_count * measured_mean) / (
        PRIOR_WEIGHT + measured_count
    )


def _key(c: Candidate, now: datetime) -> tuple[int, datetime, int]:
    return (effective_class(c, now), c.queued_at, c.step_id)


def called_first(waiting: Iterable[Candidate], ticket: Candidate, now: datetime) -> list[Candidate]:
    """The tickets of ``waiting`` the policy would call before ``ticket``."""
    mine = _key(ticket, now)
    return [c for c in waiting if c.step_id != ticket.step_id and _key(c, now) < mine]


def same_line(ahead_of_me: Iterable[Candidate], ticket: Candidate) -> int:
    """How many of ``ahead_of_me`` are in ``ticket``'s own line (its service, its target
    window): the "people ahead" a visitor is told."""
    return sum(
        1
        for c in ahead_of_me
        if c.service == ticket.service and c.target_window == ticket.target_window
    )


def predict(snapshot: Snapshot, ticket: Candidate) -> Prediction:
    """The wait of ``ticket``: one of ``snapshot.waiting``, or a new ticket not yet in it; at
    least until its place in line when that is still to come (an early booked visitor's slot,
    :func:`queues.rules.policy.booked_place`)."""
    now = snapshot.now
    ahead_of_me = called_first(snapshot.waiting, ticket, now)
    same = same_line(ahead_of_me, ticket)
    servers = snapshot.servers(ticket.service, ticket.target_window)
    if not servers:
        return Prediction(ahead=same, eta_minutes=None)

    work = 0.0
    for c in ahead_of_me:
        theirs = snapshot.servers(c.service, c.target_window)
        shared = len(theirs & servers)
        if shared:
            work += snapshot.expected(c.service) * shared / len(theirs)
    for w in snapshot.windows:
        if w.id in servers and w.busy is not None:
            elapsed = (now - w.busy.since).total_seconds() / 60
            work += max(snapshot.expected(w.busy.service) - elapsed, 0.0)
    minutes = math.ceil(work / len(servers) - 1e-9)
    # a booked visitor who came early: their turn starts at their place in line (the slot)
    until_place = (ticket.queued_at - now).total_seconds() / 60
    return Prediction(ahead=same, eta_minutes=max(minutes, math.ceil(until_place - 1e-9)))


def predict_new(snapshot: Snapshot, service: str, priority: str = Priority.NORMAL) -> Prediction:
    """The wait a visitor would have who took a ticket for ``service`` now."""
    newcomer = Candidate(
        step_id=2**62,
        service=service,
        priority=priority if priority in CLASS_RANK else Priority.NORMAL,
        queued_at=snapshot.now,
        target_minutes=10**6,
    )
    return predict(snapshot, newcomer)


def waiting_counts(waiting: Iterable[Candidate]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for c in waiting:
        if c.target_window is None:
            counts[c.service] = counts.get(c.service, 0) + 1
    return counts
