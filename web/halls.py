"""One deployment, many halls: every page and endpoint of a hall under its code.

``/h/<hall>/kiosk``, ``/h/<hall>/counter/5``, ``/h/<hall>/t/<id>`` … and
``/api/v1/halls/<hall>/tickets`` … answer for hall ``<hall>``; the same paths without a hall
(``/kiosk``, ``/api/v1/tickets``) answer for the network's default hall, as they always did.

:class:`HallPaths` sits in front of the Flask app (WSGI middleware). It takes the hall out of
the path before Flask routes it (``/h/town/kiosk`` is routed as ``/kiosk``,
``/api/v1/halls/town/tickets`` as ``/api/v1/tickets``) and leaves the hall's code and its page
prefix in the WSGI environ, where :func:`web.current.context` finds the hall's context. So every
route, Dash callback and API endpoint serves any hall without knowing about halls.

A hall code is checked before it is looked up (the same characters and length as the hall
file's ``[hall] code``). A code the network lacks answers 404: in the API's JSON error shape
under ``/api/v1/halls/``, and as the not-found page under ``/h/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from dash import Dash
from flask import Response, abort, request

from queues.network import Network
from queues.text.i18n import norm_lang, t
from web.current import ASKED, HALL, PREFIX, UNKNOWN

PAGES = "/h/"
API = "/api/v1/halls/"
API_ROOT = "/api/v1"
HALL_CODE = re.compile(r"[a-z][a-z0-9-]{0,31}")
"""What a hall code may be (queues.inputs.Code, as the hall file's ``[hall] code``)."""

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def page_prefix(code: str) -> str:
    """Where a hall's pages are: ``/h/<code>``."""
    return f"{PAGES}{code}"


class HallPaths:
    """WSGI middleware: a path under a hall becomes the hall's path without it."""

    def __init__(self, app: WsgiApp, network: Network) -> None:
        self.app = app
        self.network = network

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or ""
        if path.startswith(PAGES):
            code, rest = _split(path[len(PAGES) :])
            where = ""
        elif path.startswith(API):
            code, rest = _split(path[len(API) :])
            where = API_ROOT
        else:
            return self.app(environ, start_response)
        if not HALL_CODE.fullmatch(code) or code not in self.network:
            if where:  # the API: its own JSON 404
                return _unknown_hall_json(environ, start_response, code)
            environ[UNKNOWN] = code[:64]  # the page says not found (configure below)
            return self.app(environ, start_response)
        environ[ASKED] = path
        environ["PATH_INFO"] = where + rest
        environ[HALL] = code
        environ[PREFIX] = page_prefix(code)
        return self.app(environ, start_response)


def _split(tail: str) -> tuple[str, str]:
    """``town/kiosk/k1`` → (``town``, ``/kiosk/k1``); ``town`` → (``town``, ``/``)."""
    code, slash, rest = tail.partition("/")
    return code, "/" + rest if slash else "/"


def _unknown_hall_json(
    environ: Environ, start_response: StartResponse, code: str
) -> Iterable[bytes]:
    lang = norm_lang(environ.get("HTTP_ACCEPT_LANGUAGE"))
    shown = code[:32] if HALL_CODE.fullmatch(code[:32]) else "?"
    body = json.dumps(
        {"error": {"code": "unknown_hall", "message": t("error.unknown_hall", lang, hall=shown)}},
        ensure_ascii=False,
    ).encode()
    start_response(
        "404 NOT FOUND",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def install(app: Dash, network: Network) -> None:
    """Put :class:`HallPaths` in front of ``app``'s server, and answer a page under a hall the
    network lacks with the not-found page and status 404."""
    server = app.server
    server.wsgi_app = HallPaths(server.wsgi_app, network)  # type: ignore[method-assign]

    @server.before_request
    def _unknown_hall() -> None:
        if UNKNOWN in request.environ and request.method not in ("GET", "HEAD"):
            abort(404)

    @server.after_request
    def _not_found(response: Response) -> Response:
        # GET: Dash's page document, whose router finds no page at /h/<unknown>/… and draws
        # the not-found page (pages/not_found_404.py); the status says so too
        if UNKNOWN in request.environ:
            response.status_code = 404
        return response
