"""A print journal on disk: what was sent to a printer, kept across a crash or a restart.

Before a slip goes to the printer the job is written as ``printing``, after it as ``printed``, and
``reported`` once the server knows. Each line is flushed and fsync'd before the next step. A job
found ``printed`` after a restart is only reported, never printed again; one left ``printing``
(the process died while sending) is printed again, which a half-printed ticket needs. Used by
the print agent on a kiosk PC and by the server's print worker.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

JOURNAL_KEEP = 2000


@dataclass
class Journal:
    """What the agent has sent to the printer, kept on disk across restarts."""

    path: Path
    printing: set[int] = field(default_factory=set)
    printed: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    """The server's print worker writes from one thread per printer."""

    @classmethod
    def open(cls, path: Path) -> Journal:
        journal = cls(path)
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    journal._apply(int(entry["job"]), entry["state"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a crash
        journal._compact()
        return journal

    def _apply(self, job: int, state: str) -> None:
        if state == "printing":
            self.printing.add(job)
        elif state == "printed":
            self.printing.discard(job)
            self.printed.add(job)
        elif state == "reported":
            self.printing.discard(job)
            self.printed.discard(job)

    def write(self, job: int, state: str) -> None:
        with self._lock:
            self._apply(job, state)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"job": job, "state": state}) + "\n")
                f.flush()
                os.fsync(f.fileno())

    def printed_jobs(self) -> set[int]:
        """The jobs printed and not yet reported, as they stand now."""
        with self._lock:
            return set(self.printed)

    def _compact(self) -> None:
        """Keep only what is still needed: jobs printed but not yet reported."""
        if not self.path.exists():
            return
        keep = sorted(self.printed)[-JOURNAL_KEEP:]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps({"job": j, "state": "printed"}) + "\n" for j in keep))
        tmp.replace(self.path)
        self.printing.clear()
