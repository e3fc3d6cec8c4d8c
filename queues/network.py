"""The network of halls one deployment serves: the district centre, its town and street centres
and its village points, each a :class:`~queues.context.Context` of its own over one database.

``Network.contexts`` maps a hall's code to its context; ``default`` is the hall that the paths
without a hall code serve (``/kiosk``, ``/api/v1/…``), so a single-hall deployment keeps its
addresses. ``halls`` describes each hall for lists and the network's own pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from queues.context import Context

Level = Literal["district", "town", "village"]
LEVELS: tuple[Level, ...] = ("district", "town", "village")


@dataclass(frozen=True)
class HallEntry:
    """A hall as the network file names it."""

    code: str
    name_zh: str
    name_en: str
    level: Level = "district"
    parent: str | None = None


@dataclass
class Network:
    contexts: dict[str, Context]
    default: str
    halls: dict[str, HallEntry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.default not in self.contexts:
            raise ValueError(f"the default hall {self.default!r} is not in the network")
        for code, ctx in self.contexts.items():
            if code not in self.halls:
                name = ctx.config.hall.name
                self.halls[code] = HallEntry(code, name.zh, name.en)

    @classmethod
    def of_one(cls, ctx: Context) -> Network:
        """A single hall as a network of one (a hall file without a network file)."""
        return cls(contexts={ctx.hall: ctx}, default=ctx.hall)

    def context(self, code: str | None = None) -> Context:
        """The context of hall ``code`` (None: the default hall); KeyError for an unknown code."""
        return self.contexts[self.default if code is None else code]

    def __contains__(self, code: object) -> bool:
        return code in self.contexts

    def __iter__(self) -> Iterator[Context]:
        return iter(self.contexts.values())

    def __len__(self) -> int:
        return len(self.contexts)
