"""Where a visitor goes, in words: "请到二楼社会事务区 33 号窗口".

One definition for every screen and slip: the kiosk, the ticket slip, the phone page, the
wallboard and the strip over each window say where a ticket is served with :class:`Directions`;
floors are always written by :func:`floor_words` (二楼, "2nd floor") and runs of windows by
:func:`window_ranges` ("23–26、31–32" with an en dash, the Chinese enumeration comma in Chinese).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from queues.hall.config import HallConfig, Name
from queues.text.i18n import t

DASH = "\u2013"  # en dash: 23–26
_DIGITS = "零一二三四五六七八九"


def window_ranges(ids: Iterable[int], lang: str = "zh") -> str:
    """``[1, 2, 3, 5]`` gives ``"1–3、5"`` (``"1–3, 5"`` in English)."""
    runs: list[list[int]] = []
    for i in sorted(set(ids)):
        if runs and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    separator = t("list.separator", lang)
    return separator.join(f"{a}" if a == b else f"{a}{DASH}{b}" for a, b in runs)


def chinese_number(n: int) -> str:
    """A whole number from 0 to 99 in Chinese numerals: 2 二, 10 十, 12 十二, 35 三十五."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def floor_words(floor: int, lang: str) -> str:
    """A floor, written one way everywhere: ``2`` gives 二楼 or "2nd floor"; ``-1`` (the
    basement) 地下一层 or "basement 1"."""
    if floor < 1:
        depth = max(-floor, 1)
        return t("where.basement", lang, n=chinese_number(depth) if lang != "en" else depth)
    if lang == "en":
        return t("where.floor", lang, n=_ordinal(floor))
    return t("where.floor", lang, n=chinese_number(floor) if floor < 100 else str(floor))


@dataclass(frozen=True)
class Directions:
    zone: str
    zone_name: Name
    floor: int
    windows: tuple[int, ...]

    def place(self, lang: str) -> str:
        """The floor and the zone: 二楼社会事务区, "Social Affairs Zone, 2nd floor"."""
        return t(
            "where.place", lang, floor=floor_words(self.floor, lang), zone=self.zone_name(lang)
        )

    def windows_words(self, lang: str) -> str:
        """33 号窗口, 23–26、31–32 号窗口; "window 33", "windows 23–26, 31–32"."""
        key = "where.window" if len(self.windows) == 1 else "where.windows"
        return t(key, lang, windows=window_ranges(self.windows, lang))

    def text(self, lang: str) -> str:
        """The whole sentence every screen and slip shows: 请到二楼社会事务区 33 号窗口."""
        return t(
            "where.go",
            lang,
            floor=floor_words(self.floor, lang),
            zone=self.zone_name(lang),
            windows=self.windows_words(lang),
        )


def directions(cfg: HallConfig, service: str, target_window: int | None = None) -> Directions:
    """Where a ticket queued for ``service`` (or sent to ``target_window``) is served."""
    if target_window is not None:
        return to_window(cfg, target_window, service)
    svc = cfg.service(service)
    windows = tuple(sorted(cfg.windows_serving.get(service, ())))
    return _in_zone(cfg, svc.zone if svc else "", windows)


def to_window(cfg: HallConfig, window: int, service: str | None = None) -> Directions:
    """Where window ``window`` is: what a call says (the board, the strip, the phone)."""
    found = next((w for w in cfg.windows if w.id == window), None)
    svc = cfg.service(service) if service else None
    zone_code = found.zone if found else (svc.zone if svc else "")
    return _in_zone(cfg, zone_code, (window,))


def _in_zone(cfg: HallConfig, zone_code: str, windows: tuple[int, ...]) -> Directions:
    zone = cfg.zone(zone_code)
    if zone is None:
        return Directions(zone_code, Name(zh=zone_code or "-", en=zone_code or "-"), 1, windows)
    return Directions(zone.code, zone.name, zone.floor, windows)
