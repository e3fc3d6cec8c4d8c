"""The phone's booking page (/book, pages/book.py) in the booking hall: the four steps, the
booking's own page, cancel and move, and no personal data on any page a code opens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app import create_app
from queues import bookings
from queues.context import Context
from tests.booking_hall import MONDAY_10, NAME, PHONE, at, booking_context
from tests.support import Clock

SAME_SITE = {"Origin": "http://localhost"}
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


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    answer = client.get(path)
    assert answer.status_code == status, (path, answer.status_code)
    assert answer.mimetype == "text/html"
    assert "script-src" not in answer.headers["Content-Security-Policy"]
    return answer.get_data(as_text=True)


def links(html: str) -> list[str]:
    return [
        h.replace("&amp;", "&")
        for h in re.findall(r'<a class="take-service" id="[^"]+" href="([^"]+)"', html)
    ]


def post_booking(client: FlaskClient, **over: str) -> object:
    data = {
        "service": "tax",
        "slot": "2026-12-08T09:30",
        "name": NAME,
        "phone": PHONE,
        "id_number": ID_NUMBER,
        **over,
    }
    return client.post("/book", data=data, headers=SAME_SITE)


def test_four_steps_and_a_code(client: FlaskClient, bctx: Context) -> None:
    first = page(client, "/book")
    assert '<html lang="zh-CN">' in first and "第一步：选择办理事项" in first
    assert links(first) == ["/book?service=tax", "/book?service=notary"]  # not the permit
    days = page(client, links(first)[0])
    assert "12月8日 周二" in days and "共余 10 个名额" in days and "12月9日" not in days
    assert links(days) == [
        "/book?service=tax&day=2026-12-08",
        "/book?service=tax&day=2026-12-10",
        "/book?service=tax&day=2026-12-11",
    ]
    bookings.book(bctx, "tax", at(8, 9, 0), "李四", "13900001111")
    bookings.book(bctx, "tax", at(8, 9, 0), "王五", "13700002222")
    slots = page(client, links(days)[0])
    assert "09:00–09:30" in slots and "已约满" in slots and "余 2 个" in slots
    assert links(slots)[0] == "/book?service=tax&day=2026-12-08&slot=0930"  # 09:00 is full
    form = page(client, links(slots)[0])
    assert 'name="slot" value="2026-12-08T09:30"' in form and 'type="tel"' in form
    made = post_booking(client)
    assert made.status_code == 303
    where = made.headers["Location"]
    code = re.fullmatch(r"/book/([A-Z0-9]{8})\?new=1", where).group(1)
    mine = page(client, where)
    assert "预约成功" in mine and 'id="book-code"' in mine and f">{code}<" in mine
    assert 'id="book-qr"' in mine and "data:image/svg+xml" in mine
    assert "12月8日 周二 09:30–10:00" in mine and "签到时间：08:30 至 09:45" in mine
    assert "138****1234" in mine


def test_no_page_a_code_opens_holds_the_persons_data(client: FlaskClient) -> None:
    code = post_booking(client).headers["Location"].split("/")[2][:8]
    pages = [
        page(client, path)
        for path in (
            "/book",
            "/book?service=tax",
            "/book?service=tax&day=2026-12-08",
            "/book?service=tax&day=2026-12-08&slot=1000",
            f"/book/{code}",
            f"/book/{code}?new=1&lang=en",
            f"/book/{code}?cancel=1",
            f"/book/{code}/move",
            f"/book/{code}/move?day=2026-12-10",
            f"/book/{code}/move?day=2026-12-10&slot=0900",
        )
    ]
    pages.append(client.get(f"/api/v1/bookings/{code}").get_data(as_text=True))
    pages.append(
        client.get("/api/v1/bookings/slots?service=tax&date=2026-12-08").get_data(as_text=True)
    )
    moved = client.post(f"/book/{code}/move", data={"slot": "2026-12-10T09:00"}, headers=SAME_SITE)
    assert moved.status_code == 200 and "已改约" in moved.get_data(as_text=True)
    pages.append(moved.get_data(as_text=True))
    cancelled = client.post(f"/book/{code}/cancel", headers=SAME_SITE)
    assert cancelled.status_code == 200 and "预约已取消" in cancelled.get_data(as_text=True)
    pages.append(cancelled.get_data(as_text=True))
    text = "\n".join(pages)
    for secret in (NAME, PHONE, ID_NUMBER, ID_NUMBER.lower(), "1234-1234"):
        assert secret not in text
    assert "12月10日 周四 09:00–09:30" in moved.get_data(as_text=True)


def test_refusals_are_pages_that_say_why(client: FlaskClient, bctx: Context) -> None:
    bad = post_booking(client, phone="12345")
    assert bad.status_code == 422 and "请填写 11 位手机号码" in bad.get_data(as_text=True)
    assert NAME not in bad.get_data(as_text=True)  # the form is not filled in again
    assert post_booking(client, slot="2026-12-09T09:00").status_code == 422
    assert post_booking(client, slot="nonsense").status_code == 400
    assert post_booking(client, extra="x").status_code == 400
    foreign = client.post(
        "/book", data={"service": "tax"}, headers={"Origin": "http://evil.example"}
    )
    assert foreign.status_code == 403
    for _ in range(2):
        post_booking(client, phone="13900001111", id_number="")
    full = post_booking(client)
    assert full.status_code == 409 and "已约满" in full.get_data(as_text=True)
    unknown = client.get("/book/ACDEFHJK")
    assert unknown.status_code == 404 and "没有预约码为 ACDEFHJK 的预约" in unknown.get_data(
        as_text=True
    )
    assert page(client, "/book?service=permit", 422)
    found = client.get("/book/find?code=acde-fhjk")
    assert found.status_code == 303 and found.headers["Location"] == "/book/ACDEFHJK"


def test_english_and_the_halls_prefix(client: FlaskClient) -> None:
    english = page(client, "/h/booking-hall/book?lang=en")
    assert '<html lang="en">' in english and "Step 1: choose the matter" in english
    assert "/h/booking-hall/book?service=tax&amp;lang=en" in english
    made = client.post(
        "/h/booking-hall/book?lang=en",
        data={"service": "tax", "slot": "2026-12-08T10:00", "name": NAME, "phone": PHONE},
        headers=SAME_SITE,
    )
    assert made.status_code == 303 and made.headers["Location"].startswith("/h/booking-hall/book/")
    mine = page(client, made.headers["Location"])
    assert "Booked" in mine and "Tue 8 Dec 10:00–10:30" in mine


def test_the_page_is_small(client: FlaskClient) -> None:
    """A slow phone network fetches each step at once: one answer, a few kilobytes, no script."""
    for path in ("/book", "/book?service=tax", "/book?service=tax&day=2026-12-08"):
        answer = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert len(answer.data) < 6_000, (path, len(answer.data))
        assert b"<script" not in client.get(path).data
