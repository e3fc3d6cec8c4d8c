"""Text on its way to a slip: nothing in it reaches the printer as a command or breaks drawing,
and wrapping a row costs in proportion to its length."""

from __future__ import annotations

import pytest

from kiosk import ticket
from kiosk.agent import layout_from
from kiosk.ticket import to_bytes, wrap
from queues import services
from queues.access.requesters import Requester
from queues.context import Context
from queues.hall import config
from queues.text import slip
from queues.text.printable import printable

BASE = "http://hall.example.gov.cn"
RESET, CUT, DRAWER = b"\x1b@", b"\x1dV", b"\x1bp"  # ESC @, GS V, ESC p (the cash-drawer pulse)
HOSTILE = "热线\x1b@12345\x1dV\x00转\x1bp\x00\x19\x7f号"


def test_controls_go_and_line_breaks_become_spaces() -> None:
    assert printable("T\x1b@1\x1dV\x002\x07") == "T@1V2"
    assert printable("a\u2029b\u2028c\x85d\r\ne\tf") == "a b c d  e f"


def test_format_characters_go_and_a_lone_surrogate_is_replaced() -> None:
    assert printable("窗\u200b口\u200d2\ufeff0\u202e号\xad") == "窗口20号"
    assert printable("x\ud800y") == "x\ufffdy"


def test_text_is_capped_with_an_ellipsis() -> None:
    assert printable("x" * 1000) == "x" * 199 + "…"
    assert printable("请到一楼综合服务区 20 号窗口") == "请到一楼综合服务区 20 号窗口"
    assert printable("a" * 200) == "a" * 200
    assert printable("\u200b" * 500_000 + "tail") == "…"  # the work stops at the cap


def test_every_row_of_a_slip_is_clean(ctx: Context) -> None:
    assert slip.Row("A\x1b@\u2029B").text == "A@ B"
    t = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
    layout = slip.build(t, with_footer(ctx, HOSTILE), base_url=BASE)
    assert layout.tail[-2].text == "热线@12345V转p号"


def with_footer(ctx: Context, zh: str) -> config.HallConfig:
    data = config.HallConfig.model_dump(ctx.config)
    data["printing"]["footer"] = {"zh": zh, "en": "Hotline\x1bp\x00\x19\u202912345"}
    return config.HallConfig.model_validate(data)


def test_ticket_data_never_becomes_a_printer_command_in_text(ctx: Context) -> None:
    t = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
    cfg = with_footer(ctx, HOSTILE)
    out = to_bytes(slip.build(t, cfg, base_url=BASE), "text", cfg.printing.font)
    assert RESET not in out and DRAWER not in out
    assert out.count(CUT) == 1 and out.endswith(b"\x1dV\x00")  # only the cut, at the end
    assert "热线@12345V转p号".encode("gb18030") in out


def test_ticket_data_never_becomes_a_printer_command_drawn(ctx: Context) -> None:
    t = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
    cfg = with_footer(ctx, HOSTILE)
    out = to_bytes(slip.build(t, cfg, base_url=BASE), "raster", cfg.printing.font)
    # drawn, and the line separator no longer stops the shaper
    assert out.startswith(b"\x1dv0") and out.endswith(b"\x1dV\x00")


def test_an_agent_rebuilding_a_slip_from_json_gets_clean_rows(ctx: Context) -> None:
    layout = layout_from(
        {"paper": 80, "head": [{"text": "A\x1b@B\x1dV\x00", "size": "huge", "bold": True}]}
    )
    out = to_bytes(layout, "text", ctx.config.printing.font)
    assert layout.head[0].text == "A@BV" and RESET not in out and out.count(CUT) == 1


# --- wrapping in linear work --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["x" * 20_000, "ab " * 7_000, "中" * 20_000, "a" + " " * 20_000, "x\u0301 " * 7_000],
    ids=["one-long-word", "short-words", "chinese", "spaces", "marks"],
)
def test_wrapping_measures_each_character_a_bounded_number_of_times(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    measured = 0
    columns = ticket.width

    def counting(part: str) -> int:
        nonlocal measured
        measured += len(part)
        return columns(part)

    monkeypatch.setattr(ticket, "width", counting)
    lines = wrap(text, 48)
    assert measured <= 3 * len(text)  # measuring "line so far + word" was n² / 96: 4 million
    assert lines and all(columns(line) <= 48 for line in lines)


class CountingFont:
    """A font 10 pixels a character (a combining accent none), counting what it measures."""

    def __init__(self) -> None:
        self.measured = 0

    def getlength(self, text: str) -> float:
        self.measured += len(text)
        return sum(0 if ch == "\u0301" else 10 for ch in text)


@pytest.mark.parametrize("text", ["ab " * 7_000, "x\u0301 " * 7_000, "y" * 20_000])
def test_pixel_wrapping_measures_each_character_a_bounded_number_of_times(text: str) -> None:
    font = CountingFont()
    lines = ticket._wrap_pixels(text, font, 560)  # type: ignore[arg-type]
    assert font.measured <= 3 * len(text)
    assert lines and all(CountingFont().getlength(line) <= 560 for line in lines)  # a word is cut
