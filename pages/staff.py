"""For managers: every window's state, the kiosks' printers and their faults, the tickets that
could not be printed, staff accounts and who is signed in where (a manager can end any of those
sessions)."""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Annotated, Any, Literal

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html, no_update
from pydantic import Field, Strict, StringConstraints

from components import help_calls, live, notify_panel
from components.screens import manager_bar, managers_only
from queues import errors, printjobs, services, workday
from queues.access import devices, halls, staff
from queues.inputs import Code, Lang, Name, Password, UserName
from queues.read import counters
from queues.text.i18n import t, window_state
from web import auth, boundary
from web.current import context, lang_of, network, path, public_address

PAGE = "staff"

boundary.accepts(
    {
        "staff-lang.data": Lang,
        "staff-tick.data": Annotated[int, Strict(), Field(ge=0, le=2**31)] | None,
        "staff-new-name.value": UserName | None,
        "staff-new-display.value": Name | None,
        "staff-new-role.value": Literal["clerk", "manager", "admin"] | None,
        "staff-new-windows.value": Annotated[str, StringConstraints(pattern=r"^[0-9,，\s]{0,100}$")]
        | None,
        "staff-new-password.value": Password | None,
        "staff-new-hall.value": Literal[""] | Code | None,
        "staff-end-session.id.index": Annotated[int, Strict(), Field(ge=1, le=2**62)],
        "staff-unpair.id.index": Annotated[int, Strict(), Field(ge=1, le=2**62)],
        "staff-pair.id.kiosk": Code,
        "staff-help-answer.id.index": Annotated[int, Strict(), Field(ge=1, le=2**62)],
        "staff-account.value": UserName | None,
        "staff-account-password.value": Password | None,
        "staff-profile-window.value": Annotated[
            str, Strict(), StringConstraints(pattern=r"^[0-9]{1,4}$")
        ]
        | None,
        "staff-profile-services.value": Annotated[list[Code], Field(max_length=60)] | None,
    }
)


def layout(lang: str | None = None, **_: str) -> Any:
    lang = lang_of(lang)
    user, instead = managers_only("staff", "/staff", lang)
    if user is None:
        return instead
    roles = ["clerk", "manager"] + (["admin"] if user.at_least("admin") else [])
    ctx = context()
    return dbc.Container(
        [
            *live.poller(PAGE, None, interval_ms=3_000),
            dcc.Store(id="staff-lang", data=lang),
            dcc.Store(id="staff-tick", data=0),
            manager_bar(t("staff.title", lang), "/staff", lang),
            html.Div(id="staff-message"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.H2(t("staff.windows", lang), className="h5"),
                            _profile_editor(lang),
                            html.Div(id="staff-windows", className="mt-3"),
                            *(_kiosks(lang) if user.at_least("admin") else []),
                        ],
                        lg=7,
                    ),
                    dbc.Col(
                        [
                            *help_calls.section(lang),
                            html.A(
                                t("take.poster.link", lang),
                                href=path("/staff/take-qr"),
                                id="staff-take-qr",
                                className="btn btn-outline-primary mb-3",
                            ),
                            html.H2(t("staff.printers", lang), className="h5"),
                            html.Div(id="staff-printers"),
                            html.H2(t("staff.failed_prints", lang), className="h5 mt-4"),
                            html.Div(id="staff-failed-prints"),
                            *notify_panel.section(lang),
                            html.H2(t("staff.people", lang), className="h5 mt-4"),
                            html.Div(id="staff-people"),
                            _account_actions(lang),
                            html.H2(t("staff.sessions", lang), className="h5 mt-4"),
                            html.Div(id="staff-sessions"),
                            html.H2(t("staff.add", lang), className="h6 mt-4"),
                            dbc.Label(
                                t("staff.col.name", lang),
                                html_for="staff-new-name",
                                className="small mb-0",
                            ),
                            dbc.Input(
                                id="staff-new-name",
                                placeholder=t("staff.col.name", lang),
                                className="mb-2",
                            ),
                            dbc.Label(
                                t("staff.col.display", lang),
                                html_for="staff-new-display",
                                className="small mb-0",
                            ),
                            dbc.Input(
                                id="staff-new-display",
                                placeholder=t("staff.col.display", lang),
                                className="mb-2",
                            ),
                            dbc.Label(
                                t("staff.col.role", lang),
                                html_for="staff-new-role",
                                className="small mb-0",
                            ),
                            dbc.Select(
                                id="staff-new-role",
                                options=[
                                    {"label": t(f"role.{r}", lang), "value": r} for r in roles
                                ],
                                value="clerk",
                                className="mb-2",
                            ),
                            dbc.Label(
                                t("staff.col.windows", lang),
                                html_for="staff-new-windows",
                                className="small mb-0",
                            ),
                            dbc.Input(
                                id="staff-new-windows",
                                placeholder=t("staff.col.windows", lang) + " 5,6",
                                className="mb-2",
                            ),
                            *_hall_choice(ctx, user, lang),
                            dbc.Label(
                                t("login.password", lang),
                                html_for="staff-new-password",
                                className="small mb-0",
                            ),
                            dbc.Input(
                                id="staff-new-password",
                                type="password",
                                placeholder=t("login.password", lang),
                                className="mb-2",
                                autoComplete="new-password",
                            ),
                            dbc.Button(
                                t("staff.add.submit", lang),
                                id="staff-add",
                                color="primary",
                                n_clicks=0,
                            ),
                        ],
                        lg=5,
                    ),
                ]
            ),
        ],
        fluid=True,
        className="pb-5",
    )


def _hall_choice(ctx: Any, user: staff.StaffUser, lang: str) -> list[Any]:
    """Where a new account belongs: a network manager chooses the network or any hall of it;
    a hall's manager makes accounts of their own hall only (shown, not chosen)."""
    options = [
        {"label": f"{h.name_en if lang == 'en' else h.name_zh} ({code})", "value": code}
        for code, h in network().halls.items()
    ]
    if user.hall is None:
        options.insert(0, {"label": t("staff.network", lang), "value": ""})
    else:
        options = [o for o in options if o["value"] == user.hall]
    return [
        dbc.Label(t("staff.col.hall", lang), html_for="staff-new-hall", className="small mb-0"),
        dbc.Select(
            id="staff-new-hall",
            options=options,
            value=ctx.hall,
            disabled=user.hall is not None,
            className="mb-1",
        ),
        html.P(t("staff.hall.note", lang), className="small text-muted mb-2"),
    ]


def _profile_editor(lang: str) -> Any:
    """Who serves what today: a window, the services it takes today, saved for the day."""
    ctx = context()
    windows = [
        {
            "label": f"{w.id} · {w.department.en if lang == 'en' else w.department.zh}",
            "value": str(w.id),
        }
        for w in ctx.hall_file.windows
    ]
    zones = {z.code: z.name(lang) for z in ctx.config.zones}
    services = [
        {"label": f"{s.name(lang)} ({zones.get(s.zone, s.zone)})", "value": s.code}
        for s in ctx.hall_file.services
    ]
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(t("staff.profile", lang), className="h6"),
                html.P(t("staff.profile.note", lang), className="small text-muted"),
                dbc.Label(t("staff.profile.window", lang), html_for="staff-profile-window"),
                dbc.Select(
                    id="staff-profile-window", options=windows, value=None, className="mb-2"
                ),
                html.Div(
                    t("staff.profile.services", lang),
                    id="staff-profile-services-label",
                    className="form-label",
                ),
                html.Div(
                    dbc.Checklist(
                        id="staff-profile-services",
                        options=services,
                        value=[],
                        className="staff-services mb-2",
                    ),
                    role="group",
                    **{"aria-labelledby": "staff-profile-services-label"},
                ),
                dbc.Button(
                    t("staff.profile.save", lang),
                    id="staff-profile-save",
                    color="primary",
                    n_clicks=0,
                ),
            ]
        ),
        className="mb-2",
        id="staff-profile",
    )


def _account_actions(lang: str) -> Any:
    """A new password for an account, or stopping and starting it (managers and admins)."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(t("staff.account", lang), className="h6"),
                dbc.Label(t("staff.account.who", lang), html_for="staff-account"),
                dbc.Select(id="staff-account", options=[], value=None, className="mb-2"),
                dbc.Label(t("staff.account.password", lang), html_for="staff-account-password"),
                dbc.Input(
                    id="staff-account-password",
                    type="password",
                    autoComplete="new-password",
                    className="mb-2",
                ),
                dbc.Button(
                    t("staff.account.reset", lang),
                    id="staff-account-reset",
                    color="primary",
                    className="me-2",
                    n_clicks=0,
                ),
                dbc.Button(
                    t("staff.account.disable", lang),
                    id="staff-account-disable",
                    color="outline-danger",
                    className="me-2",
                    n_clicks=0,
                ),
                dbc.Button(
                    t("staff.account.enable", lang),
                    id="staff-account-enable",
                    color="outline-secondary",
                    n_clicks=0,
                ),
            ]
        ),
        className="mt-3",
    )


def _kiosks(lang: str) -> list[Any]:
    """For administrators: pair a kiosk PC's browser (a one-time link), and the paired ones."""
    cfg = context().config
    buttons = [
        dbc.Button(
            t("staff.pair", lang, kiosk=k.id),
            id={"type": "staff-pair", "kiosk": k.id},
            color="outline-primary",
            size="sm",
            className="me-2 mb-2",
            n_clicks=0,
        )
        for k in cfg.kiosks
    ]
    return [
        html.H2(t("staff.kiosks", lang), className="h5 mt-4"),
        html.P(t("staff.kiosks.note", lang), className="small text-muted"),
        html.Div(buttons),
        html.Div(id="staff-pair-link", className="mb-3"),
        html.Div(id="staff-devices"),
    ]


dash.register_page(
    "staff",
    path="/staff",
    layout=layout,
    title=t("screen.staff"),
    screen_order=80,
    title_key="screen.staff",
    about_key="screen.staff.about",
)


@callback(
    Output("staff-windows", "children"),
    Output("staff-printers", "children"),
    Output("staff-failed-prints", "children"),
    Output("staff-people", "children"),
    Output("staff-sessions", "children"),
    Input(live.version_id(PAGE), "data"),
    Input("staff-tick", "data"),
    State("staff-lang", "data"),
)
def show(_version: int | None, _tick: int | None, lang: str) -> tuple[Any, ...]:
    user = auth.require("manager")
    ctx = context()
    try:
        windows = counters.windows(ctx)
        printers = printjobs.printers(ctx)
        failed = printjobs.failed_jobs(ctx)
        people = staff.accounts(ctx, seen_by=user)
        signed_in = staff.live_sessions(ctx, seen_by=user)
    except errors.HallqError:
        return (no_update,) * 5
    is_admin = user.at_least("admin")
    names = {svc.code: svc.name(lang) for svc in ctx.hall_file.services}
    window_rows = [
        html.Tr(
            [
                html.Td(w.id),
                html.Td(w.department_en if lang == "en" else w.department_zh),
                html.Td(window_state(w.state, w.state_reason, lang)),
                html.Td(w.current.number if w.current else ""),
                html.Td(_services_today(ctx, w.id, names, lang), className="small"),
            ]
        )
        for w in windows
    ]
    printer_rows = [
        html.Tr(
            [
                html.Td(p.kiosk),
                html.Td(t(f"printer.{p.state}", lang)),
                html.Td(t(f"paper.{p.paper}", lang)),
                html.Td(_fault(p.error_code, p.last_error, lang, is_admin), className="small"),
            ],
            className="table-danger" if p.state == "fault" else "",
        )
        for p in printers
    ]
    failed_rows = [
        html.Tr(
            [
                html.Td(job.number),
                html.Td(job.kiosk or ""),
                html.Td(f"{job.issued_at.astimezone(ctx.tz):%H:%M}"),
                html.Td(_fault(job.code, job.error, lang, is_admin), className="small"),
            ]
        )
        for job in failed
    ]
    people_rows = [
        html.Tr(
            [
                html.Td(u.name),
                html.Td(u.display_name),
                html.Td(t(f"role.{u.role}", lang)),
                html.Td(",".join(map(str, u.windows)) or t("staff.any", lang)),
                html.Td(u.hall or t("staff.network", lang)),
                html.Td(t("staff.active" if active else "staff.stopped", lang)),
            ],
            className="" if active else "text-muted",
        )
        for u, active in people
    ]
    return (
        _table(
            [
                "staff.col.window",
                "staff.col.department",
                "staff.col.state",
                "staff.col.current",
                "staff.col.services",
            ],
            window_rows,
            lang,
            "staff-windows-table",
        ),
        _table(
            ["staff.col.kiosk", "staff.col.state", "staff.col.paper", "staff.col.error"],
            printer_rows,
            lang,
            "staff-printers-table",
        )
        if printer_rows
        else html.P(t("staff.no_printers", lang)),
        _table(
            ["staff.col.ticket", "staff.col.kiosk", "staff.col.issued", "staff.col.reason"],
            failed_rows,
            lang,
            "staff-failed-prints-table",
        )
        if failed_rows
        else html.P(t("staff.no_failed_prints", lang)),
        _table(
            [
                "staff.col.name",
                "staff.col.display",
                "staff.col.role",
                "staff.col.windows",
                "staff.col.hall",
                "staff.col.account",
            ],
            people_rows,
            lang,
            "staff-people-table",
        ),
        _sessions_table(signed_in, ctx.tz, lang),
    )


@callback(
    Output("staff-account", "options"),
    Input(live.version_id(PAGE), "data"),
    Input("staff-tick", "data"),
    State("staff-lang", "data"),
)
def account_choices(_version: int | None, _tick: int | None, lang: str) -> Any:
    """The accounts this user may change (an administrator's only for an administrator),
    stopped ones marked."""
    user = auth.require("manager")
    try:
        people = staff.accounts(context(), seen_by=user)
    except errors.HallqError:
        return no_update
    return [
        {
            "label": f"{u.name} · {u.display_name}"
            + ("" if active else f" ({t('staff.stopped', lang)})"),
            "value": u.name,
        }
        for u, active in people
        if user.at_least("admin") or u.role != "admin"
    ]


def _services_today(ctx: Any, window: int, names: dict[str, str], lang: str) -> Any:
    """The services the window takes today, marked when the day's differ from the file's."""
    today = workday.services_of(ctx, window)
    shown = (
        "、".join(names.get(c, c) for c in today)
        if lang == "zh"
        else ", ".join(names.get(c, c) for c in today)
    )
    if today == workday.usual_services_of(ctx, window):
        return shown
    return [dbc.Badge(t("staff.profile.today", lang), color="info", className="me-1"), shown]


def _sessions_table(signed_in: list[staff.SessionInfo], zone: tzinfo, lang: str) -> Any:
    """Who is signed in where, each with a button that ends that session."""
    if not signed_in:
        return html.P(t("staff.no_sessions", lang))
    rows = [
        html.Tr(
            [
                html.Td(x.user),
                html.Td(f"{x.created_at.astimezone(zone):%m-%d %H:%M}"),
                html.Td(f"{x.last_seen_at.astimezone(zone):%H:%M}"),
                html.Td(x.client or ""),
                html.Td((x.user_agent or "")[:40], className="small", title=x.user_agent or ""),
                html.Td(_ending("staff.end_session", "staff-end-session", x.id, lang)),
            ]
        )
        for x in signed_in
    ]
    heads = ["staff.col.name", "staff.col.since", "staff.col.seen", "staff.col.client"]
    return dbc.Table(
        [
            html.Thead(
                html.Tr([html.Th(t(h, lang)) for h in [*heads, "staff.col.agent"]] + [html.Th("")])
            ),
            html.Tbody(rows),
        ],
        size="sm",
        hover=True,
        id="staff-sessions-table",
    )


def _fault(code: str | None, detail: str | None, lang: str, technical: bool = False) -> Any:
    """A fault in the reader's words (a fault without a code as a printer fault); the
    technical message beneath for an administrator, who fixes it."""
    if not code and not detail:
        return ""
    words = [html.Div(t(f"fault.{code or 'other'}", lang))]
    if technical and detail:
        words.append(html.Div(detail, className="text-muted"))
    return words


def _ending(label: str, kind: str, index: int, lang: str) -> dbc.Button:
    """The button at a row's end that ends what the row shows (a session, a paired device)."""
    return dbc.Button(
        t(label, lang),
        id={"type": kind, "index": index},
        color="outline-danger",
        size="sm",
        n_clicks=0,
    )


def _table(heads: list[str], rows: list[Any], lang: str, table_id: str) -> dbc.Table:
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(t(h, lang)) for h in heads])), html.Tbody(rows)],
        size="sm",
        hover=True,
        id=table_id,
    )


@callback(
    Output("staff-message", "children"),
    Output("staff-tick", "data"),
    Input("staff-add", "n_clicks"),
    State("staff-new-name", "value"),
    State("staff-new-display", "value"),
    State("staff-new-role", "value"),
    State("staff-new-windows", "value"),
    State("staff-new-password", "value"),
    State("staff-new-hall", "value"),
    State("staff-lang", "data"),
    State("staff-tick", "data"),
    prevent_initial_call=True,
)
def add_person(
    n: int,
    name: str | None,
    display: str | None,
    role: str | None,
    windows: str | None,
    password: str | None,
    hall: str | None,
    lang: str,
    tick: int | None,
) -> tuple[Any, Any]:
    """A manager adds a clerk or manager; only an administrator adds administrators. A hall's
    manager adds accounts of their hall; a network manager of the network or of a hall."""
    user = auth.require("manager")
    if not n:
        return no_update, no_update
    role = role or "clerk"
    if role == "admin" and not user.at_least("admin"):
        return dbc.Alert(t("error.forbidden", lang, role=user.role), color="danger"), no_update
    bound = [int(w) for w in re.split(r"[,，\s]+", windows or "") if w]
    ctx = context()
    if hall and hall in network():
        ctx = network().context(hall)  # an account of that hall: its windows are that hall's
    try:
        belongs = staff.may_make_in(
            ctx, user, halls.HERE if hall is None else (hall or halls.NETWORK)
        )
        added = staff.add_user(
            ctx,
            name or "",
            role,
            password or "",
            windows=bound,
            display_name=display or "",
            actor=user.actor,
            hall=belongs,
        )
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="danger"), no_update
    done = dbc.Alert(t("staff.added", lang, name=added.name), color="success", id="staff-added")
    return done, (tick or 0) + 1


@callback(
    Output("staff-message", "children", allow_duplicate=True),
    Output("staff-tick", "data", allow_duplicate=True),
    Input({"type": "staff-end-session", "index": ALL}, "n_clicks"),
    State("staff-lang", "data"),
    State("staff-tick", "data"),
    prevent_initial_call=True,
)
def end_session(_clicks: list[int | None], lang: str, tick: int | None) -> tuple[Any, Any]:
    """A manager ends someone's session (a browser left signed in, a lost phone) at once."""
    user = auth.require("manager")
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
        return no_update, no_update  # the buttons were drawn, not pressed
    trigger = dash.ctx.triggered_id
    try:
        name = staff.end_session(context(), int(trigger["index"]), user.actor, by=user)
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="warning"), no_update
    ended = dbc.Alert(t("staff.session_ended", lang, name=name), color="success")
    return ended, (tick or 0) + 1


# --- kiosk devices (administrators) ----------------------------------------------------------


@callback(
    Output("staff-pair-link", "children"),
    Input({"type": "staff-pair", "kiosk": ALL}, "n_clicks"),
    State("staff-lang", "data"),
    prevent_initial_call=True,
)
def offer_pairing(_clicks: list[int | None], lang: str) -> Any:
    """A one-time link to open on the kiosk PC; shown here, once."""
    user = auth.require("admin")
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
        return no_update
    ctx = context()
    try:
        pairing = devices.pairing_code(ctx, dash.ctx.triggered_id["kiosk"], user.actor)
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="warning")
    link = public_address(f"{devices.PAIR_PATH}{pairing.code}")
    until = pairing.expires_at.astimezone(ctx.tz).strftime("%H:%M")
    return dbc.Alert(
        [
            html.Div(t("staff.pair.link", lang, kiosk=pairing.kiosk, until=until)),
            html.Code(link, id="staff-pair-url", className="user-select-all"),
        ],
        color="info",
    )


@callback(
    Output("staff-devices", "children"),
    Input(live.version_id(PAGE), "data"),
    Input("staff-tick", "data"),
    State("staff-lang", "data"),
)
def show_devices(_version: int | None, _tick: int | None, lang: str) -> Any:
    auth.require("admin")
    ctx = context()
    try:
        paired = [d for d in devices.devices(ctx) if d.revoked_at is None]
    except errors.HallqError:
        return no_update
    if not paired:
        return html.P(t("staff.no_devices", lang), className="text-muted")
    rows = [
        html.Tr(
            [
                html.Td(d.id),
                html.Td(d.kiosk),
                html.Td(d.paired_at.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M")),
                html.Td(d.client or ""),
                html.Td(_ending("staff.unpair", "staff-unpair", d.id, lang)),
            ]
        )
        for d in paired
        if d.paired_at is not None
    ]
    heads = ["staff.col.device", "staff.col.kiosk", "staff.col.paired", "staff.col.client", ""]
    return _table(heads, rows, lang, "staff-devices-table")


@callback(
    Output("staff-message", "children", allow_duplicate=True),
    Output("staff-tick", "data", allow_duplicate=True),
    Input({"type": "staff-unpair", "index": ALL}, "n_clicks"),
    State("staff-lang", "data"),
    State("staff-tick", "data"),
    prevent_initial_call=True,
)
def unpair(_clicks: list[int | None], lang: str, tick: int | None) -> tuple[Any, Any]:
    """A replaced PC, a lost tablet: its browser is a visitor's from its next request on."""
    user = auth.require("admin")
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
        return no_update, no_update
    device = int(dash.ctx.triggered_id["index"])
    try:
        devices.unpair(context(), device, user.actor)
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="warning"), no_update
    done = dbc.Alert(t("staff.unpaired", lang, device=device), color="success")
    return done, (tick or 0) + 1


# --- who serves what today, accounts ----------------------------------------------------------


@callback(
    Output("staff-profile-services", "value"),
    Input("staff-profile-window", "value"),
    prevent_initial_call=True,
)
def pick_window(window: str | None) -> Any:
    """The services the window chosen takes today, ticked."""
    auth.require("manager")
    if not window:
        return []
    return workday.services_of(context(), int(window))


@callback(
    Output("staff-message", "children", allow_duplicate=True),
    Output("staff-tick", "data", allow_duplicate=True),
    Input("staff-profile-save", "n_clicks"),
    State("staff-profile-window", "value"),
    State("staff-profile-services", "value"),
    State("staff-lang", "data"),
    State("staff-tick", "data"),
    prevent_initial_call=True,
)
def save_profile(
    n: int, window: str | None, chosen: list[str] | None, lang: str, tick: int | None
) -> tuple[Any, Any]:
    """A window's services for today: checked against the hall's services, with an event."""
    user = auth.require("manager")
    if not n:
        return no_update, no_update
    if not window:
        return dbc.Alert(t("staff.profile.no_window", lang), color="warning"), no_update
    try:
        workday.set_services(context(), int(window), chosen or [], user.actor)
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="danger"), no_update
    done = t("staff.profile.saved", lang, window=window)
    return dbc.Alert(done, color="success", id="staff-profile-saved"), (tick or 0) + 1


@callback(
    Output("staff-message", "children", allow_duplicate=True),
    Output("staff-tick", "data", allow_duplicate=True),
    Output("staff-account-password", "value"),
    Input("staff-account-reset", "n_clicks"),
    Input("staff-account-disable", "n_clicks"),
    Input("staff-account-enable", "n_clicks"),
    State("staff-account", "value"),
    State("staff-account-password", "value"),
    State("staff-lang", "data"),
    State("staff-tick", "data"),
    prevent_initial_call=True,
)
def change_account(
    _reset: int,
    _disable: int,
    _enable: int,
    name: str | None,
    password: str | None,
    lang: str,
    tick: int | None,
) -> tuple[Any, Any, Any]:
    """A new password (the account's sessions end), or stopping (its sessions end at once) or
    starting an account again. Each is an event (queues.access.staff)."""
    user = auth.require("manager")
    action = dash.ctx.triggered_id
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"] or not action:
        return no_update, no_update, no_update
    if not name:
        return dbc.Alert(t("staff.account.none", lang), color="warning"), no_update, no_update
    ctx = context()
    try:
        staff.may_change(ctx, user, name, stopping=action == "staff-account-disable")
        if action == "staff-account-reset":
            staff.set_password(ctx, name, password or "", user.actor)
            said = "staff.account.reset_done"
        elif action == "staff-account-disable":
            staff.set_active(ctx, name, False, user.actor)
            said = "staff.account.disabled"
        else:
            staff.set_active(ctx, name, True, user.actor)
            said = "staff.account.enabled"
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="danger"), no_update, no_update
    done = dbc.Alert(t(said, lang, name=name), color="success", id="staff-account-done")
    return done, (tick or 0) + 1, ""


# --- visitors asking for help at a kiosk-------------------------------------------------------


@callback(
    Output("staff-notify", "children"),
    Input(live.version_id(PAGE), "data"),
    Input("staff-tick", "data"),
    Input("staff-help-tick", "n_intervals"),
    State("staff-lang", "data"),
)
def show_texts(_version: int | None, _tick: int | None, _n: int | None, lang: str) -> Any:
    """Text channels failing and texts given up (components.notify_panel)."""
    user = auth.require("manager")
    try:
        return notify_panel.panel(context(), lang, technical=user.at_least("admin"))
    except errors.HallqError:
        return no_update


@callback(
    Output("staff-help", "children"),
    Input("staff-help-tick", "n_intervals"),
    Input("staff-tick", "data"),
    State("staff-lang", "data"),
)
def show_help(_n: int | None, _tick: int | None, lang: str) -> Any:
    auth.require("manager")
    try:
        return help_calls.calls(context(), lang)
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="danger")


@callback(
    Output("staff-message", "children", allow_duplicate=True),
    Output("staff-tick", "data", allow_duplicate=True),
    Input({"type": "staff-help-answer", "index": ALL}, "n_clicks"),
    State("staff-lang", "data"),
    State("staff-tick", "data"),
    prevent_initial_call=True,
)
def answer_help(_clicks: list[int | None], lang: str, tick: int | None) -> tuple[Any, Any]:
    """Staff have gone to the visitor: the call is answered (and leaves the dashboard)."""
    user = auth.require("manager")
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
        return no_update, no_update  # the buttons were drawn, not pressed
    try:
        services.answer_help(context(), int(dash.ctx.triggered_id["index"]), user.actor)
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="warning"), no_update
    return no_update, (tick or 0) + 1
