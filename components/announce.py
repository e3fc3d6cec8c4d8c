"""What a lobby screen says when it calls a ticket: "请 J012 号到 5 号窗口办理".

Each call comes as a sentence for the browser's own speech (used where it has a voice for the
language) and as the list of recorded clips that say the same (``assets/voice``, made by
``scripts/make_voice.py``), played one after another where it has none.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import dash

from queues.text.directions import Directions
from queues.text.i18n import t

_ZH = {
    "qing": "zh/qing",
    "hao_dao": "zh/hao-dao",
    "end": "zh/hao-chuangkou-banli",
    "shi": "zh/shi",
    "bai": "zh/bai",
}


@dataclass(frozen=True)
class Announcement:
    key: str
    """The call's identity: a recall is a new key (the same number, a later time)."""
    zh: str
    en: str
    zh_clips: list[str]
    en_clips: list[str]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _url(name: str) -> str:
    return dash.get_asset_url(f"voice/{name}.ogg")


def _spell(number: str, lang: str) -> list[str]:
    """A ticket number is read character by character: J, 0, 1, 2."""
    clips = []
    for ch in number.lower():
        if ch.isdigit():
            clips.append(f"{lang}/d{ch}" if lang == "zh" else f"en/n{ch}")
        elif ch.isalpha() and ch.isascii():
            clips.append(f"{lang}/{ch}")
    return clips


def _zh_number(n: int) -> list[str]:
    """A window number read as a number: 5 五, 12 十二, 35 三十五, 120 一百二十."""
    if n < 10:
        return [f"zh/d{n}"]
    if n < 20:
        return [_ZH["shi"]] + ([f"zh/d{n - 10}"] if n > 10 else [])
    if n < 100:
        tens, ones = divmod(n, 10)
        return [f"zh/d{tens}", _ZH["shi"]] + ([f"zh/d{ones}"] if ones else [])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        tail: list[str] = []
        if rest:
            tail = (["zh/d0"] if rest < 10 else (["zh/d1"] if rest < 20 else [])) + _zh_number(rest)
        return [f"zh/d{hundreds}", _ZH["bai"], *tail]
    return [f"zh/d{d}" for d in str(n)]


def _en_number(n: int) -> list[str]:
    if n < 20:
        return [f"en/n{n}"]
    if n < 100:
        tens, ones = divmod(n, 10)
        return [f"en/n{tens * 10}"] + ([f"en/n{ones}"] if ones else [])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return [f"en/n{hundreds}", "en/hundred"] + (_en_number(rest) if rest else [])
    return [f"en/n{d}" for d in str(n)]


def announcement(
    number: str, window: int, key: str, where: Directions | None = None
) -> Announcement:
    """The call of ``number`` to ``window``; the browser's speech also says the window's floor
    and zone (``where``), the recorded clips only the window (there is no clip per zone)."""
    spaced = " ".join(re.findall(r"[A-Za-z]|\d", number))
    zh_clips = [_ZH["qing"], *_spell(number, "zh"), _ZH["hao_dao"], *_zh_number(window), _ZH["end"]]
    en_clips = ["en/number", *_spell(number, "en"), "en/please-go-to-window", *_en_number(window)]
    return Announcement(
        key=key,
        zh=_sentence("zh", spaced, window, where),
        en=_sentence("en", spaced, window, where),
        zh_clips=[_url(c) for c in zh_clips],
        en_clips=[_url(c) for c in en_clips],
    )


def _sentence(lang: str, number: str, window: int, where: Directions | None) -> str:
    if where is None:
        return t("announce.call", lang, number=number, window=window)
    return t("announce.call_at", lang, number=number, window=window, place=where.place(lang))
