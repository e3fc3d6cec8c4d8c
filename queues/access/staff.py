"""Staff accounts and signing in: clerks at their windows, managers, administrators.

Passwords are stored as scrypt hashes (werkzeug.security). A signed-in browser holds a session
kept on the server (:mod:`queues.access.sessions`): signing out ends it at once on every web
process, a
new password or a deactivation ends all of the user's sessions, and each ends 12 hours after
signing in whatever the cookie says. Every sign-in, failure, sign-out and change is an event.

**Guessing passwords** is limited per client address, never per account alone, so that nobody
can lock the real user out by guessing at their name:

* 5 failed sign-ins on one account from one address within 15 minutes of the first lock that
  address out of that account for 15 minutes;
* 20 failed sign-ins from one address within 15 minutes, on any accounts, lock that address out
  of every account for 15 minutes (one address cannot try a password on every name).

Meanwhile the same person signs in from any other address as usual. A success clears its
address's count on that account and is not counted against the address. Each attempt is counted
*before* its password is checked, atomically (:mod:`queues.access.throttle`): forty parallel
guesses get
five checks, not forty. Attempts refused by a lock are neither checked nor counted (they do not
lengthen it), and the refusal says how many minutes are left. An unknown name is counted and
checked like a known one, so the answers do not tell which names exist. The address is the one
the web server sees: behind a reverse proxy, set ``HALLQ_BEHIND_PROXY`` or every client is the
proxy (docs/deploy.md). IPv6 addresses count by their /64.

The password check (scrypt, about 70 ms) runs outside any transaction: a sign-in is two short
writes, one that counts the attempt and fetches the hash, one that records the outcome and opens
the session. On SQLite a write transaction holds the database's only write lock, and a check
inside it held up every other writer in the hall for as long.

**Halls.** An account belongs to a hall or to the network (:mod:`queues.access.halls`): a hall's
clerk or manager acts in that hall only, a network manager or administrator in every hall. Names
are unique across the network, so anyone signs in anywhere; what they may then do is the rule's.
A hall's manager lists, makes and changes only their hall's accounts (:func:`may_change`).
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from queues import errors
from queues.access import halls, sessions, throttle
from queues.access.halls import HERE
from queues.context import Context
from queues.store import events
from queues.store.db import insert_for
from queues.store.models import Secret, StaffSession, User
from queues.text.i18n import t

STAFF_ROLES = ("clerk", "manager", "admin")
RANK = {"clerk": 1, "manager": 2, "admin": 3}
MIN_PASSWORD = 8
PER_ACCOUNT = throttle.Limit(5, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
"""Failed sign-ins on one account from one address."""
PER_ADDRESS = throttle.Limit(20, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
"""Failed sign-ins from one address on any accounts."""
# Compared against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


@dataclass(frozen=True)
class StaffUser:
    id: int
    name: str
    display_name: str
    role: str
    windows: tuple[int, ...]
    hall: str | None = None
    """The hall the account belongs to; None: the network (every hall)."""

    @property
    def actor(self) -> str:
        return f"user:{self.name}"

    def at_least(self, role: str) -> bool:
        return RANK.get(self.role, 0) >= RANK[role]

    def may_work(self, window: int) -> bool:
        """Managers and administrators work any window; a clerk the ones bound to them (or any)."""
        return self.at_least("manager") or not self.windows or window in self.windows

    def may_act_in(self, hall: str) -> bool:
        """A network account acts in every hall, a hall's account in its own."""
        return halls.may_act_in(self.hall, hall)

    def sees(self, hall: str | None) -> bool:
        """Whether the account sees (and, as a manager, may change) accounts of ``hall``: a
        network account every hall's and the network's, a hall's account its own hall's."""
        return self.hall is None or hall == self.hall


def _view(u: User) -> StaffUser:
    windows = tuple(int(w) for w in u.windows.split(",") if w.strip())
    return StaffUser(u.id, u.name, u.display_name or u.name, u.role, windows, u.hall)


@dataclass(frozen=True)
class SignedIn:
    """A new session: who, and the secret the browser's cookie carries (shown only here)."""

    user: StaffUser
    token: str


@dataclass(frozen=True)
class SessionInfo:
    """A session as staff see it: when, from where, and whether it still works."""

    id: int
    user: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    client: str | None
    user_agent: str | None
    live: bool


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
    hall: str | halls.Here | None = HERE,
) -> StaffUser:
    """A new account; clerks may be bound to windows (``windows``), others work anywhere.

    It belongs to ``hall``: by default the hall of ``ctx``, None for a network account (every
    hall), or a hall's code (one of :func:`queues.access.halls.known_halls`)."""
    name = name.strip()
    if role not in STAFF_ROLES:
        raise errors.InvalidRole(role=role, roles=", ".join(STAFF_ROLES))
    belongs = halls.hall_for(ctx, hall)
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
                hall=belongs,
                created_at=now,
            )
            s.add(user)
            s.flush()
            events.record(
                s,
                "user_added",
                actor,
                now,
                user=name,
                role=role,
                windows=list(windows),
                hall=belongs,
            )
            return _view(user)
    except IntegrityError:
        raise errors.UserExists(name=name) from None


def set_password(ctx: Context, name: str, password: str, actor: str = "cli") -> None:
    """A new password; signs the user out everywhere."""
    _check_password(password)
    now = ctx.now()
    with ctx.db.write() as s:
        user = _by_name(s, name)
        user.password_hash = generate_password_hash(password)
        ended = sessions.end(s, now, "password", sessions.of_user(user.id))
        events.record(s, "password_set", actor, now, user=name, sessions_ended=ended)


def set_active(ctx: Context, name: str, active: bool, actor: str = "cli") -> None:
    """Let an account sign in again, or stop it (which ends its sessions at once)."""
    now = ctx.now()
    with ctx.db.write() as s:
        user = _by_name(s, name)
        user.active = active
        if active:
            events.record(s, "user_activated", actor, now, user=name)
        else:
            ended = sessions.end(s, now, "deactivated", sessions.of_user(user.id))
            events.record(s, "user_deactivated", actor, now, user=name, sessions_ended=ended)


def _by_name(s, name: str) -> User:  # type: ignore[no-untyped-def]
    """The user, locked: two changes to one account at once are made one after the other."""
    user = s.scalar(select(User).where(User.name == name).with_for_update())
    if user is None:
        raise errors.UnknownUser(name=name)
    return user


def sign_in(
    ctx: Context,
    name: str,
    password: str,
    client: str | None = None,
    user_agent: str | None = None,
) -> SignedIn:
    """A new session for the user whose name and password these are; otherwise BadCredentials,
    or SignInLocked / AddressLocked with the minutes to wait (the rule: this module's docstring).
    """
    name, address = name.strip()[:64], throttle.client_key(client)
    now = ctx.now()
    with ctx.db.write() as s:  # a refusal raised in here rolls its own count back
        account, every = _count_attempt(s, address, name, now)
        found = s.execute(
            select(User.id, User.password_hash).where(User.name == name, User.active)
        ).first()
    stored = found.password_hash if found is not None else _DUMMY_HASH
    good = check_password_hash(stored, password) and found is not None
    now = ctx.now()
    with ctx.db.write() as s:
        user = _unchanged(s, found.id, stored) if good else None
        if user is not None:
            throttle.clear(s, address, name)
            throttle.give_back(s, address, throttle.EVERY_ACCOUNT, PER_ADDRESS)
            user.last_login_at = now
            token = sessions.open_session(s, user.id, now, client, user_agent)
            events.record(s, "signed_in", f"user:{user.name}", now, client=client)
            return SignedIn(_view(user), token)
        events.record(
            s,
            "sign_in_failed",
            f"anonymous:{client or '?'}",
            now,
            user=name,
            locked=account.last or every.last,
        )
    if account.last:
        raise errors.SignInLocked(minutes=account.minutes(now))
    if every.last:
        raise errors.AddressLocked(minutes=every.minutes(now))
    raise errors.BadCredentials()


def _count_attempt(
    s: Session, address: str, name: str, now: datetime
) -> tuple[throttle.Counted, throttle.Counted]:
    """Count a sign-in attempt on ``name`` from ``address``, or refuse it with the wait."""
    account = throttle.count(s, address, name, PER_ACCOUNT, now)
    if account.refused:
        raise errors.SignInLocked(minutes=account.minutes(now))
    every = throttle.count(s, address, throttle.EVERY_ACCOUNT, PER_ADDRESS, now)
    if every.refused:
        raise errors.AddressLocked(minutes=every.minutes(now))
    return account, every


def _unchanged(s: Session, user_id: int, stored: str) -> User | None:
    """The user, locked, if still active with the password hash that was checked (a new
    password or a deactivation may have come in during the check)."""
    return s.scalar(
        select(User)
        .where(User.id == user_id, User.active, User.password_hash == stored)
        .with_for_update()
    )


def session_user(ctx: Context, token: str) -> StaffUser | None:
    """The member of staff a session cookie's secret signs in: one read, joined with the user;
    None when the session ended, expired, or its account was deactivated."""
    now = ctx.now()
    with ctx.db.read() as s:
        found = sessions.lookup(s, token, now)
    if found is None:
        return None
    if found.last_seen_at <= now - sessions.SEEN_EVERY:
        # a note, not worth refusing a request for
        with contextlib.suppress(errors.StoreUnavailable), ctx.db.write() as s:
            sessions.seen(s, found.session_id, now)
    return _view(found.User)


def sign_out(ctx: Context, token: str) -> bool:
    """End the session of ``token`` (a copy of its cookie stops working too); False if it had
    ended already."""
    now = ctx.now()
    with ctx.db.write() as s:
        found = sessions.lookup(s, token, now)
        if found is None or not sessions.end(s, now, "signed_out", sessions.of_token(token)):
            return False
        events.record(s, "signed_out", f"user:{found.User.name}", now)
    return True


def sign_out_everywhere(ctx: Context, name: str, actor: str = "cli") -> int:
    """End every session of the user ``name`` (a lost phone, a shared password); answers how
    many were live."""
    now = ctx.now()
    with ctx.db.write() as s:
        user = _by_name(s, name)
        ended = sessions.end(s, now, "ended", sessions.of_user(user.id))
        events.record(s, "sessions_ended", actor, now, user=name, sessions_ended=ended)
    return ended


def end_session(ctx: Context, session_id: int, actor: str, *, by: StaffUser | None = None) -> str:
    """End one session (a manager, on the staff page); answers whose it was. UnknownSession
    when it is not live (ended meanwhile, expired, or never was), or is of an account that
    ``by`` (when given) does not see: another hall's."""
    now = ctx.now()
    with ctx.db.write() as s:
        found = s.execute(
            select(User.name, User.hall)
            .join(StaffSession, StaffSession.user_id == User.id)
            .where(StaffSession.id == session_id, sessions.live(now))
        ).first()
        name = found.name if found is not None else None
        if found is not None and by is not None and not by.sees(found.hall):
            raise errors.UnknownSession()  # another hall's: not even whether it is live
        if name is None or not sessions.end(s, now, "ended", sessions.of_id(session_id)):
            raise errors.UnknownSession()
        events.record(s, "session_ended", actor, now, user=name, session=session_id)
    return name


def sessions_of(ctx: Context, name: str, *, ended: bool = False) -> list[SessionInfo]:
    """The user's live sessions, newest first (with ``ended``: the ended and expired too)."""
    now = ctx.now()
    with ctx.db.read() as s:
        query = select(StaffSession, User.name).join(User, User.id == StaffSession.user_id)
        query = query.where(sessions.of_user(_by_name(s, name).id))
        if not ended:
            query = query.where(sessions.live(now))
        return _session_infos(s, query, now)


def live_sessions(ctx: Context, seen_by: StaffUser | None = None) -> list[SessionInfo]:
    """Everybody's live sessions, by name and newest first (for the staff page); with
    ``seen_by``, those of the accounts they see (a hall's manager: their hall's)."""
    now = ctx.now()
    with ctx.db.read() as s:
        query = select(StaffSession, User.name).join(User, User.id == StaffSession.user_id)
        query = query.where(sessions.live(now))
        if seen_by is not None and seen_by.hall is not None:
            query = query.where(User.hall == seen_by.hall)
        return _session_infos(s, query.order_by(User.name), now)


def _session_infos(s: Session, query: Select[Any], now: datetime) -> list[SessionInfo]:
    rows = s.execute(query.order_by(StaffSession.created_at.desc(), StaffSession.id.desc()))
    return [
        SessionInfo(
            r.id,
            name,
            r.created_at,
            r.last_seen_at,
            r.expires_at,
            r.ended_at,
            r.end_reason,
            r.client,
            r.user_agent,
            live=r.ended_at is None and r.expires_at > now,
        )
        for r, name in rows
    ]


def tidy_sign_ins(ctx: Context) -> int:
    """Forget the attempt counts whose window and lock are over (the scheduler, hourly)."""
    longest = max(PER_ACCOUNT.window, PER_ADDRESS.window)
    with ctx.db.write() as s:
        return throttle.tidy(s, ctx.now(), longest)


def users(ctx: Context) -> list[StaffUser]:
    with ctx.db.read() as s:
        return [_view(u) for u in s.scalars(select(User).where(User.active).order_by(User.name))]


def accounts(ctx: Context, seen_by: StaffUser | None = None) -> list[tuple[StaffUser, bool]]:
    """Every account, stopped ones too, each with whether it may sign in; with ``seen_by``,
    the accounts they see (a hall's manager: their hall's; a network account: all)."""
    query = select(User).order_by(User.name)
    if seen_by is not None and seen_by.hall is not None:
        query = query.where(User.hall == seen_by.hall)
    with ctx.db.read() as s:
        return [(_view(u), u.active) for u in s.scalars(query)]


def may_change(ctx: Context, by: StaffUser, name: str, *, stopping: bool = False) -> None:
    """Whether ``by`` may change ``name``'s account (a new password, stopping or starting it):
    a manager changes clerks' and managers' accounts, only an administrator an administrator's,
    and nobody stops their own (a hall left without anyone to start it again). A hall's
    manager or administrator changes only their hall's accounts: another hall's, or a network
    account, is unknown to them (UnknownUser, as for a name nobody has)."""
    with ctx.db.read() as s:
        target = s.scalar(select(User).where(User.name == name))
    if target is None or not by.sees(target.hall):
        raise errors.UnknownUser(name=name)
    if not by.at_least("manager") or (target.role == "admin" and not by.at_least("admin")):
        raise errors.NotYourAccount(name=name)
    if stopping and target.name == by.name:
        raise errors.NotYourAccount(name=name)


def may_make_in(ctx: Context, by: StaffUser, hall: str | halls.Here | None) -> str | None:
    """The hall an account that ``by`` makes in ``hall`` belongs to (``HERE``: ``ctx``'s hall,
    None: the network), if ``by`` may make one there: a hall's manager or administrator only in
    their own hall (never a network account), a network one anywhere; NotYourHall otherwise.
    (Which roles ``by`` may give is the staff page's: only an administrator an administrator.)"""
    belongs = halls.hall_for(ctx, hall)
    if not by.at_least("manager") or not by.sees(belongs):
        raise errors.NotYourHall(hall=belongs or _network_words)
    return belongs


def _network_words(lang: str) -> str:
    return t("staff.network", lang)


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
