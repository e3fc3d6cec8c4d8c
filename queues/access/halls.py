"""Where staff and tokens belong: one hall, or the network (every hall).

A clerk's or a manager's account, and an API token, belong to a hall (``hall``: its code) or to
the network (``hall`` None: a network manager, a network administrator, an integration of the
district's). One rule says where each may act, :func:`may_act_in`: a network account in every
hall, a hall's account in its own hall only. Both :class:`~queues.access.staff.StaffUser` and
:class:`~queues.access.tokens.Principal` ask it, and the two boundaries (``web.auth.require``
for every staff callback, ``api.http`` for every endpoint) ask them.

Accounts and tokens made before halls had owners (``hall`` NULL after the migration) are
network accounts: they go on acting everywhere, as they did in the one hall there was.
"""

from __future__ import annotations

from typing import Final

from queues import errors
from queues.context import Context


class Here:
    """The hall of the context an account is made in (the default)."""

    def __repr__(self) -> str:
        return "HERE"


HERE: Final = Here()
"""``hall=HERE``: the account or token belongs to the hall it is made in."""
NETWORK: Final = None
"""``hall=NETWORK``: the account or token belongs to the network and acts in every hall."""


def may_act_in(own: str | None, hall: str) -> bool:
    """Whether an account or token of hall ``own`` (None: the network) may act in ``hall``."""
    return own is None or own == hall


def known_halls(ctx: Context) -> tuple[str, ...]:
    """The halls an account or token made through ``ctx`` may belong to.

    The context knows only its own hall; where the network's list of halls is at hand, this is
    the one place to give it."""
    return (ctx.hall,)


def hall_for(ctx: Context, hall: str | Here | None) -> str | None:
    """The hall a new account or token belongs to: ``HERE`` is ``ctx``'s hall, None the network,
    a code must be one of :func:`known_halls` (UnknownHall otherwise)."""
    if isinstance(hall, Here):
        return ctx.hall
    if hall is None:
        return None
    if hall not in known_halls(ctx):
        raise errors.UnknownHall(hall=str(hall)[:64])
    return hall
