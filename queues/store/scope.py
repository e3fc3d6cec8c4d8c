"""The hall boundary in the data: a hall's sessions see and write only that hall's rows.

Every model that belongs to a hall (:class:`~queues.store.models.HallRow`) carries the hall's
code in ``hall``. A session opened for a hall (``Database.for_hall(code)``, which every hall's
:class:`~queues.context.Context` uses) has the code in ``session.info["hall"]``, and:

* every ORM ``SELECT``, ``UPDATE`` and ``DELETE`` it runs gets ``hall = :code`` on each hall
  table it touches, joins and relationship loads included (SQLAlchemy's ``with_loader_criteria``,
  the library's own recipe for rows that belong to a tenant);
* every hall row it adds gets the hall's code, and a row of another hall is refused.

A network session (no hall: the network's pages, reports across halls) sees every hall.

The hot paths' statements are Core, built once on the tables (:mod:`queues.line`,
:mod:`queues.services`): the ORM criteria do not reach them, so each names the hall itself with
``table.c.hall == HALL_PARAM``. A ``SELECT`` run in a hall's session gets the parameter's
value from the session; ``INSERT``, ``UPDATE`` and ``DELETE`` are given it by their callers
(their parameters name columns). A Core statement run by a network session without the value
fails loudly ("a value is required for bind parameter 'b_hall'") rather than reading every hall.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from queues.store.models import HallRow

HALL = "hall"
HALL_PARAM = bindparam("b_hall")
"""The hall's code in a Core statement: ``table.c.hall == HALL_PARAM``."""


def hall_of(session: Session) -> str | None:
    """The hall a session is scoped to; None for a network session."""
    return session.info.get(HALL)


@event.listens_for(Session, "do_orm_execute")
def _only_this_hall(state: ORMExecuteState) -> None:
    hall = state.session.info.get(HALL)
    if hall is None:
        return
    if state.is_select and not isinstance(state.parameters, list):
        state.parameters = {**(state.parameters or {}), HALL_PARAM.key: hall}
    if not state.is_orm_statement or not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(
        with_loader_criteria(HallRow, lambda cls: cls.hall == hall, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _rows_of_this_hall(session: Session, _context: Any, _instances: Any) -> None:
    hall = session.info.get(HALL)
    if hall is None:
        return
    for row in session.new:
        if not isinstance(row, HallRow):
            continue
        if row.hall is None:
            row.hall = hall
        elif row.hall != hall:
            raise ValueError(f"hall {hall!r} may not write a row of hall {row.hall!r}")
