"""Thermal printers named by a URI, and printing one ticket on them.

====================================  ============================================================
``tcp://host:9100``                   a network printer (raw port 9100)
``usb://VID:PID``                     a USB printer (hex ids, as ``lsusb`` shows them)
``serial:///dev/ttyUSB0?baudrate=…``  a serial printer
``file:DIR``                          one file of raw bytes per ticket in DIR, beside a PNG
                                      preview a person can open
``dummy:``                            prints nowhere; keeps the last ticket's bytes (tests)
====================================  ============================================================

Every fault the library or the operating system reports (refused, unreachable, timed out,
unplugged, out of paper) becomes a :class:`PrinterFault` with a plain message and a code for the
catalogue (``fault.<code>``); the print worker records it and tries again later. A ticket is
never lost to a printer.

**A slip counts as printed only when the printer says it took it.** Before a slip the printer is
asked for its paper (``DLE EOT 4``), and again after it. A printer reads what it is sent in
order, so an answer to the second question means it read the whole slip; no answer (a printer
that accepts the connection and never reads, or hangs) is a fault and the job is tried again.
python-escpos's ``paper_status()`` cannot say this: it answers 2, "paper adequate", when it reads
nothing, and lets a timeout through as an exception. A printer that never answers status
questions at all is set ``status_check = false`` in its kiosk's entry of the hall file: it is
then sent the slip without questions, and a slip it took is taken as printed.
"""

from __future__ import annotations

import contextlib
import errno
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from escpos.constants import RT_STATUS_PAPER
from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError
from escpos.printer import Network

from kiosk.ticket import PROFILE, Layout, draw, to_bytes

Mode = Literal["text", "raster"]
CONNECT_TIMEOUT = 5.0
"""How long a network printer may take to accept a connection, and then each write."""
STATUS_TIMEOUT = 2.0
"""How long a printer may take to answer the paper question before a slip."""
CONFIRM_TIMEOUT = 15.0
"""How long a printer may take to read a slip and answer the question after it: a raster slip
on a printer with a small input buffer is read about as fast as it prints."""
SERIAL_READ = 1.0
"""A serial port's read gives up after this long (and is asked again until the wait is over)."""
# DLE EOT 4 answers one byte: bits 1 and 4 always set, 2-3 paper near its end, 5-6 paper out.
_PAPER_NEAR_END, _PAPER_OUT = 0x0C, 0x60


class PrinterFault(Exception):
    """The printer could not print; ``paper`` says what it knows of its paper, ``code`` names
    the fault for the catalogue (``fault.<code>``)."""

    def __init__(self, message: str, paper: str = "unknown", code: str = "other") -> None:
        super().__init__(message)
        self.paper = paper
        self.code = code


class PrinterURIError(ValueError):
    """A printer URI hallq does not understand."""


@dataclass(frozen=True)
class PrinterSpec:
    uri: str
    paper: Literal[58, 80] = 80
    mode: Mode = "text"
    font: str = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
    cutter: bool = True
    status_check: bool = True
    """Ask the paper before a slip and confirm it after; off for printers that never answer."""


def check_uri(uri: str) -> None:
    """Raise :class:`PrinterURIError` if ``uri`` names no printer hallq can drive."""
    parts = urlsplit(uri)
    if parts.scheme == "tcp":
        if not parts.hostname:
            raise PrinterURIError(f"{uri}: a network printer needs a host (tcp://host:9100)")
        try:
            parts.port  # noqa: B018 - raises for a port that is not a number
        except ValueError:
            raise PrinterURIError(f"{uri}: the port is not a number") from None
    elif parts.scheme == "usb":
        _usb_ids(uri)
    elif parts.scheme == "serial":
        if not parts.path:
            raise PrinterURIError(f"{uri}: a serial printer needs a device (serial:///dev/ttyUSB0)")
    elif parts.scheme == "file":
        if not (parts.path or parts.netloc):
            raise PrinterURIError(f"{uri}: a file printer needs a folder (file:var/tickets)")
    elif parts.scheme != "dummy":
        raise PrinterURIError(f"{uri}: use tcp://, usb://, serial://, file: or dummy:")


def _usb_ids(uri: str) -> tuple[int, int]:
    try:
        vendor, product = urlsplit(uri).netloc.split(":")
        return int(vendor, 16), int(product, 16)
    except ValueError:
        raise PrinterURIError(f"{uri}: give the USB ids in hex, usb://04b8:0202") from None


class TicketPrinter:
    """Prints layouts on the printer ``spec.uri`` names."""

    def __init__(self, spec: PrinterSpec) -> None:
        check_uri(spec.uri)
        self.spec = spec
        self.scheme = urlsplit(spec.uri).scheme
        self.last_output: bytes = b""

    def print(self, layout: Layout) -> str:
        """Print ``layout``; answers the paper state (``ok``, ``low``, ``unknown``).

        A :class:`PrinterFault` is the printer's; any other exception is the slip's (it could not
        be drawn), raised before anything reaches the printer.
        """
        data = to_bytes(layout, self.spec.mode, self.spec.font, self.spec.cutter)
        if self.scheme == "dummy":
            self.last_output = data
            return "ok"
        if self.scheme == "file":
            return self._to_folder(layout, data)
        device = self._device()
        try:
            device.open()
            if not self.spec.status_check:
                device._raw(data)
                return "unknown"
            if self._paper(device, STATUS_TIMEOUT) == "out":
                raise PrinterFault("the printer is out of paper", paper="out", code="paper_out")
            device._raw(data)
            return self._paper(device, CONFIRM_TIMEOUT, confirming=True)
        except PrinterFault:
            raise
        except (EscposError, OSError) as exc:
            raise PrinterFault(*_describe(self.spec.uri, exc)) from exc
        finally:
            with contextlib.suppress(EscposError, OSError):
                device.close()

    def _device(self) -> Escpos:
        parts = urlsplit(self.spec.uri)
        profile = PROFILE[self.spec.paper]
        if self.scheme == "tcp":
            return Network(
                parts.hostname, parts.port or 9100, timeout=CONNECT_TIMEOUT, profile=profile
            )
        if self.scheme == "usb":
            from escpos.printer import Usb

            vendor, product = _usb_ids(self.spec.uri)
            return Usb(vendor, product, profile=profile)
        from escpos.printer import Serial

        options = parse_qs(parts.query)
        baudrate = int(options.get("baudrate", ["9600"])[0])
        return Serial(parts.path, baudrate=baudrate, timeout=SERIAL_READ, profile=profile)

    def _paper(self, device: Escpos, wait: float, *, confirming: bool = False) -> str:
        """Ask the printer for its paper and wait up to ``wait`` seconds for the answer.

        No answer is a fault, never "go ahead": before a slip it means nothing would read the
        slip, after one that the slip was not taken (``confirming``).
        """
        silent = (
            PrinterFault(
                f"printer {self.spec.uri} took the connection but did not confirm the ticket",
                code="unconfirmed",
            )
            if confirming
            else PrinterFault(
                f"printer {self.spec.uri} does not answer: is it switched on and connected?",
                code="silent",
            )
        )
        sock = getattr(device, "_device", None)
        sock = sock if isinstance(sock, socket.socket) else None
        deadline = time.monotonic() + wait
        device._raw(RT_STATUS_PAPER)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise silent
            if sock is not None:
                sock.settimeout(left)
            try:
                reply = device._read()
            except TimeoutError:
                continue
            except OSError as exc:
                if "timeout" not in type(exc).__name__.lower():  # pyusb's USBTimeoutError
                    raise
                continue
            except NotImplementedError:
                raise PrinterFault(
                    f"printer {self.spec.uri} cannot be asked its state: set status_check = false",
                    code="silent",
                ) from None
            if len(reply):
                break
            if sock is not None:  # the network printer hung up
                raise PrinterFault(*_describe(self.spec.uri, BrokenPipeError())) from None
        if sock is not None:
            sock.settimeout(CONNECT_TIMEOUT)
        status = reply[0]
        if status & _PAPER_OUT == _PAPER_OUT:
            return "out"
        return "low" if status & _PAPER_NEAR_END == _PAPER_NEAR_END else "ok"

    def _to_folder(self, layout: Layout, data: bytes) -> str:
        parts = urlsplit(self.spec.uri)
        folder = Path(parts.netloc + parts.path if parts.netloc else parts.path)
        preview = draw(layout, self.spec.font)  # drawn first: a slip that cannot be leaves no file
        name = _SAFE_NAME.sub("_", layout.name)[:100] or "ticket"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.bin").write_bytes(data)
            preview.save(folder / f"{name}.png")
        except OSError as exc:
            raise PrinterFault(
                f"cannot write the ticket to {folder}: {exc.strerror or exc}", code="cannot_write"
            ) from exc
        self.last_output = data
        return "ok"


_SAFE_NAME = re.compile(r"[^0-9A-Za-z_-]")
"""What a slip's file name may hold: a layout from an agent's server cannot name ``../``."""


def _describe(uri: str, exc: BaseException) -> tuple[str, str, str]:
    """A fault in words a member of staff can act on: (message, paper, code)."""
    full = str(exc).lower()
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, ConnectionRefusedError) or "refused" in full:
        return f"printer {uri} refuses the connection: is it switched on?", "unknown", "refused"
    if isinstance(exc, TimeoutError) or "timed out" in full:
        return (
            f"printer {uri} does not answer: is it switched on and connected?",
            "unknown",
            "silent",
        )
    if isinstance(exc, BrokenPipeError | ConnectionResetError):
        return f"printer {uri} hung up while printing: check it and its cable", "unknown", "hung_up"
    unreachable = (errno.EHOSTUNREACH, errno.ENETUNREACH)
    if "Could not open socket" in text or (isinstance(exc, OSError) and exc.errno in unreachable):
        return (
            f"printer {uri} cannot be reached: is it switched on and connected?",
            "unknown",
            "unreachable",
        )
    return f"printer {uri}: {text}", "unknown", "other"
