"""The kiosk device cookie: which kiosk, if any, this browser is (:mod:`queues.access.devices`).

The cookie holds a paired device's id and secret. It is HttpOnly (no script reads it),
SameSite=Strict (no other site's page sends it), Secure behind HTTPS, and lives for years: a
kiosk PC is paired once. What it is worth is decided on the server at every request, so
unpairing a device takes effect at once.
"""

from __future__ import annotations

import contextlib

from flask import current_app, g, request

from queues.access import devices
from queues.access.requesters import Requester
from queues.errors import HallqError
from web.current import context

COOKIE = "hallq_kiosk"
KEEP_SECONDS = 5 * 365 * 24 * 3600


def current_kiosk() -> str | None:
    """The kiosk this request's browser was paired as (checked once a request), or None."""
    if "hallq_kiosk" not in g:
        kiosk = None
        with contextlib.suppress(HallqError):  # no database: treat it as unpaired for now
            kiosk = devices.kiosk_of(context(), request.cookies.get(COOKIE))
        g.hallq_kiosk = kiosk
    return g.hallq_kiosk


def remember(set_cookie: object, value: str) -> None:
    """Give the browser its device cookie; ``set_cookie`` is a response's ``set_cookie``."""
    set_cookie(  # type: ignore[operator]
        COOKIE,
        value,
        max_age=KEEP_SECONDS,
        httponly=True,
        samesite="Strict",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        path="/",
    )


def requester() -> Requester:
    """Who this browser is when it asks for a ticket: its paired kiosk, or else a visitor at
    the request's address (never what the page says of itself)."""
    kiosk = current_kiosk()
    address = request.remote_addr
    return Requester.at_kiosk(kiosk, address) if kiosk else Requester.visitor(address)
