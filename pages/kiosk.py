"""The kiosk: two taps to a ticket, for a visitor of any age, with one finger.

Tap the matter, tap how (a normal ticket, priority, or the green channel with a key-project
code), and the ticket is on screen, large, with where to go, how many are ahead, the expected
wait and a QR code for the phone, while the printer prints it. Idle, the screen goes back to the
start by itself, in the kiosk's first language. A double tap makes one ticket: the tap that opens
the second step draws the request id the ticket is issued under, and asking twice with it answers
the same ticket; a screen that has just appeared also ignores taps for a moment.

Every button is in the layout from the start (Dash wants the inputs of a callback to exist);
the callbacks fill in words and show one screen at a time.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any, Literal

import dash
from dash import ALL, Input, Output, State, callback, clientside_callback, dcc, html, no_update
from flask import request
from pydantic import BaseModel, ConfigDict, StringConstraints

from components.qr import qr_data_uri
from components.ticket_words import chosen_service, expected_wait
from queues import errors, printjobs, services
from queues.context import Context
from queues.hall.config import HallConfig, Service
from queues.inputs import Code, Lang, PublicId
from queues.read import boards, tickets
from queues.rules.lifecycle import Priority
from queues.text.directions import directions, floor_words, window_ranges
from queues.text.i18n import other_lang, t, weekdays
from web import boundary
from web import devices as device_cookie
from web.current import context, lang_of

IDLE_SECONDS = {"priority": 40, "code": 60, "ticket": 25}
START = {"step": "choose", "service": None, "request": None, "ticket": None, "error": None}
KEYS = [*"123456789", "-", "0", "⌫"]
ERRORS = (
    "kiosk.code.invalid",
    "kiosk.busy",
    "kiosk.too_many",
    "kiosk.reason.hall_closed",
    "kiosk.reason.service_not_offered",
    "kiosk.reason.no_window_for_service",
)


class KioskState(BaseModel):
    """Where the kiosk is in its flow (kept in the page; the server checks it at every tap)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    step: Literal["choose", "priority", "code", "ticket"] = "choose"
    service: Code | None = None
    request: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")] | None = None
    ticket: PublicId | None = None
    error: Literal[ERRORS] | None = None  # type: ignore[valid-type]


boundary.accepts(
    {
        "kiosk-state.data": KioskState,
        "kiosk-code.data": Annotated[str, StringConstraints(pattern=r"^[0-9-]{0,32}$")] | None,
        "kiosk-lang.data": Lang,
        "kiosk-service.id.index": Code,
        "kiosk-name.id.index": Code,
        "kiosk-zone.id.index": Code,
    }
)


def layout(
    kiosk_id: str | None = None, lang: str | None = None, idle: str | None = None, **_: str
) -> html.Div:
    """The kiosk; ``?lang=en`` starts it in English, ``?idle=N`` goes back after N idle seconds."""
    ctx = context()
    cfg = ctx.config
    paired = device_cookie.current_kiosk()
    if kiosk_id is not None and cfg.kiosk(kiosk_id) is None:
        known = ", ".join(k.id for k in cfg.kiosks) or "-"
        return html.Div(
            [
                html.H1(
                    f"{t('kiosk.unknown', 'zh', kiosk=kiosk_id)} · "
                    f"{t('kiosk.unknown', 'en', kiosk=kiosk_id)}"
                ),
                html.P(
                    f"{t('kiosk.unknown.known', 'zh', known=known)} · "
                    f"{t('kiosk.unknown.known', 'en', known=known)}"
                ),
            ],
            className="kiosk kiosk-unknown",
        )
    lang = lang_of(lang)
    try:
        board = {s.code: s for s in boards.service_board(ctx)}
    except errors.StoreUnavailable:
        board = {}
    return html.Div(
        [
            dcc.Store(id="kiosk-lang", data=lang),
            dcc.Store(id="kiosk-default-lang", data=lang),
            dcc.Store(id="kiosk-state", data=START),
            dcc.Store(id="kiosk-since", data=0),
            dcc.Store(id="kiosk-code", data=""),
            dcc.Store(id="kiosk-health", data="ok"),
            dcc.Store(id="kiosk-texts", data=_banner_texts()),
            dcc.Store(id="kiosk-tz", data=cfg.hall.timezone),
            dcc.Store(id="kiosk-idle", data=_idle_limits(idle)),
            dcc.Interval(id="kiosk-refresh", interval=10_000),
            dcc.Interval(id="kiosk-tick", interval=1_000),
            dcc.Interval(id="kiosk-health-tick", interval=3_000),
            dcc.Interval(id="kiosk-print-poll", interval=800, disabled=True),
            html.Div(id="kiosk-banner", className="kiosk-banner d-none"),
            html.Header(
                [
                    html.Div(
                        [
                            html.Div(cfg.hall.name(lang), id="kiosk-hall", className="kiosk-hall"),
                            html.Div(
                                t("kiosk.title", lang), id="kiosk-title", className="kiosk-sub"
                            ),
                        ]
                    ),
                    html.Div(id="kiosk-clock", className="kiosk-clock"),
                    html.Button(
                        t("lang.switch", lang),
                        id="kiosk-lang-btn",
                        className="kiosk-lang",
                        n_clicks=0,
                    ),
                ],
                className="kiosk-header",
            ),
            html.Main(
                [
                    html.Section(
                        _choose(cfg, board, lang), id="kiosk-choose", className="kiosk-screen"
                    ),
                    html.Section(_how(lang), id="kiosk-priority", className="kiosk-screen d-none"),
                    html.Section(_keypad(lang), id="kiosk-keypad", className="kiosk-screen d-none"),
                    html.Section(_ticket(lang), id="kiosk-ticket", className="kiosk-screen d-none"),
                ],
                className="kiosk-main",
            ),
            html.Footer(
                "" if paired else t("kiosk.unpaired", lang),
                id="kiosk-unpaired",
                className="kiosk-unpaired" + ("" if not paired else " d-none"),
            ),
        ],
        className="kiosk",
        lang="en" if lang == "en" else "zh-CN",
    )


dash.register_page(
    "kiosk",
    path="/kiosk",
    layout=layout,
    title=t("screen.kiosk"),
    screen_order=10,
    title_key="screen.kiosk",
    about_key="screen.kiosk.about",
)
dash.register_page(
    "kiosk-by-id", path_template="/kiosk/<kiosk_id>", layout=layout, title=t("screen.kiosk")
)


# --- the screens, built once ---------------------------------------------------------------------


def _choose(cfg: HallConfig, board: dict[str, boards.ServiceStatus], lang: str) -> list[Any]:
    groups = []
    for zone in cfg.zones:
        offered = [s for s in cfg.services if s.zone == zone.code and s.kiosk]
        if not offered:
            continue
        groups.append(
            html.Div(
                [
                    html.H2(
                        _zone_title(cfg, zone.code, lang),
                        id={"type": "kiosk-zone", "index": zone.code},
                        className="kiosk-zone",
                    ),
                    html.Div(
                        [_service_button(cfg, s, board.get(s.code), lang) for s in offered],
                        className="kiosk-grid",
                    ),
                ],
                className=f"kiosk-group kiosk-group-{zone.code}",
            )
        )
    return [
        html.H1(t("kiosk.choose", lang), id="kiosk-question", className="kiosk-question"),
        html.P(_hours(cfg, lang), id="kiosk-hours", className="kiosk-hours"),
        *groups,
    ]


def _zone_title(cfg: HallConfig, zone_code: str, lang: str) -> str:
    zone = cfg.zone(zone_code)
    if zone is None:  # not a zone of the hall file: a forged id gets no words
        return ""
    return t("kiosk.zone", lang, zone=zone.name(lang), floor=floor_words(zone.floor, lang))


def _hours(cfg: HallConfig, lang: str) -> str:
    hours = cfg.hours
    return t(
        "kiosk.hours",
        lang,
        days=weekdays(hours.days, lang),
        first=f"{hours.first_ticket:%H:%M}",
        last=f"{hours.last_ticket:%H:%M}",
    )


def _first_step_note(cfg: HallConfig, svc: Service, lang: str) -> str:
    if not svc.first_step:
        return ""
    return t(
        "kiosk.first_step", lang, windows=window_ranges(directions(cfg, svc.first_step).windows)
    )


def _service_button(
    cfg: HallConfig, svc: Service, status: boards.ServiceStatus | None, lang: str
) -> html.Button:
    return html.Button(
        [
            html.Span(
                svc.name(lang),
                id={"type": "kiosk-name", "index": svc.code},
                className="kiosk-service-name",
            ),
            html.Span(
                _first_step_note(cfg, svc, lang),
                id={"type": "kiosk-note", "index": svc.code},
                className="kiosk-service-note",
            ),
            html.Span(
                _service_info(status, lang),
                id={"type": "kiosk-info", "index": svc.code},
                className="kiosk-service-info",
            ),
        ],
        id={"type": "kiosk-service", "index": svc.code},
        className="kiosk-service",
        disabled=not (status and status.open),
        n_clicks=0,
        **{"data-service": svc.code},
    )


def _service_info(s: boards.ServiceStatus | None, lang: str) -> str:
    if s is None:
        return t("kiosk.paused", lang)
    if not s.open:
        return t(f"kiosk.reason.{s.reason}", lang)
    waiting = t("kiosk.waiting", lang, count=s.waiting)
    if s.eta_minutes is None:
        return f"{waiting} · {t('kiosk.eta_none', lang)}"
    if s.eta_minutes == 0:
        return f"{waiting} · {t('kiosk.eta_now', lang)}"
    return f"{waiting} · {t('kiosk.eta', lang, minutes=s.eta_minutes)}"


def _how(lang: str) -> list[Any]:
    return [
        html.P(t("kiosk.chosen", lang), id="kiosk-chosen-label", className="kiosk-chosen-label"),
        html.H1(id="kiosk-chosen", className="kiosk-chosen"),
        html.Div(id="kiosk-error", className="kiosk-error"),
        html.Div(
            [
                html.Button(
                    _choice("kiosk.normal", None, lang),
                    id="kiosk-normal",
                    className="kiosk-choice kiosk-go-normal",
                    n_clicks=0,
                ),
                html.Button(
                    _choice("kiosk.priority", "kiosk.priority.note", lang),
                    id="kiosk-priority-btn",
                    className="kiosk-choice kiosk-go-priority",
                    n_clicks=0,
                ),
                html.Button(
                    _choice("kiosk.green", "kiosk.green.note", lang),
                    id="kiosk-green",
                    className="kiosk-choice kiosk-go-green",
                    n_clicks=0,
                ),
            ],
            className="kiosk-choices",
        ),
        html.Div(
            html.Button(
                t("kiosk.back", lang), id="kiosk-how-back", className="kiosk-back", n_clicks=0
            ),
            className="kiosk-code-actions",
        ),
    ]


def _choice(label: str, note: str | None, lang: str) -> list[Any]:
    content = [html.Span(t(label, lang), className="kiosk-choice-label")]
    if note:
        content.append(html.Span(t(note, lang), className="kiosk-choice-note"))
    return content


def _keypad(lang: str) -> list[Any]:
    keys = [
        html.Button(k, id={"type": "kiosk-key", "index": k}, className="kiosk-key", n_clicks=0)
        for k in KEYS
    ]
    ok = html.Button(t("kiosk.code.ok", lang), id="kiosk-code-ok", className="kiosk-ok", n_clicks=0)
    back = html.Button(
        t("kiosk.back", lang), id="kiosk-code-back", className="kiosk-back", n_clicks=0
    )
    return [
        html.H1(t("kiosk.code.title", lang), id="kiosk-code-title", className="kiosk-question"),
        html.Div(id="kiosk-code-display", className="kiosk-code-display"),
        html.Div(id="kiosk-code-error", className="kiosk-error"),
        html.Div(
            [
                html.Div(keys, className="kiosk-keys"),
                html.Div([ok, back], className="kiosk-code-side"),
            ],
            className="kiosk-keypad-body",
        ),
    ]


def _ticket(lang: str) -> list[Any]:
    return [
        html.Div(
            [
                html.P(t("kiosk.ticket.your", lang), id="kiosk-your", className="kiosk-your"),
                html.Div(id="kiosk-number", className="kiosk-number"),
                html.P(id="kiosk-ticket-service", className="kiosk-ticket-service"),
                html.P(id="kiosk-where", className="kiosk-where"),
                html.P(id="kiosk-wait", className="kiosk-wait"),
                html.Div(id="kiosk-print", className="kiosk-print"),
            ],
            className="kiosk-ticket-main",
        ),
        html.Div(
            [
                html.Img(id="kiosk-qr", className="kiosk-qr", alt=""),
                html.P(t("kiosk.ticket.scan", lang), id="kiosk-scan", className="kiosk-scan"),
                html.Button(
                    t("kiosk.ticket.done", lang), id="kiosk-done", className="kiosk-ok", n_clicks=0
                ),
            ],
            className="kiosk-ticket-side",
        ),
    ]


# --- the flow between the screens ---------------------------------------------------------------


@callback(
    Output("kiosk-state", "data"),
    Input({"type": "kiosk-service", "index": ALL}, "n_clicks"),
    Input("kiosk-normal", "n_clicks"),
    Input("kiosk-priority-btn", "n_clicks"),
    Input("kiosk-green", "n_clicks"),
    Input("kiosk-code-ok", "n_clicks"),
    Input("kiosk-code-back", "n_clicks"),
    Input("kiosk-how-back", "n_clicks"),
    Input("kiosk-done", "n_clicks"),
    State("kiosk-state", "data"),
    State("kiosk-code", "data"),
    prevent_initial_call=True,
)
def flow(*args: Any) -> dict[str, Any]:
    """Every tap that moves the kiosk on: to the second step, to a ticket, back to the start.

    The ticket is asked for by this browser as the server knows it: the kiosk it was paired as
    (its printer prints, the kiosk's limit applies), or else a visitor at this address."""
    state, code = args[-2], args[-1]
    trigger = dash.ctx.triggered_id
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
        return no_update
    if isinstance(trigger, dict):
        return {
            **START,
            "step": "priority",
            "service": trigger["index"],
            "request": uuid.uuid4().hex,
        }
    if trigger in ("kiosk-done", "kiosk-how-back"):
        return START
    if trigger == "kiosk-code-back":
        return {**state, "step": "priority", "error": None}
    if trigger == "kiosk-green":
        return {**state, "step": "code", "error": None}
    if state.get("step") not in ("priority", "code") or not state.get("service"):
        return no_update
    priority = {"kiosk-normal": Priority.NORMAL, "kiosk-priority-btn": Priority.PRIORITY}.get(
        trigger, Priority.GREEN
    )
    try:
        issued = services.issue(
            context(),
            state["service"],
            priority,
            by=device_cookie.requester(),
            request_id=state["request"],
            project_code=(code or None) if priority == Priority.GREEN else None,
        )
    except (errors.InvalidProjectCode, errors.GreenNotAuthorised):
        return {**state, "step": "code", "error": "kiosk.code.invalid"}
    except errors.RequestIdReused:
        return no_update  # another button in the same breath: the first tap's ticket stands
    except errors.StoreUnavailable:
        return {**state, "step": "priority", "error": "kiosk.busy"}
    except errors.RateLimited:
        return {**state, "step": "priority", "error": "kiosk.too_many"}
    except errors.HallqError as exc:
        reason = (
            exc.code
            if exc.code in ("hall_closed", "service_not_offered")
            else "no_window_for_service"
        )
        return {**state, "step": "priority", "error": f"kiosk.reason.{reason}"}
    return {**START, "step": "ticket", "ticket": issued.ticket.id}


@callback(
    Output("kiosk-choose", "className"),
    Output("kiosk-priority", "className"),
    Output("kiosk-keypad", "className"),
    Output("kiosk-ticket", "className"),
    Output("kiosk-chosen", "children"),
    Output("kiosk-error", "children"),
    Output("kiosk-code-error", "children"),
    Output("kiosk-number", "children"),
    Output("kiosk-ticket-service", "children"),
    Output("kiosk-where", "children"),
    Output("kiosk-wait", "children"),
    Output("kiosk-qr", "src"),
    Output("kiosk-print", "children"),
    Output("kiosk-print-poll", "disabled"),
    Input("kiosk-state", "data"),
    Input("kiosk-lang", "data"),
)
def show(state: dict[str, Any], lang: str) -> tuple[Any, ...]:
    """One screen at a time, with the words of the moment."""
    step = state.get("step", "choose")
    classes = [
        "kiosk-screen" + ("" if step == name else " d-none")
        for name in ("choose", "priority", "code", "ticket")
    ]
    ctx = context()
    svc = ctx.config.service(state.get("service") or "")
    chosen = svc.name(lang) if svc else ""
    error = t(state["error"], lang) if state.get("error") else ""
    ticket: tuple[Any, ...] = ("",) * 5
    if step == "ticket" and state.get("ticket"):
        try:
            ticket = _ticket_words(ctx, state["ticket"], lang)
        except errors.HallqError:
            error = t("kiosk.busy", lang)
    printing = t("kiosk.print.printing", lang) if step == "ticket" else ""
    return (
        *classes,
        chosen,
        error if step == "priority" else "",
        error if step == "code" else "",
        *ticket,
        html.Span(printing, className="kiosk-print-wait"),
        step != "ticket",
    )


def _ticket_words(ctx: Context, ticket_id: str, lang: str) -> tuple[str, str, str, str, str]:
    v = tickets.ticket(ctx, ticket_id)
    cfg = ctx.config
    where = directions(cfg, v.service, v.target_window).text(lang)
    ahead = t("kiosk.ticket.ahead", lang, ahead=v.ahead or 0)
    status_url = (cfg.hall.public_url or request.host_url).rstrip("/") + v.status_url
    name = chosen_service(cfg, v, lang)
    return v.number, name, where, f"{ahead} · {expected_wait(v, lang)}", qr_data_uri(status_url)


@callback(
    Output("kiosk-print", "children", allow_duplicate=True),
    Input("kiosk-print-poll", "n_intervals"),
    State("kiosk-state", "data"),
    State("kiosk-lang", "data"),
    prevent_initial_call=True,
)
def print_status(_: int, state: dict[str, Any], lang: str) -> Any:
    """What the printer did with the ticket: printing, take it, or note your number."""
    if not state.get("ticket"):
        return no_update
    try:
        ctx = context()
        p = printjobs.state_of(ctx, state["ticket"])
        number = tickets.ticket(ctx, state["ticket"]).number
    except errors.HallqError:
        return no_update
    if p.status == "done":
        return html.Span(t("kiosk.print.done", lang), className="kiosk-print-ok")
    if p.status is None:
        return html.Span(t("kiosk.print.none", lang), className="kiosk-print-wait")
    if p.error or p.printer_state == "fault":
        return html.Span(t("kiosk.print.fault", lang, number=number), className="kiosk-print-fault")
    return html.Span(t("kiosk.print.printing", lang), className="kiosk-print-wait")


@callback(
    Output({"type": "kiosk-info", "index": ALL}, "children"),
    Output({"type": "kiosk-service", "index": ALL}, "disabled"),
    Input("kiosk-refresh", "n_intervals"),
    Input("kiosk-lang", "data"),
    State({"type": "kiosk-service", "index": ALL}, "id"),
    prevent_initial_call=True,
)
def refresh_services(_: int, lang: str, ids: list[dict[str, str]]) -> tuple[list[str], list[bool]]:
    """Queues and waits on the buttons, every few seconds; closed matters cannot be tapped."""
    try:
        board = {s.code: s for s in boards.service_board(context())}
    except errors.StoreUnavailable:
        return [t("kiosk.paused", lang)] * len(ids), [True] * len(ids)
    return (
        [_service_info(board.get(i["index"]), lang) for i in ids],
        [not (i["index"] in board and board[i["index"]].open) for i in ids],
    )


# --- the words, in the visitor's language ------------------------------------------------------


@callback(
    Output("kiosk-lang", "data"),
    Input("kiosk-lang-btn", "n_clicks"),
    State("kiosk-lang", "data"),
    prevent_initial_call=True,
)
def switch_language(_: int, lang: str) -> str:
    return other_lang(lang)


@callback(
    Output("kiosk-hall", "children"),
    Output("kiosk-title", "children"),
    Output("kiosk-lang-btn", "children"),
    Output("kiosk-question", "children"),
    Output("kiosk-hours", "children"),
    Output({"type": "kiosk-zone", "index": ALL}, "children"),
    Output({"type": "kiosk-name", "index": ALL}, "children"),
    Output({"type": "kiosk-note", "index": ALL}, "children"),
    Output("kiosk-chosen-label", "children"),
    Output("kiosk-normal", "children"),
    Output("kiosk-priority-btn", "children"),
    Output("kiosk-green", "children"),
    Output("kiosk-how-back", "children"),
    Output("kiosk-code-title", "children"),
    Output("kiosk-code-back", "children"),
    Output("kiosk-code-ok", "children"),
    Output("kiosk-your", "children"),
    Output("kiosk-scan", "children"),
    Output("kiosk-done", "children"),
    Input("kiosk-lang", "data"),
    State({"type": "kiosk-zone", "index": ALL}, "id"),
    State({"type": "kiosk-name", "index": ALL}, "id"),
    prevent_initial_call=True,
)
def relabel(lang: str, zones: list[dict[str, str]], names: list[dict[str, str]]) -> tuple[Any, ...]:
    cfg = context().config
    offered = [cfg.service(i["index"]) for i in names]
    return (
        cfg.hall.name(lang),
        t("kiosk.title", lang),
        t("lang.switch", lang),
        t("kiosk.choose", lang),
        _hours(cfg, lang),
        [_zone_title(cfg, z["index"], lang) for z in zones],
        [s.name(lang) if s else "" for s in offered],
        [_first_step_note(cfg, s, lang) if s else "" for s in offered],
        t("kiosk.chosen", lang),
        _choice("kiosk.normal", None, lang),
        _choice("kiosk.priority", "kiosk.priority.note", lang),
        _choice("kiosk.green", "kiosk.green.note", lang),
        t("kiosk.back", lang),
        t("kiosk.code.title", lang),
        t("kiosk.back", lang),
        t("kiosk.code.ok", lang),
        t("kiosk.ticket.your", lang),
        t("kiosk.ticket.scan", lang),
        t("kiosk.ticket.done", lang),
    )


def _idle_limits(idle: str | None) -> dict[str, int]:
    try:
        seconds = int(idle) if idle else 0
    except ValueError:
        seconds = 0
    if 1 <= seconds <= 600:
        return dict.fromkeys(IDLE_SECONDS, seconds)
    return IDLE_SECONDS


def _banner_texts() -> dict[str, list[str]]:
    return {
        key: [t(f"kiosk.{key}", "zh"), t(f"kiosk.{key}", "en")] for key in ("offline", "paused")
    }


# --- in the browser: idle return, the clock, the keypad, the connection ------------------------

clientside_callback(
    "function(state) { return Date.now(); }",
    Output("kiosk-since", "data"),
    Input("kiosk-state", "data"),
)

clientside_callback(
    f"""
    function(n, state, since, lang, defaultLang, timeZone, limits) {{
        const step = (state || {{}}).step || "choose";
        const clock = new Date().toLocaleTimeString("zh-CN", {{
            hour: "2-digit", minute: "2-digit", timeZone: timeZone
        }});
        const nothing = window.dash_clientside.no_update;
        if (step === "choose" || !limits[step] || Date.now() - since < limits[step] * 1000) {{
            return [nothing, nothing, clock];
        }}
        return [{json.dumps(START)}, defaultLang, clock];
    }}
    """,
    Output("kiosk-state", "data", allow_duplicate=True),
    Output("kiosk-lang", "data", allow_duplicate=True),
    Output("kiosk-clock", "children"),
    Input("kiosk-tick", "n_intervals"),
    State("kiosk-state", "data"),
    State("kiosk-since", "data"),
    State("kiosk-lang", "data"),
    State("kiosk-default-lang", "data"),
    State("kiosk-tz", "data"),
    State("kiosk-idle", "data"),
    prevent_initial_call="initial_duplicate",
)

clientside_callback(
    """
    function(keys, state, code) {
        const t = window.dash_clientside.callback_context.triggered_id;
        if (!state || state.step !== "code") { return ""; }
        if (!t || typeof t !== "object") { return window.dash_clientside.no_update; }
        if (t.index === "⌫") { return (code || "").slice(0, -1); }
        return ((code || "") + t.index).slice(0, 32);
    }
    """,
    Output("kiosk-code", "data"),
    Input({"type": "kiosk-key", "index": ALL}, "n_clicks"),
    Input("kiosk-state", "data"),
    State("kiosk-code", "data"),
    prevent_initial_call=True,
)

clientside_callback(
    "function(code) { return code || '\\u00a0'; }",
    Output("kiosk-code-display", "children"),
    Input("kiosk-code", "data"),
)

clientside_callback(
    """
    async function(n) {
        try {
            const r = await fetch("/healthz", {cache: "no-store"});
            return r.ok ? "ok" : "paused";
        } catch (e) {
            return "offline";
        }
    }
    """,
    Output("kiosk-health", "data"),
    Input("kiosk-health-tick", "n_intervals"),
    prevent_initial_call=True,
)

clientside_callback(
    """
    function(health, lang, texts) {
        if (health === "ok") { return ["kiosk-banner d-none", ""]; }
        const key = health === "offline" ? "offline" : "paused";
        return ["kiosk-banner kiosk-banner-" + key, texts[key][lang === "en" ? 1 : 0]];
    }
    """,
    Output("kiosk-banner", "className"),
    Output("kiosk-banner", "children"),
    Input("kiosk-health", "data"),
    Input("kiosk-lang", "data"),
    State("kiosk-texts", "data"),
)
