"""The counter console: a clerk's window for the day (``/counter/<window>``).

Call, recall, start, finish with the outcome, no-show (taken back within seconds), transfer,
pause and resume, with keyboard shortcuts that work everywhere but in text fields
(``assets/counter.js``); the ticket in hand with how long it waited and where it came from; who
waits for the window, next first, any of them called out of turn (特呼); the window's figures for
today; and a record of who was served (staff only). Each new ticket starts with a clean form.
Every callback checks on the server that a signed-in clerk may work this window
(:func:`web.auth.require`); buttons that make no sense now are disabled, and the service layer
refuses them anyway.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html, no_update
from pydantic import Field, Strict, StringConstraints

from components import live
from components.qr import qr_data_uri
from components.screens import other_hall, with_lang
from queues import errors, services
from queues.access.requesters import Requester
from queues.inputs import (
    Code,
    Company,
    Flag,
    Lang,
    Name,
    Phone,
    PublicId,
    TicketNumber,
    Typed,
    WindowId,
    day_of,
)
from queues.read import counters
from queues.rules.lifecycle import Action, Outcome, Priority, WindowState, allows, latest_promise
from queues.text.i18n import PAUSE_REASONS, other_lang, t, window_state
from web import auth, boundary
from web.current import context, lang_of, path, public_address

PAGE = "counter"
WindowChoice = Annotated[str, Strict(), StringConstraints(pattern=r"^[1-9][0-9]{0,3}$")]
"""A window picked in the transfer's select (a select's values are text)."""
BUTTONS = ("call", "recall", "start", "finish", "no-show", "transfer", "pause", "resume", "close")
"""The console's buttons (ids ``counter-<button>``)."""
CLEARED = {
    "outcome": Outcome.DONE.value,
    "promised": "",
    "to-service": "",
    "to-window": "",
    "reason": "break",
}
"""What the form holds for each new ticket (ids ``counter-<field>``): chosen for one visitor, it
must not stay chosen for the next."""

boundary.accepts(
    {
        "counter-window.data": WindowId,
        "counter-lang.data": Lang,
        "counter-outcome.value": Outcome | None,
        "counter-promised.value": Typed | None,
        "counter-to-service.value": Code | Literal[""] | None,
        "counter-to-window.value": WindowChoice | WindowId | Literal[""] | None,
        "counter-reason.value": Literal[PAUSE_REASONS] | None,  # type: ignore[valid-type]
        "counter-tick.data": Annotated[int, Strict(), Field(ge=0, le=2**31)] | None,
        "counter-holding.data": PublicId | None,
        "counter-visitor-name.value": Name | None,
        "counter-visitor-company.value": Company | None,
        "counter-visitor-phone.value": Phone | None,
        "counter-special-number.value": Typed | None,
        "counter-call-this.id.number": TicketNumber,
        "counter-issue-service.value": Code | Literal[""] | None,
        "counter-issue-priority.value": Flag | None,
        "counter-issue-request.data": PublicId,
    }
)


def layout(window: str = "", lang: str | None = None, **_: str) -> Any:
    lang = lang_of(lang)
    ctx = context()
    number = _number(window)
    known = next((w for w in ctx.config.windows if w.id == number), None)
    user = auth.current_user()
    if user is None:
        return dbc.Container(
            [
                dcc.Location(
                    id="counter-to-login",
                    href=f"{path('/login')}?next={path(f'/counter/{window}')}",
                    refresh=True,
                ),
                html.P(t("counter.sign_in_first", lang), className="mt-5"),
            ]
        )
    if not auth.may_act_here(user):
        return other_hall(user, lang)
    if known is None:
        return dbc.Container(
            html.H1(t("error.unknown_window", lang, window=window), className="mt-5")
        )
    if not user.may_work(number):
        return dbc.Container(html.H1(t("counter.not_yours", lang, window=number), className="mt-5"))
    none = {"label": "—", "value": ""}
    services_for_transfer = [none] + [
        {"label": s.name(lang), "value": s.code} for s in ctx.config.services
    ]
    today = ctx.business_day()
    latest = latest_promise(today)
    windows_for_transfer = [none] + [
        {
            "label": f"{t('window.label', lang, id=w.id)} · {w.department(lang)}",
            "value": str(w.id),
        }
        for w in ctx.config.windows
        if w.id != number
    ]
    return html.Main(
        [
            *live.poller(PAGE, None, interval_ms=2_000),
            dcc.Store(id="counter-window", data=number),
            dcc.Store(id="counter-lang", data=lang),
            dcc.Store(id="counter-tick", data=0),
            dcc.Store(id="counter-holding", data=None),
            html.Header(
                [
                    html.Div(
                        [
                            html.H1(
                                t(
                                    "counter.title",
                                    lang,
                                    window=number,
                                    department=known.department(lang),
                                ),
                                className="counter-title",
                            ),
                            html.Span(id="counter-state", className="counter-state"),
                        ],
                        className="d-flex align-items-center gap-3",
                    ),
                    html.Div(
                        [
                            html.Span(user.display_name, className="me-3"),
                            html.A(
                                t("lang.switch", lang),
                                href=with_lang(path(f"/counter/{window}"), other_lang(lang)),
                                className="me-3 text-white",
                            ),
                            html.A(
                                t("login.sign_out", lang),
                                href=path("/logout"),
                                className="text-white",
                                id="counter-sign-out",
                            ),
                        ]
                    ),
                ],
                className="counter-header",
            ),
            html.Div(id="counter-message", className="counter-message"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Card(
                                dbc.CardBody(
                                    [
                                        html.H2(
                                            t("counter.current", lang), className="h6 text-muted"
                                        ),
                                        html.Div(id="counter-current"),
                                    ]
                                ),
                                className="mb-3",
                            ),
                            html.Div(
                                [
                                    _button("call", "counter.call", "primary", "Space", lang),
                                    _button("recall", "counter.recall", "secondary", "R", lang),
                                    _button("start", "counter.start", "success", "S", lang),
                                    _button("no-show", "counter.no_show", "warning", "N", lang),
                                ],
                                className="counter-actions",
                            ),
                            html.Div(
                                html.Button(
                                    [
                                        t("counter.undo", lang),
                                        html.Span(id="counter-undo-number", className="ms-2"),
                                        html.Span(id="counter-undo-left", className="ms-2"),
                                        html.Kbd("U", className="ms-2 counter-kbd"),
                                    ],
                                    id="counter-undo",
                                    n_clicks=0,
                                    disabled=True,
                                    className="btn btn-lg btn-outline-dark counter-btn",
                                    **{"data-key": "U"},
                                ),
                                id="counter-undo-box",
                                className="counter-undo-box d-none",
                            ),
                            dbc.Card(
                                dbc.CardBody(
                                    [
                                        dbc.Label(t("counter.outcome", lang)),
                                        dbc.RadioItems(
                                            id="counter-outcome",
                                            options=[
                                                {"label": t(f"outcome.{o}", lang), "value": o}
                                                for o in Outcome
                                            ],
                                            value=Outcome.DONE,
                                            inline=True,
                                            className="mb-2",
                                        ),
                                        dbc.Row(
                                            [
                                                dbc.Col(
                                                    [
                                                        dbc.Label(
                                                            t("counter.promised_date", lang),
                                                            html_for="counter-promised",
                                                        ),
                                                        dbc.Input(
                                                            id="counter-promised",
                                                            type="date",
                                                            min=today.isoformat(),
                                                            max=latest.isoformat(),
                                                        ),
                                                        dbc.FormText(
                                                            t(
                                                                "counter.check_promised",
                                                                lang,
                                                                earliest=today.isoformat(),
                                                                latest=latest.isoformat(),
                                                            )
                                                        ),
                                                    ],
                                                    md=6,
                                                ),
                                                dbc.Col(
                                                    _button(
                                                        "finish",
                                                        "counter.finish",
                                                        "success",
                                                        "F",
                                                        lang,
                                                    ),
                                                    md=6,
                                                    className="d-flex align-items-end",
                                                ),
                                            ]
                                        ),
                                    ]
                                ),
                                className="mb-3",
                            ),
                            dbc.Card(
                                dbc.CardBody(
                                    dbc.Row(
                                        [
                                            dbc.Col(
                                                [
                                                    dbc.Label(
                                                        t("counter.transfer.service", lang),
                                                        html_for="counter-to-service",
                                                    ),
                                                    dbc.Select(
                                                        id="counter-to-service",
                                                        options=services_for_transfer,
                                                        value="",
                                                    ),
                                                ],
                                                md=5,
                                            ),
                                            dbc.Col(
                                                [
                                                    dbc.Label(
                                                        t("counter.transfer.window", lang),
                                                        html_for="counter-to-window",
                                                    ),
                                                    dbc.Select(
                                                        id="counter-to-window",
                                                        options=windows_for_transfer,
                                                        value="",
                                                    ),
                                                ],
                                                md=4,
                                            ),
                                            dbc.Col(
                                                _button(
                                                    "transfer",
                                                    "counter.transfer",
                                                    "info",
                                                    "T",
                                                    lang,
                                                ),
                                                md=3,
                                                className="d-flex align-items-end",
                                            ),
                                        ]
                                    )
                                ),
                                className="mb-3",
                            ),
                            dbc.Card(
                                dbc.CardBody(
                                    [
                                        html.H2(
                                            t("counter.visitor", lang), className="h6 text-muted"
                                        ),
                                        dbc.Row(
                                            [
                                                dbc.Col(
                                                    dbc.Input(
                                                        id="counter-visitor-name",
                                                        placeholder=t("counter.visitor.name", lang),
                                                    ),
                                                    md=3,
                                                ),
                                                dbc.Col(
                                                    dbc.Input(
                                                        id="counter-visitor-company",
                                                        placeholder=t(
                                                            "counter.visitor.company", lang
                                                        ),
                                                    ),
                                                    md=4,
                                                ),
                                                dbc.Col(
                                                    dbc.Input(
                                                        id="counter-visitor-phone",
                                                        type="tel",
                                                        placeholder=t(
                                                            "counter.visitor.phone", lang
                                                        ),
                                                    ),
                                                    md=3,
                                                ),
                                                dbc.Col(
                                                    dbc.Button(
                                                        t("counter.visitor.save", lang),
                                                        id="counter-visitor-save",
                                                        color="secondary",
                                                        n_clicks=0,
                                                    ),
                                                    md=2,
                                                ),
                                            ],
                                            className="g-2",
                                        ),
                                    ]
                                ),
                            ),
                        ],
                        lg=8,
                    ),
                    dbc.Col(
                        [
                            dbc.Card(
                                dbc.CardBody([html.Div(id="counter-queue"), *_line_card(lang)]),
                                className="mb-3",
                            ),
                            dbc.Card(dbc.CardBody(_issue_card(ctx, lang)), className="mb-3"),
                            dbc.Card(
                                dbc.CardBody(
                                    [
                                        dbc.Label(
                                            t("counter.reason", lang), html_for="counter-reason"
                                        ),
                                        dbc.Select(
                                            id="counter-reason",
                                            options=[
                                                {
                                                    "label": t(f"counter.reason.{r}", lang),
                                                    "value": r,
                                                }
                                                for r in PAUSE_REASONS
                                            ],
                                            value="break",
                                            className="mb-2",
                                        ),
                                        html.Div(
                                            [
                                                _button(
                                                    "pause", "counter.pause", "warning", "P", lang
                                                ),
                                                _button(
                                                    "resume",
                                                    "counter.resume",
                                                    "success",
                                                    None,
                                                    lang,
                                                ),
                                                _button(
                                                    "close",
                                                    "counter.close",
                                                    "outline-danger",
                                                    None,
                                                    lang,
                                                ),
                                            ],
                                            className="d-grid gap-2",
                                        ),
                                    ]
                                ),
                                className="mb-3",
                            ),
                            dbc.Card(dbc.CardBody(html.Div(id="counter-today"))),
                        ],
                        lg=4,
                    ),
                ],
                className="counter-body",
            ),
            html.P(t("counter.keys", lang), className="counter-keys text-muted"),
            html.Div(id="counter-gate", className="counter-gate", role="alert"),
        ],
        className="counter",
    )


dash.register_page(
    "counter",
    path_template="/counter/<window>",
    layout=layout,
    title=t("screen.counter"),
    screen_order=30,
    title_key="screen.counter",
    about_key="screen.counter.about",
    example_path="/counter/1",
)


def _number(window: str) -> int:
    try:
        return int(window)
    except ValueError:
        return -1


def _line_card(lang: str) -> list[Any]:
    """Who waits for this window, next first, each with 特呼; and a number to call typed in."""
    return [
        html.H2(t("counter.line", lang), className="h6 text-muted mt-2"),
        html.Div(id="counter-line", className="counter-line"),
        dbc.Label(
            t("counter.special.label", lang), html_for="counter-special-number", className="mt-2"
        ),
        dbc.InputGroup(
            [
                dbc.Input(
                    id="counter-special-number",
                    placeholder=t("counter.special.placeholder", lang),
                    maxLength=16,
                    autoComplete="off",
                    n_submit=0,
                ),
                dbc.Button(
                    [t("counter.special", lang), html.Kbd("C", className="ms-2 counter-kbd")],
                    id="counter-special",
                    color="primary",
                    n_clicks=0,
                ),
            ]
        ),
    ]


def _issue_card(ctx: Any, lang: str) -> list[Any]:
    """A ticket for the visitor in front of the window (a village point has no kiosk): the
    matter, priority or not, and the number shown large with the phone's QR code."""
    none = {"label": "—", "value": ""}
    matters = [none] + [{"label": s.name(lang), "value": s.code} for s in ctx.config.services]
    return [
        html.H2(t("counter.issue.title", lang), className="h6 text-muted"),
        dcc.Store(id="counter-issue-request", data=uuid.uuid4().hex),
        dbc.Label(t("counter.issue.service", lang), html_for="counter-issue-service"),
        dbc.Select(id="counter-issue-service", options=matters, value="", className="mb-2"),
        dbc.Checkbox(
            id="counter-issue-priority",
            label=t("counter.issue.priority", lang),
            value=False,
            className="mb-2",
        ),
        dbc.Button(t("counter.issue", lang), id="counter-issue-btn", color="primary", n_clicks=0),
        html.Div(id="counter-issued", className="counter-issued", **{"aria-live": "polite"}),
        html.A(
            t("take.poster.link", lang),
            href=path("/staff/take-qr"),
            id="counter-take-qr",
            className="small d-block mt-2",
        ),
    ]


def _button(action: str, label: str, color: str, key: str | None, lang: str) -> html.Button:
    content: list[Any] = [t(label, lang)]
    if key:
        content.append(html.Kbd(key, className="ms-2 counter-kbd"))
    return html.Button(
        content,
        id=f"counter-{action}",
        n_clicks=0,
        className=f"btn btn-lg btn-{color} counter-btn",
        **{"data-key": key or ""},
    )


# --- acting -----------------------------------------------------------------------------------


@callback(
    Output("counter-message", "children"),
    Output("counter-tick", "data"),
    *[Input(f"counter-{a}", "n_clicks") for a in BUTTONS],
    State("counter-window", "data"),
    State("counter-lang", "data"),
    State("counter-outcome", "value"),
    State("counter-promised", "value"),
    State("counter-to-service", "value"),
    State("counter-to-window", "value"),
    State("counter-reason", "value"),
    State("counter-tick", "data"),
    prevent_initial_call=True,
)
def act(*args: Any) -> tuple[Any, int]:
    """One of the window's actions by the signed-in clerk, or the reason it cannot be done."""
    window, lang, outcome, promised, to_service, to_window, reason, tick = args[len(BUTTONS) :]
    user = auth.require("clerk", window)  # first: a stranger's post learns nothing
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
        return no_update, no_update
    action = str(dash.ctx.triggered_id).removeprefix("counter-")
    ctx = context()
    try:
        message = _do(
            ctx, action, window, user.actor, lang, outcome, promised, to_service, to_window, reason
        )
        color = "success"
    except errors.HallqError as exc:
        message, color = exc.message(lang), "danger"
    return dbc.Alert(message, color=color, className="py-2 mb-2", id="counter-alert"), (
        tick or 0
    ) + 1


def _do(
    ctx: Any,
    action: str,
    window: int,
    actor: str,
    lang: str,
    outcome: str,
    promised: str | None,
    to_service: str | None,
    to_window: int | str | None,
    reason: str,
) -> str:
    if action == "call":
        called = services.call_next(ctx, window, actor)
        return (
            t("counter.called", lang, number=called.number) if called else t("counter.nobody", lang)
        )
    if action in ("pause", "resume", "close"):
        if action == "pause":
            w = services.pause(ctx, window, actor, t(f"counter.reason.{reason or 'other'}", "zh"))
        else:
            w = (services.resume if action == "resume" else services.close)(ctx, window, actor)
        return t("counter.window_done", lang, state=t(f"window.{w.state}", lang))
    if action == "finish":
        when = _promised_day(promised) if outcome == Outcome.PROMISED else None
        v = services.finish(ctx, window, actor, outcome or Outcome.DONE, when)
    elif action == "transfer":
        v = services.transfer(
            ctx, window, actor, service=to_service or None, window=int(to_window or 0) or None
        )
    else:
        v = {"recall": services.recall, "start": services.start, "no-show": services.no_show}[
            action
        ](ctx, window, actor)
    label = t(f"action.{action.replace('-', '_')}", lang)
    return t("counter.done", lang, number=v.number, action=label)


def _promised_day(text: str | None) -> Any:
    """The promised date the field holds; what is not a date is said in words (the use case
    says what is wrong with a date: past, too far)."""
    if not text:
        return None
    day = day_of(text)
    if day is None:
        raise errors.PromisedDateInvalid(date=text)
    return day


def _alert(message: str, color: str) -> Any:
    return dbc.Alert(message, color=color, className="py-2 mb-2", id="counter-alert")


@callback(
    Output("counter-issued", "children"),
    Output("counter-issue-request", "data"),
    Output("counter-tick", "data", allow_duplicate=True),
    Input("counter-issue-btn", "n_clicks"),
    State("counter-window", "data"),
    State("counter-lang", "data"),
    State("counter-issue-service", "value"),
    State("counter-issue-priority", "value"),
    State("counter-issue-request", "data"),
    State("counter-tick", "data"),
    prevent_initial_call=True,
)
def issue_here(
    n: int | None,
    window: int,
    lang: str,
    service: str | None,
    priority: bool | None,
    request_id: str,
    tick: int | None,
) -> tuple[Any, Any, Any]:
    """A ticket for the visitor at the window, issued by the clerk (no limit, as staff) with
    the console's request id: a double click gives one ticket; each ticket issued, a new id.
    The slip prints at the kiosk the window's ``print_at`` names, if any."""
    user = auth.require("clerk", window)
    if not n:
        return no_update, no_update, no_update
    if not service:
        return _alert(t("counter.issue.choose", lang), "warning"), no_update, no_update
    ctx = context()
    here = next((w for w in ctx.config.windows if w.id == window), None)
    kiosk = here.print_at if here else None
    try:
        issued = services.issue(
            ctx,
            service,
            Priority.PRIORITY if priority else Priority.NORMAL,
            by=Requester.staff(user.actor, auth.client_address(), kiosk),
            request_id=request_id,
        )
    except errors.HallqError as exc:
        return _alert(exc.message(lang), "danger"), no_update, no_update
    shown = _issued(ctx, issued.ticket, kiosk, issued.late, lang)
    return shown, uuid.uuid4().hex, (tick or 0) + 1


def _issued(ctx: Any, ticket: Any, kiosk: str | None, late: bool, lang: str) -> Any:
    """The number large, to tell or show the visitor, and the code their phone follows it by."""
    address = public_address(ticket.status_url)
    svc = ctx.config.service(ticket.requested_service)
    lines: list[Any] = [
        html.P(t("counter.issued", lang), className="mb-1"),
        html.Div(ticket.number, id="counter-issued-number", className="counter-issued-number"),
        html.Div(
            [
                svc.name(lang) if svc else ticket.requested_service,
                *(
                    [" · ", t(f"priority.{ticket.priority}", lang)]
                    if ticket.priority != Priority.NORMAL
                    else []
                ),
            ],
            className="counter-service",
        ),
        html.Img(
            src=qr_data_uri(address),
            alt=t("counter.issued.scan", lang),
            className="counter-issued-qr",
            id="counter-issued-qr",
        ),
        html.Div(t("counter.issued.scan", lang), className="small text-muted"),
        html.A(address, href=address, id="counter-issued-link", className="small text-break"),
    ]
    if kiosk:
        lines.append(html.Div(t("counter.issued.printing", lang, kiosk=kiosk), className="small"))
    if late:  # staff are issued the ticket all the same; the visitor should know
        close = f"{ctx.config.hours.close:%H:%M}"
        lines.append(
            html.Div(t("kiosk.ticket.late", lang, close=close), className="text-danger small")
        )
    return html.Div(lines, className="mt-3")


@callback(
    Output("counter-message", "children", allow_duplicate=True),
    Output("counter-tick", "data", allow_duplicate=True),
    Input("counter-undo", "n_clicks"),
    State("counter-window", "data"),
    State("counter-lang", "data"),
    State("counter-tick", "data"),
    prevent_initial_call=True,
)
def undo(n: int | None, window: int, lang: str, tick: int | None) -> tuple[Any, Any]:
    """Take back the no-show this clerk just made (:func:`queues.services.undo_no_show`)."""
    user = auth.require("clerk", window)
    if not n:
        return no_update, no_update
    try:
        v = services.undo_no_show(context(), window, user.actor)
        shown = _alert(t("counter.undone", lang, number=v.number), "success")
    except errors.HallqError as exc:
        shown = _alert(exc.message(lang), "danger")
    return shown, (tick or 0) + 1


@callback(
    Output("counter-message", "children", allow_duplicate=True),
    Output("counter-tick", "data", allow_duplicate=True),
    Output("counter-special-number", "value"),
    Input("counter-special", "n_clicks"),
    Input("counter-special-number", "n_submit"),
    Input({"type": "counter-call-this", "number": ALL}, "n_clicks"),
    State("counter-window", "data"),
    State("counter-lang", "data"),
    State("counter-special-number", "value"),
    State("counter-tick", "data"),
    prevent_initial_call=True,
)
def call_this(
    _n: int | None,
    _submit: int | None,
    _listed: list[int | None],
    window: int,
    lang: str,
    typed: str | None,
    tick: int | None,
) -> tuple[Any, Any, Any]:
    """特呼: call the number typed in, or the one picked from the line
    (:func:`queues.services.call_number`). What was typed stays when it is refused."""
    user = auth.require("clerk", window)
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
        return no_update, no_update, no_update
    picked = dash.ctx.triggered_id
    number = picked["number"] if isinstance(picked, dict) else (typed or "")
    try:
        v = services.call_number(context(), window, user.actor, number)
    except errors.HallqError as exc:
        return _alert(exc.message(lang), "danger"), (tick or 0) + 1, no_update
    return (
        _alert(t("counter.special.called", lang, number=v.number), "success"),
        (tick or 0) + 1,
        "",
    )


@callback(
    Output("counter-message", "children", allow_duplicate=True),
    Input("counter-visitor-save", "n_clicks"),
    State("counter-window", "data"),
    State("counter-lang", "data"),
    State("counter-visitor-name", "value"),
    State("counter-visitor-company", "value"),
    State("counter-visitor-phone", "value"),
    prevent_initial_call=True,
)
def save_visitor(
    n: int, window: int, lang: str, name: str | None, company: str | None, phone: str | None
) -> Any:
    user = auth.require("clerk", window)
    if not n:
        return no_update
    try:
        services.record_visitor(
            context(), window, user.actor, name=name or "", company=company or "", phone=phone or ""
        )
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="danger", className="py-2 mb-2")
    return dbc.Alert(t("counter.saved", lang), color="success", className="py-2 mb-2")


# --- showing ----------------------------------------------------------------------------------


@callback(
    Output("counter-state", "children"),
    Output("counter-state", "className"),
    Output("counter-current", "children"),
    Output("counter-queue", "children"),
    Output("counter-today", "children"),
    *[Output(f"counter-{a}", "disabled") for a in BUTTONS],
    Output("counter-holding", "data"),
    Output("counter-visitor-name", "value"),
    Output("counter-visitor-company", "value"),
    Output("counter-visitor-phone", "value"),
    *[Output(f"counter-{f}", "value") for f in CLEARED],
    Output("counter-undo", "disabled"),
    Output("counter-undo-box", "className"),
    Output("counter-undo", "value"),
    Output("counter-undo-number", "children"),
    Output("counter-undo-left", "children"),
    Output("counter-line", "children"),
    Output("counter-special", "disabled"),
    Input("counter-tick", "data"),
    Input(live.version_id(PAGE), "data"),
    State("counter-window", "data"),
    State("counter-lang", "data"),
    State("counter-holding", "data"),
)
def show(
    _tick: int, _version: int | None, window: int, lang: str, holding: str | None
) -> tuple[Any, ...]:
    """The window as it is: after every action here, and whenever the hall's board moves."""
    user = auth.require("clerk", window)
    ctx = context()
    try:
        view = counters.console(ctx, window, user.actor)
    except errors.HallqError as exc:
        return (
            exc.message(lang),
            "counter-state badge bg-danger",
            *([no_update] * (3 + len(BUTTONS) + 4 + len(CLEARED) + 7)),
        )
    w, cur = view.window, view.current
    status = cur.status if cur else None
    disabled = {
        "call": w.state != WindowState.OPEN or cur is not None,
        "recall": not allows(status, Action.RECALL),
        "start": not allows(status, Action.START),
        "finish": not allows(status, Action.FINISH),
        "no-show": not allows(status, Action.NO_SHOW),
        "transfer": not allows(status, Action.TRANSFER),
        "pause": w.state != WindowState.OPEN,
        "resume": w.state == WindowState.OPEN,
        "close": w.state == WindowState.CLOSED or cur is not None,
    }
    state = window_state(w.state, w.state_reason, lang)
    badge = {"open": "bg-success", "paused": "bg-warning text-dark", "closed": "bg-secondary"}[
        w.state
    ]
    now_holding = cur.id if cur else None
    visitor = (no_update,) * 3
    cleared: tuple[Any, ...] = (no_update,) * len(CLEARED)
    if now_holding != holding:
        # a new ticket in hand (or none): its record, and a clean form; what the clerk chose or
        # typed for the previous visitor never carries over. Otherwise what is typed stays.
        v = view.visitor
        visitor = (v.name, v.company, v.phone) if v else (None, None, None)
        cleared = tuple(CLEARED.values())
    offer = view.undo
    may_call = w.state == WindowState.OPEN and cur is None
    return (
        state,
        f"counter-state badge {badge}",
        _current(ctx, view, lang),
        _queue(view, lang),
        _today(view, lang),
        *[disabled[a] for a in BUTTONS],
        now_holding,
        *visitor,
        *cleared,
        offer is None,
        "counter-undo-box" if offer else "counter-undo-box d-none",
        str(offer.step_id) if offer else "",
        offer.number if offer else "",
        t("counter.undo_left", lang, seconds=offer.seconds_left) if offer else "",
        _line(ctx, view, lang, may_call),
        not may_call,
    )


def _current(ctx: Any, view: counters.ConsoleView, lang: str) -> Any:
    cur = view.current
    if cur is None:
        return html.P(t("counter.none", lang), className="counter-none", id="counter-number")
    name = cur.service_name_en if lang == "en" else cur.service_name_zh
    badges = [dbc.Badge(t(f"status.{cur.status}", lang), color="primary", className="me-2")]
    if cur.priority != Priority.NORMAL:
        badges.append(
            dbc.Badge(
                t(f"priority.{cur.priority}", lang),
                color="danger" if cur.priority == Priority.GREEN else "warning",
                text_color=None if cur.priority == Priority.GREEN else "dark",
            )
        )
    lines = [t("counter.waited", lang, minutes=view.waited_minutes or 0)]
    if view.from_service:
        came = ctx.config.service(view.from_service)
        lines.append(
            t("counter.from", lang, service=came.name(lang) if came else view.from_service)
        )
    if cur.recalls:
        lines.append(t("counter.recalls", lang, count=cur.recalls))
    return html.Div(
        [
            html.Div(cur.number, className="counter-number", id="counter-number"),
            html.Div(badges, className="mb-2"),
            html.Div(name, className="counter-service"),
            html.Div(" · ".join(lines), className="text-muted"),
        ]
    )


def _queue(view: counters.ConsoleView, lang: str) -> Any:
    return [
        html.H2(
            t("counter.waiting", lang, count=view.waiting), className="h5", id="counter-waiting"
        ),
        html.Div(
            [t("counter.next", lang)]
            + [
                dbc.Badge(n, color="light", text_color="dark", className="me-1 fs-6")
                for n in view.next_numbers
            ]
            if view.next_numbers
            else "",
            id="counter-next",
        ),
    ]


def _line(ctx: Any, view: counters.ConsoleView, lang: str, may_call: bool) -> Any:
    """Who waits for the window, next first (the order call-next takes them in), each with a
    button that calls that one (特呼)."""
    if not view.line:
        return html.P(t("counter.line.empty", lang), className="text-muted mb-0")
    rows = []
    for w in view.line:
        svc = ctx.config.service(w.service)
        badge = (
            dbc.Badge(
                t(f"priority.{w.priority}", lang),
                color="danger" if w.priority == Priority.GREEN else "warning",
                text_color=None if w.priority == Priority.GREEN else "dark",
            )
            if w.priority != Priority.NORMAL
            else None
        )
        rows.append(
            html.Li(
                [
                    html.Span(w.number, className="counter-line-number"),
                    html.Span(badge),
                    html.Span(
                        svc.name(lang) if svc else w.service,
                        title=svc.name(lang) if svc else w.service,
                        className="counter-line-service",
                    ),
                    html.Span(
                        t("counter.line.waited", lang, minutes=w.waited_minutes),
                        className="counter-line-waited",
                    ),
                    html.Button(
                        t("counter.special", lang),
                        id={"type": "counter-call-this", "number": w.number},
                        n_clicks=0,
                        disabled=not may_call,
                        className="btn btn-sm btn-outline-primary",
                    ),
                ],
                className="counter-line-row",
            )
        )
    more = view.waiting - len(view.line)
    extra = [html.P(t("counter.line.more", lang, count=more), className="text-muted mb-0")]
    return [html.Ol(rows, className="counter-line-list"), *(extra if more > 0 else [])]


def _today(view: counters.ConsoleView, lang: str) -> Any:
    d = view.today
    items = [
        t("counter.handled", lang, handled=d.handled, finished=d.finished),
        t("counter.no_shows", lang, count=d.no_shows),
        t("counter.transferred", lang, count=d.transferred),
    ]
    if d.service_mean is not None:
        items.append(t("counter.mean_service", lang, minutes=f"{d.service_mean:.1f}"))
    if d.wait_mean is not None:
        items.append(t("counter.mean_wait", lang, minutes=f"{d.wait_mean:.1f}"))
    return [
        html.H2(t("counter.today", lang), className="h6 text-muted"),
        html.Ul([html.Li(i) for i in items], id="counter-figures"),
    ]
