"""Threads a process cannot live without: when one dies, the process dies with it.

``hallq worker`` and ``hallq serve`` run the scheduler and print delivery on one background
thread (the runner). A runner that died and left its process alive would stop the printing,
the close-out and the alerts with nothing to show for it: systemd sees a healthy service and
nobody is told until a visitor asks where their ticket is. So a vital thread that ends with an
exception logs why and ends the process at once with EXIT_STATUS; systemd (``Restart=always``)
starts it again, and a second worker, if there is one, takes over meanwhile.

The exit is ``os._exit``: an exception or ``sys.exit`` in a thread only ends that thread, and
the main thread may be deep in a server loop. Nothing is lost that a SIGKILL would not lose
too: the use cases commit or roll back, and the print journal keeps each ticket to one print.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

log = logging.getLogger("hallq.vital")
EXIT_STATUS = 70
"""EX_SOFTWARE of sysexits.h: an internal error."""


def vital(
    target: Callable[[], None], name: str, end: Callable[[int], object] = os._exit
) -> Callable[[], None]:
    """``target`` as a thread's body whose death by an exception ends the process (``end``
    with EXIT_STATUS); a ``target`` that returns (it was asked to stop) ends only the thread."""

    def run() -> None:
        try:
            target()
        except BaseException:
            log.critical(
                "%s died; the process ends (status %d) to be restarted",
                name,
                EXIT_STATUS,
                exc_info=True,
            )
            for handler in logging.getLogger().handlers:
                handler.flush()
            sys.stdout.flush()
            sys.stderr.flush()
            end(EXIT_STATUS)

    return run
