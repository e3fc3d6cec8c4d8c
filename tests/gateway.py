"""A stand-in SMS gateway on loopback for the text-message tests and the benchmark.

It checks each request's signature with its own implementation (``hmac`` and ``hashlib`` here,
not hallq's :func:`runtime.channels.sign`): HMAC-SHA256, keyed with the shared secret, over the
``X-Hallq-Timestamp`` header's value, a full stop and the body's bytes, sent as ``sha256=<hex>``
in ``X-Hallq-Signature``. It counts what it receives per message id, and can be told to fail
(answer 500) the next few requests, to refuse some numbers (400), or to take its time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Gateway:
    secret: str
    fail_next: int = 0
    """Answer 500 to this many requests (then take them)."""
    refuse: set[str] = field(default_factory=set)
    """Numbers answered 400 (refused for good)."""
    delay: float = 0.0
    """Seconds each accepted request takes."""
    taken: Counter[int] = field(default_factory=Counter)
    """Accepted messages per id."""
    texts: dict[int, str] = field(default_factory=dict)
    received_at: dict[int, float] = field(default_factory=dict)
    """When (``time.time()``) each id was first accepted."""
    failed: int = 0
    refused: int = 0
    bad_signatures: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/sms"

    def verify(self, timestamp: str, body: bytes, signature: str) -> bool:
        expected = hmac.new(
            self.secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(signature, "sha256=" + expected)

    def start(self) -> Gateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                stamp = self.headers.get("X-Hallq-Timestamp", "")
                if not gateway.verify(stamp, body, self.headers.get("X-Hallq-Signature", "")):
                    with gateway._lock:
                        gateway.bad_signatures += 1
                    return self._answer(401)
                if abs(time.time() - int(stamp)) > 300:
                    return self._answer(401)
                message = json.loads(body)
                with gateway._lock:
                    if gateway.fail_next > 0:
                        gateway.fail_next -= 1
                        gateway.failed += 1
                        return self._answer(500)
                    if message["to"] in gateway.refuse:
                        gateway.refused += 1
                        return self._answer(400)
                if gateway.delay:
                    time.sleep(gateway.delay)
                with gateway._lock:
                    gateway.taken[message["id"]] += 1
                    gateway.texts[message["id"]] = message["text"]
                    gateway.received_at.setdefault(message["id"], time.time())
                self._answer(200)

            def _answer(self, status: int) -> None:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def count(self) -> int:
        with self._lock:
            return sum(self.taken.values())
