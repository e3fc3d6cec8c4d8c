"""The network's callbacks are endpoints of their own: nobody gets 401, a clerk 403, and a
manager of the network the figures (web.auth.sees_network is the one rule)."""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import Any

from flask.testing import FlaskClient

from queues import services
from queues.access import staff
from queues.context import Context
from tests.api.test_callback_roles import (
    PASSWORD,
    as_user,
    callback_body,
    client,
    dash_app,
    post_callback,
)

__all__ = ["client", "dash_app"]  # the fixtures, used by name


def live_rows(client: FlaskClient) -> Any:
    return post_callback(
        client,
        [("net-halls", "children"), ("net-updated", "children"), ("net-drawn", "data")],
        [("net-tick", "n_intervals", 1)],
        [("net-lang", "data", "zh"), ("net-drawn", "data", None)],
    )


def year_report(client: FlaskClient) -> Any:
    return post_callback(
        client,
        [
            ("net-report-body", "children"),
            ("net-report-message", "children"),
            ("net-report-link", "href"),
            ("net-report-end-box", "className"),
        ],
        [
            ("net-report-period", "value", "year"),
            ("net-report-date", "date", "2026-11-24"),
            ("net-report-end", "date", None),
            ("net-report-by", "value", "hall"),
        ],
        [("net-report-lang", "data", "zh")],
    )


def test_the_network_is_for_its_managers(client: FlaskClient, ctx: Context) -> None:
    clerk = staff.add_user(ctx, "wang", "clerk", PASSWORD, hall=None)
    hall_manager = staff.add_user(ctx, "zhao", "manager", PASSWORD)  # of the hall, not the network
    manager = staff.add_user(ctx, "li", "manager", PASSWORD, hall=None)
    services.issue(ctx, "tax")
    for ask in (live_rows, year_report):
        as_user(client, None)
        assert ask(client).status_code == 401
        as_user(client, clerk)
        assert ask(client).status_code == 403
        as_user(client, hall_manager)
        assert ask(client).status_code == 403
        as_user(client, manager)
        response = ask(client)
        assert response.status_code == 200
        # the app's hall, as a network of one
        assert "新区政务服务中心" in json.dumps(response.get_json(), ensure_ascii=False)


def test_the_network_report_downloads_as_a_hall_report_does(
    client: FlaskClient, ctx: Context
) -> None:
    manager = staff.add_user(ctx, "li", "manager", PASSWORD, hall=None)
    services.issue(ctx, "tax")
    as_user(client, manager)
    body = callback_body(
        [("net-report-download", "data")],
        [("net-report-xlsx", "n_clicks", None), ("net-report-csv", "n_clicks", 1)],
        [
            ("net-report-period", "value", "month"),
            ("net-report-date", "date", "2026-11-24"),
            ("net-report-end", "date", None),
            ("net-report-by", "value", "level"),
            ("net-report-lang", "data", "zh"),
        ],
    )
    body["changedPropIds"] = ["net-report-csv.n_clicks"]
    response = client.post(
        "/_dash-update-component", json=body, headers={"Origin": "http://localhost"}
    )
    assert response.status_code == 200
    sent = response.get_json()["response"]["net-report-download"]["data"]
    assert sent["filename"] == "hallq-network-2026-11-01-2026-11-30-level.csv"
    text = base64.b64decode(sent["content"]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["全区大厅总览 · 2026年11月 (2026-11-01 — 2026-11-30)"]
    head = rows.index(["统计"]) + 1
    assert rows[head][:2] == ["层级", "取号"]
    assert rows[head + 1][:2] == ["区级", "1"]  # the one ticket, in the district's hall
