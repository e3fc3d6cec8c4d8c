"""The JSON API of API.md, served under ``/api/v1`` by the same Flask server as the pages.

Every endpoint answers for the hall its path names, ``/api/v1/halls/<hall>/…``, or for the
network's default hall under plain ``/api/v1/…`` (:mod:`web.halls`)."""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from api import bookings as _bookings  # noqa: F401  (its routes join the API's)
from api import checkin as _checkin  # noqa: F401  (registers its routes on api)
from api import notify as _notify  # noqa: F401 (its routes join the API)
from api import stream
from api import webhooks as _webhooks  # noqa: F401 (its routes join the API's)
from api.routes import api
from api.schemas import Health
from web.current import context


def register(server: Flask, *, streams: int | None = None) -> None:
    """Mount the API and ``/healthz`` on ``server``; each request answers for its hall. At most
    ``streams`` live streams at once (:mod:`api.stream`; None: what the server model allows)."""
    server.register_blueprint(api.blueprint())
    stream.register(server, streams)

    @server.errorhandler(404)
    @server.errorhandler(405)
    def _no_route(exc: HTTPException) -> Response | HTTPException:
        """Routing errors under the API's prefix answer in the API's JSON, never Flask's HTML."""
        if request.path.startswith(api.prefix + "/"):
            return api.no_route()
        return exc

    @server.get("/healthz")
    def healthz() -> Response:
        """200 ok; 503 unavailable (the database cannot be reached) or busy (writes give up
        waiting for another writer). Never waits for the writer lock (Database.health).
        With a read replica, ``read_replica`` says whether managers' figures read it (ok) or,
        unavailable, the primary."""
        db = context().db
        status = db.health()
        replica = db.replica_health()
        body = Health(status=status, read_replica=None if replica == "none" else replica)
        return Response(
            body.model_dump_json(exclude_none=True),
            status=200 if status == "ok" else 503,
            mimetype="application/json",
        )
