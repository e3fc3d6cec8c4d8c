"""The district's view of its network: every hall this minute, reports across halls, and the
periodic ranking of halls (部门分大厅管理考核). ``docs/metrics.md`` says the same in words.

Each figure is a hall's own, counted by :mod:`queues.read.figures` with the hall's own targets
and time zone, then added up: nothing here counts a ticket itself. A city has hundreds of halls,
so they are read together in one network session (``db.network``), a few queries grouped by
hall, not hall by hall (see docs/benchmarks.md).

* **The network now** (:func:`live`): per hall, who waits, the **strain** (the waiting ticket
  furthest past its own service's target: its wait ÷ the target, and which service), windows
  open of active, open alerts, and today so far (handled, finished, ratings). **Worst first**:
  highest strain, then most open alerts, then most waiting, then the hall's code.
* **Reports across halls** (:func:`build`): a period as a hall's reports take it
  (:func:`queues.read.reports.bounds`), each hall's figures from its nightly roll-ups
  (``daily_stats``) and, for today, its live figures (:func:`queues.read.rollups.reports`),
  added up by hall, by service code (services with the same code in different halls add up: the
  same matter wherever it is handled) or by level (district, town, village).
* **Ranking** (:func:`rank`): among halls of the same level that handled someone in the
  period, a score out of 100 = 40 × share within target + 30 × satisfaction + 15 × (1 −
  no-show rate) + 15 × handled per open window-hour ÷ the most any hall of that level handled
  per open window-hour. Satisfaction is the mean rating mapped from 1-5 onto 0-1. A part
  without data is left out and the others scaled up to 100 (as the windows' ranking does).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from queues import errors
from queues.context import Context
from queues.line import in_lines
from queues.network import LEVELS, Network
from queues.read import figures, reports, rollups
from queues.read.figures import Figures
from queues.rules.lifecycle import WindowState
from queues.store.models import Alert, Window
from queues.text.i18n import t

# --- the network now ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HallNow:
    """One hall this minute, for the network page."""

    code: str
    level: str
    waiting: int
    waiting_late: int
    """Of those waiting, how many are past their own service's target."""
    worst_wait: float | None
    """Minutes waited by the ticket furthest past its service's target (see ``strain``)."""
    worst_service: str | None
    worst_target: int | None
    windows_open: int
    windows_total: int
    alerts: int
    today: Figures
    """Today so far: handled (served), finished, ratings."""

    @property
    def strain(self) -> float:
        """The worst wait as a share of its target (1: at the target; 0: nobody waits)."""
        if self.worst_wait is None or not self.worst_target:
            return 0.0
        return self.worst_wait / self.worst_target


def worst_first(hall: HallNow) -> tuple[float, int, int, str]:
    """The network page's order: strain, then open alerts, then waiting, then code."""
    return (-hall.strain, -hall.alerts, -hall.waiting, hall.code)


def live(network: Network) -> list[HallNow]:
    """Every hall of ``network`` this minute, worst first: one network session, five queries
    whatever the number of halls."""
    first = network.context()
    moment = first.now()
    contexts = list(network)
    with first.db.network.report() as s:
        windows: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for hall, state, n in s.execute(
            select(Window.hall, Window.state, func.count())
            .where(Window.hall.in_(list(network.contexts)), Window.active)
            .group_by(Window.hall, Window.state)
        ):
            windows[hall][1] += n
            if state == WindowState.OPEN:
                windows[hall][0] += n
        alerts = dict(
            s.execute(
                select(Alert.hall, func.count())
                .where(Alert.hall.in_(list(network.contexts)), Alert.closed_at.is_(None))
                .group_by(Alert.hall)
            ).all()
        )
        waiting = in_lines(s, contexts, moment)
        today = figures.halls_day_figures(
            s, {ctx.hall: (ctx, ctx.business_day(moment)) for ctx in contexts}
        )
    found = [
        _hall_now(
            ctx,
            network,
            waiting[ctx.hall],
            figures.total(today[ctx.hall]),
            windows[ctx.hall],
            alerts.get(ctx.hall, 0),
        )
        for ctx in contexts
    ]
    return sorted(found, key=worst_first)


def _hall_now(
    ctx: Context,
    network: Network,
    waiting: list[Any],
    today: Figures,
    windows: list[int],
    alerts: int,
) -> HallNow:
    moment = ctx.now()
    cfg = ctx.config
    worst: tuple[float, float, str, int] | None = None
    late = 0
    for step in waiting:
        target = cfg.target(step.service_code)
        late += figures.is_late(step, target, moment)
        minutes = (figures.waited_seconds(step, moment) or 0.0) / 60
        key = (minutes / target if target else 0.0, minutes, step.service_code, target)
        if worst is None or key[:2] > worst[:2]:
            worst = key
    return HallNow(
        code=ctx.hall,
        level=network.halls[ctx.hall].level,
        waiting=len(waiting),
        waiting_late=late,
        worst_wait=worst[1] if worst else None,
        worst_service=worst[2] if worst else None,
        worst_target=worst[3] if worst else None,
        windows_open=windows[0],
        windows_total=windows[1],
        alerts=alerts,
        today=today,
    )


def hall_name(network: Network, code: str, lang: str) -> str:
    entry = network.halls[code]
    return entry.name_en if lang == "en" else entry.name_zh


def service_name(network: Network, code: str, lang: str) -> str:
    """A service's name as the first hall that has it (the default hall first) calls it."""
    for ctx in [network.context(), *network]:
        svc = ctx.config.service(code)
        if svc is not None:
            return svc.name(lang)
    return code


# --- reports across halls ----------------------------------------------------------------------

GROUPS = ("hall", "service", "level")


@dataclass
class HallPeriod:
    """One hall over a period: its figures, by service too, and its windows' open hours."""

    code: str
    level: str
    total: Figures
    services: dict[str, Figures]
    open_hours: float

    @property
    def per_window_hour(self) -> float | None:
        """Handled per open window-hour (None: no window was open)."""
        return self.total.handled / self.open_hours if self.open_hours else None


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    figures: Figures


@dataclass(frozen=True)
class HallRank:
    place: int
    code: str
    label: str
    score: float
    within_target: float | None
    satisfaction: float | None
    shows: float | None
    """1 − the no-show rate."""
    per_window_hour: float | None
    productivity: float | None
    """Handled per open window-hour ÷ the most of the level."""
    handled: int


@dataclass(frozen=True)
class NetworkReport:
    period: str
    start: date
    end: date
    group: str
    lines: list[Line]
    total: Figures
    ranking: dict[str, list[HallRank]] = field(default_factory=dict)
    """Per level (district, town, village), best first."""


def periods(
    network: Network, start: date, end: date, histograms_by: str = "hall"
) -> tuple[list[HallPeriod], dict[str, dict[int, int]]]:
    """Each hall's figures for the days ``start`` to ``end``, from its roll-ups (and today's
    live figures), in the network's order (:func:`queues.read.rollups.halls_reports`). The
    rolled-up days' wait histograms are in the halls' figures when ``histograms_by`` is
    ``hall``; by ``service``, they are answered apart, by service code."""
    by_service, open_seconds, stored = rollups.halls_reports(
        network.contexts, start, end, histograms_by
    )
    found = []
    for code in network.contexts:
        services = by_service.get(code, {})
        total = figures.total(services)
        if histograms_by == "hall":
            total.add(Figures(wait_minutes=stored.get(code, {})))
        found.append(
            HallPeriod(
                code=code,
                level=network.halls[code].level,
                total=total,
                services=services,
                open_hours=open_seconds.get(code, 0.0) / 3600,
            )
        )
    return found, stored if histograms_by == "service" else {}


def lines(
    network: Network,
    halls: list[HallPeriod],
    group: str,
    lang: str,
    histograms: dict[str, dict[int, int]] | None = None,
) -> list[Line]:
    """The period's figures by ``group``: each hall, each service code added up across halls
    (with ``histograms``, the rolled-up days' wait histograms by service), or each level (its
    halls added up)."""
    if group == "hall":
        return [Line(h.code, hall_name(network, h.code, lang), h.total) for h in halls]
    if group == "level":
        by_level: dict[str, Figures] = {}
        for h in halls:
            by_level.setdefault(h.level, Figures()).add(h.total)
        return [
            Line(level, t(f"network.level.{level}", lang), by_level[level])
            for level in LEVELS
            if level in by_level
        ]
    by_service: dict[str, Figures] = {}
    for h in halls:
        for code, f in h.services.items():
            by_service.setdefault(code, Figures()).add(f)
    for code, histogram in (histograms or {}).items():
        by_service.setdefault(code, Figures()).add(Figures(wait_minutes=histogram))
    return [
        Line(code, service_name(network, code, lang), f)
        for code, f in sorted(by_service.items(), key=lambda kv: (-kv[1].issued, kv[0]))
    ]


def rank(network: Network, halls: list[HallPeriod], lang: str) -> dict[str, list[HallRank]]:
    """The ranking of halls within each level (see the module's note), best first."""
    ranking: dict[str, list[HallRank]] = {}
    for level in LEVELS:
        serving = [h for h in halls if h.level == level and h.total.handled]
        if not serving:
            continue
        most = max((h.per_window_hour or 0.0 for h in serving), default=0.0)
        scored = []
        for h in serving:
            f = h.total
            shows = None if f.no_show_rate is None else 1 - f.no_show_rate
            productivity = (h.per_window_hour or 0.0) / most if most else None
            score = reports.weighted(
                [
                    (40, f.within_target_share),
                    (30, reports.satisfaction(f)),
                    (15, shows),
                    (15, productivity),
                ]
            )
            scored.append((score, h, shows, productivity))
        scored.sort(key=lambda x: (-x[0], -x[1].total.handled, x[1].code))
        ranking[level] = [
            HallRank(
                place=i + 1,
                code=h.code,
                label=hall_name(network, h.code, lang),
                score=round(score, 1),
                within_target=h.total.within_target_share,
                satisfaction=reports.satisfaction(h.total),
                shows=shows,
                per_window_hour=h.per_window_hour,
                productivity=productivity,
                handled=h.total.handled,
            )
            for i, (score, h, shows, productivity) in enumerate(scored)
        ]
    return ranking


def build(
    network: Network, period: str, anchor: date, end: date | None, group: str, lang: str
) -> NetworkReport:
    """The network's report of ``period`` holding ``anchor``, one line per ``group`` member,
    with the ranking of halls."""
    if group not in GROUPS:
        raise errors.InvalidPeriod(detail=group)
    start, end = reports.bounds(period, anchor, end)
    halls, histograms = periods(network, start, end, "service" if group == "service" else "hall")
    found = lines(network, halls, group, lang, histograms)
    total = Figures()
    for line in found:  # each grouping covers every ticket once
        total.add(line.figures)
    return NetworkReport(
        period=period,
        start=start,
        end=end,
        group=group,
        lines=found,
        total=total,
        ranking=rank(network, halls, lang),
    )


# --- tables for the page and the exports -----------------------------------------------------

RANK_COLUMNS = (
    "place",
    "name",
    "score",
    "within_target",
    "satisfaction",
    "shows",
    "per_window_hour",
    "handled",
)
RANK_SHARES = ("within_target", "satisfaction", "shows")


def _one(x: float | None, digits: int) -> float | None:
    return None if x is None else round(x, digits)


def sheets(report: NetworkReport, lang: str) -> reports.Sheets:
    """The report as named tables (headings, rows), as a hall's report has them: the figures
    (the same columns as a hall's report by service), then the ranking of each level."""
    heads = [t(f"network.group.{report.group}", lang)] + [
        t(f"report.col.{c}", lang) for c in reports.columns("all")
    ]
    rows = [[line.label, *reports.values(None, line.figures, "all")] for line in report.lines]
    rows.append([t("report.total", lang), *reports.values(None, report.total, "all")])
    tables: reports.Sheets = {t("report.sheet.figures", lang): (heads, rows)}
    rank_heads = [t(f"report.col.{c}", lang) for c in RANK_COLUMNS]
    for level, ranked in report.ranking.items():
        tables[t(f"network.rank.sheet.{level}", lang)] = (
            rank_heads,
            [
                [
                    r.place,
                    r.label,
                    r.score,
                    _one(r.within_target, 3),
                    _one(r.satisfaction, 3),
                    _one(r.shows, 3),
                    _one(r.per_window_hour, 2),
                    r.handled,
                ]
                for r in ranked
            ],
        )
    return tables


def heading(report: NetworkReport, lang: str) -> str:
    period = reports.title(report.period, report.start, report.end, lang)
    return (
        f"{t('network.title', lang)} · {period} "
        f"({report.start.isoformat()} — {report.end.isoformat()})"
    )


def to_csv(report: NetworkReport, lang: str) -> bytes:
    return reports.csv_of(heading(report, lang), sheets(report, lang))


def to_xlsx(report: NetworkReport, lang: str) -> bytes:
    period = reports.title(report.period, report.start, report.end, lang)
    shares = (*reports.SHARES, *RANK_SHARES)
    return reports.xlsx_of(heading(report, lang), period, sheets(report, lang), lang, shares)
