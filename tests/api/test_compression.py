"""Every answer is compressed for a browser that asks: the Dash bundle, the assets, the pages,
the phone page, the JSON. A phone on a slow network fetches a quarter of the bytes."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
from flask.testing import FlaskClient

from app import create_app
from queues import services
from queues.context import Context


@pytest.fixture
def client(ctx: Context) -> FlaskClient:
    return create_app(ctx).server.test_client()


def _dash_bundle(client: FlaskClient) -> str:
    page = client.get("/display", headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    return next(p for p in re.findall(r'src="([^"]+)"', page) if "dash_renderer" in p)


@pytest.mark.parametrize(
    ("asked", "unpack"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_the_dash_bundle_comes_compressed(client: FlaskClient, asked: str, unpack) -> None:
    path = _dash_bundle(client)
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    packed = client.get(path, headers={"Accept-Encoding": asked})
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == asked
    assert unpack(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 3


def test_assets_and_pages_come_compressed(client: FlaskClient) -> None:
    css = client.get("/assets/00-bootstrap.min.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip"  # a static file, sent as a stream
    assert (
        gzip.decompress(css.get_data()).startswith(b"@charset")
        or b"bootstrap" in (gzip.decompress(css.get_data())[:400])
    )
    page = client.get("/display", headers={"Accept-Encoding": "br, gzip"})
    assert page.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in page.headers["Vary"]


def test_the_phone_page_comes_compressed_with_the_number_in_it(
    client: FlaskClient, ctx: Context
) -> None:
    ticket = services.issue(ctx, "tax").ticket
    page = client.get(f"/t/{ticket.id}", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert page.headers["Content-Encoding"] == "br"
    html = brotli.decompress(page.get_data()).decode()
    assert '<div class="phone-number" id="phone-number">T001</div>' in html
    assert len(page.get_data()) < 6_000  # the whole page, style and script inlined
    assert "_dash-component-suites" not in html  # no Dash bundle to wait for
    poll = client.get(f"/t/{ticket.id}/now", headers={"Accept-Encoding": "gzip"})
    assert poll.headers["Content-Encoding"] == "gzip"
