"""The start page in a real headless Chromium, on the tests' hall (tests/halls/main.toml)."""

from __future__ import annotations

from app import create_app
from queues.context import Context


def test_home001_start_page_shows_the_hall_and_its_screens(dash_duo, ctx: Context) -> None:
    dash_duo.start_server(create_app(ctx))
    dash_duo.wait_for_text_to_equal("#home-hall-name", "新区政务服务中心")
    facts = dash_duo.find_element("#home-facts").text
    assert "12 个窗口" in facts and "3 个办理区" in facts
    general = dash_duo.find_element("#home-zones tbody tr:nth-child(2) td:nth-child(4)").text
    assert general == "税务登记与申报、不动产登记、住房公积金提取、贷款"
    assert (
        dash_duo.find_element("#home-api a").get_attribute("href").endswith("/api/v1/openapi.json")
    )


def test_home002_english_in_one_tap(dash_duo, ctx: Context) -> None:
    dash_duo.start_server(create_app(ctx))
    dash_duo.wait_for_text_to_equal("#home-hall-name", "新区政务服务中心")
    dash_duo.find_element("#home-lang").click()
    dash_duo.wait_for_text_to_equal("#home-hall-name", "New District Service Centre")
    assert "12 windows" in dash_duo.find_element("#home-facts").text
    general = dash_duo.find_element("#home-zones tbody tr:nth-child(2) td:nth-child(4)").text
    assert general == (
        "Tax registration and returns, Real estate registration, Housing provident fund"
    )
