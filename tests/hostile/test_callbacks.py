"""Every Dash callback posted to as an attacker would: forged, wrong-typed, oversized and
unicode-edge values, with and without a session, from a paired kiosk and from a stranger.

None may answer 500, and none may change what its caller may not: a stranger leaves no trace
but the tickets a visitor may take (within the per-address limit) and failed sign-ins.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import pytest
from dash import Dash
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from queues.access import devices, staff
from queues.store.models import Event, PrintJob, Ticket
from sqlalchemy import func, select
from web.devices import COOKIE

from app import create_app
from queues.context import Context
from tests.api.test_callback_roles import PASSWORD, as_user
from tests.hostile import forge

FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NEVER = {500, 502, 503, 504}
NAMES = itertools.count()


@pytest.fixture
def dash_app(ctx: Context) -> Dash:
    ctx.open_always = True
    ctx.issue_limit = 5
    return create_app(ctx)


def post(client: FlaskClient, body: Any) -> int:
    return client.post(
        "/_dash-update-component", json=body, headers={"Origin": "http://localhost"}
    ).status_code


def fuzz_every_callback(
    dash_app: Dash, client: FlaskClient, data: st.DataObject, forged: bool = True
) -> Counter[int]:
    seen: Counter[int] = Counter()
    for key, spec in forge.server_callbacks(dash_app.callback_map):
        status = post(client, data.draw(forge.body(key, spec, forged=forged), label=key[:40]))
        assert status not in NEVER, key
        seen[status] += 1
    return seen


def events(ctx: Context) -> Counter[str]:
    with ctx.db.read() as s:
        return Counter(s.scalars(select(Event.kind)))


@FUZZ
@given(data=st.data())
def test_a_stranger_crashes_nothing_and_changes_only_what_a_visitor_may(
    dash_app: Dash, ctx: Context, data: st.DataObject
) -> None:
    client = dash_app.server.test_client()
    fuzz_every_callback(dash_app, client, data)
    kinds = events(ctx)
    assert set(kinds) <= {"issued", "sign_in_failed"}, kinds
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PrintJob)) == 0  # no kiosk named
        per_address = s.execute(select(Ticket.client, func.count()).group_by(Ticket.client)).all()
    assert all(count <= 5 for _, count in per_address)


@FUZZ
@given(data=st.data())
def test_well_formed_requests_of_every_type_never_crash(
    dash_app: Dash, ctx: Context, data: st.DataObject
) -> None:
    """Values the gate lets through (every declared type's whole range) are handled by every
    callback: a refusal in words, never an error."""
    manager = staff.add_user(ctx, f"m{next(NAMES)}", "manager", PASSWORD)
    client = dash_app.server.test_client()
    client.get("/")
    as_user(client, manager)
    seen = fuzz_every_callback(dash_app, client, data, forged=False)
    assert seen[400] == 0, seen  # nothing well-formed is refused by the gate


@FUZZ
@given(data=st.data())
def test_a_signed_in_manager_and_a_paired_kiosk_crash_nothing(
    dash_app: Dash, ctx: Context, data: st.DataObject
) -> None:
    manager = staff.add_user(ctx, f"m{next(NAMES)}", "manager", PASSWORD)
    _, cookie = devices.pair(ctx, devices.pairing_code(ctx, "k1", "test").code)
    client = dash_app.server.test_client()
    client.get("/")
    client.set_cookie(COOKIE, cookie)
    as_user(client, manager)
    fuzz_every_callback(dash_app, client, data)
