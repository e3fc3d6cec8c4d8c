"""Pairing a kiosk PC's browser (``/pair/<code>``): opened once on the kiosk, from the one-time
link an administrator (or the kiosk's token) asked for. One tap makes this browser the kiosk;
afterwards it prints its tickets on the kiosk's printer (:mod:`queues.access.devices`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from flask import request
from pydantic import StringConstraints

from components.screens import lang_switch
from queues import errors
from queues.access import devices
from queues.inputs import Lang
from queues.text.i18n import t
from web import boundary
from web import devices as device_cookie
from web.current import context, lang_of, path

PairingCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")]
boundary.accepts({"pair-code.data": PairingCode | Literal[""], "pair-lang.data": Lang})


def layout(code: str = "", lang: str | None = None, **_: str) -> dbc.Container:
    lang = lang_of(lang)
    ctx = context()
    try:
        kiosk = devices.pending(ctx, code) if code else None
    except errors.HallqError:
        kiosk = None
    if kiosk is None:
        body: list[Any] = [
            html.P(t("error.pairing_code_invalid", lang), id="pair-message", className="lead")
        ]
    else:
        body = [
            html.P(t("pair.question", lang, kiosk=kiosk), className="lead"),
            html.P(t("pair.note", lang, kiosk=kiosk), className="text-muted"),
            dbc.Button(
                t("pair.submit", lang, kiosk=kiosk),
                id="pair-submit",
                color="primary",
                size="lg",
                n_clicks=0,
            ),
            html.Div(id="pair-message", className="mt-3 fw-bold"),
        ]
    return dbc.Container(
        [
            dcc.Location(id="pair-go", refresh=True),
            dcc.Store(id="pair-code", data=code),
            dcc.Store(id="pair-lang", data=lang),
            html.Div(
                [
                    html.Span(ctx.config.hall.name(lang)),
                    lang_switch(devices.PAIR_PATH + code, lang),
                ],
                className="d-flex justify-content-between align-items-center pt-4",
            ),
            dbc.Card(
                dbc.CardBody([html.H1(t("pair.title", lang), className="h3 mb-4"), *body]),
                className="mt-4 shadow-sm",
            ),
        ],
        style={"maxWidth": "640px"},
    )


dash.register_page(
    "pair", path_template=f"{devices.PAIR_PATH}<code>", layout=layout, title=t("pair.title")
)


@callback(
    Output("pair-go", "href"),
    Output("pair-message", "children"),
    Input("pair-submit", "n_clicks"),
    State("pair-code", "data"),
    State("pair-lang", "data"),
    prevent_initial_call=True,
)
def submit(n: int | None, code: str, lang: str) -> tuple[Any, Any]:
    """Use the code: this browser becomes the kiosk, and goes to its page."""
    if not n:
        return no_update, no_update
    try:
        kiosk, cookie = devices.pair(
            context(), code, request.remote_addr, request.headers.get("User-Agent")
        )
    except errors.HallqError as exc:
        return no_update, exc.message(lang)
    device_cookie.remember(dash.ctx.response.set_cookie, cookie)
    return path(f"/kiosk/{kiosk}"), t("pair.done", lang, kiosk=kiosk)
