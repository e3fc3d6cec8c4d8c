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
unplugged, out of paper) becomes a :class:`PrinterFault` with a plain message; the print worker
records it and tries again later. A ticket is never lost to a printer.
"""

from __future__ import annotations

import contextlib
import errno
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError
from escpos.printer import Network

from kiosk.ticket import PROFILE, Layout, draw, to_bytes

Mode = Literal["text", "raster"]
PAPER_OUT, PAPER_LOW, PAPER_OK = 0, 1, 2
CONNECT_TIMEOUT = 5.0
STATUS_TIMEOUT = 1.0


class PrinterFault(Exception):
    """The printer could not print; ``paper`` says what it knows of its paper."""

    def __init__(self, message: str, paper: str = "unknown") -> None:
        super().__init__(message)
        self.paper = paper


class PrinterURIError(ValueError):
    """A printer URI hallq does not understand."""


@dataclass(frozen=True)
class PrinterSpec:
    uri: str
    paper: Literal[58, 80] = 80
    mode: Mode = "text"
    font: str = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
    cutter: bool = True


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
        """Print ``layout``; answers the paper state (``ok``, ``low``, ``unknown``)."""
        data = to_bytes(layout, self.spec.mode, self.spec.font, self.spec.cutter)
        if self.scheme == "dummy":
            self.last_output = data
            return "ok"
        if self.scheme == "file":
            return self._to_folder(layout, data)
        device = self._device()
        try:
            device.open()
            paper = self._paper(device)
            if paper == "out":
                raise PrinterFault("the printer is out of paper", paper="out")
            device._raw(data)
            return paper
        except PrinterFault:
            raise
        except (EscposError, OSError) as exc:
            raise PrinterFault(_describe(self.spec.uri, exc)) from exc
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
        return Serial(parts.path, baudrate=baudrate, timeout=STATUS_TIMEOUT, profile=profile)

    def _paper(self, device: Escpos) -> str:
        """Ask the printer for its paper; a printer that does not answer is given the benefit."""
        sock = getattr(device, "device", None)
        previous = sock.gettimeout() if isinstance(sock, socket.socket) else None
        try:
            if isinstance(sock, socket.socket):
                sock.settimeout(STATUS_TIMEOUT)
            status = device.paper_status()
        except (TimeoutError, EscposError, OSError, NotImplementedError):
            return "unknown"
        finally:
            if isinstance(sock, socket.socket):
                sock.settimeout(previous)
        return {PAPER_OUT: "out", PAPER_LOW: "low"}.get(status, "ok")

    def _to_folder(self, layout: Layout, data: bytes) -> str:
        parts = urlsplit(self.spec.uri)
        folder = Path(parts.netloc + parts.path if parts.netloc else parts.path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            raw = folder / f"{layout.name}.bin"
            raw.write_bytes(data)
            draw(layout, self.spec.font).save(folder / f"{layout.name}.png")
        except OSError as exc:
            raise PrinterFault(
                f"cannot write the ticket to {folder}: {exc.strerror or exc}"
            ) from exc
        self.last_output = data
        return "ok"


def _describe(uri: str, exc: BaseException) -> str:
    """A fault in words a member of staff can act on."""
    full = str(exc).lower()
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, ConnectionRefusedError) or "refused" in full:
        return f"printer {uri} refuses the connection: is it switched on?"
    if isinstance(exc, TimeoutError) or "timed out" in full:
        return f"printer {uri} does not answer: is it switched on and connected?"
    if isinstance(exc, BrokenPipeError | ConnectionResetError):
        return f"printer {uri} hung up while printing: check it and its cable"
    unreachable = (errno.EHOSTUNREACH, errno.ENETUNREACH)
    if "Could not open socket" in text or (isinstance(exc, OSError) and exc.errno in unreachable):
        return f"printer {uri} cannot be reached: is it switched on and connected?"
    return f"printer {uri}: {text}"
