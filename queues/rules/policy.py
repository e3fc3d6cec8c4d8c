"""Which waiting ticket a window calls next.

The rule, in order:

1. A window calls only tickets it may serve: those of the services its work profile lists and not
   sent to another window, and those transferred to this window by name.
2. Classes: the green channel (绿色通道) first, then priority (优先: elderly, disabled, pregnant),
   then normal.
3. **No starvation.** A normal ticket that has waited past its service's target joins the
   priority class and competes there on its wait. A steady stream of fresh priority tickets
   therefore cannot hold back a ticket that is already late: its wait is longer than theirs and
   keeps growing. (Green-channel tickets, few and authorised one by one, still go first.)
4. Within a class, the longest *weighted* wait goes first: the wait since the ticket's place in
   the line (its issue time, kept across transfers) times the weight the window's profile gives
   its service (1 when the profile does not list it, for tickets transferred here by name). A
   weight of 2 makes a service's tickets count twice as long.
5. Ties (equal weighted waits) go to the earlier place in line, then the lower step id.

The function is pure: the caller loads the candidates and makes the claim atomic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from queues.rules.lifecycle import Priority

CLASS_RANK = {Priority.GREEN: 0, Priority.PRIORITY: 1, Priority.NORMAL: 2}


@dataclass(frozen=True, slots=True)
class Candidate:
    step_id: int
    service: str
    priority: str
    queued_at: datetime
    target_minutes: int
    target_window: int | None = None


def effective_class(c: Candidate, now: datetime) -> int:
    rank = CLASS_RANK.get(c.priority, 2)
    if (
        rank == CLASS_RANK[Priority.NORMAL]
        and (now - c.queued_at).total_seconds() >= c.target_minutes * 60
    ):
        return CLASS_RANK[Priority.PRIORITY]
    return rank


def sort_key(
    c: Candidate, now: datetime, weights: Mapping[str, float]
) -> tuple[int, float, datetime, int]:
    wait = max((now - c.queued_at).total_seconds(), 0.0)
    return (effective_class(c, now), -wait * weights.get(c.service, 1.0), c.queued_at, c.step_id)


def eligible(c: Candidate, window: int, weights: Mapping[str, float]) -> bool:
    if c.target_window is not None:
        return c.target_window == window
    return c.service in weights


def order(
    candidates: Iterable[Candidate],
    now: datetime,
    window: int,
    weights: Mapping[str, float],
) -> list[Candidate]:
    """The tickets ``window`` may call, best first."""
    mine = [c for c in candidates if eligible(c, window, weights)]
    return sorted(mine, key=lambda c: sort_key(c, now, weights))


def choose(
    candidates: Iterable[Candidate],
    now: datetime,
    window: int,
    weights: Mapping[str, float],
) -> Candidate | None:
    ranked = order(candidates, now, window, weights)
    return ranked[0] if ranked else None
