"""The centre's assessment reports: a period, its figures by zone, service, window or clerk, the
ranking of windows and clerks, the bad ratings and their follow-up, and exports (CSV, XLSX).

Periods follow the centre's cadence (日考勤、周抽查、月考核、季评比、年汇总): a day, the week
(Monday to Sunday), the month, the quarter or the year holding a date, or a custom range.

The figures are :mod:`queues.read.figures`'s: 办理量 (handled: steps a window took to their end,
transfers on included) stands beside 办结量 (finished: ended with an outcome), never in its place.

**Ranking** (先进窗口, 先进个人): among windows (clerks) that handled someone in the period, a
score out of 100 = 40 × share within target + 40 × satisfaction + 20 × handled ÷ the most any
handled; satisfaction is the mean rating mapped from 1-5 onto 0-1. A part that has no data (no
ratings) is left out and the others are scaled up to 100.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from queues import errors
from queues.context import Context
from queues.read import booking_figures, figures, rollups
from queues.read.figures import clerk_of
from queues.rules import rating
from queues.rules.lifecycle import Outcome
from queues.store.models import Rating, Step, Ticket, User
from queues.text.cells import inert
from queues.text.i18n import t

PERIODS = ("day", "week", "month", "quarter", "year", "custom")
LONGEST_DAYS = 3 * 366


def bounds(period: str, anchor: date, end: date | None = None) -> tuple[date, date]:
    """The first and last day of ``period`` holding ``anchor`` (for ``custom``: anchor to end)."""
    if period == "day":
        return anchor, anchor
    if period == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return first, first + timedelta(days=6)
    if period == "month":
        first = anchor.replace(day=1)
        return first, _next_month(first) - timedelta(days=1)
    if period == "quarter":
        first = anchor.replace(month=(anchor.month - 1) // 3 * 3 + 1, day=1)
        return first, _next_month(_next_month(_next_month(first))) - timedelta(days=1)
    if period == "year":
        return anchor.replace(month=1, day=1), anchor.replace(month=12, day=31)
    if period == "custom":
        if end is None:
            raise errors.InvalidPeriod(detail=_words("report.error.no_end"))
        if end < anchor:
            raise errors.InvalidPeriod(detail=_words("report.error.backwards"))
        if (end - anchor).days >= LONGEST_DAYS:
            raise errors.InvalidPeriod(detail=_words("report.error.too_long"))
        return anchor, end
    raise errors.InvalidPeriod(detail=period)


def _words(key: str) -> Callable[[str], str]:
    return lambda lang: t(key, lang)


def _next_month(first: date) -> date:
    return (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )


def title(period: str, start: date, end: date, lang: str) -> str:
    """The period in words: 2026年11月, 2026年第4季度, …"""
    if period == "month":
        return t("report.title.month", lang, year=start.year, month=start.month)
    if period == "quarter":
        return t("report.title.quarter", lang, year=start.year, quarter=(start.month - 1) // 3 + 1)
    if period == "year":
        return t("report.title.year", lang, year=start.year)
    if start == end:
        return start.isoformat()
    return t("report.title.range", lang, start=start.isoformat(), end=end.isoformat())


@dataclass(frozen=True)
class Line:
    """One row of a report: a zone, service, window or clerk, and its figures."""

    key: str | int
    label: str
    figures: figures.Figures
    open_hours: float | None = None
    serving_share: float | None = None


@dataclass(frozen=True)
class Ranked:
    place: int
    label: str
    score: float
    handled: int
    within_target: float | None
    rating: float | None


@dataclass(frozen=True)
class BadRating:
    id: int
    day: date
    number: str
    service: str
    window: int | None
    clerk: str
    score: int
    comment: str | None
    follow_up: str
    note: str | None
    rated_at: datetime


@dataclass(frozen=True)
class Report:
    period: str
    start: date
    end: date
    group: str
    lines: list[Line]
    total: figures.Figures
    windows: list[Ranked]
    clerks: list[Ranked]
    bad: list[BadRating]
    bookings: list[booking_figures.Line] = field(default_factory=list)
    """The bookings of the period per matter and slot (:mod:`queues.read.booking_figures`)."""


def build(
    ctx: Context, period: str, anchor: date, end: date | None, group: str, lang: str
) -> Report:
    """The report of ``period`` holding ``anchor``, one line per ``group`` member."""
    if group not in rollups.GROUPS:
        raise errors.InvalidPeriod(detail=group)
    start, end = bounds(period, anchor, end)
    names = clerk_names(ctx)
    found = rollups.reports(ctx, start, end, {None, "window", "clerk", group})
    total = found[None].get("all", figures.Figures())
    by_window, by_clerk, members = found["window"], found["clerk"], found[group]
    times = rollups.window_report(ctx, start, end)
    lines = [
        _line(ctx, group, key, f, times, names, lang)
        for key, f in sorted(members.items(), key=lambda kv: _order(ctx, group, kv[0]))
    ]
    return Report(
        period=period,
        start=start,
        end=end,
        group=group,
        lines=lines,
        total=total,
        windows=rank({_label(ctx, "window", k, names, lang): f for k, f in by_window.items()}),
        clerks=rank({_label(ctx, "clerk", k, names, lang): f for k, f in by_clerk.items()}),
        bad=bad_ratings(ctx, start, end),
        bookings=booking_figures.lines(ctx, start, end),
    )


def _order(ctx: Context, group: str, key: str | int) -> tuple[int, str]:
    if group == "zone":
        codes = [z.code for z in ctx.config.zones]
        return (codes.index(key) if key in codes else len(codes), str(key))
    if group == "service":
        codes = [s.code for s in ctx.config.services]
        return (codes.index(key) if key in codes else len(codes), str(key))
    if group == "window":
        return (int(key), "")
    return (0, str(key))


def _label(ctx: Context, group: str, key: str | int, names: dict[str, str], lang: str) -> str:
    cfg = ctx.config
    if group == "zone":
        zone = cfg.zone(str(key))
        return zone.name(lang) if zone else str(key)
    if group == "service":
        svc = cfg.service(str(key))
        return svc.name(lang) if svc else str(key)
    if group == "window":
        window = next((w for w in cfg.windows if w.id == key), None)
        return t("report.window", lang, window=key) + (
            f" {window.department(lang)}" if window else ""
        )
    return names.get(str(key), str(key))


def _line(
    ctx: Context,
    group: str,
    key: str | int,
    f: figures.Figures,
    times: dict[int, figures.WindowTime],
    names: dict[str, str],
    lang: str,
) -> Line:
    label = _label(ctx, group, key, names, lang)
    if group != "window" or not isinstance(key, int) or key not in times:
        return Line(key, label, f)
    w = times[key]
    return Line(key, label, f, open_hours=w.open_seconds / 3600, serving_share=w.serving_share)


def clerk_names(ctx: Context) -> dict[str, str]:
    """Sign-in name → the name people know, for every account ever made."""
    with ctx.db.report() as s:
        return {
            name: shown or name for name, shown in s.execute(select(User.name, User.display_name))
        }


def satisfaction(f: figures.Figures) -> float | None:
    """The mean rating mapped from 1-5 onto 0-1 (None: no rating)."""
    return None if f.rating_mean is None else (f.rating_mean - 1) / 4


def weighted(parts: list[tuple[float, float | None]]) -> float:
    """A score out of 100 from (weight, share 0-1) parts; a part without data (None) is left out
    and the others are scaled up to 100."""
    known = [(w, v) for w, v in parts if v is not None]
    weight = sum(w for w, _ in known)
    return 100 * sum(w * v for w, v in known) / weight if weight else 0.0


def score(f: figures.Figures, most_handled: int) -> float:
    return weighted(
        [
            (40, f.within_target_share),
            (40, satisfaction(f)),
            (20, f.handled / most_handled if most_handled else None),
        ]
    )


def rank(members: dict[str, figures.Figures]) -> list[Ranked]:
    """Windows or clerks by score, best first (see the module's note)."""
    serving = {k: f for k, f in members.items() if f.handled}
    most = max((f.handled for f in serving.values()), default=0)
    ordered = sorted(serving.items(), key=lambda kv: (-score(kv[1], most), -kv[1].handled, kv[0]))
    return [
        Ranked(
            place=i + 1,
            label=label,
            score=round(score(f, most), 1),
            handled=f.handled,
            within_target=f.within_target_share,
            rating=f.rating_mean,
        )
        for i, (label, f) in enumerate(ordered)
    ]


def bad_ratings(ctx: Context, start: date, end: date) -> list[BadRating]:
    """The period's bad ratings (the two lowest levels), newest first, with their follow-up."""
    with ctx.db.read() as s:
        rows = s.execute(
            select(
                Rating.id,
                Ticket.day,
                Ticket.number,
                Step.service_code,
                Rating.window_id,
                Step.clerk,
                Rating.score,
                Rating.comment,
                Rating.follow_up,
                Rating.follow_up_note,
                Rating.created_at,
            )
            .join(Ticket, Ticket.id == Rating.ticket_id)
            .outerjoin(Step, Step.id == Rating.step_id)
            .where(Ticket.day >= start, Ticket.day <= end, Rating.score.in_(rating.BAD_SCORES))
            .order_by(Rating.created_at.desc())
        ).all()
    names = clerk_names(ctx) if rows else {}
    return [
        BadRating(
            id=r.id,
            day=r.day,
            number=r.number,
            service=r.service_code or "",
            window=r.window_id,
            clerk=names.get(clerk_of(r.clerk), clerk_of(r.clerk)),
            score=r.score,
            comment=r.comment,
            follow_up=r.follow_up or "open",
            note=r.follow_up_note,
            rated_at=r.created_at,
        )
        for r in rows
    ]


# --- tables for the page and the exports -----------------------------------------------------

COLUMNS = (
    "issued",
    "called",
    "handled",
    "finished",
    "transferred",
    "no_shows",
    "no_show_rate",
    "wait_mean",
    "wait_p90",
    "within_target",
    "late",
    "service_mean",
    *(f"outcome.{o}" for o in Outcome),
    "rating",
    "ratings",
    "bad",
)
WINDOW_COLUMNS = ("open_hours", "serving_share")
ISSUING = ("zone", "service", "all")


def _one(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(x, digits)


def values(line: Line | None, f: figures.Figures, group: str) -> list[Any]:
    """A line's figures in COLUMNS order (and the window columns for a window report): numbers,
    or None where a figure has no data. Shares are fractions (0.85)."""
    row: list[Any] = [f.issued] if group in ISSUING else []
    row += [
        f.called,
        f.handled,
        f.finished,
        f.transferred,
        f.no_shows,
        _one(f.no_show_rate, 3),
        _one(f.wait_mean),
        f.wait_p90,
        _one(f.within_target_share, 3),
        f.late,
        _one(f.service_mean),
        *(f.outcomes.get(o, 0) for o in Outcome),
        _one(f.rating_mean, 2),
        f.rating_count,
        f.bad_ratings,
    ]
    if group == "window":
        row += [
            _one(line.open_hours if line else None),
            _one(line.serving_share if line else None, 3),
        ]
    return row


def columns(group: str) -> tuple[str, ...]:
    """A report's columns: tickets are issued to services (so zones), windows call them."""
    cols = COLUMNS if group in ISSUING else COLUMNS[1:]
    return cols + (WINDOW_COLUMNS if group == "window" else ())


def headings(group: str, lang: str) -> list[str]:
    cols = columns(group)
    return [t(f"report.group.{group}", lang)] + [t(f"report.col.{c}", lang) for c in cols]


def sheets(ctx: Context, report: Report, lang: str) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The report as named tables (headings, rows): what both exports write."""
    main_rows = [[line.label, *values(line, line.figures, report.group)] for line in report.lines]
    total = values(None, report.total, report.group)
    main_rows.append([t("report.total", lang), *total])
    ranking_heads = [
        t("report.col.place", lang),
        t("report.col.name", lang),
        t("report.col.score", lang),
        t("report.col.handled", lang),
        t("report.col.within_target", lang),
        t("report.col.rating", lang),
    ]

    def ranked(rows: list[Ranked]) -> list[list[Any]]:
        return [
            [r.place, r.label, r.score, r.handled, _one(r.within_target, 3), _one(r.rating, 2)]
            for r in rows
        ]

    bad_heads = [
        t(f"report.col.{c}", lang)
        for c in ("day", "number", "service_name", "window", "clerk", "score_given", "comment")
    ] + [t("report.col.follow_up", lang), t("report.col.note", lang)]
    services = {s.code: s.name(lang) for s in ctx.config.services}
    bad_rows = [
        [
            b.day.isoformat(),
            b.number,
            services.get(b.service, b.service),
            b.window,
            b.clerk,
            b.score,
            b.comment or "",
            t(f"follow_up.{b.follow_up}", lang),
            b.note or "",
        ]
        for b in report.bad
    ]
    tables = {
        t("report.sheet.figures", lang): (headings(report.group, lang), main_rows),
        t("report.sheet.windows", lang): (ranking_heads, ranked(report.windows)),
        t("report.sheet.clerks", lang): (ranking_heads, ranked(report.clerks)),
        t("report.sheet.bad", lang): (bad_heads, bad_rows),
    }
    if report.bookings:  # a period with bookings: their sheet too
        tables[t("checkin.report.heading", lang)] = (
            booking_figures.headings(lang),
            booking_figures.rows(ctx, report.bookings, lang),
        )
    return tables


def to_csv(ctx: Context, report: Report, lang: str) -> bytes:
    """The report's tables one after another, each under its name; UTF-8 with a byte-order mark
    so that Excel opens the Chinese as Chinese. No cell is read as a formula (queues.text.cells)."""
    return csv_of(title(report.period, report.start, report.end, lang), sheets(ctx, report, lang))


Sheets = dict[str, tuple[list[str], list[list[Any]]]]


def csv_of(heading: str, tables: Sheets) -> bytes:
    """Named tables one after another under ``heading``, as :func:`to_csv` writes them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([inert(heading)])
    for name, (heads, rows) in tables.items():
        writer.writerow([])
        writer.writerow([inert(name)])
        writer.writerow([inert(h) for h in heads])
        writer.writerows([["" if v is None else inert(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(ctx: Context, report: Report, lang: str) -> bytes:
    """The report as a workbook: one sheet per table, each opening with a title row naming the
    hall and the period, its columns as wide as their widest cell (a Chinese character counts
    two), shares formatted as percentages. Text is stored as text, never as a formula (openpyxl
    makes one of any text starting with ``=``), and escaped as in the CSV (queues.text.cells)."""
    period = title(report.period, report.start, report.end, lang)
    heading = (
        f"{ctx.config.hall.name(lang)} · {period} "
        f"({report.start.isoformat()} — {report.end.isoformat()})"
    )
    return xlsx_of(heading, period, sheets(ctx, report, lang), lang)


def xlsx_of(
    heading: str, period: str, tables: Sheets, lang: str, shares: tuple[str, ...] | None = None
) -> bytes:
    """Named tables as a workbook, each sheet under ``heading``, as :func:`to_xlsx` writes it;
    the columns headed ``report.col.<share>`` (``shares``, default :data:`SHARES`) as
    percentages."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    share_heads = {t(f"report.col.{c}", lang) for c in (SHARES if shares is None else shares)}
    for name, (heads, rows) in tables.items():
        sheet = book.create_sheet(name[:31])
        sheet.append([inert(heading)])
        for row in [heads, *rows]:
            sheet.append([inert(v) for v in row])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A1"].alignment = Alignment(horizontal="left")
        if len(heads) > 1:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
        for cell in sheet[HEAD_ROW]:
            cell.font = Font(bold=True)
        for line in sheet.iter_rows():
            for cell in line:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        for col, head in enumerate(heads, start=1):
            letter = get_column_letter(col)
            share = head in share_heads
            cells = sheet[letter][HEAD_ROW:]
            if share:
                for cell in cells:
                    cell.number_format = "0.0%"
            widest = max([text_width(head)] + [text_width(_shown(c.value, share)) for c in cells])
            sheet.column_dimensions[letter].width = min(max(widest + 2, 6), 60)
        sheet.freeze_panes = f"B{HEAD_ROW + 1}"
    book.properties.title = period
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEAD_ROW = 2
"""The workbook's column headings are on row 2, under the title row."""


def text_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: two for a wide (Chinese) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(value: Any, share: bool) -> str:
    """A cell's value as the spreadsheet shows it (shares as 12.3%)."""
    if value is None:
        return ""
    if share and isinstance(value, int | float):
        return f"{value:.1%}"
    return str(value)


SHARES = ("no_show_rate", "within_target", "serving_share", "check_in_rate")


def follow_up_of(ctx: Context, rating_id: int) -> tuple[str, str | None] | None:
    """A bad rating's follow-up state and note as saved (None: no such rating)."""
    with ctx.db.read() as s:
        found = s.execute(
            select(Rating.follow_up, Rating.follow_up_note).where(Rating.id == rating_id)
        ).first()
    return None if found is None else (found[0], found[1])
