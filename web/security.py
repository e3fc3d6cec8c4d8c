"""What every answer carries and every browser post must show, for a server in a public place.

* **Headers**: a Content-Security-Policy that Dash works under (scripts only from this server,
  inline ones only by their hash, as :meth:`dash.Dash.csp_hashes` gives them; styles inline
  because Dash and Plotly set them), no framing, no MIME sniffing, no referrer to other sites,
  and HSTS when served over HTTPS.
* **Same origin for browser posts** (CSRF): a request that carries the staff session cookie and
  changes something (POST, PUT, PATCH, DELETE: every Dash callback is a POST) must come from a
  page of this server, as its ``Origin`` (or ``Referer``) header says; otherwise 403. The session
  cookie is SameSite=Lax besides, so browsers do not send it on cross-site posts at all. API
  clients authenticate with a bearer token, which a browser never adds by itself.
* **Behind a reverse proxy** (``HALLQ_BEHIND_PROXY=1``): the client address and scheme are taken
  from one proxy's ``X-Forwarded-For`` / ``X-Forwarded-Proto``; ``HALLQ_HTTPS=1`` marks the session
  cookie Secure.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from dash import Dash
from flask import Response, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from queues.text.i18n import norm_lang, t
from web.auth import COOKIE

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def every_answers_headers(https: bool) -> list[tuple[str, str]]:
    """The headers every answer carries (an HTML page a Content-Security-Policy besides)."""
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ]
    if https:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


def configure(app: Dash, *, https: bool = False, behind_proxy: bool = False) -> None:
    server = app.server
    if behind_proxy:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    server.config["SESSION_COOKIE_SECURE"] = https
    policy: list[str] = []

    def csp() -> str:
        if not policy:  # the inline scripts exist once every page has registered its callbacks
            hashes = " ".join(app.csp_hashes())  # each already quoted: 'sha256-…'
            policy.append(
                "; ".join(
                    (
                        "default-src 'self'",
                        f"script-src 'self' {hashes}",
                        "style-src 'self' 'unsafe-inline'",
                        "img-src 'self' data: blob:",
                        "media-src 'self' data: blob:",
                        "font-src 'self' data:",
                        "connect-src 'self'",
                        "object-src 'none'",
                        "base-uri 'self'",
                        "form-action 'self'",
                        "frame-ancestors 'none'",
                    )
                )
            )
        return policy[0]

    @server.before_request
    def _same_origin() -> Response | None:
        if request.method not in UNSAFE or COOKIE not in request.cookies:
            return None
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return None
        source = request.headers.get("Origin") or request.headers.get("Referer") or ""
        parts = urlsplit(source)
        if parts.scheme in ("http", "https") and parts.netloc == request.host:
            return None
        lang = norm_lang(request.args.get("lang"))
        answer = jsonify({"error": {"code": "cross_site", "message": t("error.cross_site", lang)}})
        answer.status_code = 403
        return answer

    @server.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        for name, value in every_answers_headers(https):
            h.setdefault(name, value)
        if response.mimetype == "text/html":
            h.setdefault("Content-Security-Policy", csp())
        return response
