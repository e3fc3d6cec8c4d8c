"""The outbox: rows written in the same transaction as what causes them, delivered after commit.

Print jobs, text messages and webhook deliveries all follow one lifecycle. A row is ``pending``
until a worker claims it: the claim makes it ``sending`` (``printing`` for a print job), stamps
who took it and when, and counts the attempt. A failure puts it back to ``pending`` with a later
``next_attempt_at`` (:func:`backoff`); a claim never answered (the worker died mid-delivery) may
be taken again after the lease. The claim is a conditional ``UPDATE … WHERE due``, so of two
workers racing for one row exactly one wins, on SQLite and PostgreSQL alike: a row is delivered
once unless a worker dies between delivering and saying so (then at most once more, after the
lease; receivers deduplicate on the row's id).

A model that uses this has the columns ``status``, ``next_attempt_at``, ``claimed_at``,
``claimed_by`` and ``attempts``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, update
from sqlalchemy.orm import Session

MAX_BACKOFF_SECONDS = 60


def backoff(attempts: int, *, most: int = MAX_BACKOFF_SECONDS) -> timedelta:
    """How long a failed row waits before its next try: 2 s, 4 s, 8 s … at most ``most``."""
    return timedelta(seconds=min(2 ** max(attempts, 1), most))


def due(
    model: Any, now: datetime, lease: timedelta, *, taken: str = "sending"
) -> ColumnElement[bool]:
    """Rows to deliver now: pending and due, or taken longer ago than the lease."""
    return or_(
        (model.status == "pending") & (model.next_attempt_at <= now),
        (model.status == taken) & (model.claimed_at < now - lease),
    )


def take(
    s: Session,
    model: Any,
    row_id: int,
    worker: str,
    now: datetime,
    lease: timedelta,
    *,
    taken: str = "sending",
) -> bool:
    """Claim one row if it is still due; False when another worker took it first."""
    result = s.execute(
        update(model)
        .where(model.id == row_id, due(model, now, lease, taken=taken))
        .values(status=taken, claimed_at=now, claimed_by=worker, attempts=model.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
