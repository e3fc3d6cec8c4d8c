"""The printed ticket: its bytes on python-escpos's Dummy printer, its layout, the file printer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from escpos.printer import Dummy
from PIL import Image

from kiosk.printers import PrinterSpec, PrinterURIError, TicketPrinter, check_uri
from kiosk.ticket import COLUMNS, FS_CHINESE_MODE, draw, print_text, to_bytes, width, wrap
from queues import services
from queues.access.requesters import Requester
from queues.answers import TicketView
from queues.context import Context
from queues.text import slip

BASE = "http://hall.example.gov.cn"
RASTER_IMAGE = b"\x1dv0"  # GS v 0: print a raster bit image (the QR code, or a whole raster ticket)
CUT = b"\x1dV"  # GS V: cut


@pytest.fixture
def ticket(ctx: Context) -> TicketView:
    """T002, a priority tax ticket from kiosk k1, with window 5 (tax) open and T001 waiting."""
    services.resume(ctx, 5, "clerk:test")
    services.issue(ctx, "tax")
    return services.issue(ctx, "tax", "priority", by=Requester.at_kiosk("k1")).ticket


def test_text_ticket_bytes_on_the_dummy_printer(ctx: Context, ticket: TicketView) -> None:
    layout = slip.build(ticket, ctx.config, base_url=BASE, paper=80, kiosk="k1")
    printer = Dummy()
    print_text(printer, layout)
    out = printer.output
    assert out.startswith(FS_CHINESE_MODE)  # the printer's Chinese character mode first
    assert "税务登记与申报".encode("gb18030") in out  # the service, in GB18030
    assert "新区政务服务中心".encode("gb18030") in out  # the tests' hall
    assert "请到一楼综合服务区 5 号窗口".encode("gb18030") in out
    assert "优先办理".encode("gb18030") in out
    assert b"T002" in out and b"Tax registration and returns" in out
    assert RASTER_IMAGE in out  # the QR code
    assert CUT in out[-8:]  # and the cut last
    assert "前面还有 0 人".encode("gb18030") in out  # priority goes before the normal T001


def test_qr_code_points_at_the_status_page(ctx: Context, ticket: TicketView) -> None:
    layout = slip.build(ticket, ctx.config, base_url=BASE + "/", paper=80)
    assert layout.qr == f"{BASE}/t/{ticket.id}"


def test_first_step_is_named_on_the_ticket(ctx: Context) -> None:
    t = services.issue(ctx, "construction-permit").ticket
    rows = [r.text for r in slip.build(t, ctx.config, base_url=BASE).head]
    assert "施工许可证核发" in rows and "第一步：工程项目统一登记受理" in rows
    assert "请到一楼工程项目联审联批区 1–2 号窗口" in rows


@pytest.mark.parametrize(
    ("ahead", "eta", "zh", "en"),
    [
        (2, 12, "前面还有 2 人，预计等候约 12 分钟", "2 ahead of you, expected wait about 12 min"),
        (0, 0, "前面还有 0 人，请留意叫号", "0 ahead of you, you will be called shortly"),
        (
            3,
            None,
            "前面还有 3 人，窗口开放后开始叫号",
            "3 ahead of you, Calling starts when the windows open",
        ),
    ],
)
def test_wait_line_in_each_language(
    ctx: Context, ticket: TicketView, ahead: int, eta: int | None, zh: str, en: str
) -> None:
    waiting = replace(ticket, ahead=ahead, eta_minutes=eta)
    rows = [r.text for r in slip.build(waiting, ctx.config, base_url=BASE).head]
    assert rows[-2:] == [zh, en]


def test_raster_ticket_is_one_image_without_chinese_text(ctx: Context, ticket: TicketView) -> None:
    layout = slip.build(ticket, ctx.config, base_url=BASE, paper=58)
    out = to_bytes(layout, "raster", ctx.config.printing.font)
    assert out.count(RASTER_IMAGE) >= 1 and CUT in out
    assert "税务".encode("gb18030") not in out and b"T002" not in out


def test_58mm_lines_fit_the_paper(ctx: Context) -> None:
    t = services.issue(ctx, "construction-permit").ticket  # a first step: the longest slip
    layout = slip.build(t, ctx.config, base_url=BASE, paper=58)
    rows = layout.head + layout.tail
    lines = [(row, line) for row in rows for line in wrap(row.text, COLUMNS[58][row.size])]
    assert len(lines) > len(rows)  # some rows are too long for one line of the narrow paper
    for row, line in lines:
        assert width(line) <= COLUMNS[58][row.size], line


def test_wrap_breaks_at_spaces_and_between_chinese_characters() -> None:
    assert wrap("Please go to window 20", 12) == ["Please go to", "window 20"]
    assert wrap("人防工程审批、易地建设费", 8) == ["人防工程", "审批、易", "地建设费"]
    assert wrap("Supercalifragilistic", 8) == ["Supercal", "ifragili", "stic"]


def test_preview_image_is_as_wide_as_the_paper(ctx: Context, ticket: TicketView) -> None:
    font = ctx.config.printing.font
    assert draw(slip.build(ticket, ctx.config, base_url=BASE, paper=80), font).width == 576
    assert draw(slip.build(ticket, ctx.config, base_url=BASE, paper=58), font).width == 384


def test_file_printer_writes_raw_bytes_and_a_png(
    ctx: Context, ticket: TicketView, tmp_path: Path
) -> None:
    printer = TicketPrinter(
        PrinterSpec(uri=f"file:{tmp_path}/tickets", font=ctx.config.printing.font)
    )
    layout = slip.build(ticket, ctx.config, base_url=BASE)
    assert printer.print(layout) == "ok"
    (raw,) = (tmp_path / "tickets").glob("*.bin")
    (png,) = (tmp_path / "tickets").glob("*.png")
    printed = raw.read_bytes()  # what a text printer is sent
    assert printed.startswith(FS_CHINESE_MODE) and CUT in printed[-8:]
    assert b"T002" in printed and "税务登记与申报".encode("gb18030") in printed
    assert RASTER_IMAGE in printed  # the QR code
    assert "T002" in raw.name and ticket.id in raw.name
    assert Image.open(png).width == 576


def test_file_printer_that_cannot_write_is_a_fault(
    ctx: Context, ticket: TicketView, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    printer = TicketPrinter(PrinterSpec(uri=f"file:{blocker}/tickets"))
    from kiosk.printers import PrinterFault

    with pytest.raises(PrinterFault, match="cannot write"):
        printer.print(slip.build(ticket, ctx.config, base_url=BASE))


@pytest.mark.parametrize(
    "uri",
    [
        "tcp://192.168.1.50:9100",
        "tcp://printer.local",
        "usb://04b8:0202",
        "serial:///dev/ttyUSB0?baudrate=9600",
        "file:var/tickets",
        "dummy:",
    ],
)
def test_printer_uris_hallq_understands(uri: str) -> None:
    check_uri(uri)


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("lpt://1", "use tcp://"),
        ("usb://epson", "hex"),
        ("tcp://:9100", "host"),
        ("tcp://h:x", "port"),
    ],
)
def test_printer_uri_mistakes_are_explained(uri: str, words: str) -> None:
    with pytest.raises(PrinterURIError, match=words):
        check_uri(uri)
