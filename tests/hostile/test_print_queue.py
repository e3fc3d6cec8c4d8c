"""The print queue against jobs and printers that misbehave: a job that can never print beside
healthy ones, a printer that takes the connection and never reads, one that reads and never
confirms, and a slow printer beside a healthy one. One job or one printer never stops the rest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from kiosk import agent as agent_module
from kiosk import printers
from kiosk import worker as worker_module
from kiosk.agent import PrintAgent
from kiosk.worker import PrintWorker
from queues import printjobs, services
from queues.access import staff, tokens
from queues.access.requesters import Requester
from queues.context import Context
from queues.hall import config
from queues.store.models import Event, Printer, PrintJob, Ticket
from queues.text import slip
from tests.api.test_callback_roles import as_user, staff_refresh_body
from tests.support import Clock, FakePrinter, LiveServer

BASE = "http://hall.test"


@pytest.fixture
def ctx(any_ctx: Context) -> Context:
    return any_ctx


def kiosks_print_on(ctx: Context, **uris: str) -> None:
    """Kiosk ``k1`` prints on ``uris["k1"]`` and so on (the hall file's ``printer`` entries)."""
    data = config.HallConfig.model_dump(ctx.config)
    for kiosk in data["kiosks"]:
        kiosk["printer"] = uris.get(kiosk["id"], kiosk["printer"])
    ctx.config = config.HallConfig.model_validate(data)


def job_of(ctx: Context, number: str) -> PrintJob:
    with ctx.db.read() as s:
        return s.scalars(
            select(PrintJob)
            .join(Ticket, Ticket.id == PrintJob.ticket_id)
            .where(Ticket.number == number)
        ).one()


def printer_row(ctx: Context, kiosk: str) -> Printer:
    with ctx.db.read() as s:
        return s.get(Printer, (ctx.hall, kiosk))


# --- a job that can never print -----------------------------------------------------------------


def test_a_job_that_cannot_be_printed_fails_alone_and_staff_see_why(
    ctx: Context, printer: FakePrinter, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    kiosks_print_on(ctx, k1=printer.uri)
    numbers = [
        services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket.number for _ in range(3)
    ]
    assert numbers == ["T001", "T002", "T003"]
    real_build = worker_module.build

    def build(ticket: Any, *args: Any, **kwargs: Any) -> Any:
        if ticket.number == "T002":  # a slip the drawing code chokes on, whatever the reason
            raise RuntimeError("raqm_layout() failed")
        return real_build(ticket, *args, **kwargs)

    monkeypatch.setattr(worker_module, "build", build)
    worker = PrintWorker(ctx, default_uri="dummy:", base_url=BASE)
    assert worker.run_once() == 2  # the ones either side of it print
    slips = printer.wait_for(2)
    assert len(slips) == 2 and b"T001" in slips[0] and b"T003" in slips[1]
    poisoned = job_of(ctx, "T002")
    assert poisoned.status == "pending" and poisoned.error_code == "unprintable"
    assert "raqm_layout() failed" in poisoned.last_error
    assert printer_row(ctx, "k1").state == "fault"  # not "ok" while one of its jobs fails

    clock.advance(seconds=10)  # past its back-off: the second try
    assert worker.run_once() == 0
    assert job_of(ctx, "T002").status == "pending"
    clock.advance(seconds=10)  # the third try, its last
    assert worker.run_once() == 0
    assert job_of(ctx, "T002").status == "failed"
    clock.advance(minutes=5)
    assert worker.run_once() == 0 and len(printer.wait_for(3, timeout=0.3)) == 2  # given up
    with ctx.db.read() as s:
        kinds = [k for k in s.scalars(select(Event.kind).order_by(Event.id)) if "print_" in k]
    assert kinds == ["print_failed", "print_given_up"]

    (shown,) = printjobs.failed_jobs(ctx)
    assert (shown.number, shown.kiosk, shown.code) == ("T002", "k1", "unprintable")
    page = staff_page(ctx, "en")
    assert "T002" in page and "The slip cannot be made" in page
    assert "raqm_layout() failed" not in page  # the technical detail is for administrators
    assert "raqm_layout() failed" in staff_page(ctx, "en", role="admin")
    assert "号票内容无法生成" in staff_page(ctx, "zh")

    services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))  # the printer goes on, and is ok again
    assert worker.run_once() == 1
    assert b"T004" in printer.wait_for(3)[2] and printer_row(ctx, "k1").state == "ok"


def staff_page(ctx: Context, lang: str, role: str = "manager") -> str:
    """What the staff page's tables hold for a manager (or ``role``), in ``lang``."""
    client: FlaskClient = create_app(ctx).server.test_client()
    client.get("/")
    as_user(client, staff.add_user(ctx, f"{role}-{lang}", role, "a good password"))
    response = client.post(
        "/_dash-update-component",
        json=staff_refresh_body(lang),
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 200, response.get_json()
    return json.dumps(response.get_json()["response"]["staff-failed-prints"], ensure_ascii=False)


def test_every_fault_has_words_in_both_languages() -> None:
    from queues.text.i18n import MESSAGES

    assert printjobs.FAULTS == (
        "refused",
        "silent",
        "unconfirmed",
        "hung_up",
        "unreachable",
        "paper_out",
        "cannot_write",
        "other",
        "unprintable",
    )
    for code in printjobs.FAULTS:
        zh, en = MESSAGES[f"fault.{code}"]
        assert zh and en.isascii(), code


# --- printers that take the connection and then do not do their part ----------------------------


def test_a_printer_that_never_reads_prints_nothing_and_shows_a_fault(ctx: Context) -> None:
    deaf = FakePrinter(reads=False).start()
    try:
        kiosks_print_on(ctx, k1=deaf.uri)
        ticket = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
        assert PrintWorker(ctx, default_uri="dummy:", base_url=BASE).run_once() == 0
        assert deaf.connections == 1  # it took the connection
        job = job_of(ctx, ticket.number)
        assert job.status == "pending" and job.printed_at is None
        assert job.error_code == "silent" and "does not answer" in job.last_error
        row = printer_row(ctx, "k1")
        assert row.state == "fault" and row.error_code == "silent"
        assert printjobs.state_of(ctx, ticket.id).printer_state == "fault"  # the kiosk says so
    finally:
        deaf.stop()


def test_a_slip_the_printer_never_confirms_is_not_marked_printed(
    ctx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(printers, "CONFIRM_TIMEOUT", 1.0)
    stuck = FakePrinter(answers=1).start()  # answers before the slip, never after it
    try:
        kiosks_print_on(ctx, k1=stuck.uri)
        ticket = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
        worker = PrintWorker(ctx, default_uri="dummy:", base_url=BASE)
        assert worker.run_once() == 0
        job = job_of(ctx, ticket.number)
        assert job.status == "pending" and job.error_code == "unconfirmed"
        stuck.answers = None  # put right: it answers again
        clock.advance(seconds=3)
        assert worker.run_once() == 1 and job_of(ctx, ticket.number).status == "done"
    finally:
        stuck.stop()


def test_a_kiosk_whose_printer_never_answers_questions_can_skip_them(ctx: Context) -> None:
    mute = FakePrinter(answers=0).start()
    try:
        kiosks_print_on(ctx, k1=mute.uri)
        data = config.HallConfig.model_dump(ctx.config)
        data["kiosks"][0]["status_check"] = False
        ctx.config = config.HallConfig.model_validate(data)
        ticket = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
        assert PrintWorker(ctx, default_uri="dummy:", base_url=BASE).run_once() == 1
        assert ticket.number == "T001" and b"T001" in mute.received()
        assert printer_row(ctx, "k1").paper == "unknown"
    finally:
        mute.stop()


# --- a slow printer beside a healthy one ---------------------------------------------------------


def test_a_slow_printer_does_not_hold_up_another_kiosk(ctx: Context, printer: FakePrinter) -> None:
    slow = FakePrinter(slip_seconds=2.0).start()
    try:
        kiosks_print_on(ctx, k1=slow.uri, k2=printer.uri)
        for kiosk in ("k1", "k1", "k2", "k2"):  # the slow printer's jobs come first
            services.issue(ctx, "tax", by=Requester.at_kiosk(kiosk))
        worker = PrintWorker(ctx, default_uri="dummy:", base_url=BASE)
        worker.tick()  # as the scheduler does: it returns before any printer is done
        assert len(printer.wait_for(2, timeout=10)) == 2
        assert worker.wait_idle(timeout=30)
        assert len(slow.wait_for(2)) == 2
        # the healthy printer's slips were out before the slow one had finished its first
        assert printer.printed_at[-1] < slow.printed_at[0]
        with ctx.db.read() as s:
            assert set(s.scalars(select(PrintJob.status))) == {"done"}
    finally:
        worker.stop()
        slow.stop()


def test_a_long_queue_at_a_slow_printer_stays_pending_beyond_what_the_lease_covers(
    ctx: Context, clock: Clock
) -> None:
    for _ in range(25):
        services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))
        clock.advance(seconds=7)  # within the kiosk's ten a minute
    lane = worker_module._Lane("tcp://k1:9100", slip_seconds=6.0)  # a 6-second printer
    claimed = printjobs.claim(ctx, "w", kiosks=["k1"], limit=lane.claim_size())
    with ctx.db.read() as s:
        statuses = list(s.scalars(select(PrintJob.status)))
    # a 60 s lease, half of it for printing, 6 s a slip: 5 claimed, the other 20 wait
    assert len(claimed) == 5 and statuses.count("printing") == 5
    assert statuses.count("pending") == 20


# --- the print agent on a kiosk PC, and the claim it fetches ------------------------------------


def test_the_agent_reports_a_job_it_cannot_print_and_prints_the_others(
    ctx: Context, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tokens.create_token(ctx, "kiosk", "k1")
    for _ in range(3):
        services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))
    real_layout = agent_module.layout_from

    def layout_from(data: dict[str, Any]) -> Any:
        if any(row["text"] == "T002" for row in data["head"]):
            raise KeyError("qr")  # a slip the agent cannot read, whatever the reason
        return real_layout(data)

    monkeypatch.setattr(agent_module, "layout_from", layout_from)
    live = LiveServer(create_app(ctx).server)
    try:
        agent = PrintAgent(
            server=live.url,
            kiosk="k1",
            printer_uri=f"file:{tmp_path}/printed",
            token=token,
            journal_path=tmp_path / "agent.journal",
        )
        assert agent.run_once() == 2
        assert [p.name.split("-")[1] for p in sorted((tmp_path / "printed").glob("*.bin"))] == [
            "T001",
            "T003",
        ]
        job = job_of(ctx, "T002")
        assert (job.status, job.error_code, job.job_faults) == ("pending", "unprintable", 1)
        for _ in range(2):
            clock.advance(seconds=10)
            assert agent.run_once() == 0
        assert job_of(ctx, "T002").status == "failed"
    finally:
        live.close()


def test_a_claim_leaves_out_a_slip_that_cannot_be_made(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tokens.create_token(ctx, "kiosk", "k1")
    for _ in range(3):
        services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))
    real_build = slip.build

    def build(ticket: Any, *args: Any, **kwargs: Any) -> Any:
        if ticket.number == "T002":
            raise RuntimeError("no such zone")
        return real_build(ticket, *args, **kwargs)

    monkeypatch.setattr(slip, "build", build)
    client = create_app(ctx).server.test_client()
    response = client.post(
        "/api/v1/print-jobs/claim", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert [j["ticket"]["number"] for j in response.get_json()["jobs"]] == ["T001", "T003"]
    job = job_of(ctx, "T002")
    assert job.status == "pending" and "no such zone" in job.last_error
