"""Where text messages go, chosen by URI as printers are (``HALLQ_NOTIFY``, or a hall file's
``[notify] channel``):

* ``https://gateway.example/sms`` (or ``http://``): an SMS gateway. Each message is one JSON
  ``POST`` of ``{"to": "13812345678", "text": "…", "id": 1234}``, signed: the header
  ``X-Hallq-Timestamp`` holds the Unix time in seconds, and ``X-Hallq-Signature`` is
  ``sha256=`` and the hex HMAC-SHA256, keyed with ``HALLQ_NOTIFY_SECRET``, of the timestamp, a
  full stop and the body's bytes (``f"{timestamp}.".encode() + body``). A gateway checks the
  signature, refuses a timestamp more than a few minutes off, and deduplicates on ``id``: a
  message is sent again only if the worker died between the gateway's answer and the
  database hearing of it. Any 2xx is taken; 408, 429 and 5xx (and no answer) are tried again
  later; any other 4xx is the gateway refusing that message for good (it is given up).
* ``file:/folder``: one JSON file per message, ``<id>.json`` (demonstrations, tests; a message
  sent twice overwrites its own file).
* ``dummy:``: nowhere (a hall that sends no texts yet).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from queues.notices import Delivery

TIMEOUT_SECONDS = 5.0
SIGNATURE = "X-Hallq-Signature"
TIMESTAMP = "X-Hallq-Timestamp"
RETRY_STATUSES = frozenset({408, 425, 429})


class ChannelError(Exception):
    """A message the channel did not take; ``final``: it never will (do not try again)."""

    def __init__(self, message: str, *, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


class Channel(Protocol):
    uri: str

    def send(self, message: Delivery) -> None:
        """Hand ``message`` over, or raise :class:`ChannelError`."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def body_of(message: Delivery) -> bytes:
    return json.dumps(
        {"to": message.phone, "text": message.text, "id": message.id}, ensure_ascii=False
    ).encode()


@dataclass
class HttpChannel:
    uri: str
    secret: str
    timeout: float = TIMEOUT_SECONDS

    def send(self, message: Delivery) -> None:
        body = body_of(message)
        stamp = str(int(time.time()))
        request = urllib.request.Request(
            self.uri,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                TIMESTAMP: stamp,
                SIGNATURE: sign(self.secret, stamp, body),
                "User-Agent": "hallq-notify",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read(4096)
        except urllib.error.HTTPError as exc:
            final = 400 <= exc.code < 500 and exc.code not in RETRY_STATUSES
            raise ChannelError(f"gateway answered {exc.code} {exc.reason}", final=final) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ChannelError(f"gateway not reached: {reason}") from None


@dataclass
class FileChannel:
    uri: str
    folder: Path = field(init=False)

    def __post_init__(self) -> None:
        self.folder = Path(self.uri.removeprefix("file:"))

    def send(self, message: Delivery) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            final = self.folder / f"{message.id}.json"
            part = final.with_suffix(f".{os.getpid()}.part")
            part.write_text(
                json.dumps(
                    {
                        "to": message.phone,
                        "text": message.text,
                        "id": message.id,
                        "hall": message.hall,
                        "kind": message.kind,
                    },
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )
            part.replace(final)
        except OSError as exc:
            raise ChannelError(f"cannot write {self.folder}: {exc}") from None


@dataclass
class DummyChannel:
    uri: str = "dummy:"
    sent: int = 0

    def send(self, message: Delivery) -> None:
        self.sent += 1


def check_uri(uri: str, secret: str | None) -> None:
    """Refuse a channel URI hallq cannot use (``ValueError`` saying why)."""
    channel_for(uri, secret)


def channel_for(uri: str, secret: str | None) -> Channel:
    if uri.startswith(("https://", "http://")):
        if not secret:
            raise ValueError(f"{uri} needs HALLQ_NOTIFY_SECRET to sign its messages")
        return HttpChannel(uri, secret)
    if uri.startswith("file:") and len(uri) > len("file:"):
        return FileChannel(uri)
    if uri == "dummy:":
        return DummyChannel()
    raise ValueError(f"{uri!r} is no text channel (https://…, http://…, file:/folder, dummy:)")
