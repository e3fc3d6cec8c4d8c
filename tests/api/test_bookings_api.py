"""The booking endpoints (api/bookings.py) in the booking hall: answers, error shapes, roles,
and no personal data in any public answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from app import create_app
from queues.access import tokens
from queues.context import Context
from tests.booking_hall import MONDAY_10, NAME, PHONE, booking_context
from tests.support import Clock

API = "/api/v1"
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_10)


@pytest.fixture
def bctx(tmp_path: Path, clock: Clock) -> Iterator[Context]:
    ctx = booking_context(f"sqlite:///{tmp_path}/booking.db", clock)
    yield ctx
    ctx.db.dispose()


@pytest.fixture
def client(bctx: Context) -> FlaskClient:
    client = create_app(bctx).server.test_client()
    client.get("/")
    return client


def book(client: FlaskClient, slot: str = "2026-12-08T09:30:00+08:00", **over: Any) -> Any:
    body = {"service": "tax", "slot": slot, "name": NAME, "phone": PHONE, **over}
    return client.post(API + "/bookings", json=body)


def public_texts(*answers: Any) -> str:
    return "\n".join(a.get_data(as_text=True) for a in answers)


def test_days_slots_and_a_booking(client: FlaskClient) -> None:
    days = client.get(API + "/bookings/days", query_string={"service": "tax"})
    assert days.status_code == 200
    assert days.get_json() == {
        "service": "tax",
        "days": [
            {"date": "2026-12-08", "left": 10},
            {"date": "2026-12-10", "left": 10},
            {"date": "2026-12-11", "left": 10},
        ],
    }
    made = book(client, id_number=ID_NUMBER)
    assert made.status_code == 201
    answer = made.get_json()
    assert set(answer) == {
        "code",
        "service",
        "slot",
        "minutes",
        "status",
        "check_in_from",
        "check_in_until",
        "phone_hint",
        "reschedules",
        "page_url",
    }
    assert answer["slot"] == "2026-12-08T09:30:00+08:00"
    assert answer["check_in_from"] == "2026-12-08T08:30:00+08:00"
    assert answer["check_in_until"] == "2026-12-08T09:45:00+08:00"
    assert answer["status"] == "booked" and answer["phone_hint"] == "138****1234"
    assert answer["page_url"] == f"/book/{answer['code']}"
    slots = client.get(
        API + "/bookings/slots", query_string={"service": "tax", "date": "2026-12-08"}
    )
    assert slots.get_json()["bookable"] is True
    assert slots.get_json()["slots"][1] == {
        "start": "2026-12-08T09:30:00+08:00",
        "minutes": 30,
        "capacity": 2,
        "booked": 1,
        "left": 1,
    }
    today = client.get(
        API + "/bookings/slots", query_string={"service": "tax", "date": "2026-12-07"}
    )
    assert today.get_json()["bookable"] is False
    code = answer["code"]
    got = client.get(f"{API}/bookings/{code.lower()}")
    assert got.status_code == 200 and got.get_json()["code"] == code
    moved = client.post(f"{API}/bookings/{code}/reschedule", json={"slot": "2026-12-10T11:00"})
    assert moved.status_code == 200 and moved.get_json()["slot"] == "2026-12-10T11:00:00+08:00"
    gone = client.post(f"{API}/bookings/{code}/cancel")
    assert gone.status_code == 200 and gone.get_json()["status"] == "cancelled"
    again = client.post(f"{API}/bookings/{code}/cancel")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "booking_not_active"
    # no public answer holds the name, the number or the ID number
    texts = public_texts(days, made, slots, got, moved, gone, again)
    for secret in (NAME, PHONE, ID_NUMBER, "1234-1234"):
        assert secret not in texts


def test_refusals_have_the_apis_error_shape(client: FlaskClient) -> None:
    def error(answer: Any, status: int) -> dict[str, Any]:
        assert answer.status_code == status, answer.get_json()
        body = answer.get_json()
        assert set(body) == {"error"} and body["error"]["message"]
        return body["error"]

    assert error(book(client, phone="12345"), 422)["code"] == "invalid_mobile"
    assert error(book(client, slot="2026-12-08T09:15:00+08:00"), 422)["code"] == "no_such_slot"
    assert error(book(client, slot="2026-12-09T09:00:00+08:00"), 422)["code"] == "no_such_slot"
    assert error(book(client, service="permit"), 422)["code"] == "not_bookable"
    assert error(book(client, service="nothing"), 422)["code"] == "unknown_service"
    assert error(book(client, name=""), 422)["code"] == "invalid_request"
    assert error(book(client, id_number="123"), 422)["code"] == "invalid_id_number"
    assert error(book(client, slot="tomorrow"), 422)["code"] == "invalid_request"
    bad_json = client.post(API + "/bookings", data="{", content_type="application/json")
    assert error(bad_json, 400)["code"] == "bad_json"
    assert book(client).status_code == 201
    assert book(client, phone="13900001111").status_code == 201
    full = error(book(client, phone="13700002222"), 409)
    assert full["code"] == "slot_full" and "2026-12-08 09:30" in full["message"]
    assert error(client.get(API + "/bookings/ACDEFHJK"), 404)["code"] == "unknown_booking"
    no_query = client.get(API + "/bookings/slots", query_string={"service": "tax"})
    assert error(no_query, 422)["code"] == "invalid_request"


def test_a_barred_person_is_told_why_and_until_when(client: FlaskClient) -> None:
    for slot in ("09:00", "09:30", "10:00"):
        assert book(client, slot=f"2026-12-08T{slot}:00+08:00").status_code == 201
    refused = book(client, slot="2026-12-08T10:30:00+08:00")
    assert refused.status_code == 409
    assert refused.get_json()["error"] == {
        "code": "booking_barred",
        "message": "因同一事项同一天预约超过 3 次，该手机号在 2027-01-06 10:00 前不能预约。"
        "如有疑问请咨询大厅工作人员。",
        "reason": "same_matter",
        "until": "2027-01-06T10:00:00+08:00",
    }
    english = client.post(
        API + "/bookings",
        json={"service": "tax", "slot": "2026-12-10T09:00", "name": NAME, "phone": PHONE},
        headers={"Accept-Language": "en"},
    )
    assert "may not book until 2027-01-06 10:00" in english.get_json()["error"]["message"]


def test_managers_list_the_bookings_and_lift_bars(client: FlaskClient, bctx: Context) -> None:
    made = book(client).get_json()
    for slot in ("09:00", "10:00", "10:30"):
        book(client, slot=f"2026-12-08T{slot}:00+08:00")
    clerk = tokens.create_token(bctx, "clerk", "clerk-1")
    manager = tokens.create_token(bctx, "manager", "li")
    path = API + "/bookings?day=2026-12-08"
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": f"Bearer {clerk}"}).status_code == 403
    listed = client.get(path, headers={"Authorization": f"Bearer {manager}"})
    assert listed.status_code == 200
    rows = listed.get_json()["bookings"]
    assert [(r["slot"][11:16], r["name"], r["phone"]) for r in rows] == [
        ("09:00", NAME, PHONE),
        ("09:30", NAME, PHONE),
        ("10:00", NAME, PHONE),
    ]
    assert rows[1]["code"] == made["code"]
    only = client.get(
        API + "/bookings?day=2026-12-08&status=cancelled",
        headers={"Authorization": f"Bearer {manager}"},
    )
    assert only.get_json()["bookings"] == []
    bars = client.get(API + "/bookings/bars", headers={"Authorization": f"Bearer {manager}"})
    [bar] = bars.get_json()["bars"]
    assert bar["reason"] == "same_matter" and bar["phone"] == PHONE
    assert client.get(API + "/bookings/bars").status_code == 401
    lift = f"{API}/bookings/bars/{bar['id']}/lift"
    assert client.post(lift, headers={"Authorization": f"Bearer {clerk}"}).status_code == 403
    lifted = client.post(lift, headers={"Authorization": f"Bearer {manager}"})
    assert lifted.status_code == 200 and lifted.get_json()["lifted_by"] == "manager:li"
    assert book(client, slot="2026-12-10T09:00:00+08:00").status_code == 201
    unknown = client.post(
        API + "/bookings/bars/999/lift", headers={"Authorization": f"Bearer {manager}"}
    )
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "unknown_bar"


def test_guessing_codes_gets_429_from_one_address(client: FlaskClient) -> None:
    code = book(client).get_json()["code"]
    for n in range(10):
        assert client.get(f"{API}/bookings/AAAAAAA{'ACDEFHJKMN'[n]}").status_code == 404
    locked = client.get(f"{API}/bookings/{code}")
    assert locked.status_code == 429
    assert locked.get_json()["error"]["code"] == "booking_lookups_locked"
    assert locked.headers["Retry-After"] == "900"
    assert client.post(f"{API}/bookings/{code}/cancel").status_code == 429
    other = client.get(f"{API}/bookings/{code}", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 200


def test_the_hall_prefixed_paths_answer_for_the_hall(client: FlaskClient) -> None:
    days = client.get(API + "/halls/booking-hall/bookings/days", query_string={"service": "tax"})
    assert days.status_code == 200 and len(days.get_json()["days"]) == 3
    made = client.post(
        API + "/halls/booking-hall/bookings",
        json={"service": "tax", "slot": "2026-12-08T09:00", "name": NAME, "phone": PHONE},
    )
    assert made.status_code == 201
    assert made.get_json()["page_url"] == f"/h/booking-hall/book/{made.get_json()['code']}"


def test_the_document_describes_every_booking_endpoint(client: FlaskClient) -> None:
    doc = client.get(API + "/openapi.json").get_json()
    paths = doc["paths"]
    for path, method in (
        ("/api/v1/bookings/slots", "get"),
        ("/api/v1/bookings/days", "get"),
        ("/api/v1/bookings", "post"),
        ("/api/v1/bookings", "get"),
        ("/api/v1/bookings/{code}", "get"),
        ("/api/v1/bookings/{code}/cancel", "post"),
        ("/api/v1/bookings/{code}/reschedule", "post"),
        ("/api/v1/bookings/bars", "get"),
        ("/api/v1/bookings/bars/{bar_id}/lift", "post"),
        ("/api/v1/halls/{hall}/bookings", "post"),
    ):
        assert method in paths[path], path
    post = paths["/api/v1/bookings"]["post"]["responses"]
    assert {"201", "400", "409", "422"} <= set(post)
    assert "429" in paths["/api/v1/bookings/{code}"]["get"]["responses"]
    assert paths["/api/v1/bookings"]["get"]["security"] == [{"bearer": []}]
