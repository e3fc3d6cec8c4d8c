"""Helpers the tests share: a clock to set by hand, databases to build, work for child processes.

The tests run in halls of their own, in ``tests/halls/`` (``MAIN_HALL``, the tests' hall, unless
a test says otherwise): the service codes, prefixes and window numbers a test names are written
there. Only tests about the hall file that ships with hallq read ``SHIPPED_HALL``.

``make_context`` and the work done in child processes use ``MAIN_HALL`` unless told otherwise.
``prepare``, ``postgres_schema``, ``serve`` and ``hall_file`` are imported by ``bench/`` too,
which measures the shipped hall: they have no default, so every caller names its hall.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, make_url, text

from queues import services
from queues.context import Context
from queues.errors import StoreBusy
from queues.hall import config as hall_config
from queues.hall.sync import apply_config
from queues.network import HallEntry, Network
from queues.store import migrate
from queues.store.db import Database

ROOT = Path(__file__).resolve().parent.parent
HALLS = ROOT / "tests" / "halls"
MAIN_HALL = HALLS / "main.toml"
"""The tests' hall: three zones, ten services, twelve windows (its header has the plan)."""
TOWN_HALL = HALLS / "town.toml"
"""A second hall for the same database: the same codes, prefixes and window numbers."""
TAX_POINT = HALLS / "tax_point.toml"
"""A village point of the town: one window, the same service code and prefix as the others."""
SHIPPED_HALL = ROOT / "config" / "hall.toml"
"""The hall file hallq ships with (what `make run` starts): only tests about it read it."""
HALL_FILE = SHIPPED_HALL
"""The shipped hall under the name bench/ imports it by (the benchmarks measure it)."""
SHANGHAI = ZoneInfo("Asia/Shanghai")
PG_ENV = "HALLQ_TEST_POSTGRES_URL"
T = TypeVar("T")


def beijing(*args: int) -> datetime:
    """A moment given in Beijing time, as the aware UTC datetime the code works with."""
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


# Tuesday 24 November 2026, 10:00 in the hall: open, and the test hall's notary sits on Tuesdays.
TUESDAY_10 = beijing(2026, 11, 24, 10, 0)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = TUESDAY_10

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


def make_context(
    url: str, clock: Clock | None = None, *, open_always: bool = False, hall: Path = MAIN_HALL
) -> Context:
    """hallq on the database at ``url`` with the hall file ``hall`` (the tests' own hall)."""
    return Context(
        db=Database(url),
        config=hall_config.load(hall),
        clock=clock or Clock(),
        open_always=open_always,
    )


def make_network(url: str, clock: Clock | None = None, *, open_always: bool = False) -> Network:
    """The tests' hall (the default) and the town beside it, one database: the town's hall file
    loaded into the database the tests' hall is in."""
    db = Database(url)
    apply_config(db, hall_config.load(TOWN_HALL))
    main = Context(db, hall_config.load(MAIN_HALL), clock or Clock(), open_always=open_always)
    town = Context(db, hall_config.load(TOWN_HALL), main.clock, open_always=open_always)
    return Network(
        contexts={main.hall: main, town.hall: town},
        default=main.hall,
        halls={
            main.hall: HallEntry(main.hall, "新区政务服务中心", "New District Service Centre"),
            town.hall: HallEntry(
                town.hall,
                "竹办便民服务中心",
                "Zhuban Convenience Service Centre",
                level="town",
                parent=main.hall,
            ),
        },
    )


def prepare(url: str, hall: Path) -> None:
    """Migrate an empty database and load the hall file ``hall`` into it (tests pass theirs)."""
    db = Database(url)
    migrate.upgrade(db)
    apply_config(db, hall_config.load(hall))
    db.dispose()


def copy_sqlite(template: Path, target: Path) -> str:
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@contextmanager
def postgres_schema(base_url: str, hall: Path) -> Iterator[str]:
    """A fresh schema on the test server, migrated and loaded with ``hall`` (tests pass theirs);
    dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base_url).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base_url).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    try:
        prepare(rendered, hall)
        yield rendered
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def postgres_url() -> str | None:
    return os.environ.get(PG_ENV) or None


# --- hallq in a child process -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, seconds: float = 60, process: subprocess.Popen | None = None) -> None:
    """Wait until ``base``/healthz answers; raise if it does not in time or ``process`` ends."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline or (process and process.poll() is not None):
                raise
            time.sleep(0.2)


def served_env(url: str, hall: Path, env: dict[str, str]) -> dict[str, str]:
    """The environment a test runs hallq in: ``url``, the hall file ``hall`` at all hours, no
    per-address limit, a printer that prints nowhere; ``env`` overrides."""
    return {
        **os.environ,
        "HALLQ_DATABASE_URL": url,
        "HALLQ_CONFIG": str(hall),
        "HALLQ_OPEN_ALWAYS": "1",
        "HALLQ_ISSUE_LIMIT": "0",
        "HALLQ_PRINTER": "dummy:",
        **env,
    }


def serve(url: str, port: int, *args: str, hall: Path, **env: str) -> subprocess.Popen:
    """``hallq serve ARGS`` on ``url`` at ``port`` (the hall file ``hall`` at all hours, no
    per-address limit, a printer that prints nowhere), returned once it answers ``/healthz``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), *args],
        cwd=ROOT,
        env=served_env(url, hall, env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process=process)
    except OSError:
        process.kill()
        raise
    return process


def hall_file(folder: Path, hall: Path, **rules: int) -> Path:
    """The hall file ``hall`` with ``rules`` set (``kiosk_tickets_per_minute=0``…), in
    ``folder``: a rule the file's ``[rules]`` sets is changed, any other added to it."""
    path = folder / "hall.toml"
    text = hall.read_text(encoding="utf-8")
    for key, value in rules.items():
        text, found = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        if not found:
            text = text.replace("[rules]\n", f"[rules]\n{key} = {value}\n", 1)
        assert f"\n{key} = {value}" in text, f"{hall} has no [rules] for {key}"
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def gunicorn(
    url: str,
    folder: Path,
    *,
    hall: Path,
    workers: int = 4,
    threads: int = 4,
    green: bool = False,
    **env: str,
) -> Iterator[tuple[str, Path]]:
    """``gunicorn app:server`` with ``workers`` processes on ``url``, as ``docs/deploy.md`` runs
    it (the hall file ``hall`` at all hours, no per-address limit, a printer that prints
    nowhere; ``env`` overrides). ``green``: the stream service's gevent workers instead of
    threads. Yields the base URL and the access log (each line starts with the pid of the
    worker that answered)."""
    port = free_port()
    access = folder / f"access-{port}.log"
    model = (
        ("--worker-class", "gevent", "--graceful-timeout", "3")
        if green
        else ("--threads", str(threads))
    )
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "--workers", str(workers)),
            *model,
            *("--bind", f"127.0.0.1:{port}"),
            *("--access-logfile", str(access), "--access-logformat", "%(p)s %(r)s %(s)s"),
            "app:server",
        ],
        cwd=ROOT,
        env=served_env(url, hall, env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process=process)
        yield base, access
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """End a server started here: asked first, killed if it has not gone in 30 s."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def http(
    base: str,
    method: str,
    path: str,
    body: object = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
    answer_headers: dict[str, str] | None = None,
) -> tuple[int, object]:
    """One JSON request; answers the status and the decoded body (None when empty, the text
    when it is not JSON). The answer's headers go into ``answer_headers`` when it is given."""
    import json
    import urllib.error

    def decoded(text: bytes) -> object:
        try:
            return json.loads(text) if text else None
        except ValueError:
            return text.decode("utf-8", "replace")

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if answer_headers is not None:
                answer_headers.update(response.headers.items())
            return response.status, decoded(response.read())
    except urllib.error.HTTPError as exc:
        if answer_headers is not None:
            answer_headers.update(exc.headers.items())
        return exc.code, decoded(exc.read())


# --- work done in child processes (spawned: they import this module afresh) -------------------


def again_while_busy(action: Callable[[], T], seconds: float = 60) -> T:
    """``action``, tried again while SQLite is busy with other writers (StoreBusy: nothing was
    written), as a kiosk or a clerk tries again: many processes writing back to back on a
    loaded machine can keep one from its turn for longer than a write waits."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return action()
        except StoreBusy:
            if time.monotonic() > deadline:
                raise


def issue_many(
    url: str, moment_iso: str, service: str, count: int, hall: Path = MAIN_HALL
) -> list[str]:
    """Issue ``count`` tickets in ``hall`` as fast as one process can; answer their numbers."""
    ctx = make_context(url, Clock(datetime.fromisoformat(moment_iso)), open_always=True, hall=hall)
    try:
        return [
            again_while_busy(lambda: services.issue(ctx, service)).ticket.number
            for _ in range(count)
        ]
    finally:
        ctx.db.dispose()


def call_until_empty(url: str, moment_iso: str, window: int, hall: Path = MAIN_HALL) -> list[str]:
    """Call, finish, call again at ``window`` of ``hall`` until nothing waits; answer the numbers
    called."""
    clock = Clock(datetime.fromisoformat(moment_iso))
    ctx = make_context(url, clock, open_always=True, hall=hall)
    called = []
    clerk = f"clerk{window}"
    try:
        while True:
            ticket = again_while_busy(lambda: services.call_next(ctx, window, actor=clerk))
            if ticket is None:
                return called
            called.append(ticket.number)
            again_while_busy(lambda: services.finish(ctx, window, actor=clerk))
    finally:
        ctx.db.dispose()


# --- a network printer stand-in ----------------------------------------------------------------

PAPER_OK = b"\x12"
PAPER_OUT = b"\x72"


class FakePrinter:
    """A raw-port (9100) printer on loopback: keeps what it was sent; answers the paper query.

    ``stop()`` takes it off the network (connections are refused), ``start()`` puts it back on
    the same port, as a printer switched off and on again. Like a printer on its raw port it
    serves one connection at a time (the next waits). ``slip_seconds``: it takes that long to
    take a slip, and answers the question after a slip, or reads the next connection, only then
    (as a printer whose input buffer holds less than a slip). ``reads=False``: it accepts
    connections and never reads a byte, as a printer hung with its network card still up.
    ``answers=N``: it answers only the first N status questions of a connection.
    """

    def __init__(
        self, *, slip_seconds: float = 0.0, reads: bool = True, answers: int | None = None
    ) -> None:
        import socket
        import threading

        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.paper = PAPER_OK
        self.slip_seconds = slip_seconds
        self.reads = reads
        self.answers = answers
        self.jobs: list[bytes] = []
        self.printed_at: list[float] = []
        """``time.monotonic()`` when each of ``jobs`` was taken."""
        self.connections = 0
        self._server = None
        self._thread = None
        self._off = threading.Event()
        self._one_at_a_time = threading.Lock()

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self) -> FakePrinter:
        import socketserver
        import threading
        import time

        printer = self
        query = b"\x10\x04\x04"  # DLE EOT 4: how is the paper?
        self._off.clear()

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                printer.connections += 1
                if not printer.reads:
                    printer._off.wait()  # holds the connection, reads nothing
                    return
                with printer._one_at_a_time:
                    self._serve()

            def _serve(self) -> None:
                received = b""
                taken = b""
                answered = 0
                self.request.settimeout(5)
                while True:
                    try:
                        chunk = self.request.recv(65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    received += chunk
                    if received.endswith(query):
                        slip = received[: -len(query)]
                        if slip and printer.slip_seconds:
                            time.sleep(printer.slip_seconds)
                        taken += slip
                        received = b""
                        if printer.answers is None or answered < printer.answers:
                            self.request.sendall(printer.paper)
                            answered += 1
                if received and printer.slip_seconds:  # sent, and hung up without asking
                    time.sleep(printer.slip_seconds)
                taken += received
                if taken:
                    printer.jobs.append(taken)
                    printer.printed_at.append(time.monotonic())

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = Server(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._off.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def wait_for(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """The jobs received once ``count`` have arrived (or the timeout passed).

        A job is recorded when its connection closes, on the listener's thread, a moment after
        the sender has returned: a test that counts jobs waits for them here.
        """
        import time

        deadline = time.monotonic() + timeout
        while len(self.jobs) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.jobs)

    def received(self, timeout: float = 5.0) -> bytes:
        """Everything printed so far, waiting a little for a connection still being read."""
        return b"".join(self.wait_for(1, timeout))


class LiveServer:
    """An app served over HTTP on loopback in a thread (for the print agent's tests)."""

    def __init__(self, wsgi_app: object) -> None:
        import threading

        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()


def pair_browser(duo: object, ctx: Context, kiosk: str) -> None:
    """Make the test browser kiosk ``kiosk``, as a pairing link opened on a kiosk PC does (the
    page itself is tested in tests/browser/test_kiosk.py)."""
    from queues.access import devices
    from web.devices import COOKIE

    _, cookie = devices.pair(ctx, devices.pairing_code(ctx, kiosk, "test").code)
    driver = duo.driver  # type: ignore[attr-defined]
    driver.get(duo.server_url + "/healthz")  # type: ignore[attr-defined]  # the site's origin
    driver.add_cookie({"name": COOKIE, "value": cookie, "path": "/"})


# --- a finger for the browser tests --------------------------------------------------------------

CENTRE = "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})"


def tap(duo: object, css: str, timeout: float = 5.0) -> None:
    """Tap like a finger: a screen that has just appeared ignores taps for a moment."""
    import time

    from selenium.common.exceptions import (
        ElementClickInterceptedException,
        StaleElementReferenceException,
    )

    deadline = time.monotonic() + timeout
    while True:
        try:
            element = duo.wait_for_element(css)
            duo.driver.execute_script(CENTRE, element)
            element.click()
            return
        except (ElementClickInterceptedException, StaleElementReferenceException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
