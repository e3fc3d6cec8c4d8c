"""Every page's document names its language, so a screen reader reads Chinese as Chinese."""

from __future__ import annotations

import re

import pytest

from app import create_app
from queues.context import Context

PAGES = ["/", "/kiosk", "/display", "/login", "/t/1", "/no-such-page"]


def html_lang(body: str) -> str | None:
    found = re.search(r"<html\b[^>]*\blang=\"([^\"]+)\"", body)
    return found.group(1) if found else None


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_zh_cn_unless_asked_for_in_english(ctx: Context, path: str) -> None:
    client = create_app(ctx).server.test_client()
    chinese = client.get(path)
    english = client.get(path, query_string={"lang": "en"})
    assert html_lang(chinese.get_data(as_text=True)) == "zh-CN"
    assert html_lang(english.get_data(as_text=True)) == "en"


def test_a_lang_value_that_is_not_a_language_gives_the_default(ctx: Context) -> None:
    client = create_app(ctx).server.test_client()
    body = client.get("/kiosk", query_string={"lang": '"><script>'}).get_data(as_text=True)
    assert html_lang(body) == "zh-CN"
    assert '<script>"' not in body and '"><script>' not in body
