"""The printed ticket: what it says (a layout), and how a thermal printer is told to print it.

One layout, two ways to print it:

* **text** (the default): ESC/POS text with python-escpos. Chinese goes out as GB18030 bytes in
  the printer's Chinese character mode, which printers sold in China carry; the QR code is a
  raster image, which every ESC/POS printer prints.
* **raster**: the whole ticket drawn with Pillow in a CJK font and sent as one image, for
  printers without Chinese fonts. The same drawing is the PNG preview of the file printer.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

import qrcode
from escpos.escpos import Escpos
from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont

from queues.text.slip import Layout, Paper, Row

log = logging.getLogger("hallq.kiosk")


# python-escpos has no call for it: FS & selects the printer's Chinese (GB18030) character mode.
FS_CHINESE_MODE = b"\x1c\x26"
PROFILE = {80: "NT-80-V-UL", 58: "NT-5890K"}
DOTS = {80: 576, 58: 384}
# Characters per line of font A at each size (font B for small), by paper width.
COLUMNS = {
    80: {"small": 64, "normal": 48, "large": 24, "huge": 12},
    58: {"small": 42, "normal": 32, "large": 16, "huge": 8},
}
HUGE_FACTOR = {80: 4, 58: 3}
PIXELS = {
    80: {"small": 22, "normal": 30, "large": 46, "huge": 150},
    58: {"small": 17, "normal": 23, "large": 34, "huge": 104},
}


# --- text lines -------------------------------------------------------------------------------


def width(text: str) -> int:
    """Columns ``text`` takes on a printer: wide (CJK) characters count two."""
    return sum(_columns(ch) for ch in text)


def _columns(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def wrap(text: str, columns: int) -> list[str]:
    """Break ``text`` into lines of at most ``columns``, at spaces where it can."""
    return _fill(text, columns, lru_cache(maxsize=1024)(width), _columns)


def _fill(
    text: str, room: float, measure: Callable[[str], float], measure_char: Callable[[str], float]
) -> list[str]:
    """Lines of ``text`` no wider than ``room`` by ``measure``: broken after a space or between
    Chinese characters, a word wider than a line cut where the line is full.

    The work grows with the text, never with its square: each word is measured once, a word too
    long for a line once more a character at a time, and each line is joined once. (Measuring
    "the line so far plus the next word" for every word, as this did before, made a
    400,000-character field take a minute.)
    """
    space = measure(" ")
    lines: list[str] = []
    parts: list[str] = []
    used = 0.0  # the line's width, a space after its last word included
    for word in _words(text):
        if word == " ":  # a space after a space: kept inside a line, never starting one
            if parts:
                parts.append(word)
                used += space
            continue
        w = measure(word)
        core = w - space if word.endswith(" ") else w
        if parts and used + core > room:
            lines.append("".join(parts).rstrip())
            parts, used = [], 0.0
        if not parts and core > room:
            *full, word = _cut(word, room, measure_char)
            lines += full
            if word in ("", " "):
                continue
            w = measure(word)
        parts.append(word)
        used += w
    if parts:
        lines.append("".join(parts).rstrip())
    return lines or [""]


def _cut(word: str, room: float, measure_char: Callable[[str], float]) -> list[str]:
    """``word`` in pieces that each fill a line, the last one what is left over."""
    pieces: list[str] = []
    start, used = 0, 0.0
    for i, ch in enumerate(word):
        w = measure_char(ch)
        if used + w > room and i > start:
            pieces.append(word[start:i])
            start, used = i, 0.0
        used += w
    pieces.append(word[start:])
    return pieces


def _words(text: str) -> list[str]:
    """Spaces end ASCII words; every CJK character is a word of its own."""
    words: list[str] = []
    start = 0
    wide = unicodedata.east_asian_width
    for i, ch in enumerate(text):
        if wide(ch) in "WF":
            if i > start:
                words.append(text[start:i])
            words.append(ch)
            start = i + 1
        elif ch == " ":
            words.append(text[start : i + 1])
            start = i + 1
    if start < len(text):
        words.append(text[start:])
    return words


# --- ESC/POS text mode ------------------------------------------------------------------------


def cut(printer: Escpos, cutter: bool = True) -> None:
    """Cut the paper, or feed it for tearing off on a printer without a cutter.

    Some printers' python-escpos profiles (the 58 mm ones) know no cutter although the kiosk
    models have one; ``cut(feed=False)`` then sends the feed-and-cut command all the same.
    """
    if not cutter:
        printer.print_and_feed(6)
    elif printer.profile.supports("paperFullCut"):
        printer.cut()
    else:
        printer.cut(feed=False)


def print_text(printer: Escpos, layout: Layout, cutter: bool = True) -> None:
    """Send ``layout`` to ``printer`` as ESC/POS text, Chinese in GB18030, and cut."""
    printer._raw(FS_CHINESE_MODE)
    for row in layout.head:
        _text_row(printer, row, layout.paper)
    if layout.qr:
        printer.set(align="center", normal_textsize=True)
        printer.qr(layout.qr, size=6 if layout.paper == 80 else 4, center=True)
    for row in layout.tail:
        _text_row(printer, row, layout.paper)
    printer.set(align="left", normal_textsize=True, bold=False)
    cut(printer, cutter)


def _text_row(printer: Escpos, row: Row, paper: Paper) -> None:
    if row.size == "huge":
        factor = HUGE_FACTOR[paper]
        printer.set(align="center", bold=row.bold, custom_size=True, width=factor, height=factor)
    elif row.size == "large":
        printer.set(align="center", font="a", bold=row.bold, double_width=True, double_height=True)
    else:
        font = "b" if row.size == "small" else "a"
        printer.set(align="center", font=font, bold=row.bold, normal_textsize=True)
    for line in wrap(row.text, COLUMNS[paper][row.size]):
        printer.text(line + "\n")


# --- raster mode and previews -----------------------------------------------------------------


@lru_cache(maxsize=16)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        log.warning("font %s cannot be read; Chinese will not show (set printing.font)", path)
        return ImageFont.load_default(size)


def draw(layout: Layout, font_path: str) -> Image.Image:
    """The ticket as a black-and-white image as wide as the paper's printable dots."""
    dots = DOTS[layout.paper]
    margin = 8
    parts: list[Image.Image] = []
    for row in layout.head:
        parts += _draw_row(row, layout.paper, font_path, dots - 2 * margin)
    if layout.qr:
        qr = qrcode.make(layout.qr, border=1).get_image().convert("L")
        side = int(dots * (0.55 if layout.paper == 80 else 0.6))
        parts.append(qr.resize((side, side), Image.Resampling.NEAREST))
    for row in layout.tail:
        parts += _draw_row(row, layout.paper, font_path, dots - 2 * margin)
    height = sum(p.height for p in parts) + 6 * len(parts) + 2 * margin
    sheet = Image.new("L", (dots, height), 255)
    y = margin
    for part in parts:
        sheet.paste(part, ((dots - part.width) // 2, y))
        y += part.height + 6
    return sheet.convert("1")


def _draw_row(row: Row, paper: Paper, font_path: str, room: int) -> list[Image.Image]:
    font = _font(font_path, PIXELS[paper][row.size])
    lines: list[Image.Image] = []
    for line in _wrap_pixels(row.text, font, room):
        left, top, right, bottom = font.getbbox(line or " ")
        image = Image.new("L", (max(right - left, 1) + 2, bottom - top + 4), 255)
        pen = ImageDraw.Draw(image)
        pen.text((1 - left, 2 - top), line, font=font, fill=0)
        if row.bold:
            pen.text((2 - left, 2 - top), line, font=font, fill=0)
        lines.append(image)
    return lines


def _wrap_pixels(
    text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, room: int
) -> list[str]:
    """Lines of ``text`` that fit ``room`` pixels in ``font``. A word is measured as the sum of
    its characters' advances (each looked up once per font): kerning inside a word, which this
    leaves out, moves a line by a pixel or two, well inside the slip's margin."""

    def advance(ch: str) -> float:
        return _advance(font, ch)

    @lru_cache(maxsize=1024)
    def measure(word: str) -> float:
        return sum(map(advance, word))

    return _fill(text, room, measure, advance)


@lru_cache(maxsize=8192)
def _advance(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, ch: str) -> float:
    return font.getlength(ch)


def print_raster(printer: Escpos, layout: Layout, font_path: str, cutter: bool = True) -> None:
    """Send ``layout`` drawn as one image (for printers without Chinese fonts), and cut."""
    printer.image(draw(layout, font_path), center=False)
    cut(printer, cutter)


def to_bytes(
    layout: Layout, mode: Literal["text", "raster"], font_path: str, cutter: bool = True
) -> bytes:
    """The ESC/POS bytes that print ``layout``."""
    dummy = Dummy(profile=PROFILE[layout.paper])
    if mode == "raster":
        print_raster(dummy, layout, font_path, cutter)
    else:
        print_text(dummy, layout, cutter)
    return dummy.output
