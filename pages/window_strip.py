"""The small screen above each window: its number and the ticket it calls, or 暂停服务."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from components import live
from queues import errors
from queues.inputs import WindowId
from queues.read import boards, counters
from queues.text.directions import to_window
from queues.text.i18n import t
from web import boundary
from web.current import context

PAGE = "strip"

boundary.accepts({"strip-window.data": WindowId})


def layout(window_id: str = "", **_: str) -> html.Div:
    ctx = context()
    window = _window(window_id)
    known = next((w for w in ctx.config.windows if w.id == window), None)
    if known is None:
        return html.Div(t("strip.unknown", "zh", window=window_id), className="strip strip-state")
    try:
        body = _draw(window)
    except errors.HallqError:
        body = []
    return html.Div(
        [
            *live.poller(PAGE, known.zone),
            dcc.Store(id="strip-window", data=window),
            html.Div(body, id="strip-body"),
        ],
        className="strip",
    )


# Dash matches path templates in page order; this one must come before /display/<zone>.
dash.register_page(
    "window-strip",
    path_template="/display/window/<window_id>",
    layout=layout,
    title="hallq",
    order=1,
)


def _window(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return -1


def _draw(window: int) -> list[Any]:
    (w,) = counters.windows(context(), only=window)
    head = html.Div(
        f"{t('window.label', 'zh', id=window)} · {w.department_zh}", className="strip-window"
    )
    if w.state == "paused":
        return [head, html.Div(t("strip.paused", "zh"), className="strip-state", id="strip-text")]
    if w.state == "closed":
        return [head, html.Div(t("strip.closed", "zh"), className="strip-idle", id="strip-text")]
    if w.current is not None:
        where = to_window(context().config, window)
        return [
            head,
            html.Div(w.current.number, className="strip-number", id="strip-text"),
            html.Div(where.text("zh"), className="strip-where", id="strip-where"),
            html.Div(where.text("en"), className="strip-where-en"),
        ]
    return [head, html.Div(t("strip.waiting", "zh"), className="strip-idle", id="strip-text")]


@callback(
    Output("strip-body", "children"),
    Input(live.version_id(PAGE), "data"),
    State("strip-window", "data"),
    prevent_initial_call=True,
)
def redraw(version: int | None, window: int) -> Any:
    """The strip again when the zone's board moved; kept under the version the server reads
    (as the wallboard's), for a window of the hall file only."""
    if version is None:
        return no_update
    ctx = context()
    known = next((w for w in ctx.config.windows if w.id == window), None)
    if known is None:
        return no_update
    try:
        current = boards.version(ctx, known.zone)
        return live.drawn_once(ctx, f"strip:{window}:{current}", lambda: _draw(window))
    except errors.HallqError:
        return no_update
