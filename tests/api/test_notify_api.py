"""到号提醒 over HTTP: the API's ``POST /tickets/{id}/notify`` and the phone page's form; every
refusal with its status, and the number never in a public answer (masked where the visitor
sees which number the texts go to).

The tests' hall (tests/halls/main.toml): window 8 calls social-insurance (L); near is 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from queues import services
from queues.context import Context
from queues.store.models import Notification, TicketPhone

API = "/api/v1"
PHONE = "13812345678"
ORIGIN = {"Origin": "http://localhost"}


@pytest.fixture
def client(ctx: Context) -> Iterator[FlaskClient]:
    yield create_app(ctx).server.test_client()


def take(client: FlaskClient) -> str:
    response = client.post(f"{API}/tickets", json={"service": "social-insurance"})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def error_code(response: Any) -> str:
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["message"]
    return str(body["error"]["code"])


def test_a_visitor_leaves_a_number_and_sees_it_masked(client: FlaskClient, ctx: Context) -> None:
    ticket = take(client)
    answer = client.post(f"{API}/tickets/{ticket}/notify", json={"phone": "138 1234 5678"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"phone": "138****5678", "near": 3}
    with ctx.db.read() as s:
        assert s.scalars(select(TicketPhone.phone)).all() == [PHONE]
    # under the hall's own path too
    other = take(client)
    path = f"{API}/halls/{ctx.hall}/tickets/{other}/notify"
    assert client.post(path, json={"phone": "13900000000", "lang": "en"}).status_code == 200


def test_refusals_have_their_statuses(client: FlaskClient, ctx: Context) -> None:
    ticket = take(client)
    url = f"{API}/tickets/{ticket}/notify"
    bad = client.post(url, json={"phone": "12345678901"})
    assert bad.status_code == 422 and error_code(bad) == "invalid_mobile"
    assert PHONE not in bad.get_data(as_text=True)
    extra = client.post(url, json={"phone": PHONE, "name": "张三"})
    assert extra.status_code == 422 and error_code(extra) == "invalid_request"
    long = client.post(url, json={"phone": "1" * 21})
    assert long.status_code == 422
    not_json = client.post(url, data="{", content_type="application/json")
    assert not_json.status_code == 400
    unknown = client.post(f"{API}/tickets/nope/notify", json={"phone": PHONE})
    assert unknown.status_code == 404 and error_code(unknown) == "unknown_ticket"
    for n in range(4):  # the first number and three changes
        assert client.post(url, json={"phone": f"1390000000{n}"}).status_code == 200
    spent = client.post(url, json={"phone": "13900000009"})
    assert spent.status_code == 429 and error_code(spent) == "notify_changes_spent"
    services.resume(ctx, 8, "clerk:test")
    services.call_next(ctx, 8, "clerk:test")
    late = client.post(url, json={"phone": PHONE})
    assert late.status_code == 409 and error_code(late) == "notify_too_late"


def test_a_hall_without_texts_refuses(client: FlaskClient, ctx: Context) -> None:
    ticket = take(client)
    ctx.config.notify.__dict__["enabled"] = False  # the hall file says enabled = false
    try:
        off = client.post(f"{API}/tickets/{ticket}/notify", json={"phone": PHONE})
        assert off.status_code == 409 and error_code(off) == "notify_off"
        assert 'id="phone-notify"' not in client.get(f"/t/{ticket}").get_data(as_text=True)
    finally:
        ctx.config.notify.__dict__["enabled"] = True


def test_the_phone_page_form_works_without_script(client: FlaskClient, ctx: Context) -> None:
    ticket = take(client)
    page = client.get(f"/t/{ticket}").get_data(as_text=True)
    assert "到号提醒：留下手机号" in page and f'action="/t/{ticket}/notify"' in page
    bad = client.post(f"/t/{ticket}/notify", data={"phone": "123", "lang": "zh"}, headers=ORIGIN)
    assert bad.status_code == 422
    assert "手机号“123”无效" in bad.get_data(as_text=True)
    done = client.post(f"/t/{ticket}/notify", data={"phone": PHONE, "lang": "zh"}, headers=ORIGIN)
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/t/{ticket}")
    page = client.get(f"/t/{ticket}").get_data(as_text=True)
    assert "已登记，将发短信到 138****5678。" in page
    assert PHONE not in page
    cross = client.post(
        f"/t/{ticket}/notify", data={"phone": PHONE}, headers={"Origin": "http://evil.example"}
    )
    assert cross.status_code == 403
    english = client.post(
        f"/h/{ctx.hall}/t/{ticket}/notify?lang=en", data={"phone": "1"}, headers=ORIGIN
    )
    assert english.status_code == 422
    assert "is not a mobile number" in english.get_data(as_text=True)


def test_the_number_is_in_no_public_answer(client: FlaskClient, ctx: Context) -> None:
    ticket = take(client)
    assert client.post(f"{API}/tickets/{ticket}/notify", json={"phone": PHONE}).status_code == 200
    services.resume(ctx, 8, "clerk:test")
    services.call_next(ctx, 8, "clerk:test")
    with ctx.db.read() as s:
        assert s.scalars(select(Notification.phone)).all() == [PHONE, PHONE]  # near, called
    public = [
        f"{API}/tickets/{ticket}",
        f"{API}/queue",
        f"{API}/services",
        f"{API}/display",
        f"/t/{ticket}",
        f"/t/{ticket}/now",
        f"/t/{ticket}?lang=en",
    ]
    for path in public:
        answer = client.get(path)
        body = answer.get_data(as_text=True)
        assert answer.status_code < 500, path
        for shape in (PHONE, "138 1234 5678", "1234-5678", "12345678"):
            assert shape not in body, (path, shape)
