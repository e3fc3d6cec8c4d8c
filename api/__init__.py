"""The JSON API of API.md, served under ``/api/v1`` by the same Flask server as the pages."""

from __future__ import annotations

from flask import Flask, Response

from api.routes import api
from api.schemas import Health
from queues.context import Context


def register(server: Flask, ctx: Context) -> None:
    """Mount the API and ``/healthz`` on ``server``."""
    server.register_blueprint(api.blueprint(ctx))

    @server.get("/healthz")
    def healthz() -> Response:
        ok = ctx.db.ping()
        body = Health(status="ok" if ok else "unavailable")
        return Response(
            body.model_dump_json(), status=200 if ok else 503, mimetype="application/json"
        )
