"""The configuration a deployment sets through the environment (API.md, "Configuration")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from queues.store.db import DEFAULT_URL


class SettingsError(ValueError):
    """An environment variable holds a value hallq cannot use; the message says which."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
    config_path: str = "config/hall.toml"
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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        d = cls()
        return cls(
            database_url=env.get("HALLQ_DATABASE_URL") or d.database_url,
            config_path=env.get("HALLQ_CONFIG") or d.config_path,
            host=env.get("HALLQ_HOST") or d.host,
            port=_int(env, "HALLQ_PORT", d.port, 1, 65535),
            printer=env.get("HALLQ_PRINTER") or d.printer,
            issue_limit=_int(env, "HALLQ_ISSUE_LIMIT", d.issue_limit, 0, 100000),
            open_always=_bool(env, "HALLQ_OPEN_ALWAYS", d.open_always),
            print_journal=env.get("HALLQ_PRINT_JOURNAL") or d.print_journal,
            https=_bool(env, "HALLQ_HTTPS", d.https),
            behind_proxy=_bool(env, "HALLQ_BEHIND_PROXY", d.behind_proxy),
        )


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
