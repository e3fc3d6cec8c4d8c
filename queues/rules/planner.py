"""How many windows an hour needs to meet a wait target (Erlang C).

Erlang C's M/M/c queue gives the probability that a visitor waits longer than the target when
``c`` windows are open, for the hour's arrivals and the mean service time; the windows needed are
the smallest ``c`` that keeps ``share`` (80 %) of visitors within it. The plan built on it, from
the hall's history, is :mod:`queues.read.capacity`.
"""

from __future__ import annotations

import math

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
