"""The Dash app with its pages, and the JSON API mounted on the same Flask server.

``create_app(network)`` builds an app around a network of halls, or around one hall's context
(a network of one): every hall's pages and API under ``/h/<hall>/…`` and
``/api/v1/halls/<hall>/…``, the default hall's also without the prefix (:mod:`web.halls`).
For a WSGI server,
``app:server`` builds one from the environment on first use (``HALLQ_DATABASE_URL``,
``HALLQ_CONFIG``, …): ``gunicorn app:server``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import dash
from dash import Dash

import api
from components import live
from pages import book, take, ticket_status
from queues import workday
from queues.context import Context
from queues.errors import HallqError
from queues.hall import network as hall_network
from queues.network import Network
from queues.store.db import Database
from queues.text.i18n import t
from runtime.settings import Settings
from web import auth, boundary, compression, current, halls, polls, security
from web.document import HallqDash

HERE = Path(__file__).resolve().parent


def create_app(
    network: Network | Context,
    *,
    https: bool = False,
    behind_proxy: bool = False,
    streams: int | None = None,
) -> Dash:
    """The Dash app serving ``network``'s halls. ``streams``: how many screens' live streams
    this process holds at once (:mod:`api.stream`; None: as the server model allows)."""
    if isinstance(network, Context):
        network = Network.of_one(network)
    _forget_earlier_apps()
    app = HallqDash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title=t("app.title"),
        update_title=None,
        suppress_callback_exceptions=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.server.extensions[current.NETWORK] = network
    app.server.extensions["hallq"] = network.context()  # the default hall (outside requests)
    _keep_the_day_profiles(app)
    auth.configure(app.server, network.context())
    security.configure(app, https=https, behind_proxy=behind_proxy)
    app.server.wsgi_app = polls.LivePolls(app.server.wsgi_app, network, https=https)
    halls.install(app, network)  # in front: a hall's poll reaches LivePolls without its prefix
    compression.configure(app.server)
    ticket_status.register(app.server)
    take.register(app.server)
    book.register(app.server)
    live.register(app)
    boundary.install(app)
    api.register(app.server, streams=streams)
    # Dash sets itself up at its first request, and not thread-safely (it marks itself ready
    # before it is): a burst of first requests on a fresh gunicorn worker could see it half
    # made and answer 500. Make that first request here, before any thread can race.
    app.server.test_client().get("/_dash-dependencies")
    boundary.verify(app)
    return app


def _keep_the_day_profiles(app: Dash) -> None:
    """Every request sees its hall's windows' work profiles set for today (queues.workday)."""

    @app.server.before_request
    def _day_profiles() -> None:
        with contextlib.suppress(HallqError):  # no database: the file's profiles meanwhile
            workday.refresh(current.context())


def network_from(settings: Settings) -> Network:
    """The halls a process serves, from ``HALLQ_CONFIG`` (a network file, or a single hall file
    as a network of one), every hall's context over one shared database; raises ConfigError for
    a bad network or hall file."""
    halls = hall_network.load(settings.config_path)
    db = Database(settings.database_url, read_url=settings.read_database_url)
    db.feed.enabled = settings.push
    return Network(
        contexts={
            hall.code: Context(
                db=db,
                config=hall.config,
                open_always=settings.open_always,
                issue_limit=settings.issue_limit,
            )
            for hall in halls.halls
        },
        default=halls.default,
        halls=halls.entries,
    )


def context_from(settings: Settings) -> Context:
    """The default hall's context (the one the paths without a hall code serve); raises
    ConfigError for a bad network or hall file."""
    return network_from(settings).context()


def _forget_earlier_apps() -> None:
    """Let one process build several apps (tests): Dash keeps pages and callbacks globally."""
    dash._pages.PAGE_REGISTRY.clear()
    dash._callback.GLOBAL_CALLBACK_LIST.clear()
    dash._callback.GLOBAL_CALLBACK_MAP.clear()


_built: Dash | None = None


def __getattr__(name: str) -> Any:
    global _built
    if name in ("app", "server"):
        if _built is None:
            settings = Settings.from_env()
            _built = create_app(
                network_from(settings),
                https=settings.https,
                behind_proxy=settings.behind_proxy,
                streams=settings.streams if settings.push else 0,
            )
        return _built if name == "app" else _built.server
    raise AttributeError(name)
