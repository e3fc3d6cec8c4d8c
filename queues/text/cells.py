"""What a spreadsheet may make of an exported cell: text stays text.

A visitor's rating comment, a manager's follow-up note, a clerk's display name or a pause reason
end up in the CSV and XLSX exports. Excel, WPS and LibreOffice read a cell that starts with
``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula: a comment
``=HYPERLINK("http://…","详情")`` would become a live link in the manager's spreadsheet, and a
formula can fetch data or start a program (OWASP, "CSV Injection"). Those spreadsheets also take
the full-width forms ``＝＋－＠`` that a Chinese input method types.

The rule, as OWASP gives it: such a cell gets a leading apostrophe, which the spreadsheet shows as
text. Every text cell goes through it, not only the ones known to be typed by someone: a hall
file's service name is typed by a person too, and a cell that the code made never starts with
one of these characters. Numbers the code computed are left as numbers.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def inert(value: Any) -> Any:
    """``value`` as a cell no spreadsheet evaluates: text that could start a formula gets a
    leading ``'``; anything that is not text is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
