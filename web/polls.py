"""The poll every screen makes while it has no stream, answered before Flask.

``GET /api/v1/display/version[?zone=…]`` (and a hall's, :mod:`web.halls` has taken the hall out
of the path) is the hottest request there is: 300 screens once a second, an integration's device
as often as it likes. While the process's feed is live (:mod:`queues.store.feed`) the answer is
in memory, and going through Flask, its hooks and the API's layers would cost far more than the
answer. :class:`LivePolls` answers it here, with the same body and headers the API gives; any
other shape of the request (another parameter, a zone the hall lacks, a bad one, a token to
check: a hall's token is refused in another hall), or a feed that is not live, goes on to Flask
and gets the API's answer, errors included.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from queues.network import Network
from web.current import HALL
from web.security import every_answers_headers

PATH = "/api/v1/display/version"
ZONE = re.compile(r"[a-z][a-z0-9-]{0,31}")
"""A zone's code (queues.inputs.Code)."""

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


class LivePolls:
    """WSGI middleware: a board-version poll answered from the process's memory."""

    def __init__(self, app: WsgiApp, network: Network, *, https: bool = False) -> None:
        self.app = app
        self.network = network
        self.headers = [
            ("Content-Type", "application/json"),
            ("Vary", "Accept-Encoding"),  # as flask-compress says of every answer
            *every_answers_headers(https),
        ]

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("PATH_INFO") == PATH
            and environ.get("REQUEST_METHOD") == "GET"
            and "HTTP_AUTHORIZATION" not in environ  # a token is checked by the API, as ever
        ):
            body = self._answer(environ)
            if body is not None:
                start_response("200 OK", [*self.headers, ("Content-Length", str(len(body)))])
                return [body]
        return self.app(environ, start_response)

    def _answer(self, environ: Environ) -> bytes | None:
        query = environ.get("QUERY_STRING", "")
        zone: str | None = None
        if query:
            name, _, value = query.partition("=")
            zone = unquote(value)
            if name != "zone" or "&" in value or not ZONE.fullmatch(zone):
                return None  # the API's own answer: its errors, its other parameters
        ctx = self.network.context(environ.get(HALL) or self.network.default)
        if zone is not None and ctx.config.zone(zone) is None:
            return None
        version = ctx.db.feed.version(ctx.hall, zone)
        if version is None:
            return None
        return json.dumps({"version": version}, separators=(",", ":")).encode()
