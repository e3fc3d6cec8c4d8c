"""Ticket numbers: per hall, business day and prefix, never given twice to tickets still open.

The number comes from one counter row per (hall, day, prefix), bumped with
``UPDATE … RETURNING`` inside the transaction that writes the ticket: the row lock (PostgreSQL)
or the database lock (SQLite, ``BEGIN IMMEDIATE``) makes concurrent kiosks and processes take
turns, and a transaction that rolls back gives its number back. Reading the highest number and
adding one would hand the same number to two kiosks.

A day's counter starts at 1, unless tickets of the prefix from earlier days are still open
(waiting, called or being served): a hall open around the clock keeps yesterday's queue past
midnight, and a second ``T001`` beside the first would be called to the window twice and be
two people on the wallboard. Then it starts after the highest number still open, so every open
ticket has a number of its own; the numbers restart from 1 on the first day nothing of the prefix
is left. Only the first ticket of a day and prefix looks for them (the counter row does not
exist yet); two kiosks starting the day at once meet on the row's key
(``INSERT … ON CONFLICT DO UPDATE``), and the second takes the next number.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from queues.rules.lifecycle import OPEN
from queues.store.db import DIALECTS, insert_for
from queues.store.models import DayCounter, Step, Ticket
from queues.store.scope import HALL_PARAM, hall_of

_counter = DayCounter.__table__
_NEXT = (
    update(_counter)
    .where(
        _counter.c.hall == HALL_PARAM,
        _counter.c.day == bindparam("b_day"),
        _counter.c.prefix == bindparam("b_prefix"),
    )
    .values(last=_counter.c.last + 1)
    .returning(_counter.c.last)
)
_HIGHEST_OPEN = (
    select(func.max(Ticket.seq))
    .join(Step, Step.ticket_id == Ticket.id)
    .where(
        Step.status.in_(OPEN),
        Step.day < bindparam("b_day"),
        Ticket.hall == HALL_PARAM,
        Ticket.prefix == bindparam("b_prefix"),
    )
)
_START = {
    dialect: insert_for(dialect)(_counter)
    .values(
        hall=HALL_PARAM,
        day=bindparam("b_day"),
        prefix=bindparam("b_prefix"),
        last=bindparam("b_first"),
    )
    .on_conflict_do_update(
        index_elements=[_counter.c.hall, _counter.c.day, _counter.c.prefix],
        set_={"last": _counter.c.last + 1},
    )
    .returning(_counter.c.last)
    for dialect in DIALECTS
}


def next_seq(session: Session, day: date, prefix: str) -> int:
    """Take the next number for ``prefix`` on ``day`` in the session's hall, within the caller's
    transaction."""
    params = {HALL_PARAM.key: hall_of(session), "b_day": day, "b_prefix": prefix}
    taken = session.execute(_NEXT, params).scalar()
    if taken is not None:
        return int(taken)
    first = (session.scalar(_HIGHEST_OPEN, params) or 0) + 1
    dialect = session.get_bind().dialect.name
    return int(session.execute(_START[dialect], {**params, "b_first": first}).scalar_one())


def format_number(prefix: str, seq: int) -> str:
    """``J`` and 12 give ``J012``: three digits at least, more when a day runs past 999."""
    return f"{prefix}{seq:03d}"


_NUMBER = re.compile(r"([A-Z]{1,2})0*([0-9]{1,6})")


def parse_number(text: str) -> tuple[str, int] | None:
    """The prefix and sequence a ticket number names, as a clerk types it: ``T012``, ``t12``,
    `` GZ 3 `` give ``("T", 12)``, ``("T", 12)``, ``("GZ", 3)``; None for anything else."""
    found = _NUMBER.fullmatch(text.replace(" ", "").upper())
    if found is None or int(found.group(2)) == 0:
        return None
    return found.group(1), int(found.group(2))
