"""The report's Excel workbook as a manager opens it: a title row naming the hall and the
period over every sheet, the headings under it, and columns wide enough for what they hold
(read back with openpyxl)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from queues import services
from queues.context import Context
from queues.read import reports
from tests.support import beijing

WANG = "user:wang"


def _a_morning(ctx: Context) -> None:
    """Tuesday 24 November 2026: window 5 (tax) serves T001 from 10:00 to 10:10."""
    ctx.clock.set(beijing(2026, 11, 24, 9, 55))  # type: ignore[attr-defined]
    services.resume(ctx, 5, WANG)
    services.issue(ctx, "tax")
    ctx.clock.set(beijing(2026, 11, 24, 10, 0))  # type: ignore[attr-defined]
    services.call_next(ctx, 5, WANG)
    services.start(ctx, 5, WANG)
    ctx.clock.set(beijing(2026, 11, 24, 10, 10))  # type: ignore[attr-defined]
    services.finish(ctx, 5, WANG)


def _book(ctx: Context, period: str, lang: str):  # type: ignore[no-untyped-def]
    report = reports.build(ctx, period, date(2026, 11, 24), None, "window", lang)
    return load_workbook(io.BytesIO(reports.to_xlsx(ctx, report, lang)))


def test_every_sheet_opens_with_the_hall_and_the_period(ctx: Context) -> None:
    _a_morning(ctx)
    book = _book(ctx, "month", "zh")
    for sheet in book.worksheets:
        assert sheet["A1"].value == "新区政务服务中心 · 2026年11月 (2026-11-01 — 2026-11-30)"
        assert sheet["A1"].font.bold
    main = book["统计"]
    assert main["A2"].value == "窗口"  # the headings under the title
    assert main.freeze_panes == "B3"
    english = _book(ctx, "month", "en")
    assert english.worksheets[0]["A1"].value == (
        "New District Service Centre · 2026-11 (2026-11-01 — 2026-11-30)"
    )


def test_columns_are_as_wide_as_what_they_hold(ctx: Context) -> None:
    _a_morning(ctx)
    main = _book(ctx, "day", "zh")["统计"]
    # "5 号窗口 税务局": 3 narrow characters and 6 Chinese ones (2 each) = 15, and 2 to spare
    assert main["A3"].value == "5 号窗口 税务局"
    assert main.column_dimensions["A"].width == 17
    # no column is narrower than its heading, counting a Chinese character as two
    for cell in main[2]:
        wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(cell.value))
        assert main.column_dimensions[cell.column_letter].width >= wide, cell.value
