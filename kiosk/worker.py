"""The print worker: delivers print jobs to the kiosks' printers, after the ticket is committed.

**Each printer is served on its own.** Every printer has a lane: a thread that claims the due
jobs of the kiosks printing on it (one kiosk each, unless several share ``HALLQ_PRINTER``) and
prints them one after another, as a printer takes one connection at a time. A printer that takes
two seconds a slip, or one that is off and takes the connect timeout to say so, holds up its own
queue and no other (the lanes' loop is :mod:`runtime.lanes`). A lane claims only what its
printer can print well within the lease (by how long its slips have been taking), so a long
queue at one printer stays ``pending`` and is never held as ``printing`` by a claim that would
run out before the last slip.

**One job's failure is that job's.** Whatever goes wrong while one job's slip is built, drawn
or sent is caught for that job alone and recorded on it (:func:`queues.printjobs.failed`): a
:class:`PrinterFault` is the printer's and the job waits for the printer (the other jobs in the
claim do not try it again meanwhile); anything else is the job's own, and after a few of
those the job is ``failed`` with its reason, on the staff page. Other jobs and lanes go on.

``tick`` runs every second as a job of the scheduler, in ``hallq serve`` or ``hallq worker``,
and returns at once: it finds the kiosks with due jobs and wakes their printers' lanes. Lanes
claim only while ticks keep coming, so a process that has lost the runner lock
(runtime.scheduler) stops delivering within seconds and exactly one process delivers.
``run_once`` ticks and waits for the lanes to finish (the tests; ``run``, a loop of its own).
Jobs of kiosks whose tickets a print agent prints (``agent = true`` in the hall file) are left
to that agent.

With a ``journal`` (``hallq serve`` and ``hallq worker`` keep one beside the database) each job
prints once even when the process is killed between the printer taking the slip and the
database hearing of it: on restart the journal says the job printed, and it is only marked so
(:mod:`kiosk.journal`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.journal import Journal
from kiosk.printers import PrinterFault, PrinterSpec, TicketPrinter
from queues import printjobs
from queues.context import Context
from queues.errors import HallqError, UnknownPrintJob
from queues.printjobs import PrintTask
from queues.text.slip import build, unprintable
from runtime.lanes import TICK_GRACE, Lane, Lanes

log = logging.getLogger("hallq.print")
POLL_SECONDS = 0.5
FIRST_SLIP_SECONDS = 15.0
"""What a slip is reckoned to take at a printer that has not printed one yet."""
MAX_CLAIM = 10
LEASE_SHARE = 0.5
"""A claim holds no more slips than the printer prints in this share of the lease."""


@dataclass(eq=False)
class _Lane(Lane[str]):
    """One printer's queue (keyed by the printer's URI, its members the kiosks printing on it),
    and what it knows of the printer's pace."""

    slip_seconds: float = FIRST_SLIP_SECONDS

    @property
    def printer(self) -> str:
        """The printer's URI."""
        return self.key

    def claim_size(self) -> int:
        room = printjobs.LEASE.total_seconds() * LEASE_SHARE / max(self.slip_seconds, 0.1)
        return max(1, min(MAX_CLAIM, int(room)))


@dataclass
class PrintWorker:
    ctx: Context
    default_uri: str
    """The printer of kiosks that name none (``HALLQ_PRINTER``)."""
    base_url: str
    """Where the QR code on a ticket points (the hall file's ``public_url`` comes first)."""
    name: str = "print-worker"
    journal_path: Path | None = None
    _printers: dict[str | None, TicketPrinter] = field(default_factory=dict, init=False)
    journal: Journal | None = field(default=None, init=False)
    printed: int = field(default=0, init=False)
    """Slips printed since the worker started."""
    _lanes: Lanes[str, _Lane] = field(init=False)
    _lock: threading.Condition = field(default_factory=threading.Condition, init=False)
    _in_flight: set[int] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self._lanes = Lanes(
            self.name,
            _Lane,
            self._serve_batch,
            log=log,
            waits="printing on %s waits: %s",
            failed="printing on %s failed; going on",
            grace=TICK_GRACE,
        )
        if self.journal_path is not None:
            self.journal = Journal.open(self.journal_path)

    def _note(self, job: int, state: str) -> None:
        if self.journal is not None:
            self.journal.write(job, state)

    def _report_journal(self) -> None:
        """Jobs that printed before a crash, but the database never heard: mark them done."""
        if self.journal is None:
            return
        with self._lock:
            busy = set(self._in_flight)
        for job in sorted(self.journal.printed_jobs() - busy):
            with contextlib.suppress(UnknownPrintJob):  # a job gone meanwhile: nothing to mark
                printjobs.succeeded(self.ctx, job, self.name)
            self.journal.write(job, "reported")

    def _uri_of(self, kiosk: str | None) -> str:
        k = self.ctx.config.kiosk(kiosk)
        return k.printer if k and k.printer else self.default_uri

    def printer_for(self, kiosk: str | None) -> TicketPrinter:
        with self._lock:
            if kiosk not in self._printers:
                cfg = self.ctx.config
                k = cfg.kiosk(kiosk)
                spec = PrinterSpec(
                    uri=self._uri_of(kiosk),
                    paper=k.paper if k else 80,
                    mode=k.mode if k else "text",
                    font=cfg.printing.font,
                    cutter=k.cutter if k else True,
                    status_check=k.status_check if k else True,
                )
                self._printers[kiosk] = TicketPrinter(spec)
            return self._printers[kiosk]

    # --- the dispatcher -------------------------------------------------------------------------

    def tick(self) -> None:
        """Wake the lane of every kiosk with jobs due; returns without waiting for a printer."""
        self._lanes.tick()
        self._report_journal()
        agents = [k.id for k in self.ctx.config.kiosks if k.agent]
        for kiosk in printjobs.due_kiosks(self.ctx, exclude=agents):
            self._wake(kiosk)

    def run_once(self) -> int:
        """Print what is due and wait until every lane is done; answers how many printed."""
        before = self.printed
        self.tick()
        self.wait_idle()
        return self.printed - before

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no lane has work; answers False if ``timeout`` passed first. What ended a
        lane that no ``except Exception`` could keep (the tests' stand-in for a kill) is raised
        here, in the waiting thread."""
        return self._lanes.wait_idle(timeout)

    def _wake(self, kiosk: str | None) -> None:
        with self._lock:
            uri = self._printers[kiosk].spec.uri if kiosk in self._printers else self._uri_of(kiosk)
        self._lanes.wake(uri, kiosk)

    def stop(self, timeout: float = 10.0) -> None:
        """End the lanes (each after the slip it is sending)."""
        self._lanes.stop(timeout)

    # --- a lane ---------------------------------------------------------------------------------

    def _serve_batch(self, lane: _Lane, kiosks: list[str | None]) -> bool:
        """Claim what ``lane``'s printer can print within the lease and print it."""
        tasks = printjobs.claim(self.ctx, self.name, kiosks=kiosks, limit=lane.claim_size())
        if not tasks:
            return False
        self._print_claim(lane, tasks)
        return True

    def _print_claim(self, lane: _Lane, tasks: list[PrintTask]) -> None:
        """Print a claim's jobs in turn; after a printer fault the rest wait for the printer."""
        fault: PrinterFault | None = None
        for task in tasks:
            if fault is None:
                fault = self._deliver(lane, task)
            else:
                self._printer_failed(task, fault)

    def _deliver(self, lane: _Lane, task: PrintTask) -> PrinterFault | None:
        """Print one job and record how it went; answers the printer's fault, if it had one."""
        with self._lock:
            self._in_flight.add(task.job_id)
        try:
            try:
                printer = self.printer_for(task.kiosk)
            except ValueError as exc:
                fault = PrinterFault(f"printer of kiosk {task.kiosk}: {exc}")
                self._printer_failed(task, fault)
                return fault
            try:
                layout = build(
                    task.ticket,
                    self.ctx.config,
                    base_url=self.ctx.config.hall.public_url or self.base_url,
                    paper=printer.spec.paper,
                    kiosk=task.kiosk,
                    reprint=task.reprint,
                    now=self.ctx.now() if task.reprint else None,
                    booked=task.booked,
                )
            except Exception as exc:
                self._job_failed(task, printer, exc)
                return None
            self._note(task.job_id, "printing")
            started = time.monotonic()
            try:
                paper = printer.print(layout)
            except PrinterFault as exc:
                self._note(task.job_id, "reported")
                self._printer_failed(task, exc, printer)
                return exc
            except Exception as exc:
                self._note(task.job_id, "reported")
                self._job_failed(task, printer, exc)
                return None
            lane.slip_seconds = time.monotonic() - started
            self._note(task.job_id, "printed")
            printjobs.succeeded(self.ctx, task.job_id, self.name, paper=paper, uri=printer.spec.uri)
            self._note(task.job_id, "reported")
            with self._lock:
                self.printed += 1
            return None
        finally:
            with self._lock:
                self._in_flight.discard(task.job_id)

    def _printer_failed(
        self, task: PrintTask, fault: PrinterFault, printer: TicketPrinter | None = None
    ) -> None:
        log.warning("ticket %s not printed: %s", task.ticket.number, fault)
        printjobs.failed(
            self.ctx,
            task.job_id,
            self.name,
            str(fault),
            code=fault.code,
            paper=fault.paper,
            uri=printer.spec.uri if printer else None,
        )

    def _job_failed(self, task: PrintTask, printer: TicketPrinter, exc: Exception) -> None:
        log.exception("ticket %s cannot be printed", task.ticket.number)
        printjobs.failed(
            self.ctx,
            task.job_id,
            self.name,
            unprintable(task.ticket.number, exc),
            code="unprintable",
            own=True,
            uri=printer.spec.uri,
        )

    # --- a loop of its own ----------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Print until ``stop`` is set; a database that is away is waited for, not fatal."""
        try:
            while not stop.is_set():
                try:
                    self.run_once()
                except HallqError as exc:
                    log.warning("print worker waits: %s", exc.message("en"))
                    stop.wait(5)
                except Exception:
                    log.exception("print worker failed; going on")
                    stop.wait(5)
                stop.wait(POLL_SECONDS)
        finally:
            self.stop()

    def start(self) -> tuple[threading.Thread, threading.Event]:
        stop = threading.Event()
        thread = threading.Thread(target=self.run, args=(stop,), name=self.name, daemon=True)
        thread.start()
        return thread, stop
