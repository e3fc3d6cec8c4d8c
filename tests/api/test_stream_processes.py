"""The live stream across processes on PostgreSQL, as docs/deploy.md runs it: the clerks' calls
go through the pages' gunicorn (threaded workers), the screens hold their streams on the stream
service (gunicorn's gevent workers); each call reaches every screen by LISTEN/NOTIFY, counted.
Also: one process's feed hears another's commit by notification alone, and two deployments in
two schemas of one database do not hear each other."""

from __future__ import annotations

import json
import queue
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from queues import services
from queues.access import tokens
from tests.support import MAIN_HALL, gunicorn, http, make_context, postgres_schema, postgres_url

pytestmark = pytest.mark.postgres


class Screen:
    """One stream read by a thread of its own: the board versions it heard, in order."""

    def __init__(self, url: str) -> None:
        self.versions: queue.Queue[int] = queue.Queue()
        self.response = urllib.request.urlopen(url, timeout=60)
        self.status = self.response.status
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event = None
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: ") and event == "board":
                    self.versions.put(json.loads(line[len("data: ") :])["version"])
        except Exception:  # closed at the end of the test
            return

    def next(self) -> int:
        return self.versions.get(timeout=15)

    def close(self) -> None:
        self.response.close()


def test_every_call_reaches_every_screen_on_another_service(pg_url: str, tmp_path: Path) -> None:
    ctx = make_context(pg_url, open_always=True)
    try:
        clerk = tokens.create_token(ctx, "admin", "test-clerk")
    finally:
        ctx.db.dispose()
    with (
        gunicorn(pg_url, tmp_path, hall=MAIN_HALL, workers=2) as (pages, _),
        gunicorn(pg_url, tmp_path, hall=MAIN_HALL, workers=2, green=True) as (streams, _),
    ):
        for _ in range(10):  # today's tickets, by the servers' clock
            status, _ = http(pages, "POST", "/api/v1/tickets", {"service": "tax"}, token=clerk)
            assert status == 201
        screens = [Screen(f"{streams}/api/v1/display/stream?zone=general") for _ in range(6)]
        try:
            assert [s.status for s in screens] == [200] * 6
            first = [s.next() for s in screens]
            assert len(set(first)) == 1  # every screen starts from the same board
            status, _ = http(pages, "POST", "/api/v1/windows/5/resume", token=clerk)
            assert status == 200
            heard_after_resume = [s.next() for s in screens]
            rounds = 10
            for _ in range(rounds):
                status, body = http(pages, "POST", "/api/v1/windows/5/call-next", token=clerk)
                assert status == 200, body
                http(pages, "POST", "/api/v1/windows/5/no-show", token=clerk)
            # every screen heard every change, in order, and nothing twice
            last = {}
            for i, screen in enumerate(screens):
                seen = [heard_after_resume[i]]
                while seen[-1] < heard_after_resume[i] + 2 * rounds:
                    seen.append(screen.next())
                assert seen == sorted(set(seen))
                last[i] = seen[-1]
            assert set(last.values()) == {heard_after_resume[0] + 2 * rounds}
            polled, _ = http(streams, "GET", "/api/v1/display/version?zone=general")
            assert polled == 200
        finally:
            for screen in screens:
                screen.close()


def test_a_feed_hears_another_processs_commit_by_notification(pg_url: str) -> None:
    writer = make_context(pg_url, open_always=True)
    reader = make_context(pg_url, open_always=True)
    reader.db.feed.resync_seconds = 300  # no re-read in this test: only a notification can tell
    try:
        assert reader.db.feed.wait_live(10)
        before = reader.db.feed.version(reader.hall, "general")
        heard = reader.db.feed.generation
        services.issue(writer, "tax")
        for _ in range(50):
            if reader.db.feed.version(reader.hall, "general") != before:
                break
            heard = reader.db.feed.wait(heard, 0.2)
        assert reader.db.feed.version(reader.hall, "general") == before + 1
    finally:
        writer.db.dispose()
        reader.db.dispose()


def test_two_schemas_of_one_database_do_not_hear_each_other(pg_url: str) -> None:
    base = postgres_url()
    assert base is not None
    with postgres_schema(base, MAIN_HALL) as other_url:
        ours = make_context(pg_url, open_always=True)
        theirs = make_context(other_url, open_always=True)
        ours.db.feed.resync_seconds = 300
        try:
            assert ours.db.feed.wait_live(10)
            before = ours.db.feed.version(ours.hall, "general")
            for _ in range(3):
                services.issue(theirs, "tax")
            services.issue(ours, "employment")  # our own change, heard at once, for a marker
            assert ours.db.feed.version(ours.hall, "social") is not None
            marker: dict[str, Any] = {}
            heard = ours.db.feed.generation
            for _ in range(10):  # give their notifications time to arrive, were they heard
                heard = ours.db.feed.wait(heard, 0.1)
            marker["general"] = ours.db.feed.version(ours.hall, "general")
            assert marker["general"] == before
        finally:
            ours.db.dispose()
            theirs.db.dispose()
