"""Key-project codes: the list the managers keep of this year's key projects (重点项目), whose
code opens the green channel (绿色通道) at the kiosk."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from queues import errors
from queues.context import Context
from queues.store import db, events
from queues.store.models import ProjectCode


def add_project_code(
    ctx: Context, code: str, name: str, valid_until: date | None = None, actor: str = "cli"
) -> None:
    """Register a key project whose code opens the green channel at the kiosk."""
    now = ctx.now()
    table = ProjectCode.__table__
    known = {"name": name, "valid_until": valid_until, "active": True}
    add = (
        db.insert_for(ctx.db.dialect)(table)
        .values(code=code, created_at=now, **known)
        .on_conflict_do_update(index_elements=[table.c.code], set_=known)
    )  # one statement: two managers adding the same code at once both succeed
    with ctx.db.write() as s:
        s.execute(add)
        events.record(s, "project_code_added", actor, now, code=code, name=name)


def check(s: Session, code: str | None, day: date) -> None:
    """Refuse a green ticket whose visitor gave no code, or a code unknown, withdrawn or past its
    date on ``day``."""
    if not code:
        raise errors.GreenNotAuthorised()
    found = s.get(ProjectCode, code.strip())
    if found is None or not found.active or (found.valid_until and found.valid_until < day):
        raise errors.InvalidProjectCode(code=code)
