"""GET /api/v1/stats/today: today's figures for managers and integrations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from api.schemas import StatsOut
from app import create_app
from queues import services
from queues.access import tokens
from queues.context import Context
from tests.support import Clock
from tests.unit.test_metrics import a_morning

URL = "/api/v1/stats/today"


@pytest.fixture
def client(ctx: Context) -> Iterator[FlaskClient]:
    yield create_app(ctx).server.test_client()


def bearer(ctx: Context, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.create_token(ctx, role, f'stats-{role}')}"}


def test_todays_figures_for_a_manager(ctx: Context, clock: Clock, client: FlaskClient) -> None:
    a_morning(ctx, clock)
    services.issue(ctx, "housing-fund")
    response = client.get(URL, headers=bearer(ctx, "manager"))
    assert response.status_code == 200
    body = StatsOut.model_validate(response.get_json())
    assert body.day.isoformat() == "2026-11-24"
    assert (body.issued, body.handled, body.finished, body.no_shows, body.waiting) == (
        5,
        3,
        3,
        1,
        1,
    )
    assert (body.late, body.waiting_late, body.served) == (2, 0, 3)
    assert body.wait_mean_minutes == 19.0 and body.wait_p90_minutes == 30
    assert body.within_target_share == 0.5 and body.service_mean_minutes == 13.3
    assert (body.rating_mean, body.bad_ratings) == (3.0, 1)
    general = next(z for z in body.zones if z.zone == "general")
    assert (general.issued, general.waiting) == (5, 1)
    window = next(w for w in body.windows if w.window == 5)  # tax
    assert (window.handled, window.state, window.open_minutes) == (3, "closed", 60.0)
    assert window.serving_share == 0.75


def test_one_zone_and_an_unknown_zone(ctx: Context, clock: Clock, client: FlaskClient) -> None:
    services.issue(ctx, "tax")
    headers = bearer(ctx, "manager")
    social = client.get(URL + "?zone=social", headers=headers).get_json()
    assert social["issued"] == 0 and [z["zone"] for z in social["zones"]] == ["social"]
    assert [(w["window"], w["zone"]) for w in social["windows"]] == [
        (8, "social"),
        (9, "social"),
        (10, "social"),
        (11, "social"),
        (12, "social"),
    ]
    unknown = client.get(URL + "?zone=nowhere", headers=headers)
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "unknown_zone"


def test_only_managers_see_the_figures(ctx: Context, client: FlaskClient) -> None:
    assert client.get(URL).status_code == 401
    clerk = client.get(URL, headers=bearer(ctx, "clerk"))
    assert clerk.status_code == 403 and clerk.get_json()["error"]["code"] == "forbidden"
    assert client.get(URL, headers=bearer(ctx, "admin")).status_code == 200
