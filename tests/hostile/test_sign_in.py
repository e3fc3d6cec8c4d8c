"""Signing in against someone who means harm: a link that would send the clerk elsewhere
after signing in."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask.testing import FlaskClient

from app import create_app
from components.auth import safe_next
from queues import staff
from queues.context import Context
from tests.api.test_callback_roles import PASSWORD, as_user, post_callback

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
    for target in [*OFF_SITE, "/%2F%2F" * 3, None]:
        response = sign_in_answer(client, "li", PASSWORD, target)
        href = response.get_json()["response"]["login-go"]["href"]
        assert href == "/" and lands_on(href) == "hall.example", target
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
