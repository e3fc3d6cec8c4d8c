"""A village point (tests/halls/village.toml: two windows, no kiosk): the visitor takes a
ticket with the phone at ``/take`` from the QR code on the wall, whose poster staff print at
``/staff/take-qr``; a clerk's token issues through the API as from the console.

The village shares the tests' database with the tests' hall (tests/halls/main.toml), as the
halls of a network do. The clock stands at Tuesday 24 November 2026, 10:00: civil-affairs (M)
and social-insurance (L) are offered, disability-card only on Thursdays, medical-records only
by transfer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from components.qr import qr_data_uri
from queues import services
from queues.access import staff
from queues.access import tokens as api_tokens
from queues.context import Context
from queues.hall import config as hall_config
from queues.hall.sync import apply_config
from queues.read import tickets
from queues.store.db import Database
from queues.store.models import PrintJob, Ticket
from tests.api.test_callback_roles import post_callback
from tests.support import HALLS, Clock, beijing
from web.auth import SESSION_KEY

VILLAGE = HALLS / "village.toml"
PASSWORD = "a good password"
SAME_SITE = {"Origin": "http://localhost"}


def village_context(url: str, clock: Clock, hall: Path = VILLAGE) -> Context:
    """The village in the database at ``url``, beside the hall already there."""
    db = Database(url)
    config = hall_config.load(hall)
    apply_config(db, config)
    return Context(db=db, config=config, clock=clock)


@pytest.fixture
def village(sqlite_url: str, clock: Clock) -> Iterator[Context]:
    ctx = village_context(sqlite_url, clock)
    yield ctx
    ctx.db.dispose()


@pytest.fixture
def client(village: Context) -> FlaskClient:
    client = create_app(village).server.test_client()
    client.get("/")  # the first request sets the app up and fetches the signing key
    return client


def menu(client: FlaskClient, path: str = "/take", **kwargs: object) -> str:
    page = client.get(path, **kwargs)
    assert page.status_code == 200 and page.mimetype == "text/html"
    return page.get_data(as_text=True)


def buttons(html: str) -> list[str]:
    """The matters offered, as the buttons' values."""
    return re.findall(r'name="service" value="([a-z-]+)"', html)


def request_id(html: str) -> str:
    found = re.search(r'name="request" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


def tap(client: FlaskClient, service: str, rid: str, priority: str = "normal", **kwargs: object):
    return client.post(
        "/take",
        data={"service": service, "priority": priority, "request": rid},
        headers=SAME_SITE,
        **kwargs,
    )


def all_tickets(ctx: Context) -> list[Ticket]:
    with ctx.db.read() as s:
        return list(s.scalars(select(Ticket).order_by(Ticket.seq)))


def test_the_page_offers_the_halls_matters_of_today_as_buttons(client: FlaskClient) -> None:
    html = menu(client)
    assert "翠竹社区便民服务代办点" in html
    # Tuesday: not the Thursday card, not the matter reached only by transfer
    assert buttons(html) == ["civil-affairs", "social-insurance"]
    assert "民政救助代办" in html and "等候 0 人" in html
    assert 'value="priority"' in html and "老年人、残疾人、孕妇" in html
    assert 'class="take-zone"' not in html  # one zone: no headings
    assert "<script" not in html
    english = menu(client, "/take?lang=en")
    assert "Cuizhu Community Service Point" in english and "Social assistance" in english
    assert 'action="/take?lang=en"' in english


def test_a_hall_of_several_zones_groups_its_matters(ctx: Context) -> None:
    client = create_app(ctx).server.test_client()  # the tests' hall: three zones
    html = menu(client)
    zones = re.findall(r'<h2 class="take-zone">([^<]+)</h2>', html)
    assert zones == ["工程项目联审联批区", "综合服务区", "社会事务区"]
    assert buttons(html)[:3] == ["project-registration", "construction-permit", "seal-filing"]


def test_a_tap_issues_a_ticket_and_opens_its_page(client: FlaskClient, village: Context) -> None:
    rid = request_id(menu(client))
    answer = tap(client, "civil-affairs", rid)
    assert answer.status_code == 303
    [ticket] = all_tickets(village)
    assert answer.headers["Location"] == f"/t/{ticket.public_id}"
    assert ticket.number == "M001" and ticket.hall == "cuizhu"
    assert ticket.requester == "visitor:127.0.0.1" and ticket.kiosk is None
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert '<div class="phone-number" id="phone-number">M001</div>' in page
    with village.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PrintJob)) == 0  # no printer here


def test_a_second_tap_with_the_same_request_gives_the_same_ticket(
    client: FlaskClient, village: Context
) -> None:
    rid = request_id(menu(client))
    first = tap(client, "social-insurance", rid, priority="priority")
    again = tap(client, "social-insurance", rid, priority="priority")
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    [ticket] = all_tickets(village)
    assert ticket.number == "L001" and ticket.priority == "priority"
    # a new page, a new id: a second ticket
    assert tap(client, "social-insurance", request_id(menu(client))).status_code == 303
    assert [t.number for t in all_tickets(village)] == ["L001", "L002"]
    # another matter from the first page (the browser kept it; the visitor came back to it)
    other = tap(client, "civil-affairs", rid)
    assert other.status_code == 303 and other.headers["Location"] != first.headers["Location"]
    assert len(all_tickets(village)) == 3


def test_a_closed_hall_says_when_and_issues_nothing(
    client: FlaskClient, village: Context, clock: Clock
) -> None:
    rid = request_id(menu(client))
    clock.set(beijing(2026, 11, 24, 16, 45))  # after 16:30
    html = menu(client)
    assert "现在不是取号时间（周一至周五 08:30–16:30）" in html
    assert buttons(html) == [] and "<form" not in html
    refused = tap(client, "civil-affairs", rid)
    assert refused.status_code == 409
    assert "现在不是取号时间" in refused.get_data(as_text=True)
    assert all_tickets(village) == []
    clock.set(beijing(2026, 11, 28, 10, 0))  # Saturday
    assert "现在不是取号时间" in menu(client, "/take")
    english = menu(client, "/take?lang=en")
    assert "Tickets are given out Mon–Fri 08:30–16:30; not now." in english


@pytest.mark.parametrize(
    ("form", "status", "words"),
    [
        ({"service": "notary"}, 422, "没有"),  # the tests' hall has it; the village does not
        ({"service": "medical-records"}, 422, "没有"),  # reached only by transfer
        ({"service": "disability-card"}, 409, "今天不办理“残疾人证代办”"),  # Thursdays only
        ({"service": "civil-affairs", "priority": "green"}, 400, "取号请求有误"),
        ({"service": "civil-affairs", "request": "x" * 65}, 400, "取号请求有误"),
        ({"service": "c" * 40}, 400, "取号请求有误"),
        ({"service": "civil-affairs", "extra": "1"}, 400, "取号请求有误"),
        ({"request": "abc"}, 400, "取号请求有误"),
        ({"service": "civil-affairs\x00"}, 400, "取号请求有误"),
        ({"service": "civil-affairs", "note": "王" * 3000}, 413, "过大"),
    ],
)
def test_bad_input_gets_a_page_that_says_so(
    client: FlaskClient, village: Context, form: dict[str, str], status: int, words: str
) -> None:
    data = {"priority": "normal", "request": "abc123", **form}
    answer = client.post("/take", data=data, headers=SAME_SITE)
    html = answer.get_data(as_text=True)
    assert answer.status_code == status and answer.mimetype == "text/html"
    assert words in html and "Traceback" not in html and 'href="/take"' in html
    assert all_tickets(village) == []


def test_bytes_that_are_no_text_get_a_page_that_says_so(
    client: FlaskClient, village: Context
) -> None:
    for body in (b"service=civil-affairs&request=ab%ED%A0%80", b"service=%FF%FE&request=ab"):
        answer = client.post(
            "/take",
            data=body,
            content_type="application/x-www-form-urlencoded",
            headers=SAME_SITE,
        )
        assert answer.status_code == 400 and "取号请求有误" in answer.get_data(as_text=True)
    assert all_tickets(village) == []


def test_a_wrong_method_is_405_in_the_pages_words(client: FlaskClient) -> None:
    for method in ("put", "delete", "patch"):
        answer = getattr(client, method)("/take", headers=SAME_SITE)
        assert answer.status_code == 405 and answer.headers["Allow"] == "GET, HEAD, POST"
        assert f"/take 不支持 {method.upper()} 方法" in answer.get_data(as_text=True)


def test_a_post_from_another_site_is_refused(client: FlaskClient, village: Context) -> None:
    rid = request_id(menu(client))
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
        {"Sec-Fetch-Site": "cross-site"},
    ):
        answer = client.post(
            "/take", data={"service": "civil-affairs", "request": rid}, headers=headers
        )
        assert answer.status_code == 403, headers
    assert all_tickets(village) == []


def test_the_limit_per_address_applies(client: FlaskClient, village: Context) -> None:
    village.issue_limit = 2
    for _ in range(2):
        assert tap(client, "civil-affairs", request_id(menu(client))).status_code == 303
    refused = tap(client, "civil-affairs", request_id(menu(client)))
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "取号太频繁，请 60 秒后再试" in refused.get_data(as_text=True)
    other = tap(client, "civil-affairs", "from-next-door", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 303  # another address is not held up
    assert len(all_tickets(village)) == 3


def test_the_page_keeps_the_halls_path_prefix(client: FlaskClient, village: Context) -> None:
    """Served under ``/h/cuizhu`` (the hall's own path, web.halls), its links stay there."""
    html = menu(client, "/h/cuizhu/take")
    assert 'action="/h/cuizhu/take"' in html and 'href="/h/cuizhu/take?lang=en"' in html
    answer = client.post(
        "/h/cuizhu/take",
        data={"service": "civil-affairs", "request": request_id(html)},
        headers=SAME_SITE,
    )
    [ticket] = all_tickets(village)
    assert answer.headers["Location"] == f"/h/cuizhu/t/{ticket.public_id}"


def test_the_page_is_small(client: FlaskClient) -> None:
    """What a phone on a slow network fetches before it can tap (noted in the README)."""
    raw = client.get("/take", headers={"Accept-Encoding": "identity"})
    packed = client.get("/take", headers={"Accept-Encoding": "br, gzip"})
    assert packed.headers["Content-Encoding"] == "br"
    html = brotli.decompress(packed.get_data())
    assert len(html) == len(raw.get_data()) and html.endswith(b"</html>")  # ids differ, not sizes
    assert len(raw.get_data()) < 6_000 and len(packed.get_data()) < 2_000
    assert raw.headers["Content-Security-Policy"].startswith("default-src 'none'")


# --- the poster -------------------------------------------------------------------------------


def sign_in(client: FlaskClient, ctx: Context, role: str = "clerk") -> None:
    staff.add_user(ctx, "zhao", role, PASSWORD, windows=[1] if role == "clerk" else ())
    with client.session_transaction() as session:
        session[SESSION_KEY] = staff.sign_in(ctx, "zhao", PASSWORD).token


def test_the_poster_needs_staff(client: FlaskClient) -> None:
    answer = client.get("/staff/take-qr")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/login?next=/staff/take-qr"


def test_the_posters_code_holds_the_take_address(client: FlaskClient, village: Context) -> None:
    sign_in(client, village)
    html = menu(client, "/staff/take-qr")
    assert "翠竹社区便民服务代办点" in html and "Cuizhu Community Service Point" in html
    assert "扫码取号" in html and "Scan to take a number" in html
    assert f'src="{qr_data_uri("http://localhost/take")}"' in html
    assert '<p class="poster-url" id="poster-url">http://localhost/take</p>' in html


def test_the_poster_honours_the_halls_public_url(
    sqlite_url: str, clock: Clock, tmp_path: Path
) -> None:
    hall = tmp_path / "village.toml"
    text = VILLAGE.read_text(encoding="utf-8").replace(
        'timezone = "Asia/Shanghai"\n',
        'timezone = "Asia/Shanghai"\npublic_url = "https://zw.example.gov.cn/h/cuizhu/"\n',
    )
    hall.write_text(text, encoding="utf-8")
    village = village_context(sqlite_url, clock, hall)
    client = create_app(village).server.test_client()
    client.get("/")
    sign_in(client, village, "manager")
    html = menu(client, "/staff/take-qr")
    assert f'src="{qr_data_uri("https://zw.example.gov.cn/h/cuizhu/take")}"' in html


# --- the API: a clerk's token issues as the console does ------------------------------------


def test_a_clerks_token_issues_without_the_visitors_limit(
    client: FlaskClient, village: Context
) -> None:
    village.issue_limit = 1
    token = api_tokens.create_token(village, "clerk", "agent-zhao")
    for n in (1, 2, 3):
        answer = client.post(
            "/api/v1/tickets",
            json={"service": "civil-affairs", "priority": "priority", "request_id": f"r{n}"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 201, answer.get_json()
        assert answer.get_json()["number"] == f"M00{n}"
    [first, *_] = all_tickets(village)
    assert first.requester.startswith("staff:") and first.kiosk is None
    assert tickets.ticket(village, first.public_id).priority == "priority"
    services.resume(village, 1, "clerk:zhao")
    assert services.call_next(village, 1, "clerk:zhao").number == "M001"


# --- the console's card, posted as the browser posts it --------------------------------------


@pytest.fixture
def console(village: Context) -> tuple[FlaskClient, list[tuple[str, str]]]:
    """A browser with agent zhao signed in at window 1, and the outputs of the console's 取号."""
    app = create_app(village)
    client = app.server.test_client()
    client.get("/")
    sign_in(client, village)
    key = next(k for k in app.callback_map if "counter-issued.children" in k)
    outputs = [o.split(".", 1) for o in key.strip(".").split("...")]
    return client, [(i, p) for i, p in outputs]


def console_issue(
    console: tuple[FlaskClient, list[tuple[str, str]]],
    service: str,
    request: str,
    window: int = 1,
    priority: bool = False,
) -> tuple[int, str]:
    """The console's 取号 at ``window``, as the browser posts it: the status and the words."""
    client, outputs = console
    answer = post_callback(
        client,
        outputs,
        [("counter-issue-btn", "n_clicks", 1)],
        [
            ("counter-window", "data", window),
            ("counter-lang", "data", "zh"),
            ("counter-issue-service", "value", service),
            ("counter-issue-priority", "value", priority),
            ("counter-issue-request", "data", request),
            ("counter-tick", "data", 0),
        ],
    )
    words = json.dumps(answer.get_json(), ensure_ascii=False) if answer.is_json else ""
    return answer.status_code, words


def test_a_double_click_on_the_console_issues_one_ticket(console, village: Context) -> None:
    assert console_issue(console, "civil-affairs", "r1")[0] == 200
    status, words = console_issue(console, "civil-affairs", "r1")
    assert status == 200 and "M001" in words
    assert [t.number for t in all_tickets(village)] == ["M001"]
    assert "M002" in console_issue(console, "civil-affairs", "r2")[1]


def test_the_console_issues_by_the_halls_rules(console, village: Context, clock: Clock) -> None:
    assert console_issue(console, "civil-affairs", "r1", window=2)[0] == 403  # not zhao's window
    assert "今天不办理" in console_issue(console, "disability-card", "r2")[1]  # Thursdays
    # staff may issue a matter reached only by transfer (queues/rules/issuing.py)
    assert "Y001" in console_issue(console, "medical-records", "r3")[1]
    clock.set(beijing(2026, 11, 24, 16, 20))
    for _ in range(8):
        services.issue(village, "social-insurance")
    services.resume(village, 2, "user:zhao")
    # eight ahead at 8 minutes each with two windows: past 17:00 -- issued, and said
    status, words = console_issue(console, "social-insurance", "r4")
    assert status == 200 and "L009" in words and "可能轮不到您" in words
    clock.set(beijing(2026, 11, 24, 16, 31))
    assert "现在不是取号时间" in console_issue(console, "civil-affairs", "r5")[1]
    assert sorted(t.number for t in all_tickets(village))[-2:] == ["L009", "Y001"]
    assert len(all_tickets(village)) == 10  # Y001, L001-L009
