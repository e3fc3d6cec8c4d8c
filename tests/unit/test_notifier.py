"""The notifier sends each text once, through a gateway that fails and recovers (a stand-in on
loopback that checks the signature with its own HMAC), gives up what the gateway refuses, and
shows failing channels and failed texts to staff."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from queues import notices, services
from queues.context import Context
from queues.network import Network
from queues.store.models import Event, Notification
from runtime import channels
from runtime.notifier import Notifier
from tests.gateway import Gateway
from tests.support import Clock

SECRET = "a shared secret of the gateway"
CLERK = "clerk:test"


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    g = Gateway(SECRET).start()
    yield g
    g.stop()


def called_texts(ctx: Context, phones: list[str]) -> list[int]:
    """One waiting ticket per phone, each opted in, then each called at window 8: one called
    text each (and near texts, which these tests leave aside by sending them first)."""
    services.resume(ctx, 8, CLERK)
    tickets = [services.issue(ctx, "social-insurance").ticket for _ in phones]
    for ticket, phone in zip(tickets, phones, strict=True):
        notices.opt_in(ctx, ticket.id, phone, "zh")
    for _ in phones:
        services.call_next(ctx, 8, CLERK)
        services.finish(ctx, 8, CLERK)
    with ctx.db.read() as s:
        return list(s.scalars(select(Notification.id).order_by(Notification.id)))


def statuses(ctx: Context) -> dict[int, str]:
    with ctx.db.read() as s:
        return {i: st for i, st in s.execute(select(Notification.id, Notification.status))}


def test_a_failing_gateway_is_tried_again_and_each_text_arrives_once(
    ctx: Context, gateway: Gateway
) -> None:
    phones = [f"1380000000{n}" for n in range(5)]
    ids = called_texts(ctx, phones)
    assert len(ids) >= 5
    gateway.fail_next = 3
    notifier = Notifier(Network.of_one(ctx), gateway.url, SECRET, clock=ctx.clock)
    clock: Clock = ctx.clock  # type: ignore[assignment]
    try:
        notifier.run_once(timeout=30)
        assert gateway.failed == 1 and gateway.count() == 0  # the claim's rest waits, untried
        assert notices.failing_channels(ctx)[0].waiting == len(ids)
        rounds = 0
        while gateway.count() < len(ids) and rounds < 20:
            clock.advance(seconds=61)  # past any back-off
            notifier.run_once(timeout=30)
            rounds += 1
    finally:
        notifier.stop()
    assert gateway.failed == 3 and gateway.bad_signatures == 0
    assert sorted(gateway.taken) == ids
    assert set(gateway.taken.values()) == {1}  # each once
    assert set(statuses(ctx).values()) == {"sent"}
    assert notices.failing_channels(ctx) == []
    with ctx.db.read() as s:
        history = list(s.scalars(select(Event).where(Event.kind.like("text_%"))))
    sent_events = sorted(e.data["notice"] for e in history if e.kind == "text_sent")
    assert sent_events == ids  # one event per text sent, in the hall
    failed_events = [e for e in history if e.kind == "text_failed"]
    assert failed_events and len({e.data["notice"] for e in failed_events}) == len(failed_events)
    assert all(e.hall == ctx.hall for e in history)
    assert not any(phone in str(e.data) for e in history for phone in phones)
    # and nothing more goes out later
    clock.advance(minutes=5)
    assert notifier.run_once(timeout=10) == 0
    assert set(gateway.taken.values()) == {1}


def test_the_signature_is_hmac_sha256_over_the_timestamp_and_the_body() -> None:
    """Against the stand-in's own implementation, and a wrong key or body fails it."""
    g = Gateway(SECRET)
    body = json.dumps({"to": "13812345678", "text": "文字", "id": 7}, ensure_ascii=False).encode()
    signature = channels.sign(SECRET, "1764900000", body)
    assert g.verify("1764900000", body, signature)
    assert not g.verify("1764900001", body, signature)
    assert not g.verify("1764900000", body + b" ", signature)
    assert not Gateway("another secret").verify("1764900000", body, signature)


def test_a_refused_number_is_given_up_and_shown_to_staff(ctx: Context, gateway: Gateway) -> None:
    called_texts(ctx, ["13900000001", "13900000002"])
    gateway.refuse = {"13900000001"}
    notifier = Notifier(Network.of_one(ctx), gateway.url, SECRET, clock=ctx.clock)
    try:
        notifier.run_once(timeout=30)
    finally:
        notifier.stop()
    assert gateway.refused >= 1
    failed = notices.failed_today(ctx)
    assert failed and {f.phone for f in failed} == {"139****0001"}
    assert all("400" in f.error for f in failed)
    assert set(gateway.taken) and all(n == 1 for n in gateway.taken.values())
    assert notices.failing_channels(ctx) == []  # refused, not retrying: no channel is failing


def test_the_file_channel_writes_one_file_per_text(ctx: Context, tmp_path: Path) -> None:
    ids = called_texts(ctx, ["13700000001"])
    notifier = Notifier(Network.of_one(ctx), f"file:{tmp_path}/sms", clock=ctx.clock)
    try:
        assert notifier.run_once(timeout=30) == len(ids)
    finally:
        notifier.stop()
    files = sorted((tmp_path / "sms").glob("*.json"))
    assert [int(f.stem) for f in files] == ids
    last = json.loads(files[-1].read_text(encoding="utf-8"))
    assert last["to"] == "13700000001" and last["kind"] == "called"
    assert last["text"] == "【新区政务服务中心】L001 号已叫号，请到二楼社会事务区 8 号窗口办理。"


def test_an_http_channel_without_its_secret_is_refused_at_start(ctx: Context) -> None:
    with pytest.raises(ValueError, match="HALLQ_NOTIFY_SECRET"):
        Notifier(Network.of_one(ctx), "https://sms.example/send", None)
    with pytest.raises(ValueError, match="no text channel"):
        channels.channel_for("ftp://x", SECRET)


def test_stale_claims_are_taken_again_after_the_lease(ctx: Context) -> None:
    """A worker that claimed and died: the claim is taken again after the lease, not before."""
    called_texts(ctx, ["13600000001"])
    configs = {ctx.hall: ctx.config}
    first = notices.claim(ctx.db, "dead-worker", configs, "dummy:", ctx.now())
    assert first
    assert notices.claim(ctx.db, "w2", configs, "dummy:", ctx.now() + timedelta(seconds=30)) == []
    later = ctx.now() + notices.LEASE + timedelta(seconds=1)
    again = notices.claim(ctx.db, "w2", configs, "dummy:", later)
    assert [d.id for d in again] == [d.id for d in first]


def test_two_notifiers_at_once_send_each_text_once(any_ctx: Context, gateway: Gateway) -> None:
    """Two processes' notifiers (a runner that lost its lock still finishing its claim, and the
    new one) claim side by side: the claim is a conditional update, so each text goes once."""
    import threading

    ids = called_texts(any_ctx, [f"1350000{n:04d}" for n in range(12)])
    gateway.delay = 0.02
    network = Network.of_one(any_ctx)
    pair = [
        Notifier(network, gateway.url, SECRET, name=f"notifier-{n}", clock=any_ctx.clock)
        for n in (1, 2)
    ]
    runs = [threading.Thread(target=n.run_once, kwargs={"timeout": 60}) for n in pair]
    try:
        for run in runs:
            run.start()
        for run in runs:
            run.join(90)
    finally:
        for n in pair:
            n.stop()
    assert sorted(gateway.taken) == ids
    assert set(gateway.taken.values()) == {1}
    assert sum(n.sent for n in pair) == len(ids)


def test_a_hanging_gateway_holds_up_only_its_own_halls_texts(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The town sends through its own channel (its hall file's ``[notify] channel``, a folder
    here); the district's gateway takes connections and never answers. The town's texts all go;
    the district's wait, with the gateway's failure noted, for the next try."""
    import socket

    from queues.hall import config as hall_config
    from queues.hall.sync import apply_config
    from queues.store.db import Database
    from tests.support import MAIN_HALL, TOWN_HALL

    town_file = tmp_path / "town.toml"
    town_file.write_text(
        TOWN_HALL.read_text(encoding="utf-8") + f'\n[notify]\nchannel = "file:{tmp_path}/town"\n',
        encoding="utf-8",
    )
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # takes the connection, never answers
    db = Database(sqlite_url)
    apply_config(db, hall_config.load(town_file))
    clock = Clock()
    main = Context(db, hall_config.load(MAIN_HALL), clock)
    town = Context(db, hall_config.load(town_file), clock)
    network = Network({main.hall: main, town.hall: town}, default=main.hall)
    try:
        district_ids = called_texts(main, ["13100000001", "13100000002"])
        services.resume(town, 2, CLERK)
        tickets = [services.issue(town, "social-insurance").ticket for _ in range(3)]
        for n, ticket in enumerate(tickets):
            notices.opt_in(town, ticket.id, f"1320000000{n}", "zh")
        for _ in tickets:
            services.call_next(town, 2, CLERK)
            services.finish(town, 2, CLERK)
        with town.db.read() as s:
            town_ids = sorted(s.scalars(select(Notification.id)))
        assert len(town_ids) == 6
        gateway = f"http://127.0.0.1:{silent.getsockname()[1]}/sms"
        notifier = Notifier(network, gateway, SECRET, clock=clock)
        try:
            notifier.run_once(timeout=60)
        finally:
            notifier.stop()
        written = sorted(int(f.stem) for f in (tmp_path / "town").glob("*.json"))
        assert written == town_ids  # every town text, though the district's gateway hung
        assert set(statuses(town).values()) == {"sent"}
        district = statuses(main)
        assert sorted(district) == district_ids and set(district.values()) == {"pending"}
        [failing] = notices.failing_channels(main)
        assert failing.channel == gateway and failing.waiting == len(district_ids)
        assert notices.failing_channels(town) == []
    finally:
        silent.close()
        db.dispose()


def test_the_settings_read_the_channel_and_keep_the_secret_out_of_sight() -> None:
    from runtime.settings import Settings, SettingsError

    assert Settings.from_env({}).notify == "dummy:"
    folder = Settings.from_env({"HALLQ_NOTIFY": "file:/var/lib/hallq/sms"})
    assert folder.notify == "file:/var/lib/hallq/sms" and folder.notify_secret is None
    env = {"HALLQ_NOTIFY": "https://sms.example/x", "HALLQ_NOTIFY_SECRET": "s3cret-value"}
    signed = Settings.from_env(env)
    assert signed.notify_secret == "s3cret-value" and "s3cret" not in repr(signed)
    with pytest.raises(SettingsError, match="HALLQ_NOTIFY_SECRET"):
        Settings.from_env({"HALLQ_NOTIFY": "https://sms.example/x"})
    with pytest.raises(SettingsError, match="no text channel"):
        Settings.from_env({"HALLQ_NOTIFY": "smtp://mail"})


def test_staff_never_read_a_key_riding_in_the_channels_address() -> None:
    shown = notices.shown_channel("https://hall:pw@sms.example:8443/send?key=abc")
    assert shown == "https://sms.example:8443/send"
    assert notices.shown_channel("file:/var/lib/hallq/sms") == "file:/var/lib/hallq/sms"
