"""The print worker: delivers print jobs to the kiosks' printers, after the ticket is committed.

It runs every second as a job of the scheduler, in ``hallq serve`` or ``hallq worker`` (or in a
loop of its own, ``run``): it claims the jobs that are due and prints them. A printer fault is
recorded and the job is tried again later (see :mod:`queues.printjobs`); the other printers'
jobs go on meanwhile. Jobs of kiosks whose
tickets a print agent prints (``agent = true`` in the hall file) are left to that agent.

With a ``journal`` (``hallq serve`` and ``hallq worker`` keep one beside the database) each job
prints once even when the process is killed between the printer taking the slip and the
database hearing of it: on restart the journal says the job printed, and it is only marked so
(:mod:`kiosk.journal`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.journal import Journal
from kiosk.printers import PrinterFault, PrinterSpec, TicketPrinter
from queues import printjobs
from queues.context import Context
from queues.errors import HallqError
from queues.slip import build

log = logging.getLogger("hallq.print")
POLL_SECONDS = 0.5


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

    def __post_init__(self) -> None:
        if self.journal_path is not None:
            self.journal = Journal.open(self.journal_path)

    def _note(self, job: int, state: str) -> None:
        if self.journal is not None:
            self.journal.write(job, state)

    def _report_journal(self) -> None:
        """Jobs that printed before a crash, but the database never heard: mark them done."""
        if self.journal is None:
            return
        for job in sorted(self.journal.printed):
            with contextlib.suppress(HallqError):  # a job gone meanwhile: nothing to mark
                printjobs.succeeded(self.ctx, job, self.name)
            self.journal.write(job, "reported")

    def printer_for(self, kiosk: str | None) -> TicketPrinter:
        if kiosk not in self._printers:
            cfg = self.ctx.config
            k = cfg.kiosk(kiosk)
            spec = PrinterSpec(
                uri=(k.printer if k and k.printer else self.default_uri),
                paper=k.paper if k else 80,
                mode=k.mode if k else "text",
                font=cfg.printing.font,
                cutter=k.cutter if k else True,
            )
            self._printers[kiosk] = TicketPrinter(spec)
        return self._printers[kiosk]

    def run_once(self) -> int:
        """Claim and print the jobs that are due; answers how many printed."""
        self._report_journal()
        agents = [k.id for k in self.ctx.config.kiosks if k.agent]
        tasks = printjobs.claim(self.ctx, self.name, exclude=agents)
        broken: dict[str | None, PrinterFault] = {}
        printed = 0
        for task in tasks:
            printer = self.printer_for(task.kiosk)
            fault = broken.get(task.kiosk)
            if fault is None:
                layout = build(
                    task.ticket,
                    self.ctx.config,
                    base_url=self.ctx.config.hall.public_url or self.base_url,
                    paper=printer.spec.paper,
                    kiosk=task.kiosk,
                    reprint=task.reprint,
                    now=self.ctx.now() if task.reprint else None,
                )
                self._note(task.job_id, "printing")
                try:
                    paper = printer.print(layout)
                except PrinterFault as exc:
                    self._note(task.job_id, "reported")
                    fault = broken[task.kiosk] = exc
                else:
                    self._note(task.job_id, "printed")
                    printjobs.succeeded(
                        self.ctx, task.job_id, self.name, paper=paper, uri=printer.spec.uri
                    )
                    self._note(task.job_id, "reported")
                    printed += 1
                    continue
            log.warning("ticket %s not printed: %s", task.ticket.number, fault)
            printjobs.failed(
                self.ctx,
                task.job_id,
                self.name,
                str(fault),
                paper=fault.paper,
                uri=printer.spec.uri,
            )
        return printed

    def run(self, stop: threading.Event) -> None:
        """Print until ``stop`` is set; a database that is away is waited for, not fatal."""
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

    def start(self) -> tuple[threading.Thread, threading.Event]:
        stop = threading.Event()
        thread = threading.Thread(target=self.run, args=(stop,), name=self.name, daemon=True)
        thread.start()
        return thread, stop
