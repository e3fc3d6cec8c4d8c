"""A ticket's life: the statuses a step goes through, the actions that move it, and which action
each status allows. The use cases, the counter's buttons, the API's schemas and the figures all
read these names and this table; nothing else spells a status out.

A ticket is a list of steps, one per service it queues for (see :mod:`queues.store.models`);
its current step's status is the ticket's status::

    waiting ──call──► called ──start──► serving ──finish──► done
                       │ ▲                 │
                       │ └─recall          ├──transfer──► transferred, and a new waiting step
                       ├──finish──► done   │              (the ticket keeps its place in line)
                       ├──transfer──► transferred
                       └──no-show──► no_show ──undo (within seconds)──► called

    waiting, called, serving ──the day's close-out──► expired

A window that the hall file retires while it holds a ticket hands it back: called or serving
becomes waiting again, in its old place. ``cancelled`` is in the API's vocabulary; no use case
makes it today.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import TypeVar

_E = TypeVar("_E", bound=StrEnum)


class Status(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


OPEN = (Status.WAITING, Status.CALLED, Status.SERVING)
"""Still in the hall: the ticket's number is taken, the close-out expires it."""

HELD = (Status.CALLED, Status.SERVING)
"""A window holds the ticket: it was called there and is not finished."""


class Priority(StrEnum):
    """The class a ticket is called in (:mod:`queues.rules.policy`)."""

    NORMAL = "normal"
    PRIORITY = "priority"
    """优先: the elderly, the disabled, pregnant women."""
    GREEN = "green"
    """绿色通道: a key project's code, or staff's decision."""


class Outcome(StrEnum):
    """How a finished service ended (即办件, 承诺件, 一次性告知, 咨询)."""

    DONE = "done"
    """Done on the spot."""
    PROMISED = "promised"
    """Accepted, ready by a promised date."""
    INCOMPLETE = "incomplete"
    """Materials incomplete: told once what is missing."""
    CONSULT = "consult"
    """A question answered."""


class WindowState(StrEnum):
    """A window's state: every window starts the day closed; a clerk opens it."""

    OPEN = "open"
    PAUSED = "paused"
    """Not calling for a while (a break, a meeting), with a reason."""
    CLOSED = "closed"


WINDOW_EVENTS = {
    WindowState.OPEN: "window_opened",
    WindowState.PAUSED: "window_paused",
    WindowState.CLOSED: "window_closed",
}
"""The event that records a window entering each state."""


class Action(StrEnum):
    """What a clerk does with the ticket the window holds."""

    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    RECORD = "record"
    """Note who the visitor is (the register of visitors)."""
    UNDO_NO_SHOW = "undo_no_show"
    """Take back a no-show just made (within ``NO_SHOW_UNDO_SECONDS``): called again."""


ALLOWED: dict[Action, tuple[Status, ...]] = {
    Action.RECALL: (Status.CALLED,),
    Action.START: (Status.CALLED,),
    Action.FINISH: HELD,
    Action.NO_SHOW: (Status.CALLED,),
    Action.TRANSFER: HELD,
    Action.RECORD: HELD,
    Action.UNDO_NO_SHOW: (Status.NO_SHOW,),
}
"""The statuses of the ticket in which each action may be taken (of the held ticket for all but
the undo, which takes back a ticket the window no longer holds)."""


NO_SHOW_UNDO_SECONDS = 10
"""How long a clerk may take back a no-show (a key pressed by mistake, the visitor arriving as it
was pressed): the ticket goes back to the window, called, as it was. Long enough to see the
mistake and press 撤销, short enough that the window has not moved on."""

PROMISED_HORIZON_DAYS = 366
"""How far ahead a promised date (承诺办结日期) may lie. The longest promise a service hall makes
is a few months; a date further out is a typing slip (``61215-02-02``)."""


def promised_date_problem(day: date, today: date) -> str | None:
    """Why ``day`` cannot be the promised date of a matter accepted on ``today``: ``past`` or
    ``too_far``; None when it can."""
    if day < today:
        return "past"
    if day > latest_promise(today):
        return "too_far"
    return None


def latest_promise(today: date) -> date:
    """The last day a promise made on ``today`` may name."""
    return today + timedelta(days=PROMISED_HORIZON_DAYS)


def allows(status: str | None, action: Action) -> bool:
    """Whether ``action`` may be taken on a ticket in ``status`` (None: the window holds none)."""
    return status in ALLOWED[action]


def values(kind: type[StrEnum]) -> tuple[str, ...]:
    """The plain strings of a vocabulary, in its order (for schemas and selects)."""
    return tuple(member.value for member in kind)


def parse(kind: type[_E], value: object) -> _E | None:
    """The member of ``kind`` whose value is ``value``, or None."""
    try:
        return kind(value)
    except ValueError:
        return None
