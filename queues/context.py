"""What every use case needs: the database, the hall file, and a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from queues.hall.config import HallConfig
from queues.store.db import Database


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    db: Database
    config: HallConfig
    clock: Callable[[], datetime] = field(default=utcnow)
    open_always: bool = False
    """Ignore opening hours and service days (demonstrations, tests, 24-hour service points)."""
    issue_limit: int = 0
    """Tickets one visitor's address may take a minute (``HALLQ_ISSUE_LIMIT``; 0: no limit)."""
    cache: dict[str, Any] = field(default_factory=dict, repr=False)
    """Derived figures a process may keep for a few seconds (never state: that is in the db)."""
    hall_file: HallConfig | None = field(default=None, repr=False)
    """The hall as its file says; ``config`` is it with the day's work profiles set on the staff
    page (:mod:`queues.workday`)."""

    def __post_init__(self) -> None:
        if self.hall_file is None:
            self.hall_file = self.config
        if self.db.hall is None:  # the hall sees its own rows only (queues.store.scope)
            self.db = self.db.for_hall(self.hall)
        elif self.db.hall != self.hall:
            raise ValueError(f"hall {self.hall!r} given the database of hall {self.db.hall!r}")

    @property
    def hall(self) -> str:
        """The hall's code (``[hall] code`` in its file): the key of its rows in the database."""
        return self.config.hall.code

    @property
    def tz(self) -> ZoneInfo:
        return self.config.tz

    def now(self) -> datetime:
        return self.clock()

    def local(self, moment: datetime | None = None) -> datetime:
        """``moment`` (default: now) in the hall's time zone."""
        return (moment or self.now()).astimezone(self.tz)

    def business_day(self, moment: datetime | None = None) -> date:
        """The hall's calendar date at ``moment``: 23:59 and 00:01 Beijing time are two days."""
        return self.local(moment).date()
