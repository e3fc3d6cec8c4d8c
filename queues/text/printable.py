"""Text a thermal printer may be given: what is left of a string once nothing in it can act.

A slip's text comes from the hall file and the ticket, and in the end from people. On its way to
paper it meets two interpreters that take some characters as orders: the printer, for which the
bytes 0x00-0x1F start commands (``ESC @`` resets it, ``GS V`` cuts, ``ESC p`` kicks the cash
drawer), and the text shaper that draws a raster slip (libraqm), which gives up on a line or
paragraph separator. So before text becomes a :class:`queues.text.slip.Row`:

* line breaks of every kind (``\\n``, ``\\r``, U+0085, U+2028, U+2029, tabs) become one space:
  a row is one line of meaning, wrapped by the printer code, never by the data;
* every other control (Cc) and format character (Cf: zero-width joiners, direction marks, the
  byte-order mark, soft hyphens) is dropped: none of them prints;
* a lone surrogate (not a character at all) becomes U+FFFD, which every encoding can carry;
* the result is cut to ``limit`` characters, marked with an ellipsis.

What is left encodes to printer bytes that are all text: GB18030, the printer's Chinese mode,
never produces a byte below 0x20 for a character at or above it.
"""

from __future__ import annotations

import unicodedata

ROW_CHARS = 200
"""The most characters one row of a slip carries: four lines of 80 mm paper in its normal font.
The hall's longest real row (a directions line) is under 40."""
ELLIPSIS = "…"
_SPACE_LIKE = frozenset("\t\n\v\f\r\x85\u2028\u2029")
_DROPPED = frozenset(("Cc", "Cf", "Zl", "Zp"))


def printable(text: str, limit: int = ROW_CHARS) -> str:
    """``text`` with nothing a printer or a shaper would act on, at most ``limit`` characters."""
    kept: list[str] = []
    # Each character adds at most one to the result, so reading past 2 × limit cannot change
    # what is kept (beyond knowing that it is cut): the work is bounded whatever comes in.
    for ch in text[: 2 * limit + 1]:
        if ch in _SPACE_LIKE:
            kept.append(" ")
        elif "\ud800" <= ch <= "\udfff":
            kept.append("\ufffd")
        elif ch.isprintable() or unicodedata.category(ch) not in _DROPPED:
            kept.append(ch)
    if len(kept) > limit or len(text) > 2 * limit + 1:
        return "".join(kept[: limit - 1]) + ELLIPSIS
    return "".join(kept)
