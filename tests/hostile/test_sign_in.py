"""Signing in against someone who means harm: guesses in parallel, a copied cookie, a link
that would send the clerk elsewhere after signing in (issue 7, points 7 to 9).

The races run through gunicorn with four workers on PostgreSQL, as a city deploys hallq: the
guesses are real parallel requests landing on different processes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from queues import errors
from queues.access import staff
from queues.context import Context
from queues.store.models import Event
from tests.api.test_callback_roles import (
    PASSWORD,
    as_user,
    callback_body,
    post_callback,
    staff_refresh_body,
)
from tests.support import MAIN_HALL, free_port, gunicorn, http, make_context, serve
from web.auth import COOKIE, safe_next

WRONG = "Wrong name or password."
LOCKED = ("Too many wrong passwords", "Too many failed sign-ins")

# --- where the browser goes after signing in ------------------------------------------------

OFF_SITE = [
    "/\\evil.example",  # browsers read a backslash as a slash: //evil.example
    "/\\/evil.example",
    "\\\\evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/%5Cevil.example",  # decoded once more on the way: /\evil.example
    "/%5cevil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%252F%252Fevil.example",  # encoded twice
    "/%25255Cevil.example",  # three times
    "/\t/evil.example",  # browsers drop tabs and line breaks from a URL
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%09/evil.example",
    "/%0d%0a/evil.example",
    " /evil.example",
    "/ /evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/\u3000/evil.example",  # an ideographic space
    "/\u2028/evil.example",
    "/%E3%80%80/evil.example",
    "/％2F/evil.example",  # a full-width percent sign
    "/counter/" + "5" * 600,
    "",
]
NEVER_POSTED = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/counter/" + "5" * 600,
]
"""Places off this site with control characters in them, or too long: no page ever posts one."""
ON_SITE = [
    "/",
    "/counter/5",
    "/staff",
    "/dashboard?lang=en",
    "/reports?period=month&date=2026-11-01&by=window",
    "/login?next=/counter/5",
    "/counter/5#now",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_a_place_off_this_site_is_refused(target: str) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ON_SITE)
def test_a_place_on_this_site_is_kept(target: str) -> None:
    assert safe_next(target) == target


def lands_on(href: str, page: str = "http://hall.example/login") -> str:
    """The host a browser goes to for ``href`` on ``page``: it drops tabs and line breaks and
    reads a backslash as a slash (the WHATWG URL standard, for http and https)."""
    cleaned = href.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    return urlsplit(urljoin(page, cleaned.strip())).hostname or ""


@pytest.fixture
def client(ctx: Context) -> FlaskClient:
    client = create_app(ctx).server.test_client()
    client.get("/")
    return client


def sign_in_answer(client: FlaskClient, name: str, password: str, target: Any) -> Any:
    return post_callback(
        client,
        [("login-go", "href"), ("login-message", "children")],
        [("login-submit", "n_clicks", 1), ("login-password", "n_submit", None)],
        [
            ("login-name", "value", name),
            ("login-password", "value", password),
            ("login-next", "data", target),
            ("login-lang", "data", "en"),
        ],
    )


def test_signing_in_never_sends_the_browser_to_another_host(
    client: FlaskClient, ctx: Context
) -> None:
    """The page keeps ``next`` in the browser, which posts it back: the answer checks it again,
    whatever the post says."""
    staff.add_user(ctx, "li", "manager", PASSWORD)
    assert set(NEVER_POSTED) < set(OFF_SITE)
    for target in NEVER_POSTED:  # the input gate refuses a value no page ever posts
        response = sign_in_answer(client, "li", PASSWORD, target)
        assert response.status_code == 400, target
        assert response.get_json()["error"]["code"] == "invalid_callback", target
    posted = [t for t in OFF_SITE if t not in NEVER_POSTED]
    for target in [*posted, "/%2F%2F" * 3, None]:
        response = sign_in_answer(client, "li", PASSWORD, target)
        assert response.status_code == 200, target
        href = response.get_json()["response"]["login-go"]["href"]
        # an off-site or missing target: a manager's own page, on this site
        assert href == "/dashboard" and lands_on(href) == "hall.example", target
    response = sign_in_answer(client, "li", PASSWORD, "/staff")
    assert response.get_json()["response"]["login-go"]["href"] == "/staff"


def page(client: FlaskClient, path: str, search: str = "") -> str:
    """What the Dash page at ``path`` shows, as the browser asks for it."""
    response = post_callback(
        client,
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", path), ("_pages_location", "search", search)],
        [],
    )
    assert response.status_code == 200
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_the_sign_in_page_keeps_no_place_off_this_site(client: FlaskClient, ctx: Context) -> None:
    """Neither the form (which posts ``next`` back) nor a signed-in user's "continue" button."""
    user = staff.add_user(ctx, "li", "manager", PASSWORD)
    for who in (None, user):
        as_user(client, who)
        for search in ("?next=/%5Cevil.example", "?next=%2F%5C%2Fevil.example"):
            shown = page(client, "/login", search)
            assert "evil.example" not in shown and "login" in shown
        assert "/counter/5" in page(client, "/login", "?next=/counter/5")


# --- guessing in parallel -------------------------------------------------------------------


@pytest.fixture
def hall(pg_url: str, tmp_path: Path) -> Iterator[tuple[str, Context, Path]]:
    """hallq on gunicorn, four workers on PostgreSQL, behind a proxy (so a test can speak for
    several client addresses with X-Forwarded-For); a context on the same database; the access
    log."""
    ctx = make_context(pg_url)
    try:
        server = gunicorn(pg_url, tmp_path, hall=MAIN_HALL, workers=4, HALLQ_BEHIND_PROXY="1")
        with server as (base, access):
            yield base, ctx, access
    finally:
        ctx.db.dispose()


def login_post(
    base: str, name: str, password: str, address: str, answer: dict[str, str] | None = None
) -> tuple[int, Any]:
    body = callback_body(
        [("login-go", "href"), ("login-message", "children")],
        [("login-submit", "n_clicks", 1), ("login-password", "n_submit", None)],
        [
            ("login-name", "value", name),
            ("login-password", "value", password),
            ("login-next", "data", None),
            ("login-lang", "data", "en"),
        ],
    )
    headers = {"Origin": base, "X-Forwarded-For": address}
    path = "/_dash-update-component"
    return http(base, "POST", path, body, headers=headers, answer_headers=answer)


def in_parallel(count: int, work: Any) -> list[Any]:
    """``work()`` ``count`` times at once: every thread waits at a barrier, then all go."""
    barrier = threading.Barrier(count)

    def go() -> Any:
        barrier.wait(timeout=30)
        return work()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: go(), range(count)))


def failures_checked(ctx: Context, name: str) -> int:
    with ctx.db.read() as s:
        return s.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.kind == "sign_in_failed", Event.data["user"].as_string() == name)
        )


@pytest.mark.postgres
def test_forty_parallel_guesses_get_five_checks(hall: tuple[str, Context, Path]) -> None:
    base, ctx, _ = hall
    rounds, outcomes = 4, Counter()
    for n in range(rounds):
        name, attacker = f"guard{n}", f"203.0.113.{n + 1}"
        staff.add_user(ctx, name, "clerk", PASSWORD, windows=[5])
        answers = in_parallel(40, lambda: login_post(base, name, "a guess", attacker))  # noqa: B023
        assert all(status == 200 for status, _ in answers), answers
        messages = [body["response"]["login-message"]["children"] for _, body in answers]
        wrong = messages.count(WRONG)
        locked = sum(m.startswith(LOCKED) for m in messages)
        outcomes.update(wrong=wrong, locked=locked, checked=failures_checked(ctx, name))
        # the fifth guess is told that it was the last; the 35 after it were never checked
        assert (wrong, locked, failures_checked(ctx, name)) == (4, 36, 5), messages
        # the owner of the account, at her own window, signs in as usual meanwhile
        _, body = login_post(base, name, PASSWORD, "198.51.100.20")
        assert body["response"]["login-go"]["href"] == "/counter/5"
        # from the guessing address even the right password is refused until the lock is over
        _, body = login_post(base, name, PASSWORD, attacker)
        assert body["response"]["login-message"]["children"].startswith(LOCKED[0])
    assert outcomes == Counter(wrong=4 * rounds, locked=36 * rounds, checked=5 * rounds)


def test_behind_a_proxy_hallq_serve_counts_each_client_apart(
    sqlite_url: str, tmp_path: Path
) -> None:
    """``hallq serve`` (waitress) behind a proxy: the guesses of one client lock that client out,
    not everyone behind the proxy (waitress drops X-Forwarded-For unless told to keep it)."""
    ctx = make_context(sqlite_url)
    staff.add_user(ctx, "wang", "clerk", PASSWORD, windows=[5])
    ctx.db.dispose()
    port = free_port()
    process = serve(sqlite_url, port, hall=MAIN_HALL, HALLQ_BEHIND_PROXY="1")
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(5):
            login_post(base, "wang", "a guess", "203.0.113.9")
        _, body = login_post(base, "wang", PASSWORD, "203.0.113.9")
        assert body["response"]["login-message"]["children"].startswith(LOCKED[0])
        _, body = login_post(base, "wang", PASSWORD, "198.51.100.20")
        assert body["response"]["login-go"]["href"] == "/counter/5"
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- a copied cookie after signing out ------------------------------------------------------


def workers_seen(access: Path, since: int) -> set[str]:
    """The pids of the workers that answered requests logged after line ``since``."""
    lines = access.read_text().splitlines()[since:]
    return {line.split()[0] for line in lines if "_dash-update-component" in line}


def log_length(access: Path) -> int:
    return len(access.read_text().splitlines())


def staff_view(base: str, cookie: str) -> int:
    """The staff page's refresh (a manager's callback), with ``cookie``: its status."""
    headers = {"Origin": base, "Cookie": f"{COOKIE}={cookie}"}
    path = "/_dash-update-component"
    status, _ = http(base, "POST", path, staff_refresh_body("zh"), headers=headers)
    return status


def counter_page(base: str, cookie: str) -> str:
    body = callback_body(
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", "/counter/5"), ("_pages_location", "search", "")],
        [],
    )
    headers = {"Origin": base, "Cookie": f"{COOKIE}={cookie}"}
    status, answer = http(base, "POST", "/_dash-update-component", body, headers=headers)
    assert status == 200
    return str(answer)


def until_two_workers(access: Path, ask: Any, deadline_s: float = 30) -> list[Any]:
    """Ask again and again until the answers came from at least two workers (or time is up)."""
    start, answers = log_length(access), []
    deadline = time.monotonic() + deadline_s
    while len(workers_seen(access, start)) < 2 or len(answers) < 8:
        answers.append(ask())
        assert time.monotonic() < deadline, "every request went to one worker"
    return answers


@pytest.mark.postgres
def test_a_copied_cookie_stops_working_on_every_worker_at_sign_out(
    hall: tuple[str, Context, Path],
) -> None:
    base, ctx, access = hall
    staff.add_user(ctx, "li", "manager", PASSWORD)
    answer: dict[str, str] = {}
    login_post(base, "li", PASSWORD, "198.51.100.20", answer)
    copied = SimpleCookie(answer["Set-Cookie"])[COOKIE].value
    assert set(until_two_workers(access, lambda: staff_view(base, copied))) == {200}
    assert "请先登录" not in counter_page(base, copied)

    status, _ = http(base, "GET", "/logout", headers={"Cookie": f"{COOKIE}={copied}"})
    assert status == 200  # on to the sign-in page

    assert set(until_two_workers(access, lambda: staff_view(base, copied))) == {401}
    assert "请先登录" in counter_page(base, copied)


# --- the password check holds no write lock -------------------------------------------------


def test_the_password_is_checked_outside_any_write_transaction(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """scrypt takes ~70 ms: inside a write transaction it would hold SQLite's one write lock,
    and every issue, call and finish in the hall would wait behind each guess."""
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    path = ctx.db.url.database
    checked, real = [], staff.check_password_hash

    def check_while_someone_writes(stored: str, password: str) -> bool:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)  # no waiting at all
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if a write transaction is open
            other.execute("ROLLBACK")
        finally:
            other.close()
        checked.append(password)
        return real(stored, password)

    monkeypatch.setattr(staff, "check_password_hash", check_while_someone_writes)
    with pytest.raises(errors.BadCredentials):
        staff.sign_in(ctx, "wang", "a guess", "10.0.0.66")
    with pytest.raises(errors.BadCredentials):
        staff.sign_in(ctx, "nobody", "a guess", "10.0.0.66")
    assert staff.sign_in(ctx, "wang", PASSWORD, "10.0.0.20").user.name == "wang"
    assert checked == ["a guess", "a guess", PASSWORD]


def test_parallel_guesses_in_one_process_get_five_checks(any_ctx: Context) -> None:
    """The same count at the service, on SQLite and PostgreSQL: twenty threads guessing."""
    staff.add_user(any_ctx, "wang", "clerk", PASSWORD)

    def guess() -> str:
        try:
            staff.sign_in(any_ctx, "wang", "a guess", "10.0.0.66")
        except errors.HallqError as exc:
            return exc.code
        return "signed_in"

    codes = Counter(in_parallel(20, guess))
    assert codes == Counter(bad_credentials=4, sign_in_locked=16)
    assert failures_checked(any_ctx, "wang") == 5
