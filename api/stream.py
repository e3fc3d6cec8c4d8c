"""``GET /api/v1/display/stream``: a screen hears the board move the moment it commits.

Server-sent events (``text/event-stream``), not WebSockets: the screens only listen; an
``EventSource`` reconnects by itself and goes through any HTTP proxy as a plain long answer;
nothing new is needed on the server but a long-lived response. Each event says the board's new
version; the screen draws it as it draws a polled version::

    retry: 3000

    event: board
    data: {"version": 42, "zone": "a"}

    event: ping             (every HEARTBEAT_SECONDS without a change: proxies and the
    data: {}                 screen know the stream lives; a screen that hears nothing for
                             three of them takes the stream for dead and polls)

The versions come from the process's feed (:mod:`queues.store.feed`), never from the database
per screen. While the feed is not live (its database connection lost) the stream is refused or
ends, and the screen polls ``/display/version`` until a stream is offered again.

A stream holds its connection for minutes, so how many a process takes is bounded
(:class:`Slots`): under gevent (the stream service of docs/deploy.md) a waiting stream is a
greenlet and a process takes ``GREEN_STREAMS``; under a threaded server each stream holds a
thread, and the process takes only what it was given (``hallq serve``: ``--streams``; a gunicorn
gthread worker: none, its threads are for pages; :func:`default_streams`). A stream refused
for want of a slot answers 503 with ``Retry-After``: the screen polls meanwhile.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from collections.abc import Iterator

from flask import Flask, Response, current_app, request
from pydantic import ValidationError

from api.http import _describe_validation, error_response
from api.schemas import DisplayQuery
from queues import errors
from queues.text.i18n import norm_lang, t
from web import current
from web.statuses import KIND_STATUS

PATH = "/api/v1/display/stream"
HEARTBEAT_SECONDS = 15.0
LIFETIME_SECONDS = 600.0
"""A stream ends after about this long (±20 %) and the screen reconnects: streams spread again
over the processes after a restart, and a process being replaced is left by its screens."""
RETRY_MS = 3_000
"""How long a screen's ``EventSource`` waits before it reconnects a stream that ended."""
REFUSED_RETRY_SECONDS = 30
FIRST_WAIT_SECONDS = 3.0
"""How long the first stream of a process waits for its feed to load before it is refused."""
GREEN_STREAMS = 1_000
THREADED_STREAMS = 8
EXTENSION = "hallq.streams"


class Slots:
    """How many streams this process holds at once, at most."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.open >= self.limit:
                return False
            self.open += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.open -= 1


def green() -> bool:
    """This process runs under gevent with its threads patched (gunicorn's gevent worker)."""
    monkey = sys.modules.get("gevent.monkey")
    return bool(monkey and monkey.is_module_patched("threading"))


def register(server: Flask, streams: int | None = None) -> None:
    """Serve the stream on ``server``: at most ``streams`` at once in this process (None: as
    many as the server model allows, see the module's words)."""
    server.extensions[EXTENSION] = streams
    server.add_url_rule(PATH, "display_stream", stream)


def default_streams() -> int:
    """How many streams a process holds when it was not told: gunicorn's gevent worker
    GREEN_STREAMS; a threaded gunicorn worker none (its few threads are for pages: the proxy
    sends streams to the stream service); another threaded server (the development server, a
    test's) THREADED_STREAMS."""
    if green():
        return GREEN_STREAMS
    if "gunicorn" in sys.modules:
        return 0
    return THREADED_STREAMS


def _slots(server: Flask) -> Slots:
    slots = server.extensions.get(EXTENSION + ".slots")
    if slots is None:
        given = server.extensions.get(EXTENSION)
        limit = given if given is not None else default_streams()
        slots = server.extensions.setdefault(EXTENSION + ".slots", Slots(limit))
    return slots


def stream() -> Response:
    lang = norm_lang(request.headers.get("Accept-Language"))
    try:
        query = DisplayQuery.model_validate(request.args.to_dict())
    except ValidationError as exc:
        message = t("error.invalid_request", lang, detail=_describe_validation(exc))
        return error_response(422, "invalid_request", message)
    ctx = current.context()
    zone = query.zone
    if zone is not None and ctx.config.zone(zone) is None:
        unknown = errors.UnknownZone(zone=zone)
        return error_response(KIND_STATUS[unknown.kind], unknown.code, unknown.message(lang))
    feed = ctx.db.feed
    slots = _slots(current_app)
    if not slots.limit or not feed.wait_live(FIRST_WAIT_SECONDS) or not slots.take():
        return _refused(lang)
    hall = ctx.hall

    def events() -> Iterator[str]:
        try:
            yield f"retry: {RETRY_MS}\n\n"
            shown: int | None = None
            generation = feed.generation
            now = time.monotonic()
            ends = now + LIFETIME_SECONDS * random.uniform(0.8, 1.2)
            beat = now + HEARTBEAT_SECONDS
            while True:
                version = feed.version(hall, zone)
                if version is None:
                    return  # the feed cannot vouch for its figures: the screen polls
                now = time.monotonic()
                if version != shown:
                    shown = version
                    data = json.dumps({"version": version, "zone": zone})
                    yield f"event: board\ndata: {data}\n\n"
                    beat = now + HEARTBEAT_SECONDS
                elif now >= beat:
                    yield "event: ping\ndata: {}\n\n"
                    beat = now + HEARTBEAT_SECONDS
                if now >= ends:
                    return
                generation = feed.wait(generation, max(0.0, min(beat, ends) - now))
        finally:
            slots.give_back()

    response = Response(events(), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def _refused(lang: str) -> Response:
    response = error_response(503, "stream_unavailable", t("error.stream_unavailable", lang))
    response.headers["Retry-After"] = str(REFUSED_RETRY_SECONDS)
    return response
