"""What pages need from the running app: the hall the request is for, and the language asked for.

One deployment serves a network of halls (:class:`queues.network.Network`). A request names its
hall by its path, ``/h/<hall>/…`` or ``/api/v1/halls/<hall>/…``; :mod:`web.halls` takes the hall
out of the path before Flask routes it and leaves it in the WSGI environ, where
:func:`context` finds it. A path without a hall is for the network's default hall.

Pages write their internal links with :func:`path`, so a page opened under ``/h/<hall>/`` links
to that hall's pages and the paths without a hall stay as they were.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request

from queues.context import Context
from queues.network import Network
from queues.text.i18n import Lang, norm_lang

NETWORK = "hallq.network"
"""The key of the app's :class:`Network` in ``server.extensions`` (``"hallq"``: the default
hall's context, for code that runs outside a request)."""
HALL = "hallq.hall"
"""The WSGI environ key of the hall a request's path named (absent: the default hall)."""
PREFIX = "hallq.prefix"
"""The WSGI environ key of the hall's page prefix (``/h/<hall>``) when the path named a hall, by
``/h/<hall>/…`` or ``/api/v1/halls/<hall>/…``: links the answer writes stay in the hall."""
ASKED = "hallq.path"
"""The WSGI environ key of the path as the client asked for it, hall and all."""
UNKNOWN = "hallq.unknown_hall"
"""The WSGI environ key of a hall code the path named that the network does not have."""


def network() -> Network:
    """The network of halls of the app serving this request (set by ``app.create_app``)."""
    return current_app.extensions[NETWORK]


def hall() -> str | None:
    """The code of the hall the request's path named; None for a path without a hall."""
    return request.environ.get(HALL) if has_request_context() else None


def context() -> Context:
    """The context of the hall this request is for: the hall its path names, or the default hall.

    (Staff scoping goes here or in ``web.auth.require``: both know the hall, ``hall()``.)"""
    return network().context(hall())


def prefix() -> str:
    """The path prefix the request came under: ``/h/<hall>``, or ``""`` for the default paths."""
    return request.environ.get(PREFIX, "") if has_request_context() else ""


def path(target: str) -> str:
    """An internal link of this site (``/counter/5``) as the request's hall writes it
    (``/h/town/counter/5``): pages opened under a hall stay in that hall."""
    return prefix() + target


def api_base() -> str:
    """Where the request's hall answers the JSON API: ``/api/v1/halls/<hall>`` or ``/api/v1``."""
    code = hall()
    return f"/api/v1/halls/{code}" if code else "/api/v1"


def asked_path() -> str:
    """The path as the client asked for it (``/api/v1/halls/town/x``, not the routed ``/api/v1/x``),
    for messages and logs."""
    return request.environ.get(ASKED, request.path)


def lang_of(value: str | None) -> Lang:
    """The page language from a ``?lang=`` value: English when asked, otherwise zh-CN."""
    return norm_lang(value)


def public_address(target: str) -> str:
    """The address a visitor's phone opens for ``target`` (``/t/<id>``, ``/take``): under the
    hall's ``public_url`` when its file sets one, else under this server's address for the hall
    (``http://server/h/town`` when the request came under the hall)."""
    base = context().config.hall.public_url or request.host_url.rstrip("/") + prefix()
    return base.rstrip("/") + target
