"""The print agent: prints a kiosk's tickets on a printer attached to the kiosk PC.

``hallq print-agent --server URL --kiosk ID --printer URI --token T`` claims the kiosk's print
jobs over the API (``POST /api/v1/print-jobs/claim``), prints each slip, and reports the result
(``POST /api/v1/print-jobs/{id}/result``).

**Each job prints once, even across a restart.** The agent keeps a journal file: it writes
``printing`` before it sends a slip to the printer and ``printed`` after; a job in the journal as
printed is only reported, never printed again (the server offers an unreported job again after a
minute). A restart in the middle of sending a slip prints that one again, which is what a
half-printed ticket needs.

**One job's failure is that job's**, as in the server's print worker: a printer fault is
reported as the printer's (the job waits for the printer), anything else that goes wrong with
one job (its slip cannot be drawn) as the job's own (``fault: unprintable``: the server gives it
up after a few); the other jobs of the claim go on.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.journal import Journal
from kiosk.printers import PrinterFault, PrinterSpec, TicketPrinter
from queues.text.printable import printable
from queues.text.slip import Layout, Row, unprintable

log = logging.getLogger("hallq.agent")
POLL_SECONDS = 1.0


class AgentError(Exception):
    """The server refused the agent (a bad token, an unknown kiosk): retrying will not help."""


def layout_from(data: dict[str, Any]) -> Layout:
    def rows(items: list[dict[str, Any]]) -> list[Row]:
        return [Row(text=r["text"], size=r["size"], bold=r["bold"]) for r in items]

    return Layout(
        paper=data["paper"],
        head=rows(data["head"]),
        qr=data.get("qr"),
        tail=rows(data.get("tail", [])),
        name=data.get("name", "ticket"),
    )


@dataclass
class PrintAgent:
    server: str
    kiosk: str
    printer_uri: str
    token: str
    journal_path: Path
    font: str = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
    _printers: dict[tuple[int, str, bool, bool], TicketPrinter] = field(
        default_factory=dict, init=False
    )

    def __post_init__(self) -> None:
        self.journal = Journal.open(self.journal_path)

    def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            self.server.rstrip("/") + path,
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read())["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = exc.reason
            if exc.code in (401, 403, 404, 422):
                raise AgentError(f"the server refused the agent ({exc.code}): {message}") from None
            raise OSError(f"the server answered {exc.code}: {message}") from None

    def _printer(self, paper: int, mode: str, cutter: bool, status_check: bool) -> TicketPrinter:
        key = (paper, mode, cutter, status_check)
        if key not in self._printers:
            spec = PrinterSpec(
                uri=self.printer_uri,
                paper=paper,  # type: ignore[arg-type]
                mode=mode,  # type: ignore[arg-type]
                font=self.font,
                cutter=cutter,
                status_check=status_check,
            )
            self._printers[key] = TicketPrinter(spec)
        return self._printers[key]

    def report_journal(self) -> None:
        """Report jobs printed before a restart but never reported."""
        for job in sorted(self.journal.printed):
            self._call(f"/api/v1/print-jobs/{job}/result", {"printed": True})
            self.journal.write(job, "reported")

    def run_once(self) -> int:
        """Claim the kiosk's due jobs and print them; answers how many printed now."""
        self.report_journal()
        jobs = self._call("/api/v1/print-jobs/claim", {"kiosk": self.kiosk})["jobs"]
        printed = 0
        for job in jobs:
            job_id = int(job["id"])
            if job_id not in self.journal.printed:
                paper = self._print(job_id, job)
                if paper is None:
                    continue
                printed += 1
            else:
                paper = "unknown"
            self._call(f"/api/v1/print-jobs/{job_id}/result", {"printed": True, "paper": paper})
            self.journal.write(job_id, "reported")
        return printed

    def _print(self, job_id: int, job: dict[str, Any]) -> str | None:
        """Print one job; answers the paper state, or None when it did not print (reported)."""
        number = str(job.get("ticket", {}).get("number", job_id))
        try:
            layout = layout_from(job["layout"])
            printer = self._printer(
                layout.paper, job["mode"], job.get("cutter", True), job.get("status_check", True)
            )
        except Exception as exc:  # the slip cannot even be read: the job's own fault
            self._failed(job_id, unprintable(number, exc), "unprintable")
            return None
        self.journal.write(job_id, "printing")
        try:
            paper = printer.print(layout)
        except PrinterFault as fault:
            self.journal.write(job_id, "reported")
            log.warning("job %s (%s) not printed: %s", job_id, number, fault)
            self._failed(job_id, str(fault), fault.code, fault.paper)
            return None
        except Exception as exc:
            self.journal.write(job_id, "reported")
            log.exception("job %s (%s) cannot be printed", job_id, number)
            self._failed(job_id, unprintable(number, exc), "unprintable")
            return None
        self.journal.write(job_id, "printed")
        return paper

    def _failed(self, job_id: int, error: str, fault: str, paper: str = "unknown") -> None:
        self._call(
            f"/api/v1/print-jobs/{job_id}/result",
            {"printed": False, "error": printable(error), "fault": fault, "paper": paper},
        )

    def run(self, stop: threading.Event) -> None:
        """Print until ``stop`` is set; an unreachable server is waited for."""
        while not stop.is_set():
            try:
                self.run_once()
            except (OSError, ValueError) as exc:  # the server is away: try again shortly
                log.warning("print agent waits for %s: %s", self.server, exc)
                stop.wait(5)
            stop.wait(POLL_SECONDS)
