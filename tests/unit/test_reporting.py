"""Assessment reports: their periods, rankings, bad-rating follow-up, and the exports."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from queues import errors, services
from queues.access import staff
from queues.context import Context
from queues.read import reports as reporting
from queues.text.cells import inert
from tests.support import Clock, beijing
from tests.unit.test_metrics import a_morning


@pytest.mark.parametrize(
    ("period", "anchor", "expected"),
    [
        ("day", date(2026, 11, 24), (date(2026, 11, 24), date(2026, 11, 24))),
        ("week", date(2026, 11, 26), (date(2026, 11, 23), date(2026, 11, 29))),
        ("month", date(2026, 2, 10), (date(2026, 2, 1), date(2026, 2, 28))),
        ("month", date(2028, 2, 10), (date(2028, 2, 1), date(2028, 2, 29))),
        ("quarter", date(2026, 11, 24), (date(2026, 10, 1), date(2026, 12, 31))),
        ("quarter", date(2026, 3, 31), (date(2026, 1, 1), date(2026, 3, 31))),
        ("year", date(2026, 6, 1), (date(2026, 1, 1), date(2026, 12, 31))),
    ],
)
def test_periods_follow_the_centres_cadence(period: str, anchor: date, expected: tuple) -> None:
    assert reporting.bounds(period, anchor) == expected


def test_a_custom_range_must_make_sense() -> None:
    assert reporting.bounds("custom", date(2026, 1, 5), date(2026, 2, 1)) == (
        date(2026, 1, 5),
        date(2026, 2, 1),
    )
    with pytest.raises(errors.InvalidPeriod) as backwards:
        reporting.bounds("custom", date(2026, 2, 1), date(2026, 1, 5))
    assert "结束日期早于开始日期" in backwards.value.message("zh")
    with pytest.raises(errors.InvalidPeriod):
        reporting.bounds("custom", date(2020, 1, 1), date(2026, 1, 1))
    with pytest.raises(errors.InvalidPeriod):
        reporting.bounds("fortnight", date(2026, 1, 1))


def test_titles_read_as_the_centre_writes_them() -> None:
    assert reporting.title("month", date(2026, 11, 1), date(2026, 11, 30), "zh") == "2026年11月"
    assert (
        reporting.title("quarter", date(2026, 10, 1), date(2026, 12, 31), "zh") == "2026年第4季度"
    )
    assert reporting.title("quarter", date(2026, 10, 1), date(2026, 12, 31), "en") == "Q4 2026"


def test_ranking_weighs_target_satisfaction_and_volume() -> None:
    from queues.read.figures import Figures

    fast = Figures(handled=50, wait_count=50, within_target=50, rating_count=10, rating_sum=50)
    slow = Figures(handled=100, wait_count=100, within_target=50, rating_count=10, rating_sum=30)
    idle = Figures()
    ranked = reporting.rank({"A": fast, "B": slow, "C": idle})
    assert [r.label for r in ranked] == ["A", "B"]  # nobody handled: not ranked
    # A: 40×1 + 40×1 + 20×0.5 = 90; B: 40×0.5 + 40×0.5 + 20×1 = 60
    assert [r.score for r in ranked] == [90.0, 60.0]
    unrated = reporting.rank({"D": Figures(handled=10, wait_count=10, within_target=10)})
    assert unrated[0].score == 100.0  # without ratings the other parts count for all


def test_a_bad_rating_is_followed_up(ctx: Context, clock: Clock) -> None:
    a_morning(ctx, clock)
    report = reporting.build(ctx, "day", date(2026, 11, 24), None, "window", "zh")
    assert [(b.number, b.score, b.follow_up, b.window) for b in report.bad] == [
        ("T002", 1, "open", 5)
    ]
    assert report.bad[0].clerk == "wang"
    services.follow_up(ctx, report.bad[0].id, "contacted", "电话回访，已解释承诺时限", "user:boss")
    again = reporting.build(ctx, "day", date(2026, 11, 24), None, "window", "zh").bad[0]
    assert (again.follow_up, again.note) == ("contacted", "电话回访，已解释承诺时限")
    with pytest.raises(errors.InvalidFollowUp):
        services.follow_up(ctx, again.id, "forgotten", "", "user:boss")
    with pytest.raises(errors.UnknownRating):
        services.follow_up(ctx, 99999, "resolved", "", "user:boss")


def test_exports_read_back(ctx: Context, clock: Clock) -> None:
    a_morning(ctx, clock)
    clock.set(beijing(2026, 11, 30, 9, 0))
    report = reporting.build(ctx, "month", date(2026, 11, 24), None, "window", "zh")
    book = load_workbook(io.BytesIO(reporting.to_xlsx(ctx, report, "zh")))
    assert book.sheetnames == ["统计", "窗口排名", "个人排名", "差评回访"]
    figures = book["统计"]
    assert figures.cell(1, 1).value.startswith("新区政务服务中心 · 2026年11月")  # the title row
    heads = [c.value for c in figures[2]]
    assert heads[:6] == ["窗口", "叫号", "办理量", "办结量", "转出", "过号"]
    row = [c.value for c in figures[3]]
    assert row[0] == "5 号窗口 税务局"
    assert row[heads.index("办理量")] == row[heads.index("办结量")] == 3
    assert row[heads.index("平均等候（分）")] == 19.0
    assert row[heads.index("目标内叫号率")] == 0.5
    assert figures.cell(3, heads.index("目标内叫号率") + 1).number_format == "0.0%"
    assert figures.cell(4, 1).value == "合计"
    assert book["窗口排名"].cell(3, 2).value == "5 号窗口 税务局"
    assert book["个人排名"].cell(3, 2).value == "wang"
    assert book["差评回访"].cell(3, 2).value == "T002"

    english = reporting.build(ctx, "month", date(2026, 11, 24), None, "window", "en")
    text = reporting.to_csv(ctx, english, "en").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["2026-11"]
    head = rows.index(["Figures"]) + 1
    assert rows[head][:4] == ["Window", "Called", "Handled", "Finished"]
    assert rows[head + 1][0] == "Window 5 Taxation" and rows[head + 1][2] == "3"
    assert ["Bad ratings"] in rows


def test_typed_text_is_never_a_formula_in_the_exports(ctx: Context, clock: Clock) -> None:
    """A visitor's comment and a manager's note that look like formulas (OWASP CSV injection)
    stay text in both exports; the figures beside them stay numbers."""
    staff.add_user(ctx, "li", "clerk", "a long enough password", display_name="-李")
    clock.set(beijing(2026, 11, 24, 9, 0))
    services.resume(ctx, 5, "user:li")
    ticket = services.issue(ctx, "tax").ticket.id
    services.call_next(ctx, 5, "user:li")
    services.start(ctx, 5, "user:li")
    clock.set(beijing(2026, 11, 24, 9, 10))
    services.finish(ctx, 5, "user:li")
    services.rate(ctx, ticket, 1, '=HYPERLINK("http://x","y")')
    report = reporting.build(ctx, "day", date(2026, 11, 24), None, "window", "en")
    services.follow_up(ctx, report.bad[0].id, "contacted", "+1", "user:boss")
    report = reporting.build(ctx, "day", date(2026, 11, 24), None, "window", "en")

    book = load_workbook(io.BytesIO(reporting.to_xlsx(ctx, report, "en")))
    bad = book["Bad ratings"]
    heads = [c.value for c in bad[2]]
    comment = bad.cell(3, heads.index("Comment") + 1)
    note = bad.cell(3, heads.index("Note") + 1)
    clerk = bad.cell(3, heads.index("Clerk") + 1)
    assert (comment.value, comment.data_type) == ('\'=HYPERLINK("http://x","y")', "s")
    assert (note.value, note.data_type) == ("'+1", "s")
    assert (clerk.value, clerk.data_type) == ("'-李", "s")
    assert bad.cell(3, heads.index("Rating") + 1).value == 1  # a number, not text
    assert book["Clerk ranking"].cell(3, 2).value == "'-李"
    assert book["Clerk ranking"].cell(3, 4).value == 1  # handled: still a number

    text = reporting.to_csv(ctx, report, "en").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    head = rows.index(["Bad ratings"]) + 1
    line = dict(zip(rows[head], rows[head + 1], strict=True))
    assert line["Comment"] == '\'=HYPERLINK("http://x","y")'
    assert line["Note"] == "'+1"
    assert line["Clerk"] == "'-李"
    assert line["Rating"] == "1"


@pytest.mark.parametrize(
    "typed", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "＋1", "－1", "＠A1"]
)
def test_every_formula_start_gets_an_apostrophe(typed: str) -> None:
    assert inert(typed) == "'" + typed
    assert inert("办结 =1") == "办结 =1"  # only the first character counts
    assert inert(-1) == -1 and inert(0.5) == 0.5 and inert(None) is None
