"""Calls reach the lobby screen by its live stream, not by the next poll (issue 14), in a real
headless Chromium: counted, never timed. The page counts what it heard on the stream
(``hallqLive.events``) and the polls it made while no stream carried the versions
(``hallqLive.polls``)."""

from __future__ import annotations

import time

from app import create_app
from queues import services
from queues.context import Context

WAIT = 15


def live(duo) -> dict[str, int]:
    return duo.driver.execute_script(
        "return {events: window.hallqLive.events, polls: window.hallqLive.polls};"
    )


def until(duo, check, what: str) -> dict[str, int]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        seen = live(duo)
        if check(seen):
            return seen
        time.sleep(0.1)
    raise AssertionError(f"{what}: {live(duo)}")


def until_title(duo, title: str) -> None:
    deadline = time.monotonic() + WAIT
    while duo.driver.title != title and time.monotonic() < deadline:
        time.sleep(0.1)
    assert duo.driver.title == title


def test_push001_a_call_reaches_the_wallboard_by_its_stream(dash_duo, ctx: Context) -> None:
    services.resume(ctx, 5, "clerk:wang")
    services.issue(ctx, "tax")
    services.issue(ctx, "tax")
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.get(dash_duo.server_url + "/display?mute=1")
    dash_duo.wait_for_element("#display-current")
    opened = until(dash_duo, lambda s: s["events"] >= 1, "the stream never opened")
    for number in ("T001", "T002"):
        services.call_next(ctx, 5, "clerk:wang")
        dash_duo.wait_for_text_to_equal("#display-number", number)
        if number == "T001":
            services.finish(ctx, 5, "clerk:wang")
    time.sleep(3)  # quiet: the stream stays taken (it is silent for far less than 3 pings)
    after = live(dash_duo)
    assert after["polls"] == opened["polls"]  # no poll was made: the stream brought both calls
    assert after["events"] >= opened["events"] + 2


def test_push002_the_screen_polls_while_the_stream_is_cut_and_returns_to_it(
    dash_duo, ctx: Context
) -> None:
    services.resume(ctx, 5, "clerk:wang")
    for _ in range(3):
        services.issue(ctx, "tax")
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.get(dash_duo.server_url + "/display?mute=1")
    dash_duo.wait_for_element("#display-current")
    until(dash_duo, lambda s: s["events"] >= 1, "the stream never opened")
    dash_duo.driver.execute_script("window.hallqLive.retryMs = 300;")

    ctx.db.feed.enabled = False  # the process loses its feed: its streams end, new ones refused
    cut = live(dash_duo)
    until(dash_duo, lambda s: s["polls"] >= cut["polls"] + 2, "the screen did not poll")
    services.call_next(ctx, 5, "clerk:wang")
    dash_duo.wait_for_text_to_equal("#display-number", "T001")  # brought by a poll

    ctx.db.feed.enabled = True  # back: the screen takes the stream again and stops polling
    back = until(dash_duo, lambda s: s["events"] > cut["events"], "the stream did not return")
    services.finish(ctx, 5, "clerk:wang")
    services.call_next(ctx, 5, "clerk:wang")
    dash_duo.wait_for_text_to_equal("#display-number", "T002")
    time.sleep(3)  # three poll ticks: none is made while the stream carries the versions
    settled = live(dash_duo)
    assert settled["polls"] <= back["polls"] + 1  # at most the tick that was under way
    assert settled["events"] >= back["events"] + 1


def test_push003_the_phone_hears_its_call_from_its_zones_stream(dash_duo, ctx: Context) -> None:
    services.resume(ctx, 5, "clerk:wang")
    services.issue(ctx, "tax")
    ticket = services.issue(ctx, "tax").ticket  # T002: one ahead
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.driver.get(f"{dash_duo.server_url}/t/{ticket.id}")
    dash_duo.wait_for_text_to_equal("#phone-number", "T002")
    assert dash_duo.driver.title == "T002 等候中 · 前面 1 人"
    until(dash_duo, lambda s: s["events"] >= 1, "the phone's stream never opened")
    services.call_next(ctx, 5, "clerk:wang")  # T001: one fewer ahead of T002
    until_title(dash_duo, "T002 等候中 · 前面 0 人")
    services.finish(ctx, 5, "clerk:wang")
    services.call_next(ctx, 5, "clerk:wang")
    until_title(dash_duo, "【叫号】T002 请到 5 号窗口")
    assert live(dash_duo)["polls"] == 0  # the stream brought both changes, no poll ran


def test_push004_the_phones_stream_follows_only_a_ticket_that_can_still_move(
    dash_duo, ctx: Context
) -> None:
    services.resume(ctx, 5, "clerk:wang")
    ticket = services.issue(ctx, "tax").ticket
    services.call_next(ctx, 5, "clerk:wang")
    services.finish(ctx, 5, "clerk:wang")
    dash_duo.start_server(create_app(ctx))
    dash_duo.driver.get(f"{dash_duo.server_url}/t/{ticket.id}")
    dash_duo.wait_for_element("#phone-number")
    assert dash_duo.find_element("#phone").get_attribute("data-stream") == ""
    time.sleep(1)
    assert live(dash_duo)["events"] == 0  # a finished ticket holds no stream
