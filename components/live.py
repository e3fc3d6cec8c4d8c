"""Live screens: hear the board version move, redraw only when it moved.

A page puts :func:`poller` in its layout and makes its drawing callbacks depend on the version
store. The browser side (``assets/live.js``, ``assets/stream.js``) keeps the page's live stream
open (``/api/v1/display/stream``, :mod:`api.stream`): each version it hears pokes the push store,
and the one callback that sets the version store answers it from what the stream said. While no
stream carries the versions (refused, cut, silent), each tick of the interval polls
``/api/v1/display/version`` instead; when the server cannot be reached at all a small
"reconnecting" mark shows and the screen keeps what it shows until the server answers again.
What a version looks like is drawn once per process (:func:`drawn_once`), however many screens
ask for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from dash import MATCH, ClientsideFunction, Dash, Input, Output, State, dcc, html, no_update
from plotly.utils import PlotlyJSONEncoder

from queues.inputs import Version
from queues.text.i18n import t
from web import boundary, memo

boundary.accepts({"live-version.data": Version})

POLL_MS = 1_000


def poller(page: str, zone: str | None = None, interval_ms: int = POLL_MS) -> list[Any]:
    """The pieces a live page needs; its callbacks take ``Input(version_id(page), "data")``."""
    return [
        dcc.Interval(id={"type": "live-tick", "page": page}, interval=interval_ms),
        dcc.Store(id={"type": "live-zone", "page": page}, data=zone or ""),
        dcc.Store(id=version_id(page), data=None),
        dcc.Store(id={"type": "live-push", "page": page}, data=0),
        html.Div(
            t("live.reconnecting", "zh") + " · " + t("live.reconnecting", "en"),
            id={"type": "live-mark", "page": page},
            className="live-mark d-none",
        ),
    ]


def version_id(page: str) -> dict[str, str]:
    return {"type": "live-version", "page": page}


def register(app: Dash) -> None:
    """The one poll callback every live page shares (bound to ``app``: pages come and go)."""
    app.clientside_callback(
        ClientsideFunction(namespace="hallq", function_name="poll"),
        Output({"type": "live-version", "page": MATCH}, "data"),
        Output({"type": "live-mark", "page": MATCH}, "className"),
        Input({"type": "live-tick", "page": MATCH}, "n_intervals"),
        Input({"type": "live-push", "page": MATCH}, "data"),
        State({"type": "live-zone", "page": MATCH}, "data"),
        State({"type": "live-version", "page": MATCH}, "data"),
        State({"type": "live-mark", "page": MATCH}, "className"),
    )


# What a version looks like is drawn once per process, however many screens ask for it.
drawn_once = memo.once


def only_changed(parts: Sequence[Any], drawn: list[str | None] | None) -> tuple[Any, ...]:
    """The parts of a timed refresh that differ from what the page shows, ``no_update`` for
    the rest, and the new fingerprints (the page keeps them in a store and passes them back).

    A refresh that redraws everything every few seconds replaces the page's elements under the
    user's pointer: a click that lands as a table is redrawn is lost. Unchanged parts stay put.
    """
    before = list(drawn or [])
    out: list[Any] = []
    stamps: list[str | None] = []
    for i, part in enumerate(parts):
        shown = before[i] if i < len(before) else None
        if part is no_update:
            out.append(part)
            stamps.append(shown)
            continue
        text = json.dumps(part, cls=PlotlyJSONEncoder, sort_keys=True)
        stamp = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
        out.append(no_update if stamp == shown else part)
        stamps.append(stamp)
    return (*out, stamps)
