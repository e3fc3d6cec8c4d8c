"""The manager's dashboard: today at a glance, live, every number down to the tickets behind it.

Refreshes every five seconds. Today's figures come from today's rows only (indexed by day), the
eight-week heatmap and the capacity planner from the nightly roll-ups (drawn once a day per
process), so the page costs the same with ten years of history as with one day.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import ALL, Input, Output, State, callback, dcc, html, no_update
from pydantic import Field, StringConstraints

from components import live
from components.screens import manager_bar, managers_only
from queues import errors
from queues.context import Context
from queues.inputs import Code, Lang, WindowId
from queues.read import alerts, capacity, drilldown, overview, rollups
from queues.text.i18n import t, window_state
from web import auth, boundary
from web.current import context, lang_of

PAGE = "dashboard"
ALL_ZONES = "all"
REFRESH_MS = 5_000
FONT = dict(family="Noto Sans CJK SC, WenQuanYi Zen Hei, Microsoft YaHei, sans-serif", size=14)
ZONE_COLOURS = ("#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c")
boundary.accepts(
    {
        "dash-zone.value": Code | None,
        "dash-lang.data": Lang,
        "dash-weekday.value": Literal["0", "1", "2", "3", "4", "5", "6"] | None,
        "dash-drawn.data": Annotated[
            list[Annotated[str, StringConstraints(max_length=64)] | None], Field(max_length=32)
        ]
        | None,
        "dash-window.id.window": WindowId,
        "dash-window.id.figure": Literal[tuple(drilldown.FIGURES)],  # type: ignore[valid-type]
    }
)

TILES = (
    # (tile, the figure behind it)
    ("waiting", "waiting"),
    ("finished", "finished"),
    ("wait", "called"),
    ("within", "late"),
    ("no_show", "no_shows"),
    ("service", "handled"),
    ("windows", None),
    ("rating", "bad_ratings"),
)


def layout(lang: str | None = None, zone: str | None = None, **_: str) -> Any:
    lang = lang_of(lang)
    user, instead = managers_only("dash", "/dashboard", lang)
    if user is None:
        return instead
    cfg = context().config
    zones = [{"label": t("dash.all_zones", lang), "value": ALL_ZONES}] + [
        {"label": z.name(lang), "value": z.code} for z in cfg.zones
    ]
    today = context().business_day()
    return dbc.Container(
        [
            dcc.Interval(id="dash-tick", interval=REFRESH_MS),
            dcc.Store(id="dash-lang", data=lang),
            dcc.Store(id="dash-drawn", data=None),
            manager_bar(
                t("dash.title", lang),
                "/dashboard",
                lang,
                html.Div(
                    [
                        dbc.Label(t("dash.zone", lang), html_for="dash-zone", className="mb-0"),
                        dbc.Select(
                            id="dash-zone",
                            options=zones,
                            value=zone if cfg.zone(zone or "") else ALL_ZONES,
                        ),
                    ],
                    className="d-flex align-items-center gap-2",
                ),
                html.Span(id="dash-updated", className="text-muted"),
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _card(
                            "dash.services",
                            lang,
                            html.Div(id="dash-services", className="dash-services"),
                        ),
                        lg=8,
                    ),
                    dbc.Col(
                        _card(
                            "dash.alerts", lang, html.Div(id="dash-alerts", className="dash-alerts")
                        ),
                        lg=4,
                    ),
                ],
                className="g-3 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        html.Button(
                            id={"type": "dash-kpi", "tile": tile},
                            n_clicks=0,
                            className="kpi-tile",
                            disabled=figure is None,
                        ),
                        xs=6,
                        md=3,
                        className="mb-3",
                    )
                    for tile, figure in TILES
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(_card("dash.queues", lang, _graph("dash-queues", lang)), lg=8),
                    dbc.Col(_card("dash.waits", lang, _graph("dash-waits", lang)), lg=4),
                ],
                className="g-3 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _card(
                            "dash.windows",
                            lang,
                            html.Div(id="dash-windows", className="dash-windows"),
                        ),
                        lg=12,
                    ),
                ],
                className="g-3 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(_card("dash.heatmap", lang, _graph("dash-heatmap", lang)), lg=6),
                    dbc.Col(
                        _card(
                            "dash.planner",
                            lang,
                            [
                                dbc.Label(
                                    t("dash.planner.weekday", lang),
                                    html_for="dash-weekday",
                                    className="small mb-1",
                                ),
                                dbc.Select(
                                    id="dash-weekday",
                                    options=[
                                        {"label": t(f"weekday.{d}", lang), "value": str(d)}
                                        for d in range(7)
                                    ],
                                    value=str(today.weekday()),
                                    className="w-auto mb-2",
                                ),
                                _graph("dash-planner", lang),
                                html.P(t("dash.planner.note", lang), className="small text-muted"),
                            ],
                        ),
                        lg=6,
                    ),
                ],
                className="g-3 mb-5",
            ),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle(id="dash-drill-title")),
                    dbc.ModalBody(id="dash-drill-body"),
                ],
                id="dash-drill",
                size="lg",
                scrollable=True,
                is_open=False,
            ),
        ],
        fluid=True,
        className="dashboard",
    )


dash.register_page(
    "dashboard",
    path="/dashboard",
    layout=layout,
    title=t("screen.dashboard"),
    screen_order=70,
    title_key="screen.dashboard",
    about_key="screen.dashboard.about",
)


def _card(key: str, lang: str, body: Any) -> dbc.Card:
    return dbc.Card(
        [dbc.CardHeader(html.H2(t(key, lang), className="h6 mb-0")), dbc.CardBody(body)],
        className="h-100",
    )


def _graph(graph_id: str, lang: str) -> dcc.Graph:
    """A chart in the page's language (Plotly's zh-CN locale is served from assets/), its
    height fixed so nothing below moves when it is drawn."""
    return dcc.Graph(
        id=graph_id,
        figure=_placeholder(),
        config={"displayModeBar": False, "locale": "en" if lang == "en" else "zh-CN"},
        style={"height": "320px"},
        className="dash-graph",
    )


def _placeholder() -> go.Figure:
    """What a chart shows until its first data: the same size and margins, no axes to replace."""
    fig = go.Figure()
    fig.update_layout(
        template="plotly_white",
        margin=dict(l=50, r=20, t=10, b=40),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
    )
    return fig


def count_axis(top: float, **more: Any) -> dict[str, Any]:
    """An axis of people or windows: whole numbers only (no 0.5-person ticks)."""
    step = max(1, math.ceil(top / 6)) if top > 0 else 1
    return dict(tick0=0, dtick=step, tickformat="d", rangemode="tozero", **more)


def _layout(fig: go.Figure, **more: Any) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        font=FONT,
        margin=dict(l=50, r=20, t=10, b=40),
        legend=dict(orientation="h", y=1.08, x=0),
    )
    fig.update_layout(**more)  # merged into the above: a legend given here adds to it
    return fig


# --- the live part ------------------------------------------------------------------------------


def _minutes(x: float | None, lang: str) -> str:
    return t("kpi.none", lang) if x is None else t("kpi.minutes", lang, minutes=f"{x:.0f}")


def _share(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def tiles(today: overview.Today, ctx: Context, lang: str) -> list[Any]:
    """The eight figures: label, the number, a line under it; red where it needs a look."""
    f, now = today.hall, today.now
    rows = {
        "waiting": (
            str(now.waiting),
            t("kpi.waiting_late", lang, minutes=f"{now.longest_wait:.0f}", count=now.waiting_late)
            if now.longest_wait is not None
            else "",
            now.waiting_late > 0,
        ),
        "finished": (
            str(f.finished),
            t("kpi.handled", lang, handled=f.handled, issued=f.issued),
            False,
        ),
        "wait": (
            _minutes(f.wait_mean, lang),
            t("kpi.p90", lang, minutes=f.wait_p90) if f.wait_p90 is not None else "",
            f.wait_mean is not None and f.wait_mean > 15,
        ),
        "within": (
            _share(f.within_target_share),
            t("kpi.late", lang, count=f.late),
            f.within_target_share is not None and f.within_target_share < 0.8,
        ),
        "no_show": (
            _share(f.no_show_rate),
            t("kpi.no_shows", lang, count=f.no_shows),
            f.no_show_rate is not None and f.no_show_rate > 0.08,
        ),
        "service": (_minutes(f.service_mean, lang), "", False),
        "windows": (f"{now.windows_open} / {now.windows_total}", "", now.windows_open == 0),
        "rating": (
            "—" if f.rating_mean is None else f"{f.rating_mean:.2f}",
            t("kpi.bad", lang, count=f.bad_ratings),
            f.rating_mean is not None and f.rating_mean < 4,
        ),
    }
    out = []
    for tile, _figure in TILES:
        value, under, bad = rows[tile]
        under_bad = tile == "rating" and f.bad_ratings > 0
        out.append(
            [
                html.Div(t(f"kpi.{tile}", lang), className="kpi-label"),
                html.Div(
                    value,
                    className="kpi-value" + (" kpi-bad" if bad else ""),
                    id=f"dash-value-{tile}",
                ),
                html.Div(under, className="kpi-under" + (" kpi-bad" if under_bad else "")),
            ]
        )
    return out


def queue_figure(ctx: Context, zone: str | None, lang: str) -> go.Figure:
    series = overview.queue_series(ctx, ctx.business_day())
    fig = go.Figure()
    for i, z in enumerate(ctx.config.zones):
        if (zone and z.code != zone) or z.code not in series:
            continue
        points = series[z.code]
        fig.add_scatter(
            x=[at.astimezone(ctx.tz) for at, _ in points],
            y=[n for _, n in points],
            name=z.name(lang),
            mode="lines",
            line=dict(width=3, color=ZONE_COLOURS[i % len(ZONE_COLOURS)], shape="hv"),
        )
    top = max((n for pts in series.values() for _, n in pts), default=0)
    return _layout(fig, yaxis=count_axis(max(top, 4), title=t("dash.visitors", lang)))


def wait_figure(today: overview.Today, ctx: Context, lang: str) -> go.Figure:
    """Today's waits in five-minute bars: blue within their own service's target, red past it."""
    minutes, late = today.hall.wait_minutes, today.hall.late_minutes
    top = max(minutes, default=0)
    buckets = list(range(0, top + 5, 5))

    def in_bucket(counts: dict[int, int], b: int) -> int:
        return sum(n for m, n in counts.items() if b <= m < b + 5)

    past = [in_bucket(late, b) for b in buckets]
    within = [in_bucket(minutes, b) - p for b, p in zip(buckets, past, strict=True)]
    labels = [f"{b}-{b + 4}" for b in buckets]
    fig = go.Figure()
    for name, counts, colour in (
        (t("dash.within_target", lang), within, "#1d4ed8"),
        (t("dash.past_target", lang), past, "#dc2626"),
    ):
        fig.add_bar(
            x=labels,
            y=counts,
            name=name,
            marker_color=colour,
            hovertemplate="%{x} min: %{y}<extra>" + name + "</extra>",
        )
    return _layout(
        fig,
        xaxis=dict(title=t("dash.minutes", lang), type="category"),
        yaxis=count_axis(
            max([a + b for a, b in zip(within, past, strict=True)] + [4]),
            title=t("dash.visitors", lang),
        ),
        barmode="stack",
        bargap=0.1,
        legend=dict(traceorder="normal"),  # within target first, as stacked
    )


def window_table(today: overview.Today, lang: str) -> dbc.Table:
    heads = ("window", "state", "current", "handled", "finished", "service_mean", "open", "busy")
    heads += ("no_shows", "rating")
    rows = []
    for w in today.windows:
        f = w.figures
        state = window_state(w.state, w.state_reason, lang)
        hours, rest = divmod(int(w.time.open_seconds // 60), 60)
        rows.append(
            html.Tr(
                [
                    html.Td(
                        [
                            html.Strong(str(w.id)),
                            " ",
                            w.department_en if lang == "en" else w.department_zh,
                        ]
                    ),
                    html.Td(state, className=f"state-{w.state}"),
                    html.Td(w.current or ""),
                    html.Td(_drill(w.id, "handled", f.handled)),
                    html.Td(_drill(w.id, "finished", f.finished)),
                    html.Td(_minutes(f.service_mean, lang)),
                    html.Td(f"{hours}:{rest:02d}" if w.time.open_seconds else "—"),
                    html.Td(_share(w.time.serving_share)),
                    html.Td(_drill(w.id, "no_shows", f.no_shows)),
                    html.Td(
                        _drill(w.id, "rated", f"{f.rating_mean:.1f}")
                        if f.rating_mean is not None
                        else "—"
                    ),
                ],
                className="table-warning" if w.state == "paused" else "",
            )
        )
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"dash.col.{h}", lang)) for h in heads])),
            html.Tbody(rows),
        ],
        size="sm",
        hover=True,
        responsive=True,
        id="dash-windows-table",
        className="mb-0",
    )


def service_table(ctx: Context, lines: list[overview.ServiceNow], lang: str) -> Any:
    """Where the bottleneck is now: each service's queue, its longest wait against its own
    target, its open windows and the wait a ticket taken now would have; worst first. Services
    with nobody waiting and no window open are left out (they are no bottleneck)."""
    shown = [x for x in lines if x.waiting or x.windows_open]
    if not shown:
        return html.P(t("dash.services.none", lang), className="text-muted mb-0")
    heads = ("service", "waiting", "longest", "windows_open", "eta")
    rows = []
    for x in shown:
        svc = ctx.config.service(x.code)
        late = x.longest is not None and x.longest > x.target
        no_window = x.waiting > 0 and x.windows_open == 0
        rows.append(
            html.Tr(
                [
                    html.Td(svc.name(lang) if svc else x.code),
                    html.Td(str(x.waiting), className="num"),
                    html.Td(
                        t(
                            "dash.services.longest",
                            lang,
                            minutes=f"{x.longest:.0f}",
                            target=x.target,
                        )
                        if x.longest is not None
                        else "—",
                        className="num" + (" kpi-bad" if late else ""),
                    ),
                    html.Td(
                        str(x.windows_open), className="num" + (" kpi-bad" if no_window else "")
                    ),
                    html.Td(
                        _minutes(float(x.eta_minutes), lang)
                        if x.eta_minutes is not None
                        else (t("dash.services.no_window", lang) if x.waiting else "—"),
                        className="num",
                    ),
                ],
                className="table-danger" if late else ("table-warning" if no_window else ""),
                **{"data-service": x.code},
            )
        )
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"dash.services.col.{h}", lang)) for h in heads])),
            html.Tbody(rows),
        ],
        size="sm",
        hover=True,
        responsive=True,
        id="dash-services-table",
        className="mb-0",
    )


def _drill(window: int, figure: str, shown: Any) -> Any:
    if not shown:
        return str(shown)
    return html.Button(
        str(shown),
        id={"type": "dash-window", "window": window, "figure": figure},
        n_clicks=0,
        className="btn btn-link btn-sm p-0 drill",
    )


def alert_list(ctx: Context, zone: str | None, lang: str, technical: bool = False) -> Any:
    """Open alerts in the page's words (``technical``: with a printer's raw message beneath,
    for administrators)."""
    found = alerts.open_alerts(ctx)
    cfg = ctx.config
    shown = []
    for a in found:
        subject = a.subject
        if a.kind in ("wait", "queue"):
            svc = cfg.service(a.subject)
            if zone and (svc is None or svc.zone != zone):
                continue
            subject = svc.name(lang) if svc else a.subject
        elif a.kind == "pause":
            window = next((w for w in cfg.windows if str(w.id) == a.subject), None)
            if zone and (window is None or window.zone != zone):
                continue
        detail = dict(a.detail)
        if a.kind == "printer":  # the fault in the page's words; the raw text for admins
            detail["error"] = t(f"fault.{detail.get('code') or 'other'}", lang)
        colour = "danger" if a.kind in ("wait", "printer") else "warning"
        since = a.opened_at.astimezone(ctx.tz).strftime("%H:%M")
        raw = a.detail.get("error") if a.kind == "printer" and technical else None
        shown.append(
            dbc.Alert(
                [
                    html.Strong(t(f"alert.{a.kind}", lang, subject=subject, **detail)),
                    html.Span(f" · {since}", className="text-muted"),
                    *([html.Div(raw, className="small text-muted")] if raw else []),
                ],
                color=colour,
                className="py-2 mb-2",
            )
        )
    return shown or html.P(t("dash.no_alerts", lang), className="text-muted mb-0")


@callback(
    *[Output({"type": "dash-kpi", "tile": tile}, "children") for tile, _ in TILES],
    Output("dash-queues", "figure"),
    Output("dash-waits", "figure"),
    Output("dash-windows", "children"),
    Output("dash-alerts", "children"),
    Output("dash-services", "children"),
    Output("dash-updated", "children"),
    Output("dash-drawn", "data"),
    Input("dash-tick", "n_intervals"),
    Input("dash-zone", "value"),
    State("dash-lang", "data"),
    State("dash-drawn", "data"),
)
def refresh(
    _n: int | None, zone: str | None, lang: str, drawn: list[str | None] | None
) -> tuple[Any, ...]:
    user = auth.require("manager")
    return live.only_changed(
        draw(context(), _zone(zone), lang, technical=user.at_least("admin")), drawn
    )


def _zone(value: str | None) -> str | None:
    """The zone chosen, or None for the whole hall (or a zone the hall does not have)."""
    return value if value and context().config.zone(value) else None


def draw(ctx: Context, zone: str | None, lang: str, technical: bool = False) -> tuple[Any, ...]:
    """Everything the five-second refresh draws (the benchmark times this)."""
    if zone and ctx.config.zone(zone) is None:
        zone = None
    try:
        today = overview.today(ctx, zone)
        queues = queue_figure(ctx, zone, lang)
        table = window_table(today, lang)
        found = alert_list(ctx, zone, lang, technical)
        bottlenecks = service_table(ctx, overview.services_now(ctx, zone), lang)
    except errors.HallqError as exc:
        message = dbc.Alert(exc.message(lang), color="danger")
        return (*[no_update] * len(TILES), no_update, no_update, message, *[no_update] * 3)
    updated = t("dash.updated", lang, time=ctx.now().astimezone(ctx.tz).strftime("%H:%M:%S"))
    return (
        *tiles(today, ctx, lang),
        queues,
        wait_figure(today, ctx, lang),
        table,
        found,
        bottlenecks,
        updated,
    )


# --- history: drawn once a day ------------------------------------------------------------------


def _hours(ctx: Context) -> list[int]:
    cfg = ctx.config
    return list(range(cfg.hours.first_ticket.hour, cfg.hours.close.hour + 1))


def heatmap_figure(ctx: Context, zone: str | None, lang: str) -> go.Figure:
    grid = rollups.arrivals_by_weekday_hour(ctx, 8, zone)
    hours = _hours(ctx)
    days = [d for d in range(7) if any(grid[d])] or list(range(5))
    fig = go.Figure(
        go.Heatmap(
            z=[[round(grid[d][h], 1) for h in hours] for d in days],
            x=[f"{h}:00" for h in hours],
            y=[t(f"weekday.{d}", lang) for d in days],
            colorscale="YlOrRd",
            hovertemplate="%{y} %{x}: %{z}<extra></extra>",
            colorbar=dict(title=dict(text=t("dash.per_hour", lang), side="right")),
        )
    )
    return _layout(fig, yaxis=dict(autorange="reversed"), xaxis=dict(type="category"))


def planner_figure(ctx: Context, zone: str | None, weekday: int, lang: str) -> go.Figure:
    hours = capacity.plan(ctx, weekday, zone)
    x = [f"{h.hour}:00" for h in hours]
    fig = go.Figure()
    fig.add_bar(
        x=x,
        y=[round(h.arrivals, 1) for h in hours],
        name=t("dash.forecast", lang),
        marker_color="#cbd5e1",
        yaxis="y2",
    )
    fig.add_scatter(
        x=x,
        y=[h.needed for h in hours],
        name=t("dash.needed", lang),
        mode="lines+markers",
        line=dict(width=3, color="#dc2626", shape="hv"),
    )
    fig.add_scatter(
        x=x,
        y=[round(h.open, 1) for h in hours],
        name=t("dash.open", lang),
        mode="lines+markers",
        line=dict(width=3, color="#047857", shape="hv"),
    )
    return _layout(
        fig,
        xaxis=dict(type="category"),
        yaxis=count_axis(
            max([h.needed for h in hours] + [h.open for h in hours] + [4]),
            title=t("dash.windows", lang),
        ),
        yaxis2=dict(
            title=t("dash.forecast", lang),
            overlaying="y",
            side="right",
            rangemode="tozero",
            tickformat="d",
            showgrid=False,
        ),
    )


@callback(
    Output("dash-heatmap", "figure"),
    Output("dash-planner", "figure"),
    Input("dash-zone", "value"),
    Input("dash-weekday", "value"),
    State("dash-lang", "data"),
)
def history(zone: str | None, weekday: str | None, lang: str) -> tuple[go.Figure, go.Figure]:
    auth.require("manager")
    ctx = context()
    zone = _zone(zone)
    day = int(weekday) if weekday and weekday.isdigit() and int(weekday) < 7 else 0
    stamp = f"{ctx.business_day()}:{rollups.rolled_days(ctx)}:{zone}:{lang}"
    heat = live.drawn_once(ctx, f"heat:{stamp}", lambda: heatmap_figure(ctx, zone, lang))
    plan = live.drawn_once(ctx, f"plan:{stamp}:{day}", lambda: planner_figure(ctx, zone, day, lang))
    return heat, plan


# --- drill-down ---------------------------------------------------------------------------------


@callback(
    Output("dash-drill", "is_open"),
    Output("dash-drill-title", "children"),
    Output("dash-drill-body", "children"),
    Input({"type": "dash-kpi", "tile": ALL}, "n_clicks"),
    Input({"type": "dash-window", "window": ALL, "figure": ALL}, "n_clicks"),
    State("dash-zone", "value"),
    State("dash-lang", "data"),
    prevent_initial_call=True,
)
def drill(_tiles: list[int], _cells: list[int], zone: str | None, lang: str) -> tuple[Any, ...]:
    """A tile or a window's number opens the tickets behind it."""
    auth.require("manager")
    trigger = dash.ctx.triggered_id
    clicked = dash.ctx.triggered[0]["value"] if dash.ctx.triggered else None
    if not trigger or not clicked:
        return no_update, no_update, no_update
    ctx = context()
    zone = _zone(zone)
    window = None
    if trigger["type"] == "dash-kpi":
        figure = dict(TILES).get(trigger["tile"])
        label = t(f"kpi.{trigger['tile']}", lang)
    else:
        figure, window = trigger["figure"], int(trigger["window"])
        label = t("report.window", lang, window=window) + " · " + t(f"drill.{figure}", lang)
    if figure not in drilldown.FIGURES:
        return no_update, no_update, no_update
    lines = drilldown.tickets_behind(ctx, figure, zone, window)
    return True, t("dash.tickets_behind", lang, figure=label), ticket_table(ctx, lines, lang)


def ticket_table(ctx: Context, lines: list[drilldown.TicketLine], lang: str) -> Any:
    if not lines:
        return html.P(t("dash.none_behind", lang))
    names = {s.code: s.name(lang) for s in ctx.config.services}
    heads = ("number", "service", "status", "window", "issued", "waited", "rating")
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"dash.col.{h}", lang)) for h in heads])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(line.number, className="fw-semibold"),
                            html.Td(names.get(line.service, line.service)),
                            html.Td(t(f"status.{line.status}", lang)),
                            html.Td(line.window or ""),
                            html.Td(_clock(line.issued_at, ctx)),
                            html.Td(
                                "" if line.waited_minutes is None else f"{line.waited_minutes:.0f}"
                            ),
                            html.Td(line.rating or ""),
                        ]
                    )
                    for line in lines
                ]
            ),
        ],
        size="sm",
        striped=True,
        id="dash-drill-table",
    )


def _clock(at: datetime, ctx: Context) -> str:
    return at.astimezone(ctx.tz).strftime("%H:%M")
