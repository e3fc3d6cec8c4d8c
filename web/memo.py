"""Answers a process keeps per key: what a board version looks like, drawn once however many
screens ask for it at the same moment.

Each hall's answers are kept in its own context's cache, and the lock that makes the screens
wait is the hall's and the key's: hall A's board version 7 is never hall B's."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from queues.context import Context

T = TypeVar("T")
KEEP = 32


_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


def once(ctx: Context, key: str, draw: Callable[[], T]) -> T:
    """``draw()`` for ``key`` once per process: the screens that ask at the same time wait for
    the first; later ones are answered from memory (the last ``KEEP`` keys)."""
    cache: OrderedDict[str, Any] = ctx.cache.setdefault("drawn", OrderedDict())
    if key in cache:
        return cache[key]
    held = (ctx.hall, key)
    with _locks_guard:
        lock = _locks.setdefault(held, threading.Lock())
    with lock:
        if key not in cache:
            cache[key] = draw()
            while len(cache) > KEEP:
                cache.popitem(last=False)
        with _locks_guard:
            _locks.pop(held, None)
        return cache[key]
