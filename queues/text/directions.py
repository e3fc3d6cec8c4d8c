"""Where a visitor goes, in words: "请到一楼工程项目联审联批区 1-2 号窗口"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from queues.hall.config import HallConfig, Name
from queues.text.i18n import MESSAGES, t


def window_ranges(ids: Iterable[int]) -> str:
    """``[1, 2, 3, 5]`` gives ``"1-3, 5"``."""
    runs: list[list[int]] = []
    for i in sorted(set(ids)):
        if runs and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs)


def floor_words(floor: int, lang: str) -> str:
    """``2`` gives 二楼 or "floor 2"."""
    words = f"where.floor.{floor}"  # one to ten: said in words in Chinese
    return t(words, lang) if words in MESSAGES else t("where.floor", lang, floor=floor)


@dataclass(frozen=True)
class Directions:
    zone: str
    zone_name: Name
    floor: int
    windows: tuple[int, ...]

    def text(self, lang: str) -> str:
        """The whole sentence a ticket or a kiosk shows."""
        return t(
            "where.go",
            lang,
            floor=floor_words(self.floor, lang),
            zone=self.zone_name(lang),
            windows=window_ranges(self.windows),
        )


def directions(cfg: HallConfig, service: str, target_window: int | None = None) -> Directions:
    """Where a ticket queued for ``service`` (or sent to ``target_window``) is served."""
    svc = cfg.service(service)
    windows = (
        (target_window,)
        if target_window is not None
        else tuple(sorted(cfg.windows_serving.get(service, ())))
    )
    zone_code = svc.zone if svc else ""
    if target_window is not None:
        window = next((w for w in cfg.windows if w.id == target_window), None)
        zone_code = window.zone if window else zone_code
    zone = cfg.zone(zone_code)
    if zone is None:
        return Directions(zone_code, Name(zh=zone_code or "-", en=zone_code or "-"), 1, windows)
    return Directions(zone.code, zone.name, zone.floor, windows)
