"""The configuration a deployment sets through the environment (API.md, "Configuration")."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from queues.hall.config import NOTIFY_URI
from queues.store.db import DEFAULT_URL
from queues.store.sites import MAX_SITE


class SettingsError(ValueError):
    """An environment variable holds a value hallq cannot use; the message says which."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
    read_database_url: str | None = None
    """A streaming replica of the (PostgreSQL) database for managers' figures (Database.report)."""
    site: int = 0
    """This database's site number: 0 the district or a single database, 1..N a site of its own
    whose rows reach the district's database by logical replication (ids in its own range)."""
    config_path: str = "config/network.toml"
    host: str = "127.0.0.1"
    port: int = 8050
    printer: str = "file:var/tickets"
    issue_limit: int = 20
    open_always: bool = False
    print_journal: str = "var/print-journal.jsonl"
    """Where the print worker notes what it sent to printers (each ticket prints once)."""
    https: bool = False
    """Served over HTTPS (behind a proxy): session cookies Secure, HSTS."""
    behind_proxy: bool = False
    """Trust one reverse proxy's X-Forwarded-For and X-Forwarded-Proto."""
    notify: str = "dummy:"
    """Where visitors' text messages go (runtime.channels): an SMS gateway's ``https://…`` URL,
    ``file:/folder`` or ``dummy:``; a hall file's ``[notify] channel`` comes first."""
    notify_secret: str | None = field(default=None, repr=False)
    """The key an HTTP channel signs each message with (HMAC-SHA256)."""
    push: bool = True
    """Screens hear of changes as they commit (api.stream, queues.store.feed); off: they poll
    the database as before (a connection pooler in transaction mode, where LISTEN cannot work)."""
    streams: int | None = None
    """Live streams a process holds at once; None: as its server model allows (api.stream)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        d = cls()
        return cls(
            database_url=env.get("HALLQ_DATABASE_URL") or d.database_url,
            read_database_url=_read_url(env),
            site=_int(env, "HALLQ_SITE", d.site, 0, MAX_SITE),
            config_path=env.get("HALLQ_CONFIG") or d.config_path,
            host=env.get("HALLQ_HOST") or d.host,
            port=_int(env, "HALLQ_PORT", d.port, 1, 65535),
            printer=env.get("HALLQ_PRINTER") or d.printer,
            issue_limit=_int(env, "HALLQ_ISSUE_LIMIT", d.issue_limit, 0, 100000),
            open_always=_bool(env, "HALLQ_OPEN_ALWAYS", d.open_always),
            print_journal=env.get("HALLQ_PRINT_JOURNAL") or d.print_journal,
            https=_bool(env, "HALLQ_HTTPS", d.https),
            behind_proxy=_bool(env, "HALLQ_BEHIND_PROXY", d.behind_proxy),
            notify=_notify(env, d.notify),
            notify_secret=env.get("HALLQ_NOTIFY_SECRET") or None,
            push=_bool(env, "HALLQ_PUSH", d.push),
            streams=_streams(env),
        )


def _streams(env: Mapping[str, str]) -> int | None:
    if not env.get("HALLQ_STREAMS", "").strip():
        return None
    return _int(env, "HALLQ_STREAMS", 0, 0, 100_000)


def _notify(env: Mapping[str, str], default: str) -> str:
    raw = env.get("HALLQ_NOTIFY", "").strip() or default
    if not re.fullmatch(NOTIFY_URI, raw):
        raise SettingsError(
            f"HALLQ_NOTIFY={raw!r} is no text channel (https://…, http://…, file:/folder, dummy:)"
        )
    if raw.startswith("http") and not env.get("HALLQ_NOTIFY_SECRET"):
        raise SettingsError(f"HALLQ_NOTIFY={raw} needs HALLQ_NOTIFY_SECRET to sign its messages")
    return raw


def _read_url(env: Mapping[str, str]) -> str | None:
    raw = env.get("HALLQ_READ_DATABASE_URL", "").strip()
    if not raw:
        return None
    if not raw.startswith("postgresql"):
        raise SettingsError(
            "HALLQ_READ_DATABASE_URL must be a postgresql:// URL (a streaming replica)"
        )
    if not (env.get("HALLQ_DATABASE_URL") or "").startswith("postgresql"):
        raise SettingsError(
            "HALLQ_READ_DATABASE_URL is a replica of a PostgreSQL HALLQ_DATABASE_URL"
        )
    return raw


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={value} must lie between {low} and {high}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r} must be 1 or 0")
