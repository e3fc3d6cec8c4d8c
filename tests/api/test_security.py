"""A lobby is a public place: what the server does about strangers (issue 6, point 2)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from cli import main
from queues import services
from queues.access import staff, tokens
from queues.access.requesters import Requester
from queues.context import Context
from queues.store.models import Event
from tests.api.test_callback_roles import PASSWORD, as_user, post_callback
from tests.support import MAIN_HALL
from web.auth import COOKIE

API = "/api/v1"


@pytest.fixture
def client(ctx: Context) -> FlaskClient:
    ctx.issue_limit = 3
    app = create_app(ctx)
    client = app.server.test_client()
    client.get("/")
    return client


def test_pages_carry_a_content_security_policy_without_unsafe_scripts(
    client: FlaskClient,
) -> None:
    for path in ("/", "/kiosk", "/display", "/login"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        script = next(p for p in policy.split("; ") if p.startswith("script-src"))
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
        assert "'sha256-" in script  # Dash's own inline scripts, by hash
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP here
    api = client.get(f"{API}/services")
    assert api.headers["X-Content-Type-Options"] == "nosniff"


def test_over_https_the_cookie_is_secure_and_hsts_is_sent(ctx: Context) -> None:
    app = create_app(ctx, https=True)
    client = app.server.test_client()
    client.get("/")
    user = staff.add_user(ctx, "boss", "manager", PASSWORD)
    as_user(client, user)
    response = client.get("/dashboard")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None and cookie.secure and cookie.http_only


def test_a_post_from_another_site_with_the_session_is_refused(
    client: FlaskClient, ctx: Context
) -> None:
    user = staff.add_user(ctx, "boss", "manager", PASSWORD)
    as_user(client, user)
    body: dict[str, Any] = {"output": "x.children", "inputs": [], "changedPropIds": []}
    for origin in ({"Origin": "http://evil.example"}, {"Referer": "http://evil.example/x"}, {}):
        response = client.post("/_dash-update-component", json=body, headers=origin)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "cross_site"
    # from a page of this server the same session works (the manager adds a clerk)
    response = post_callback(
        client,
        [("staff-message", "children"), ("staff-tick", "data")],
        [("staff-add", "n_clicks", 1)],
        [
            ("staff-new-name", "value", "wang"),
            ("staff-new-display", "value", ""),
            ("staff-new-role", "value", "clerk"),
            ("staff-new-windows", "value", ""),
            ("staff-new-password", "value", PASSWORD),
            ("staff-new-hall", "value", None),
            ("staff-lang", "data", "zh"),
            ("staff-tick", "data", 0),
        ],
    )
    assert response.status_code == 200
    assert [u.name for u in staff.users(ctx)] == ["boss", "wang"]


def test_api_posts_with_a_token_need_no_origin(client: FlaskClient, ctx: Context) -> None:
    token = tokens.create_token(ctx, "clerk", "window-5")
    response = client.post(f"{API}/windows/5/resume", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_a_revoked_token_is_refused(client: FlaskClient, ctx: Context, tmp_path) -> None:
    token = tokens.create_token(ctx, "clerk", "lost-tablet")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post(f"{API}/windows/5/resume", headers=headers).status_code == 200
    env = {"HALLQ_DATABASE_URL": str(ctx.db.url), "HALLQ_CONFIG": str(MAIN_HALL)}
    result = CliRunner().invoke(main, ["token", "revoke", "lost-tablet"], env=env)
    assert result.exit_code == 0 and "revoked token" in result.output
    refused = client.post(f"{API}/windows/5/pause", json={"reason": "x"}, headers=headers)
    assert refused.status_code == 401
    listed = CliRunner().invoke(main, ["token", "list"], env=env)
    assert "lost-tablet" in listed.output and "revoked" in listed.output
    again = CliRunner().invoke(main, ["token", "revoke", "lost-tablet"], env=env)
    assert again.exit_code != 0 and "No live token" in again.output
    with ctx.db.read() as s:
        assert s.scalar(select(Event.actor).where(Event.kind == "token_revoked")) == "cli"


def test_issuing_is_limited_per_address(client: FlaskClient, clock) -> None:
    def post(address: str) -> Any:
        return client.post(
            f"{API}/tickets", json={"service": "tax"}, environ_base={"REMOTE_ADDR": address}
        )

    def take(address: str) -> int:
        return post(address).status_code

    assert take("10.0.0.7") == 201
    clock.advance(seconds=15)
    assert [take("10.0.0.7") for _ in range(2)] == [201, 201]
    refused = post("10.0.0.7")
    # the first of the three leaves the minute 45 s from now: the phone is told when to retry
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "45"
    assert "45" in refused.get_json()["error"]["message"]
    assert take("10.0.0.8") == 201  # another visitor's phone is not held up
    clock.advance(seconds=46)
    assert take("10.0.0.7") == 201


def test_behind_a_proxy_the_limit_counts_the_real_client(ctx: Context) -> None:
    ctx.issue_limit = 2
    app = create_app(ctx, behind_proxy=True)
    client = app.server.test_client()

    def take(forwarded: str) -> int:
        return client.post(
            f"{API}/tickets",
            json={"service": "tax"},
            headers={"X-Forwarded-For": forwarded},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},  # the proxy
        ).status_code

    assert [take("203.0.113.5") for _ in range(3)] == [201, 201, 429]
    assert take("203.0.113.6") == 201


def test_a_kiosk_gives_at_most_its_tickets_a_minute(ctx: Context, clock) -> None:
    for _ in range(10):  # kiosk_tickets_per_minute in tests/halls/main.toml
        services.issue(ctx, "tax", by=Requester.at_kiosk("k2"))
    from queues import errors

    with pytest.raises(errors.RateLimited):
        services.issue(ctx, "tax", by=Requester.at_kiosk("k2"))
    services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))  # the kiosk next to it still works
    services.issue(ctx, "tax", by=Requester.staff("user:li", kiosk="k2"))  # staff may
    clock.advance(seconds=61)
    services.issue(ctx, "tax", by=Requester.at_kiosk("k2"))  # a minute later, again


def shown(response: Any) -> str:
    """A JSON answer as its reader sees it (Chinese as Chinese, not as escapes)."""
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_personal_data_never_in_a_public_answer(client: FlaskClient, ctx: Context) -> None:
    services.resume(ctx, 5, "user:wang")  # tax (tests/halls/main.toml)
    ticket = services.issue(ctx, "tax").ticket
    services.call_next(ctx, 5, "user:wang")
    services.record_visitor(
        ctx, 5, "user:wang", name="张三", company="某建设公司", phone="13800000000"
    )
    phone = client.get(f"/t/{ticket.id}")  # what the phone page shows of the ticket
    phone_now = client.get(f"/t/{ticket.id}/now")  # and what its poll fetches
    board = post_callback(  # what the wallboard shows
        client,
        [
            ("display-current", "children"),
            ("display-calls", "children"),
            ("display-queues", "children"),
            ("display-say", "data"),
        ],
        [({"type": "live-version", "page": "display"}, "data", 1)],  # type: ignore[list-item]
        [("display-zone", "data", "")],
    )
    strip = post_callback(  # and the strip above the window
        client,
        [("strip-body", "children")],
        [({"type": "live-version", "page": "strip"}, "data", 1)],  # type: ignore[list-item]
        [("strip-window", "data", 5)],
    )
    assert phone.status_code == phone_now.status_code == 200
    assert board.status_code == strip.status_code == 200
    assert "请到一楼综合服务区 5 号窗口" in phone.get_data(as_text=True)  # it shows the ticket
    assert "请到一楼综合服务区 5 号窗口" in shown(phone_now)
    assert "T001" in shown(board) and "T001" in shown(strip)
    public = [
        shown(client.get(f"{API}/tickets/{ticket.id}")),
        shown(client.get(f"{API}/display")),
        phone.get_data(as_text=True),
        shown(phone_now),
        shown(board),
        shown(strip),
    ]
    for text in public:
        for secret in ("张三", "某建设公司", "13800000000"):
            assert secret not in text
    with ctx.db.read() as s:
        actor = s.scalar(select(Event.actor).where(Event.kind == "visitor_recorded"))
    assert actor == "user:wang"  # staff actions carry who did them
