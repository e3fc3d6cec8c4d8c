"""The live stream and the poll answered from memory (issue 14), in one process on SQLite: a
screen hears each change of its zone, and only of its zone; a poll costs no database statement
while nothing changed; bad questions get the API's errors; a process out of stream slots, or
without a feed, refuses with 503 and the screen polls."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from api import stream
from app import create_app
from queues import services
from queues.context import Context
from queues.store.db import Database
from tests.support import make_network

API = "/api/v1"
TOWN = "town"  # tests/halls/town.toml, beside the tests' hall in make_network
# tests/halls/main.toml: tax is served at window 5 in zone "general"; employment at 8 in "social".


@pytest.fixture(autouse=True)
def quick_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    """Heartbeats every 0.3 s: a screen that left is noticed at the next one (as on a server,
    where the write to a closed connection fails)."""
    monkeypatch.setattr(stream, "HEARTBEAT_SECONDS", 0.3)


@pytest.fixture
def live_ctx(ctx: Context) -> Iterator[Context]:
    ctx.db.feed.resync_seconds = 0.2
    yield ctx
    ctx.db.feed.stop()


def client_of(ctx: Context, streams: int | None = 4) -> FlaskClient:
    return create_app(ctx, streams=streams).server.test_client()


class Listener:
    """A screen on the stream: the events it heard, in order, read by a thread of its own."""

    def __init__(self, client: FlaskClient, path: str) -> None:
        self.response = client.get(path, buffered=False)
        self.heard: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._chunks = iter(self.response.response)
        self.ended = threading.Event()
        """The server ended the stream."""
        self._leave = threading.Event()
        self.left = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        text = ""
        try:
            for chunk in self._chunks:
                text += chunk.decode() if isinstance(chunk, bytes) else chunk
                while "\n\n" in text:
                    block, text = text.split("\n\n", 1)
                    fields = dict(
                        line.split(": ", 1) for line in block.splitlines() if ": " in line
                    )
                    if "event" in fields:
                        self.heard.put((fields["event"], json.loads(fields["data"])))
                    elif block.startswith("retry:"):
                        self.heard.put(("retry", int(block.split(":", 1)[1])))
                if self._leave.is_set():  # the screen goes: the server sees the stream closed
                    self.response.close()
                    self.left.set()
                    return
        except Exception:  # the stream was closed under the reader
            return
        self.ended.set()

    def next(self, timeout: float = 10.0) -> tuple[str, Any]:
        return self.heard.get(timeout=timeout)

    def next_board(self, timeout: float = 10.0) -> dict[str, Any]:
        while True:
            kind, data = self.next(timeout)
            if kind == "board":
                return data

    def close(self) -> None:
        self._leave.set()
        assert self.left.wait(10) or self.ended.is_set()


def test_a_screen_hears_each_change_of_its_zone_and_none_of_another(live_ctx: Context) -> None:
    client = client_of(live_ctx)
    services.resume(live_ctx, 5, "user:test")
    screen = Listener(client, f"{API}/display/stream?zone=general")
    try:
        assert screen.response.status_code == 200
        assert screen.response.mimetype == "text/event-stream"
        assert screen.response.headers["Cache-Control"] == "no-store"
        assert screen.response.headers["X-Accel-Buffering"] == "no"
        assert screen.next() == ("retry", 3000)
        first = screen.next_board()
        assert first["zone"] == "general"
        polled = client.get(f"{API}/display/version?zone=general").get_json()["version"]
        assert first["version"] == polled

        services.issue(live_ctx, "employment")  # the social zone: nothing for this screen
        services.issue(live_ctx, "tax")  # general: one change
        moved = screen.next_board()
        assert moved["version"] == first["version"] + 1
        services.call_next(live_ctx, 5, "user:test")
        called = screen.next_board()
        assert called["version"] == moved["version"] + 1
        assert client.get(f"{API}/display/version?zone=general").get_json() == {
            "version": called["version"]
        }
        assert screen.heard.empty()  # nothing said for the social zone's ticket
    finally:
        screen.close()


def test_the_whole_halls_stream_hears_every_zone(live_ctx: Context) -> None:
    client = client_of(live_ctx)
    screen = Listener(client, f"{API}/display/stream")
    try:
        first = screen.next_board()
        assert first["zone"] is None
        services.issue(live_ctx, "employment")
        assert screen.next_board()["version"] == first["version"] + 1
        services.issue(live_ctx, "tax")
        assert screen.next_board()["version"] == first["version"] + 2
    finally:
        screen.close()


def test_a_poll_costs_no_statement_while_the_feed_is_live(live_ctx: Context) -> None:
    client = client_of(live_ctx)
    assert live_ctx.db.feed.wait_live(5)
    before = client.get(f"{API}/display/version?zone=general").get_json()["version"]
    services.issue(live_ctx, "tax")
    drawn = client.get(f"{API}/display?zone=general")  # the new board, drawn once
    assert drawn.get_json()["version"] == before + 1
    statements: list[str] = []

    asking = threading.current_thread()  # the test client answers in this thread

    def counted(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread() is asking:  # not the feed's own re-read
            statements.append(statement)

    engine = live_ctx.db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        polled = [
            client.get(f"{API}/display/version?zone=general").get_json()["version"]
            for _ in range(50)
        ]
        tag = drawn.headers["ETag"]
        again = [
            client.get(f"{API}/display?zone=general", headers={"If-None-Match": tag})
            for _ in range(20)
        ]
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    assert polled == [before + 1] * 50
    assert [r.status_code for r in again] == [304] * 20
    assert statements == []  # 50 polls and 20 conditional reads, not one database statement


def test_another_processs_write_reaches_the_feed_by_its_re_read(live_ctx: Context) -> None:
    client = client_of(live_ctx)
    assert live_ctx.db.feed.wait_live(5)
    before = client.get(f"{API}/display/version?zone=social").get_json()["version"]
    other = Context(
        db=Database(str(live_ctx.db.url)),
        config=live_ctx.config,
        clock=live_ctx.clock,
        open_always=live_ctx.open_always,
    )
    try:
        services.issue(other, "employment")  # its commit is not this process's feed's
    finally:
        other.db.dispose()
    seen = [before]
    for _ in range(100):  # the re-read runs every 0.2 s here
        seen.append(client.get(f"{API}/display/version?zone=social").get_json()["version"])
        if seen[-1] != before:
            break
        live_ctx.db.feed.wait(live_ctx.db.feed.generation, 0.1)
    assert seen[-1] == before + 1


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [("?zone=nowhere", 404, "unknown_zone"), ("?zone=Bad%20Zone!", 422, "invalid_request")],
)
def test_a_bad_zone_gets_the_apis_error(
    live_ctx: Context, query: str, status: int, code: str
) -> None:
    response = client_of(live_ctx).get(f"{API}/display/stream{query}")
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_a_process_out_of_slots_refuses_and_says_when_to_try_again(live_ctx: Context) -> None:
    client = client_of(live_ctx, streams=1)
    held = Listener(client, f"{API}/display/stream?zone=general")
    try:
        assert held.next_board()["zone"] == "general"
        refused = client.get(f"{API}/display/stream?zone=social")
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "30"
        assert refused.get_json()["error"]["code"] == "stream_unavailable"
        # the refused screen polls, answered as ever
        assert client.get(f"{API}/display/version?zone=social").status_code == 200
    finally:
        held.close()
    # the slot is given back when the screen goes
    again = Listener(client, f"{API}/display/stream?zone=social")
    try:
        assert again.next_board()["zone"] == "social"
    finally:
        again.close()


def test_without_push_the_stream_is_refused_and_polls_read_the_database(ctx: Context) -> None:
    ctx.db.feed.enabled = False
    client = client_of(ctx)
    assert client.get(f"{API}/display/stream").status_code == 503
    before = client.get(f"{API}/display/version?zone=general").get_json()["version"]
    services.issue(ctx, "tax")
    assert client.get(f"{API}/display/version?zone=general").get_json()["version"] == before + 1


def test_a_stream_ends_when_its_feed_stops_vouching(live_ctx: Context) -> None:
    client = client_of(live_ctx)
    screen = Listener(client, f"{API}/display/stream?zone=general")
    try:
        screen.next_board()
        assert not screen.ended.is_set()
        live_ctx.db.feed.enabled = False  # as when its database connection is lost
        assert screen.ended.wait(10)
        assert client.get(f"{API}/display/stream").status_code == 503
    finally:
        live_ctx.db.feed.enabled = True
        screen.close()


def test_a_poll_answered_before_flask_is_the_apis_answer(live_ctx: Context) -> None:
    client = client_of(live_ctx)
    path = f"{API}/display/version?zone=general"
    live_ctx.db.feed.enabled = False
    through_flask = client.get(path)
    live_ctx.db.feed.enabled = True
    assert live_ctx.db.feed.wait_live(5)
    from_memory = client.get(path)
    assert from_memory.status_code == through_flask.status_code == 200
    assert from_memory.data == through_flask.data == b'{"version":0}'
    assert sorted(from_memory.headers.items()) == sorted(through_flask.headers.items())
    # every other shape of the question still gets the API's own answer
    assert client.get(f"{API}/display/version?zone=nowhere").status_code == 404
    assert client.get(f"{API}/display/version?zone=Bad!").status_code == 422
    assert client.get(f"{API}/display/version?zone=general&x=1").status_code == 200
    assert client.get(f"{API}/display/version").get_json() == {"version": 0}
    assert client.post(f"{API}/display/version").status_code == 405


def test_a_halls_stream_hears_that_hall_only(sqlite_url: str) -> None:
    network = make_network(sqlite_url, open_always=True)
    main, town = network.context(), network.context(TOWN)
    main.db.feed.resync_seconds = 0.2
    client = create_app(network, streams=4).server.test_client()
    screen = Listener(client, f"{API}/halls/{TOWN}/display/stream")
    try:
        first = screen.next_board()
        services.issue(main, "tax")  # the district's hall: nothing for the town's screen
        service = next(s.code for s in town.config.services if s.kiosk)
        services.issue(town, service)
        assert screen.next_board()["version"] == first["version"] + 1
        polled = client.get(f"{API}/halls/{TOWN}/display/version").get_json()["version"]
        assert polled == first["version"] + 1
        assert screen.heard.empty()
    finally:
        screen.close()
        main.db.dispose()
