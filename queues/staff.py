"""Staff accounts and signing in: clerks at their windows, managers, administrators.

Passwords are stored as scrypt hashes (werkzeug.security). Five wrong passwords in a row lock the
account for a quarter of an hour; every sign-in, failure and change is an event. A signed-in
session carries the user's ``session_epoch``: a new password or a deactivation bumps it, which
signs the user out of every browser at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from queues import errors, events
from queues.context import Context
from queues.db import insert_for
from queues.models import Secret, User

STAFF_ROLES = ("clerk", "manager", "admin")
RANK = {"clerk": 1, "manager": 2, "admin": 3}
MIN_PASSWORD = 8
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
# Compared against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


@dataclass(frozen=True)
class StaffUser:
    id: int
    name: str
    display_name: str
    role: str
    windows: tuple[int, ...]
    epoch: int

    @property
    def actor(self) -> str:
        return f"user:{self.name}"

    def at_least(self, role: str) -> bool:
        return RANK.get(self.role, 0) >= RANK[role]

    def may_work(self, window: int) -> bool:
        """Managers and administrators work any window; a clerk the ones bound to them (or any)."""
        return self.at_least("manager") or not self.windows or window in self.windows


def _view(u: User) -> StaffUser:
    windows = tuple(int(w) for w in u.windows.split(",") if w.strip())
    return StaffUser(u.id, u.name, u.display_name or u.name, u.role, windows, u.session_epoch)


def _windows_text(windows: list[int] | tuple[int, ...]) -> str:
    return ",".join(str(w) for w in sorted(set(windows)))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise errors.WeakPassword(length=MIN_PASSWORD)


def add_user(
    ctx: Context,
    name: str,
    role: str,
    password: str,
    *,
    windows: list[int] | tuple[int, ...] = (),
    display_name: str = "",
    actor: str = "cli",
) -> StaffUser:
    """A new account; clerks may be bound to windows (``windows``), others work anywhere."""
    name = name.strip()
    if role not in STAFF_ROLES:
        raise errors.InvalidRole(role=role, roles=", ".join(STAFF_ROLES))
    if not name or len(name) > 64:
        raise errors.InvalidUserName(name=name)
    _check_password(password)
    known = {w.id for w in ctx.config.windows}
    unknown = [w for w in windows if w not in known]
    if unknown:
        raise errors.UnknownWindow(window=unknown[0])
    now = ctx.now()
    try:
        with ctx.db.write() as s:
            user = User(
                name=name,
                display_name=display_name.strip() or name,
                role=role,
                password_hash=generate_password_hash(password),
                windows=_windows_text(windows),
                created_at=now,
            )
            s.add(user)
            s.flush()
            events.record(s, "user_added", actor, now, user=name, role=role, windows=list(windows))
            return _view(user)
    except IntegrityError:
        raise errors.UserExists(name=name) from None


def set_password(ctx: Context, name: str, password: str, actor: str = "cli") -> None:
    """A new password; signs the user out everywhere and lifts a lock-out."""
    _check_password(password)
    now = ctx.now()
    with ctx.db.write() as s:
        user = _by_name(s, name)
        user.password_hash = generate_password_hash(password)
        user.session_epoch += 1
        user.failed_logins, user.locked_until = 0, None
        events.record(s, "password_set", actor, now, user=name)


def set_active(ctx: Context, name: str, active: bool, actor: str = "cli") -> None:
    now = ctx.now()
    with ctx.db.write() as s:
        user = _by_name(s, name)
        user.active = active
        user.session_epoch += 1
        events.record(s, "user_activated" if active else "user_deactivated", actor, now, user=name)


def bind_windows(ctx: Context, name: str, windows: list[int], actor: str = "cli") -> None:
    known = {w.id for w in ctx.config.windows}
    unknown = [w for w in windows if w not in known]
    if unknown:
        raise errors.UnknownWindow(window=unknown[0])
    now = ctx.now()
    with ctx.db.write() as s:
        user = _by_name(s, name)
        user.windows = _windows_text(windows)
        events.record(s, "user_windows", actor, now, user=name, windows=sorted(set(windows)))


def _by_name(s, name: str) -> User:  # type: ignore[no-untyped-def]
    """The user, locked: two changes at once (``session_epoch += 1``) both count."""
    user = s.scalar(select(User).where(User.name == name).with_for_update())
    if user is None:
        raise errors.UnknownUser(name=name)
    return user


def sign_in(ctx: Context, name: str, password: str, client: str | None = None) -> StaffUser:
    """The user whose name and password these are, or BadCredentials / AccountLocked.

    A failure is counted and written before it is raised (raising inside the transaction would
    roll the count back).
    """
    now = ctx.now()
    failure: errors.HallqError | None = None
    with ctx.db.write() as s:
        # locked: wrong passwords tried at once are counted one after the other, not lost
        user = s.scalar(select(User).where(User.name == name.strip()).with_for_update())
        anonymous = f"anonymous:{client or '?'}"
        if user is None or not user.active:
            check_password_hash(_DUMMY_HASH, password)
            events.record(s, "sign_in_failed", anonymous, now, user=name[:64])
            failure = errors.BadCredentials()
        elif user.locked_until is not None and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            failure = errors.AccountLocked(minutes=minutes)
        elif not check_password_hash(user.password_hash, password):
            user.failed_logins += 1
            locked = user.failed_logins >= MAX_FAILURES
            if locked:
                user.locked_until, user.failed_logins = now + LOCKOUT, 0
            events.record(s, "sign_in_failed", anonymous, now, user=user.name, locked=locked)
            minutes = int(LOCKOUT.total_seconds() // 60)
            failure = errors.AccountLocked(minutes=minutes) if locked else errors.BadCredentials()
        else:
            user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
            events.record(s, "signed_in", f"user:{user.name}", now, client=client)
            signed_in = _view(user)
    if failure is not None:
        raise failure
    return signed_in


def signed_out(ctx: Context, user: StaffUser) -> None:
    now = ctx.now()
    with ctx.db.write() as s:
        events.record(s, "signed_out", user.actor, now)


def staff_user(ctx: Context, user_id: int, epoch: int) -> StaffUser | None:
    """The signed-in user of a session, if the account is active and the session still valid."""
    with ctx.db.read() as s:
        user = s.get(User, user_id)
        if user is None or not user.active or user.session_epoch != epoch:
            return None
        return _view(user)


def users(ctx: Context) -> list[StaffUser]:
    with ctx.db.read() as s:
        return [_view(u) for u in s.scalars(select(User).where(User.active).order_by(User.name))]


def session_secret(ctx: Context) -> str:
    """The key that signs session cookies, the same for every process; made on first use."""
    with ctx.db.write() as s:
        found = s.get(Secret, "session")
        if found is not None:
            return found.value
        s.execute(
            insert_for(ctx.db.dialect)(Secret)
            .values(name="session", value=secrets.token_hex(32))
            .on_conflict_do_nothing(index_elements=[Secret.name])
        )
        return s.get_one(Secret, "session").value
