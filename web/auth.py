"""Signing staff in and checking, on the server, who may do what.

A Dash callback is an HTTP endpoint of its own: hiding a button protects nothing. Every staff
callback calls :func:`require` first, which answers 401 (nobody signed in) or 403 (the wrong role,
a window the clerk is not bound to, or another hall than the account's) before anything happens.
The session cookie is HttpOnly and SameSite=Lax (Secure behind HTTPS) and carries only the
secret of a session kept on the server (:mod:`queues.access.sessions`), looked up on every
request: signing out ends it for every copy of the cookie on every web process. The cookie is
signed besides (the key is kept in the database so every web process shares it), so a made-up one
is refused before it costs a query.
"""

from __future__ import annotations

import contextlib
from urllib.parse import unquote

from flask import Flask, abort, current_app, g, redirect, request, session

from queues.access import sessions, staff
from queues.access.staff import SignedIn, StaffUser
from queues.context import Context
from queues.errors import HallqError
from queues.text.i18n import norm_lang
from web.current import context, path

SESSION_KEY = "sid"
"""The cookie's one entry: the secret of the server-side session."""
COOKIE = "hallq_session"
NEXT_MAX = 512
"""The longest place to go after signing in that is taken (the hall's own paths are short)."""


def configure(server: Flask, ctx: Context) -> None:
    @server.before_request
    def _signing_key() -> None:
        """Fetched at the first request that finds the database (start-up need not)."""
        if server.secret_key is None:
            # without the database, no sessions: staff pages ask to sign in until it is back
            with contextlib.suppress(HallqError):
                server.secret_key = staff.session_secret(ctx)

    server.config.update(
        SESSION_COOKIE_NAME=COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=sessions.LIFETIME,
    )

    @server.get("/logout")
    def logout():  # type: ignore[no-untyped-def]
        token = _token()
        if token is not None:
            try:
                staff.sign_out(context(), token)
            except HallqError as exc:  # the session lives on: say so rather than pretend
                return exc.message(norm_lang(request.args.get("lang"))), 503
        session.clear()
        return redirect(path("/login"))


def sign_in(signed_in: SignedIn) -> None:
    """Give this browser the new session's cookie."""
    session.clear()
    session[SESSION_KEY] = signed_in.token
    session.permanent = True


def _token() -> str | None:
    token = session.get(SESSION_KEY) if current_app.secret_key else None
    return token if isinstance(token, str) else None


def current_user() -> StaffUser | None:
    """The member of staff signed in to this request's session, if any (checked once a request)."""
    if "hallq_user" not in g:
        token = _token()
        g.hallq_user = staff.session_user(context(), token) if token else None
    return g.hallq_user


def require(role: str = "clerk", window: int | None = None) -> StaffUser:
    """The signed-in user if they may act as ``role`` (at ``window``) in this request's hall;
    otherwise 401 or 403. A hall's account acts in its own hall only, a network account in
    every hall (:mod:`queues.access.halls`)."""
    user = current_user()
    if user is None:
        abort(401)
    if not user.at_least(role) or (window is not None and not user.may_work(window)):
        abort(403)
    if not may_act_here(user):
        abort(403)
    return user


def may_act_here(user: StaffUser) -> bool:
    """Whether ``user`` may act in the hall this request is for."""
    return user.may_act_in(context().hall)


def safe_next(target: str | None) -> str | None:
    """A place to go after signing in, if it is a path on this site (never another site).

    Browsers are generous about what they take for a host: ``/\\host`` and ``/<tab>/host`` go
    to ``//host``, which is another site, and an encoded ``%5C`` or ``%2F`` may be decoded once
    more on the way. So a target is taken only if it is short, starts with exactly one ``/``, and
    holds printable ASCII and no backslash, as given and however often it is decoded.
    """
    if not target or len(target) > NEXT_MAX:
        return None
    seen = target
    for _ in range(4):
        if not _plain_path(seen):
            return None
        decoded = unquote(seen)
        if decoded == seen:
            return target
        seen = decoded
    return None  # still decoding after four rounds: nobody writes a link like that


def _plain_path(text: str) -> bool:
    return (
        text.startswith("/")
        and not text.startswith("//")
        and "\\" not in text
        and all("!" <= c <= "~" for c in text)
    )


def home_of(user: StaffUser) -> str:
    """Where a user starts: a clerk at their first window, a manager or administrator at the
    dashboard, a clerk bound to no window at the start page (to choose one); each in the
    user's own hall (a network account: in the hall where they signed in)."""
    if user.role == "clerk" and user.windows:
        page = f"/counter/{user.windows[0]}"
    elif user.at_least("manager"):
        page = "/dashboard"
    else:
        page = "/"
    return hall_path(user.hall, page)


def after_sign_in(user: StaffUser, target: str | None) -> str:
    """Where to go after signing in: ``target`` if it is a path of this site and the user may
    act in this hall; otherwise the user's start page (a town's clerk who signed in at the
    district's page goes to the town's)."""
    here = safe_next(target) if may_act_here(user) else None
    return here or home_of(user)


def hall_path(hall: str | None, page: str) -> str:
    """The path of a hall's ``page`` (``/counter/5``): ``/h/<hall>/counter/5``; for this
    request's hall and for None (a network account: where it is) as this request writes it
    (``/counter/5`` under the default hall's paths)."""
    if hall is None or hall == context().hall:
        return path(page)
    return f"/h/{hall}{page}"


def client_address() -> str | None:
    """The client's address as this server sees it (the proxy's word for it behind one)."""
    return request.remote_addr


def user_agent() -> str | None:
    return request.user_agent.string or None


def sees_network(user: StaffUser) -> bool:
    """Whether ``user`` may see every hall (the network's pages): a manager or administrator
    whose account belongs to no hall (a network account, :mod:`queues.access.halls`). The one
    place the network's hall rule is written."""
    return user.at_least("manager") and user.hall is None


def require_network() -> StaffUser:
    """The signed-in user if they may see every hall; otherwise 401 or 403."""
    user = require("manager")
    if not sees_network(user):
        abort(403)
    return user
