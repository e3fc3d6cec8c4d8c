"""A ticket as its holder sees it: the phone page, the kiosk's screen, ``GET /tickets/{id}``."""

from __future__ import annotations

from queues.answers import TicketView
from queues.context import Context
from queues.line import answer, current_row


def ticket(ctx: Context, public_id: str) -> TicketView:
    """A ticket by its public id, with people ahead and expected wait while it waits."""
    with ctx.db.read() as s:
        return answer(s, ctx, current_row(s, public_id))
