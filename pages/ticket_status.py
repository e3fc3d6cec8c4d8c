"""The visitor's phone: follow a ticket from the QR code, and rate the service afterwards.

Readable on a small screen in zh-CN or English; it refreshes itself every few seconds and buzzes
the phone when the ticket is called. Once served, five buttons rate the service (好差评), once.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import dash
from dash import ALL, Input, Output, State, callback, clientside_callback, dcc, html, no_update
from pydantic import StringConstraints

from components.ticket_words import chosen_service, expected_wait
from queues import answers, errors, services
from queues.inputs import Comment, Lang, PublicId, Score
from queues.read import tickets
from queues.rules.lifecycle import Outcome, Status
from queues.text.directions import directions
from queues.text.i18n import other_lang, t
from web import boundary
from web.current import context, lang_of

boundary.accepts(
    {
        "phone-ticket.data": PublicId | Literal[""],
        "phone-lang.data": Lang,
        "phone-status.data": Annotated[str, StringConstraints(max_length=64)] | None,
        "phone-comment.value": Comment | None,
        "phone-score.id.index": Score,
    }
)

REFRESH_MS = 5_000
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
SCORES = (5, 4, 3, 2, 1)


def layout(ticket_id: str = "", lang: str | None = None, **_: str) -> html.Div:
    lang = lang_of(lang)
    cfg = context().config
    if not PUBLIC_ID.fullmatch(ticket_id):
        ticket_id = ""  # not an id any ticket has: the page says so
    return html.Div(
        [
            dcc.Store(id="phone-ticket", data=ticket_id),
            dcc.Store(id="phone-lang", data=lang),
            dcc.Store(id="phone-status", data=None),
            dcc.Interval(id="phone-refresh", interval=REFRESH_MS),
            html.Div(
                [
                    html.Span(cfg.hall.name(lang), className="phone-hall", id="phone-hall"),
                    html.Button(
                        t("lang.switch", lang), id="phone-lang-btn", className="phone-lang"
                    ),
                ],
                className="phone-top",
            ),
            html.H1(t("phone.title", lang), className="phone-title", id="phone-title"),
            html.Div(id="phone-body", className="phone-body"),
            html.Div(id="phone-rating", className="phone-rating"),
            html.P(t("phone.refresh", lang), className="phone-note", id="phone-note"),
        ],
        className="phone",
        lang="en" if lang == "en" else "zh-CN",
    )


dash.register_page("ticket-status", path_template="/t/<ticket_id>", layout=layout, title="hallq")


def _body(v: answers.TicketView, lang: str) -> list[Any]:
    cfg = context().config
    service = chosen_service(cfg, v, lang)
    parts: list[Any] = [
        html.P(t("phone.number", lang), className="phone-label"),
        html.Div(v.number, className="phone-number", id="phone-number"),
        html.P(service, className="phone-service"),
    ]
    if v.status == Status.WAITING:
        where = directions(cfg, v.service, v.target_window)
        wait = expected_wait(v, lang)
        parts += [
            html.P(
                t("phone.waiting", lang),
                className="phone-state phone-state-waiting",
                id="phone-state",
            ),
            html.P(t("kiosk.ticket.ahead", lang, ahead=v.ahead or 0), className="phone-ahead"),
            html.P(wait, className="phone-wait"),
            html.P(where.text(lang), className="phone-where"),
        ]
    elif v.status == Status.CALLED:
        parts.append(
            html.P(
                t("phone.called", lang, window=v.window),
                className="phone-state phone-state-called",
                id="phone-state",
            )
        )
    elif v.status == Status.SERVING:
        parts.append(
            html.P(
                t("phone.serving", lang, window=v.window), className="phone-state", id="phone-state"
            )
        )
    elif v.status == Status.DONE:
        done = t("phone.done", lang)
        parts.append(html.P(done, className="phone-state phone-state-done", id="phone-state"))
        if v.outcome == Outcome.PROMISED and v.promised_date:
            promised = t("phone.promised", lang, date=v.promised_date.isoformat())
            parts.append(html.P(promised, className="phone-ahead"))
    elif v.status == Status.NO_SHOW:
        parts.append(html.P(t("phone.no_show", lang), className="phone-state", id="phone-state"))
    else:
        parts.append(html.P(t("phone.ended", lang), className="phone-state", id="phone-state"))
    return parts


def _rating(v: answers.TicketView, lang: str) -> list[Any]:
    if v.status != Status.DONE:
        return []
    if v.rating is not None:
        return [
            html.P(
                t("phone.rated", lang, label=t(f"rating.{v.rating}", lang)), className="phone-rated"
            )
        ]
    return [
        html.H2(t("phone.rate", lang), className="phone-rate-title"),
        dcc.Textarea(
            id="phone-comment",
            placeholder=t("phone.comment", lang),
            className="phone-comment",
            maxLength=500,
        ),
        html.Div(
            [
                html.Button(
                    t(f"rating.{score}", lang),
                    id={"type": "phone-score", "index": score},
                    className=f"phone-score phone-score-{score}",
                    n_clicks=0,
                )
                for score in SCORES
            ],
            className="phone-scores",
        ),
        html.Div(id="phone-rate-message", className="phone-rate-message"),
    ]


@callback(
    Output("phone-body", "children"),
    Output("phone-rating", "children"),
    Output("phone-status", "data"),
    Output("phone-hall", "children"),
    Output("phone-title", "children"),
    Output("phone-lang-btn", "children"),
    Output("phone-note", "children"),
    Input("phone-refresh", "n_intervals"),
    Input("phone-lang", "data"),
    State("phone-ticket", "data"),
    State("phone-status", "data"),
)
def refresh(_: int | None, lang: str, ticket_id: str, shown: str | None) -> tuple[Any, ...]:
    """The ticket as it stands; the rating buttons appear once, after the service."""
    cfg = context().config
    labels = (
        cfg.hall.name(lang),
        t("phone.title", lang),
        t("lang.switch", lang),
        t("phone.refresh", lang),
    )
    try:
        if not ticket_id:
            raise errors.UnknownTicket(ticket=ticket_id)
        v = tickets.ticket(context(), ticket_id)
    except errors.UnknownTicket:
        return (html.P(t("phone.unknown", lang), className="phone-state"), [], "unknown", *labels)
    except errors.StoreUnavailable:
        return (no_update, no_update, no_update, *labels)
    key = f"{v.status}:{v.rating}:{lang}"
    if key == shown:  # the rating block keeps what the visitor is typing
        return (_body(v, lang), no_update, no_update, *labels)
    return (_body(v, lang), _rating(v, lang), key, *labels)


@callback(
    Output("phone-rating", "children", allow_duplicate=True),
    Input({"type": "phone-score", "index": ALL}, "n_clicks"),
    State("phone-comment", "value"),
    State("phone-ticket", "data"),
    State("phone-lang", "data"),
    prevent_initial_call=True,
)
def rate(clicks: list[int], comment: str | None, ticket_id: str, lang: str) -> Any:
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
        return no_update
    score = int(dash.ctx.triggered_id["index"])
    try:
        services.rate(context(), ticket_id, score, comment)
    except errors.AlreadyRated:
        pass
    except errors.HallqError as exc:
        return [html.P(exc.message(lang), className="phone-rate-message")]
    return [html.P(t("phone.thanks", lang), className="phone-rated", id="phone-thanks")]


@callback(
    Output("phone-lang", "data"),
    Input("phone-lang-btn", "n_clicks"),
    State("phone-lang", "data"),
    prevent_initial_call=True,
)
def switch_language(_: int, lang: str) -> str:
    return other_lang(lang)


clientside_callback(
    """
    function(status) {
        if (status && status.startsWith("called") && navigator.vibrate) {
            navigator.vibrate([300, 150, 300, 150, 300]);
        }
        return window.dash_clientside.no_update;
    }
    """,
    Output("phone-status", "data", allow_duplicate=True),
    Input("phone-status", "data"),
    prevent_initial_call=True,
)
