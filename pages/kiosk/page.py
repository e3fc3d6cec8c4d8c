"""The kiosk: a visitor of any age, one finger, at most three taps to their matter.

The start screen shows the hall's zones, the one the kiosk stands in first; a zone shows its
matters (in pages when they are many, each page one tap away); a matter asks how (a normal
ticket, priority, and for the matters that take key-project codes the green channel); then the
ticket is on screen, large, with where to go, how many are ahead, the expected wait (and why)
and a QR code for the phone, while the printer prints it. "找工作人员 · 帮助" calls staff from
any screen. Idle, the screen goes back to the start by itself, in the kiosk's first language,
except while a printer fault asks the visitor to note their number.

Where the kiosk is lives in one store (``kiosk-state``); :mod:`pages.kiosk.flow` says what each
tap does to it, :mod:`pages.kiosk.screens` draws it (in its language: switching language draws
it again), and the callbacks here carry out what the flow asks for (issue, call staff). The
browser's part (idle return, the clock, the connection) is ``assets/kiosk.js``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, callback, dcc, html, no_update
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pages.kiosk import flow, screens
from queues import bookings, checkin, errors, printjobs, services
from queues.context import Context
from queues.inputs import CheckInKey, Code
from queues.read import boards, tickets
from queues.rules import booking as booking_rule
from queues.rules.lifecycle import Priority
from queues.text.i18n import t
from web import boundary
from web import devices as device_cookie
from web.current import context, lang_of, public_address

IDLE_SECONDS = {"zone": 60, "how": 40, "code": 60, "ticket": 25, "help": 45, "booking": 60}
FAULT_HOLD_SECONDS = 180
"""How long a ticket screen whose printer failed stays at least (the visitor notes the number)."""
TAP = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,8}(:[a-z0-9-]{1,32})?$")]


class Wedge(BaseModel):
    """What the ID-card reader or the QR scanner typed, as assets/kiosk.js collected it (its fast
    keys up to Enter) and numbered it (the same text twice is two scans)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    key: CheckInKey = ""
    n: Annotated[int, Field(ge=0, le=2**31)] = 0


boundary.accepts(
    {
        "kiosk-state.data": flow.State,
        "kiosk-first-zone.data": Code | None,
        "kiosk-tap.id.tap": TAP,
        "kiosk-service.id.index": Code,
        "kiosk-info.id.index": Code,
        "kiosk-key.id.key": Literal[flow.KEYS],  # type: ignore[valid-type]
        "kiosk-bkey.id.key": Literal[flow.BOOKING_KEYS],  # type: ignore[valid-type]
        "kiosk-wedge.data": Wedge | None,
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
    here = cfg.kiosk(kiosk_id or paired)
    first_zone = here.zone if here else None
    start = flow.home(flow.menu(cfg, first_zone), lang)
    return html.Div(
        [
            dcc.Store(id="kiosk-state", data=start.model_dump()),
            dcc.Store(id="kiosk-start", data=start.model_dump()),
            dcc.Store(id="kiosk-first-zone", data=first_zone),
            dcc.Store(id="kiosk-since", data=0),
            dcc.Store(id="kiosk-printing", data=""),
            dcc.Store(id="kiosk-health", data="ok"),
            dcc.Store(id="kiosk-texts", data=_banner_texts()),
            dcc.Store(id="kiosk-tz", data=cfg.hall.timezone),
            dcc.Store(id="kiosk-idle", data=_idle_limits(idle)),
            dcc.Store(id="kiosk-wedge"),
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
                        ],
                        className="kiosk-head-names",
                    ),
                    html.Div(id="kiosk-clock", className="kiosk-clock"),
                    html.Button(
                        t("kiosk.help", lang),
                        id="kiosk-help-btn",
                        className="kiosk-help",
                        n_clicks=0,
                    ),
                    html.Button(
                        t("lang.switch", lang),
                        id="kiosk-lang-btn",
                        className="kiosk-lang",
                        n_clicks=0,
                    ),
                ],
                className="kiosk-header",
            ),
            html.Main(_draw(ctx, start, first_zone), id="kiosk-main", className="kiosk-main"),
            html.Footer(
                "" if paired else t("kiosk.unpaired", lang),
                id="kiosk-unpaired",
                className="kiosk-unpaired" + ("" if not paired else " d-none"),
            ),
        ],
        id="kiosk",
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


def _draw(ctx: Context, s: flow.State, first_zone: str | None) -> html.Section:
    """The screen of ``s``, with the queues (a zone's matters) or the ticket it needs."""
    cfg = ctx.config
    board: screens.Board = {}
    ticket = None
    status_url = ""
    if s.screen == "zone":
        try:
            board = {b.code: b for b in boards.service_board(ctx)}
        except errors.StoreUnavailable:
            board = {}
    if s.screen == "ticket" and s.ticket:
        try:
            ticket = tickets.ticket(ctx, s.ticket)
        except errors.HallqError:
            ticket = None
        else:
            status_url = public_address(ticket.status_url)
    return screens.draw(
        cfg,
        flow.menu(cfg, first_zone),
        s,
        board,
        ticket,
        local=ctx.local(),
        open_always=ctx.open_always,
        status_url=status_url,
    )


# --- the taps ----------------------------------------------------------------------------------


@callback(
    Output("kiosk-state", "data"),
    Input({"type": "kiosk-service", "index": ALL}, "n_clicks"),
    Input({"type": "kiosk-tap", "tap": ALL}, "n_clicks"),
    Input("kiosk-lang-btn", "n_clicks"),
    Input("kiosk-help-btn", "n_clicks"),
    State("kiosk-state", "data"),
    prevent_initial_call=True,
)
def tap(*args: Any) -> Any:
    """Every tap: the flow says where it leads, and what to do on the way (issue, call staff)."""
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
        return no_update  # a button that has just appeared, not a tap
    state = flow.State.model_validate(args[-1])
    trigger = dash.ctx.triggered_id
    if isinstance(trigger, dict) and trigger.get("type") == "kiosk-service":
        step: flow.Tap = ("service", trigger["index"], uuid.uuid4().hex)
    elif isinstance(trigger, dict):
        step = tuple(trigger["tap"].split(":", 1))
    else:
        step = ("lang",) if trigger == "kiosk-lang-btn" else ("help",)
    ctx = context()
    m = flow.menu(ctx.config)
    new = flow.next_state(m, state, step)
    if new.pending is not None:
        new = _carry_out(ctx, m, new)
        if new is None:
            return no_update
    return new.model_dump()


def _carry_out(ctx: Context, m: flow.Menu, s: flow.State) -> flow.State | None:
    """Do what the flow asks for and hand it the outcome. The ticket is asked for by this
    browser as the server knows it: the kiosk it was paired as (its printer prints, the
    kiosk's limit applies), or else a visitor at this address."""
    by = device_cookie.requester()
    if s.pending == "check_in":
        return _check_in(ctx, m, s, by)
    if s.pending == "help":
        try:
            services.call_staff(ctx, by)
        except errors.RateLimited:
            return flow.next_state(m, s, ("refused", "kiosk.help.again"))
        except errors.HallqError:
            return flow.next_state(m, s, ("refused", "kiosk.busy"))
        return flow.next_state(m, s, ("helped",))
    priority = {"normal": Priority.NORMAL, "priority": Priority.PRIORITY}.get(
        s.pending or "", Priority.GREEN
    )
    try:
        issued = services.issue(
            ctx,
            s.service or "",
            priority,
            by=by,
            request_id=s.request,
            project_code=(s.code or None) if priority == Priority.GREEN else None,
        )
    except (errors.InvalidProjectCode, errors.GreenNotAuthorised):
        return flow.next_state(m, s, ("refused", "kiosk.code.invalid"))
    except errors.RequestIdReused:
        return None  # another button in the same breath: the first tap's ticket stands
    except errors.StoreUnavailable:
        return flow.next_state(m, s, ("refused", "kiosk.busy"))
    except errors.RateLimited:
        return flow.next_state(m, s, ("refused", "kiosk.too_many"))
    except errors.HallqError as exc:
        known = ("hall_closed", "service_not_offered", "wait_past_closing")
        reason = exc.code if exc.code in known else "no_window_for_service"
        return flow.next_state(m, s, ("refused", f"kiosk.reason.{reason}"))
    return flow.next_state(m, s, ("issued", issued.ticket.id))


def _check_in(ctx: Context, m: flow.Menu, s: flow.State, by: Any) -> flow.State:
    """Check in the booking the field names (:mod:`queues.checkin`): its ticket on screen, or
    why not in the visitor's words (each refusal says what to do)."""
    try:
        if by.kind == "visitor" and booking_rule.norm_code(s.key) is not None:
            bookings.lookup(ctx, s.key, by.address)  # not a kiosk: its misses count, as a page's
        done = checkin.check_in(ctx, s.key, by)
    except errors.StoreUnavailable:
        return flow.next_state(m, s, ("not_checked_in", t("kiosk.busy", s.lang)))
    except errors.RateLimited:
        return flow.next_state(m, s, ("not_checked_in", t("kiosk.too_many", s.lang)))
    except errors.HallqError as exc:
        return flow.next_state(m, s, ("not_checked_in", exc.message(s.lang)))
    slot = f"{ctx.local(done.slot):%H:%M}"
    return flow.next_state(m, s, ("checked_in", done.ticket.id, done.timing, slot))


@callback(
    Output("kiosk-state", "data", allow_duplicate=True),
    Input("kiosk-wedge", "data"),
    State("kiosk-state", "data"),
    prevent_initial_call=True,
)
def scanned(wedge: dict[str, Any] | None, data: dict[str, Any]) -> Any:
    """The ID-card reader or the QR scanner typed a key and Enter, on any screen: check in."""
    if not wedge or not wedge.get("key"):
        return no_update
    ctx = context()
    m = flow.menu(ctx.config)
    new = flow.next_state(m, flow.State.model_validate(data), ("scan", wedge["key"]))
    if new.pending is None:
        return no_update
    return _carry_out(ctx, m, new).model_dump()  # type: ignore[union-attr]


# --- the screen, drawn from the state ----------------------------------------------------------


@callback(
    Output("kiosk-main", "children"),
    Output("kiosk-hall", "children"),
    Output("kiosk-title", "children"),
    Output("kiosk-help-btn", "children"),
    Output("kiosk-lang-btn", "children"),
    Output("kiosk-unpaired", "children"),
    Output("kiosk", "lang"),
    Output("kiosk-print-poll", "disabled"),
    Output("kiosk-printing", "data"),
    Input("kiosk-state", "data"),
    State("kiosk-first-zone", "data"),
    prevent_initial_call=True,
)
def show(data: dict[str, Any], first_zone: str | None) -> tuple[Any, ...]:
    """The screen of the moment, in the language of the moment."""
    s = flow.State.model_validate(data)
    ctx = context()
    lang = s.lang
    paired = device_cookie.current_kiosk()
    return (
        _draw(ctx, s, first_zone),
        ctx.config.hall.name(lang),
        t("kiosk.title", lang),
        t("kiosk.help", lang),
        t("lang.switch", lang),
        "" if paired else t("kiosk.unpaired", lang),
        "en" if lang == "en" else "zh-CN",
        s.screen != "ticket",
        "",
    )


@callback(
    Output("kiosk-print", "children"),
    Output("kiosk-printing", "data", allow_duplicate=True),
    Input("kiosk-print-poll", "n_intervals"),
    State("kiosk-state", "data"),
    prevent_initial_call=True,
)
def print_status(_: int, data: dict[str, Any]) -> Any:
    """What the printer did with the ticket: printing, take it, or note your number (and the
    screen stays while it says so)."""
    s = flow.State.model_validate(data)
    if not s.ticket:
        return no_update, no_update
    lang = s.lang
    try:
        ctx = context()
        p = printjobs.state_of(ctx, s.ticket)
        number = tickets.ticket(ctx, s.ticket).number
    except errors.HallqError:
        return no_update, no_update
    if p.status == "done":
        return html.Span(t("kiosk.print.done", lang), className="kiosk-print-ok"), "done"
    if p.status is None:
        return html.Span(t("kiosk.print.none", lang), className="kiosk-print-wait"), "none"
    if p.error or p.printer_state == "fault":
        return [
            html.Span(t("kiosk.print.fault", lang, number=number), className="kiosk-print-fault"),
            html.Span(t("kiosk.print.fault.hold", lang), className="kiosk-print-hold"),
        ], "fault"
    return html.Span(t("kiosk.print.printing", lang), className="kiosk-print-wait"), "printing"


@callback(
    Output({"type": "kiosk-info", "index": ALL}, "children"),
    Output({"type": "kiosk-service", "index": ALL}, "disabled"),
    Input("kiosk-refresh", "n_intervals"),
    State({"type": "kiosk-service", "index": ALL}, "id"),
    State("kiosk-state", "data"),
    prevent_initial_call=True,
)
def refresh_services(
    _: int, ids: list[dict[str, str]], data: dict[str, Any]
) -> tuple[list[str], list[bool]]:
    """Queues and waits on the matters, every few seconds; closed matters cannot be tapped."""
    lang = flow.State.model_validate(data).lang
    try:
        board = {s.code: s for s in boards.service_board(context())}
    except errors.StoreUnavailable:
        return [t("kiosk.paused", lang)] * len(ids), [True] * len(ids)
    return (
        [screens.service_info(board.get(i["index"]), lang) for i in ids],
        [not (i["index"] in board and board[i["index"]].open) for i in ids],
    )


def _idle_limits(idle: str | None) -> dict[str, int]:
    try:
        seconds = int(idle) if idle else 0
    except ValueError:
        seconds = 0
    limits = dict.fromkeys(IDLE_SECONDS, seconds) if 1 <= seconds <= 600 else dict(IDLE_SECONDS)
    return {**limits, "fault": FAULT_HOLD_SECONDS}


def _banner_texts() -> dict[str, list[str]]:
    return {
        key: [t(f"kiosk.{key}", "zh"), t(f"kiosk.{key}", "en")] for key in ("offline", "paused")
    }


# --- in the browser (assets/kiosk.js): the keypad, idle return, the clock, the connection -------

dash.clientside_callback(
    ClientsideFunction("kiosk", "since"),
    Output("kiosk-since", "data"),
    Input("kiosk-state", "data"),
)
dash.clientside_callback(
    ClientsideFunction("kiosk", "idle"),
    Output("kiosk-state", "data", allow_duplicate=True),
    Output("kiosk-clock", "children"),
    Input("kiosk-tick", "n_intervals"),
    State("kiosk-state", "data"),
    State("kiosk-since", "data"),
    State("kiosk-start", "data"),
    State("kiosk-tz", "data"),
    State("kiosk-idle", "data"),
    State("kiosk-printing", "data"),
    prevent_initial_call="initial_duplicate",
)
dash.clientside_callback(  # typed in the browser: no key is lost to a slow answer
    ClientsideFunction("kiosk", "key"),
    Output("kiosk-state", "data", allow_duplicate=True),
    Input({"type": "kiosk-key", "key": ALL}, "n_clicks"),
    State("kiosk-state", "data"),
    prevent_initial_call=True,
)
dash.clientside_callback(  # the check-in keypad, typed in the browser the same way
    ClientsideFunction("kiosk", "bookingKey"),
    Output("kiosk-state", "data", allow_duplicate=True),
    Input({"type": "kiosk-bkey", "key": ALL}, "n_clicks"),
    State("kiosk-state", "data"),
    prevent_initial_call=True,
)
dash.clientside_callback(
    ClientsideFunction("kiosk", "health"),
    Output("kiosk-health", "data"),
    Input("kiosk-health-tick", "n_intervals"),
    prevent_initial_call=True,
)
dash.clientside_callback(
    ClientsideFunction("kiosk", "banner"),
    Output("kiosk-banner", "className"),
    Output("kiosk-banner", "children"),
    Input("kiosk-health", "data"),
    Input("kiosk-state", "data"),
    State("kiosk-texts", "data"),
)
