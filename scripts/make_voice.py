"""Record the announcement clips in assets/voice/ with an offline speech engine (run once).

Lobby screens speak every call. Where the browser has a voice for the language it speaks the
sentence itself; where it has none (most lobby PCs have no Mandarin voice and no internet), the
sentence is played from these clips, joined in order. They are made with espeak-ng and sox
(Debian packages ``espeak-ng`` and ``sox``) and committed, so no screen needs either.

    python3 scripts/make_voice.py            # writes assets/voice/{chime.ogg, zh/*.ogg, en/*.ogg}
"""

from __future__ import annotations

import shutil
import string
import subprocess
import tempfile
from pathlib import Path

VOICE = Path(__file__).resolve().parent.parent / "assets" / "voice"
ZH_DIGITS = "零一二三四五六七八九"
EN_NUMBERS = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
)
EN_TENS = {
    20: "twenty",
    30: "thirty",
    40: "forty",
    50: "fifty",
    60: "sixty",
    70: "seventy",
    80: "eighty",
    90: "ninety",
}


def clip(voice: str, text: str, out: Path, speed: int = 150) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "raw.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True
        )
        # trim the silence at both ends, mono 22 kHz, Ogg Vorbis
        subprocess.run(
            [
                "sox",
                str(wav),
                "-r",
                "22050",
                "-c",
                "1",
                str(out),
                "silence",
                "1",
                "0.02",
                "0.5%",
                "reverse",
                "silence",
                "1",
                "0.02",
                "0.5%",
                "reverse",
                "norm",
                "-1",
            ],
            check=True,
        )


def chime(out: Path) -> None:
    """Ding-dong: two soft bells, a sixth apart."""
    with tempfile.TemporaryDirectory() as tmp:
        ding, dong = Path(tmp) / "ding.wav", Path(tmp) / "dong.wav"
        for path, freq, length in ((ding, 880, 0.45), (dong, 698.5, 0.8)):
            subprocess.run(
                [
                    "sox",
                    "-n",
                    "-r",
                    "22050",
                    "-c",
                    "1",
                    str(path),
                    "synth",
                    str(length),
                    "sine",
                    str(freq),
                    "sine",
                    str(freq * 2),
                    "fade",
                    "0.005",
                    str(length),
                    str(length * 0.9),
                    "gain",
                    "-6",
                ],
                check=True,
            )
        subprocess.run(["sox", str(ding), str(dong), str(out), "norm", "-3"], check=True)


def main() -> None:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed: apt-get install espeak-ng sox")
    zh, en = VOICE / "zh", VOICE / "en"
    zh.mkdir(parents=True, exist_ok=True)
    en.mkdir(parents=True, exist_ok=True)
    chime(VOICE / "chime.ogg")
    clip("cmn", "请", zh / "qing.ogg")
    clip("cmn", "号到", zh / "hao-dao.ogg")
    clip("cmn", "号窗口办理", zh / "hao-chuangkou-banli.ogg")
    clip("cmn", "十", zh / "shi.ogg")
    clip("cmn", "百", zh / "bai.ogg")
    for d, word in enumerate(ZH_DIGITS):
        clip("cmn", word, zh / f"d{d}.ogg")
    for letter in string.ascii_uppercase:
        clip("cmn", letter, zh / f"{letter.lower()}.ogg")
        clip("en", letter, en / f"{letter.lower()}.ogg")
    clip("en", "Number", en / "number.ogg")
    clip("en", "please go to window", en / "please-go-to-window.ogg")
    for n, word in enumerate(EN_NUMBERS):
        clip("en", word, en / f"n{n}.ogg")
    for n, word in EN_TENS.items():
        clip("en", word, en / f"n{n}.ogg")
    clip("en", "hundred", en / "hundred.ogg")
    print(f"clips written to {VOICE}")


if __name__ == "__main__":
    main()
