"""For managers: the hall's webhooks. Register an endpoint (its secret shown once), see each
one's newest delivery, its delivery log, replay a failed delivery, deactivate an endpoint."""

from __future__ import annotations

from typing import Annotated, Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html, no_update
from pydantic import Field, Strict

from components.screens import manager_bar, managers_only
from queues import errors, webhooks
from queues.inputs import Lang, RowId, WebhookType
from queues.rules.webhook import TYPES
from queues.text.i18n import t
from web import auth, boundary
from web.current import context, lang_of

PAGE = "webhooks"
POLL_MS = 3_000
Tick = Annotated[int, Strict(), Field(ge=0, le=2**31)] | None

boundary.accepts(
    {
        "webhooks-lang.data": Lang,
        "webhooks-tick.data": Tick,
        "webhooks-selected.data": RowId | None,
        # what a browser types is checked by the use case, which says what is wrong in words
        "webhooks-url.value": Annotated[str, Strict(), Field(max_length=2000)] | None,
        "webhooks-secret.value": Annotated[str, Strict(), Field(max_length=400)] | None,
        "webhooks-events.value": Annotated[list[WebhookType], Field(max_length=20)] | None,
        "webhooks-show.id.index": RowId,
        "webhooks-deactivate.id.index": RowId,
        "webhooks-replay.id.index": RowId,
    }
)


def layout(lang: str | None = None, **_: str) -> Any:
    lang = lang_of(lang)
    user, instead = managers_only(PAGE, "/staff/webhooks", lang)
    if user is None:
        return instead
    return dbc.Container(
        [
            dcc.Interval(id="webhooks-poll", interval=POLL_MS),
            dcc.Store(id="webhooks-lang", data=lang),
            dcc.Store(id="webhooks-tick", data=0),
            dcc.Store(id="webhooks-selected", data=None),
            manager_bar(t("webhook.title", lang), "/staff/webhooks", lang),
            html.P(t("webhook.lead", lang), className="text-muted"),
            html.Div(id="webhooks-message"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.H2(t("webhook.list", lang), className="h5"),
                            html.Div(id="webhooks-list"),
                            html.H2(t("webhook.log", lang), className="h5 mt-4"),
                            html.Div(id="webhooks-log"),
                        ],
                        lg=8,
                    ),
                    dbc.Col(_form(lang), lg=4),
                ],
                className="mt-3",
            ),
        ],
        fluid=True,
        className="py-3",
    )


def _form(lang: str) -> list[Any]:
    return [
        html.H2(t("webhook.register", lang), className="h5"),
        dbc.Label(t("webhook.url", lang), html_for="webhooks-url", className="small mb-0"),
        dbc.Input(id="webhooks-url", type="url", placeholder="https://", className="mb-2"),
        html.Div(t("webhook.events", lang), className="small mb-1", id="webhooks-events-label"),
        dbc.Checklist(
            id="webhooks-events",
            options=[{"label": t(f"webhook.type.{k}", lang), "value": k} for k in TYPES],
            value=["called"],
            className="mb-2",
        ),
        dbc.Label(t("webhook.secret", lang), html_for="webhooks-secret", className="small mb-0"),
        dbc.Input(id="webhooks-secret", type="text", autocomplete="off", className="mb-1"),
        html.Div(t("webhook.secret.hint", lang), className="small text-muted mb-2"),
        dbc.Button(t("webhook.register.button", lang), id="webhooks-register", color="primary"),
    ]


dash.register_page(
    PAGE,
    path="/staff/webhooks",
    layout=layout,
    title=t("screen.webhooks"),
    screen_order=82,
    title_key="screen.webhooks",
    about_key="screen.webhooks.about",
)


def _when(moment: Any, tz: Any) -> str:
    return f"{moment.astimezone(tz):%m-%d %H:%M:%S}" if moment else ""


def _status(status: str | None, lang: str) -> str:
    return t(f"webhook.status.{status}", lang) if status else t("webhook.none", lang)


@callback(
    Output("webhooks-list", "children"),
    Output("webhooks-log", "children"),
    Input("webhooks-poll", "n_intervals"),
    Input("webhooks-tick", "data"),
    Input("webhooks-selected", "data"),
    State("webhooks-lang", "data"),
)
def show(_n: int | None, _tick: int | None, selected: int | None, lang: str) -> tuple[Any, Any]:
    auth.require("manager")
    ctx = context()
    try:
        found = webhooks.hooks(ctx)
        log = webhooks.deliveries(ctx, selected, limit=50) if selected else None
    except errors.UnknownWebhook:
        found, log = webhooks.hooks(ctx), None
    except errors.HallqError:
        return no_update, no_update
    rows = [
        html.Tr(
            [
                html.Td(h.id),
                html.Td(html.Code(h.url), className="small text-break"),
                html.Td(
                    ", ".join(t(f"webhook.type.{k}", lang) for k in h.events), className="small"
                ),
                html.Td(t("webhook.active" if h.active else "webhook.inactive", lang)),
                html.Td(
                    [
                        _status(h.last_status, lang),
                        html.Div(_when(h.last_at, ctx.tz), className="small text-muted"),
                    ],
                    className="webhooks-last",
                ),
                html.Td(str(h.pending)),
                html.Td(str(h.failed), className="text-danger" if h.failed else ""),
                html.Td(
                    [
                        dbc.Button(
                            t("webhook.show_log", lang),
                            id={"type": "webhooks-show", "index": h.id},
                            size="sm",
                            color="link",
                        ),
                        dbc.Button(
                            t("webhook.deactivate", lang),
                            id={"type": "webhooks-deactivate", "index": h.id},
                            size="sm",
                            color="outline-danger",
                        )
                        if h.active
                        else None,
                    ]
                ),
            ],
            className="" if h.active else "text-muted",
        )
        for h in found
    ]
    table = (
        _table(
            ["id", "url", "events", "state", "last", "pending", "failed", "actions"],
            rows,
            lang,
            "webhooks-table",
        )
        if rows
        else html.P(t("webhook.no_hooks", lang))
    )
    if log is None:
        return table, html.P(t("webhook.pick", lang), className="text-muted")
    log_rows = [
        html.Tr(
            [
                html.Td(d.id),
                html.Td(t(f"webhook.type.{d.type}", lang)),
                html.Td(_when(d.created_at, ctx.tz)),
                html.Td(_status(d.status, lang), className=f"webhooks-status-{d.status}"),
                html.Td(str(d.attempts)),
                html.Td(
                    str(d.last_status_code or "") + (f" {d.last_error}" if d.last_error else ""),
                    className="small text-break",
                ),
                html.Td(
                    dbc.Button(
                        t("webhook.replay", lang),
                        id={"type": "webhooks-replay", "index": d.id},
                        size="sm",
                        color="outline-primary",
                    )
                    if d.status == "failed"
                    else None
                ),
            ],
            className="table-danger" if d.status == "failed" else "",
        )
        for d in log
    ]
    heading = html.Div(t("webhook.log_of", lang, id=selected), className="small mb-1")
    if not log_rows:
        return table, [heading, html.P(t("webhook.no_deliveries", lang))]
    return table, [
        heading,
        _table(
            ["id", "type", "created", "status", "attempts", "answer", "actions"],
            log_rows,
            lang,
            "webhooks-log-table",
        ),
    ]


def _table(keys: list[str], rows: list[Any], lang: str, ident: str) -> Any:
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"webhook.col.{k}", lang)) for k in keys])),
            html.Tbody(rows),
        ],
        id=ident,
        size="sm",
        hover=True,
        responsive=True,
    )


@callback(
    Output("webhooks-message", "children"),
    Output("webhooks-tick", "data"),
    Input("webhooks-register", "n_clicks"),
    State("webhooks-url", "value"),
    State("webhooks-events", "value"),
    State("webhooks-secret", "value"),
    State("webhooks-lang", "data"),
    State("webhooks-tick", "data"),
    prevent_initial_call=True,
)
def register(
    n: int | None,
    url: str | None,
    events: list[str] | None,
    secret: str | None,
    lang: str,
    tick: int | None,
) -> tuple[Any, Any]:
    """Register an endpoint; its secret is shown in this message, once."""
    user = auth.require("manager")
    if not n:
        return no_update, no_update
    try:
        made = webhooks.register(context(), url or "", events or [], user.actor, secret=secret)
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="danger", id="webhooks-error"), no_update
    done = dbc.Alert(
        [
            html.Div(t("webhook.registered", lang, id=made.hook.id)),
            html.Div(t("webhook.secret.once", lang), className="fw-bold"),
            html.Code(made.secret, id="webhooks-new-secret", className="user-select-all"),
        ],
        color="success",
        id="webhooks-registered",
    )
    return done, (tick or 0) + 1


@callback(
    Output("webhooks-selected", "data"),
    Input({"type": "webhooks-show", "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def select(_clicks: list[int | None]) -> Any:
    auth.require("manager")
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
        return no_update
    return int(dash.ctx.triggered_id["index"])


@callback(
    Output("webhooks-message", "children", allow_duplicate=True),
    Output("webhooks-tick", "data", allow_duplicate=True),
    Input({"type": "webhooks-deactivate", "index": ALL}, "n_clicks"),
    State("webhooks-lang", "data"),
    State("webhooks-tick", "data"),
    prevent_initial_call=True,
)
def deactivate(_clicks: list[int | None], lang: str, tick: int | None) -> tuple[Any, Any]:
    user = auth.require("manager")
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
        return no_update, no_update
    hook_id = int(dash.ctx.triggered_id["index"])
    try:
        webhooks.deactivate(context(), hook_id, user.actor)
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="warning"), no_update
    return dbc.Alert(t("webhook.deactivated", lang, id=hook_id), color="success"), (tick or 0) + 1


@callback(
    Output("webhooks-message", "children", allow_duplicate=True),
    Output("webhooks-tick", "data", allow_duplicate=True),
    Input({"type": "webhooks-replay", "index": ALL}, "n_clicks"),
    State("webhooks-selected", "data"),
    State("webhooks-lang", "data"),
    State("webhooks-tick", "data"),
    prevent_initial_call=True,
)
def replay(
    _clicks: list[int | None], selected: int | None, lang: str, tick: int | None
) -> tuple[Any, Any]:
    user = auth.require("manager")
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"] or not selected:
        return no_update, no_update
    delivery = int(dash.ctx.triggered_id["index"])
    try:
        webhooks.replay(context(), selected, delivery, user.actor)
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="warning"), no_update
    done = dbc.Alert(
        t("webhook.replayed", lang, id=delivery), color="success", id="webhooks-replayed"
    )
    return done, (tick or 0) + 1
