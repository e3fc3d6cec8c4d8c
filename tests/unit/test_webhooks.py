"""Webhooks (issue 13, item 5): deliveries written in the event's transaction, signed POSTs a
receiver can verify with nothing but the standard library, retries, replay, refused addresses."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from queues import errors, services, webhooks
from queues.access.requesters import Requester
from queues.context import Context
from queues.store import events
from queues.store.models import Event, WebhookDelivery
from runtime.webhook_worker import WebhookWorker
from tests.support import Clock
from tests.support_webhooks import Receiver

SECRET = "a-secret-of-thirty-two-characters"


@pytest.fixture
def ctx(any_ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Context:
    monkeypatch.setenv(webhooks.LOCAL_SETTING, "1")  # the receivers are on loopback
    return any_ctx


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    if r.hold is not None:
        r.hold.set()
    r.stop()


def worker_for(ctx: Context, timeout: float = 5.0) -> WebhookWorker:
    return WebhookWorker(ctx.db, clock=ctx.clock, timeout=timeout)


def rows(ctx: Context) -> list[WebhookDelivery]:
    with ctx.db.read() as s:
        return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def serve_one(ctx: Context, window: int = 5) -> str:
    """A tax ticket issued, called at ``window``, started and finished; answers its number."""
    t = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
    services.resume(ctx, window, "user:li")
    services.call_next(ctx, window, "user:li")
    services.start(ctx, window, "user:li")
    services.finish(ctx, window, "user:li")
    return t.number


def test_each_subscribed_event_gets_one_delivery_per_endpoint(ctx: Context) -> None:
    calls = webhooks.register(ctx, "http://127.0.0.1:9/a", ["called", "issued"], "user:li")
    rated = webhooks.register(ctx, "http://127.0.0.1:9/b", ["rated"], "user:li")
    t = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
    services.resume(ctx, 5, "user:li")
    services.call_next(ctx, 5, "user:li")
    services.recall(ctx, 5, "user:li")  # nobody takes recalls
    services.start(ctx, 5, "user:li")
    services.finish(ctx, 5, "user:li")
    services.rate(ctx, t.id, 2)
    got = [(d.webhook_id, d.type) for d in rows(ctx)]
    assert got == [
        (calls.hook.id, "issued"),
        (calls.hook.id, "called"),
        (rated.hook.id, "rated"),
    ]
    issued, called, score = (json.loads(d.body) for d in rows(ctx))
    assert issued["type"] == "issued" and issued["hall"] == ctx.hall
    assert issued["data"]["ticket"] == "T001" and issued["data"]["service"] == "tax"
    assert issued["data"]["zone"] == "general"
    assert called["data"]["window"] == 5 and called["data"]["called_at"] is not None
    assert score["data"] == {**score["data"], "score": 2, "ticket": "T001", "window": 5}
    with ctx.db.read() as s:  # each delivery names its event, and carries the event's time
        event_ids = set(s.scalars(select(Event.id).where(Event.kind.in_(["issued", "called"]))))
    assert {issued["id"], called["id"]} == event_ids


def test_an_event_rolled_back_leaves_no_delivery(ctx: Context) -> None:
    webhooks.register(ctx, "http://127.0.0.1:9/a", ["issued"], "user:li")
    with pytest.raises(RuntimeError), ctx.db.write() as s:
        events.record(s, "issued", "user:li", ctx.now(), number="T999", service="tax")
        assert s.scalar(select(func.count()).select_from(WebhookDelivery)) == 1
        raise RuntimeError("the use case fails after its event")
    assert rows(ctx) == []
    with ctx.db.write() as s:
        events.record(s, "issued", "user:li", ctx.now(), number="T999", service="tax")
    assert len(rows(ctx)) == 1


def test_no_endpoint_no_delivery_and_a_deactivated_one_takes_nothing(ctx: Context) -> None:
    serve_one(ctx)
    assert rows(ctx) == []
    hook = webhooks.register(ctx, "http://127.0.0.1:9/a", ["issued"], "user:li").hook
    services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))
    assert len(rows(ctx)) == 1
    webhooks.deactivate(ctx, hook.id, "user:li")
    services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))
    (only,) = rows(ctx)
    assert only.status == "failed" and only.last_error == "deactivated"


def test_the_signature_verifies_with_an_independent_implementation(
    ctx: Context, receiver: Receiver
) -> None:
    webhooks.register(ctx, receiver.url, list(webhooks.TYPES), "user:li", secret=SECRET)
    t = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
    services.resume(ctx, 5, "user:li")
    services.call_next(ctx, 5, "user:li")
    services.record_visitor(
        ctx, 5, "user:li", name="张三丰", company="某某公司", phone="13800138000"
    )
    services.start(ctx, 5, "user:li")
    services.finish(ctx, 5, "user:li")
    assert worker_for(ctx).run_once() == 3
    assert receiver.count() == 3
    for got in receiver.received:
        stamp = got.headers["X-Hallq-Timestamp"]
        expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + got.body, hashlib.sha256)
        assert got.headers["X-Hallq-Signature"] == "sha256=" + expected.hexdigest()
        wrong = hmac.new(b"another secret!!", stamp.encode() + b"." + got.body, hashlib.sha256)
        assert got.headers["X-Hallq-Signature"] != "sha256=" + wrong.hexdigest()
        assert abs(int(stamp) - time.time()) < 300
        text = got.body.decode()
        for personal in ("张三丰", "某某公司", "13800138000"):
            assert personal not in text
    bodies = [json.loads(r.body) for r in receiver.received]
    assert [b["type"] for b in bodies] == ["issued", "called", "finished"]
    assert [r.headers["X-Hallq-Event"] for r in receiver.received] == [
        "issued",
        "called",
        "finished",
    ]
    assert {b["data"]["ticket"] for b in bodies} == {t.number}
    assert set(bodies[0]) == {"id", "type", "occurred_at", "hall", "data"}
    assert bodies[2]["data"]["outcome"] == "done"
    assert all(d.status == "delivered" and d.attempts == 1 for d in rows(ctx))
    assert [r.body.decode() for r in receiver.received] == [d.body for d in rows(ctx)]


def test_a_receiver_that_fails_then_recovers_gets_each_delivery_once(
    ctx: Context, receiver: Receiver, clock: Clock
) -> None:
    receiver.answers = [500, 503]
    webhooks.register(ctx, receiver.url, ["issued"], "user:li", secret=SECRET)
    services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))
    worker = worker_for(ctx)
    assert worker.run_once() == 0
    (row,) = rows(ctx)
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 500)
    assert worker.run_once() == 0  # not due again before its pause
    assert receiver.count() == 1
    clock.advance(seconds=3)
    assert worker.run_once() == 0
    (row,) = rows(ctx)
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 2, 503)
    clock.advance(seconds=5)
    assert worker.run_once() == 1
    clock.advance(seconds=120)
    assert worker.run_once() == 0
    (row,) = rows(ctx)
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 3, 200)
    assert receiver.count() == 3
    assert len({r.body for r in receiver.received}) == 1
    assert len({r.headers["X-Hallq-Delivery"] for r in receiver.received}) == 1


def test_a_receiver_down_is_given_up_after_the_attempts_then_replayed(
    ctx: Context, receiver: Receiver, clock: Clock
) -> None:
    receiver.then = 500
    hook = webhooks.register(ctx, receiver.url, ["issued"], "user:li").hook
    services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))
    worker = worker_for(ctx)
    for _ in range(webhooks.MAX_ATTEMPTS):
        worker.run_once()
        clock.advance(seconds=webhooks.MOST_PAUSE_SECONDS + 1)
    (row,) = rows(ctx)
    assert (row.status, row.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    assert receiver.count() == webhooks.MAX_ATTEMPTS
    worker.run_once()
    assert receiver.count() == webhooks.MAX_ATTEMPTS  # given up: no more tries
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).where(Event.kind == "webhook_given_up")) == 1
    assert webhooks.hook(ctx, hook.id).failed == 1
    receiver.then = 204  # the receiver is fixed
    replayed = webhooks.replay(ctx, hook.id, row.id, "user:li")
    assert (replayed.status, replayed.attempts) == ("pending", 0)
    assert worker.run_once() == 1
    (row,) = rows(ctx)
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 204)
    with pytest.raises(errors.DeliveryNotFailed):
        webhooks.replay(ctx, hook.id, row.id, "user:li")
    with pytest.raises(errors.UnknownDelivery):
        webhooks.replay(ctx, hook.id, row.id + 1, "user:li")
    other = webhooks.register(ctx, receiver.url, ["called"], "user:li").hook
    with pytest.raises(errors.UnknownDelivery):  # a delivery of another endpoint
        webhooks.replay(ctx, other.id, row.id, "user:li")


def test_a_hanging_receiver_holds_up_only_its_own_endpoint(
    ctx: Context, receiver: Receiver
) -> None:
    fast = Receiver().start()
    try:
        receiver.hold = threading.Event()  # the slow one answers only when released
        webhooks.register(ctx, receiver.url, ["issued"], "user:li")
        webhooks.register(ctx, fast.url, ["issued"], "user:li")
        services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))
        services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))
        worker = worker_for(ctx, timeout=30)
        worker.tick()
        deadline = time.monotonic() + 20
        while fast.count() < 2 and time.monotonic() < deadline:
            worker.tick()
            time.sleep(0.05)
        assert fast.count() == 2  # both delivered while the other endpoint still hangs
        assert receiver.count() == 0
        receiver.hold.set()
        worker.wait_idle(20)
        assert receiver.count() == 2
    finally:
        fast.stop()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8050/api",
        "http://10.1.2.3/x",
        "http://192.168.1.10/x",
        "http://172.16.0.1/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://[fe80::1]/x",
        "http://0.0.0.0/x",
        "http://100.64.0.1/x",
    ],
)
def test_addresses_inside_the_network_are_refused(url: str) -> None:
    with pytest.raises(errors.WebhookUrlRefused):
        webhooks.check_url(url, allow_local=False)


def test_a_name_is_checked_by_what_it_resolves_to() -> None:
    public = webhooks.check_url(
        "https://hooks.example.org/in?x=1",
        allow_local=False,
        resolve=lambda host, port: ["93.184.216.34"],
    )
    assert (public.host, public.port, public.path) == ("hooks.example.org", 443, "/in?x=1")
    with pytest.raises(errors.WebhookUrlRefused):  # one address inside is enough to refuse
        webhooks.check_url(
            "https://hooks.example.org/in",
            allow_local=False,
            resolve=lambda host, port: ["93.184.216.34", "10.0.0.5"],
        )
    for bad in ("ftp://example.org/x", "http://", "http://user:pw@example.org/", "example.org"):
        with pytest.raises(errors.InvalidWebhookUrl):
            webhooks.check_url(bad, allow_local=False)


def test_registration_and_delivery_both_refuse_a_local_address(
    any_ctx: Context, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = any_ctx
    monkeypatch.delenv(webhooks.LOCAL_SETTING, raising=False)
    with pytest.raises(errors.WebhookUrlRefused):
        webhooks.register(ctx, receiver.url, ["issued"], "user:li")
    monkeypatch.setenv(webhooks.LOCAL_SETTING, "1")
    webhooks.register(ctx, receiver.url, ["issued"], "user:li")
    services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))
    monkeypatch.setenv(webhooks.LOCAL_SETTING, "0")  # the setting is gone by delivery time
    assert worker_for(ctx).run_once() == 0
    assert receiver.count() == 0
    (row,) = rows(ctx)
    assert row.status == "pending" and "127.0.0.1" in (row.last_error or "")


def test_registration_checks_its_events_and_secret(ctx: Context) -> None:
    with pytest.raises(errors.WebhookEventsRequired):
        webhooks.register(ctx, "http://127.0.0.1:9/", [], "user:li")
    with pytest.raises(errors.UnknownWebhookEvent):
        webhooks.register(ctx, "http://127.0.0.1:9/", ["issued", "printed"], "user:li")
    with pytest.raises(errors.WebhookSecretLength):
        webhooks.register(ctx, "http://127.0.0.1:9/", ["issued"], "user:li", secret="short")
    made = webhooks.register(ctx, "http://127.0.0.1:9/", ["rated", "issued", "rated"], "user:li")
    assert made.hook.events == ["issued", "rated"]
    assert len(made.secret) >= 32
    assert made.secret not in repr(webhooks.hooks(ctx))


def test_events_nobody_takes_ask_the_database_nothing(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The subscriptions are a map in memory: twenty tickets read the webhooks table once (the
    map, forgotten when the endpoint was registered), and write no delivery."""
    from sqlalchemy import event as sa_event

    from queues.store import fanout

    monkeypatch.setattr(fanout, "REFRESH_SECONDS", 3600.0)  # however slow the machine

    webhooks.register(ctx, "http://127.0.0.1:9/a", ["rated"], "user:li")  # not issued
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if "webhook" in statement:
            seen.append(statement)

    sa_event.listen(ctx.db.engine, "before_cursor_execute", note)
    try:
        for _ in range(20):
            services.issue(ctx, "tax")
    finally:
        sa_event.remove(ctx.db.engine, "before_cursor_execute", note)
    assert len(seen) == 1 and seen[0].lstrip().upper().startswith("SELECT")
    assert rows(ctx) == []


def test_two_workers_racing_deliver_each_delivery_once(ctx: Context, receiver: Receiver) -> None:
    webhooks.register(ctx, receiver.url, ["issued"], "user:li")
    for _ in range(20):
        services.issue(ctx, "tax")
    workers = [worker_for(ctx), worker_for(ctx)]
    threads = [threading.Thread(target=w.run_once) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(w.sent for w in workers) == 20
    assert receiver.count() == 20
    assert len({r.headers["X-Hallq-Delivery"] for r in receiver.received}) == 20
    assert all(d.status == "delivered" and d.attempts == 1 for d in rows(ctx))


def test_a_booking_event_goes_out_without_its_code_or_the_persons_data(ctx: Context) -> None:
    """Only the fields the rule names reach the wire: a booking's code (it cancels the
    booking) and anything personal a caller might put in an event's data stay home."""
    webhooks.register(ctx, "http://127.0.0.1:9/a", ["booked", "checked_in"], "user:li")
    t = services.issue(ctx, "tax").ticket
    with ctx.db.write() as s:
        events.record(
            s,
            "booked",
            "visitor",
            ctx.now(),
            code="K7Q2M9XA",
            service="tax",
            slot="2026-11-25T09:30:00+08:00",
            name="张三丰",
            phone="13800138000",
            id_number="110101199003071234",
        )
        ticket_id = s.scalar(select(Event.ticket_id).where(Event.kind == "issued"))
        events.record(
            s,
            "checked_in",
            "kiosk:k1",
            ctx.now(),
            ticket_id=ticket_id,
            code="K7Q2M9XA",
            service="tax",
            slot="2026-11-24T09:30:00+08:00",
            timing="grace",
        )
    booked, checked_in = (json.loads(d.body) for d in rows(ctx))
    assert booked["type"] == "booked"
    assert booked["data"] == {"service": "tax", "slot": "2026-11-25T09:30:00+08:00"}
    assert checked_in["data"]["ticket"] == t.number and checked_in["data"]["timing"] == "grace"
    for d in rows(ctx):
        for secret in ("K7Q2M9XA", "张三丰", "13800138000", "110101199003071234"):
            assert secret not in d.body
