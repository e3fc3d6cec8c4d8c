"""The network's callbacks are endpoints of their own: nobody gets 401, a clerk 403, and a
manager of the network the figures (web.auth.sees_network is the one rule)."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

from queues import services
from queues.access import staff
from queues.context import Context
from tests.api.test_callback_roles import PASSWORD, as_user, client, dash_app, post_callback

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
    clerk = staff.add_user(ctx, "wang", "clerk", PASSWORD)
    manager = staff.add_user(ctx, "li", "manager", PASSWORD)
    services.issue(ctx, "tax")
    for ask in (live_rows, year_report):
        as_user(client, None)
        assert ask(client).status_code == 401
        as_user(client, clerk)
        assert ask(client).status_code == 403
        as_user(client, manager)
        response = ask(client)
        assert response.status_code == 200
        # the app's hall, as a network of one
        assert "新区政务服务中心" in json.dumps(response.get_json(), ensure_ascii=False)
