"""The ``hallq`` command: the composition root that wires the hall, the database and the app."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import wraps
from typing import Any

import click

from queues import config as hall_config
from queues import migrate, services
from queues.context import Context
from queues.errors import HallqError
from queues.hall import apply_config
from queues.settings import Settings, SettingsError

log = logging.getLogger("hallq")


def _friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a person can fix into a message and exit status 2, never a traceback."""

    @wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (hall_config.ConfigError, SettingsError) as exc:
            raise click.ClickException(str(exc)) from None
        except HallqError as exc:
            detail = getattr(exc, "detail", "")
            raise click.ClickException(
                exc.message("en") + (f" ({detail})" if detail else "")
            ) from None

    return run


click.ClickException.exit_code = 2


def _settings() -> Settings:
    return Settings.from_env()


def _context(settings: Settings) -> Context:
    from app import context_from

    return context_from(settings)


@contextmanager
def _ctx() -> Iterator[Context]:
    ctx = _context(_settings())
    try:
        yield ctx
    finally:
        ctx.db.dispose()


@click.group(
    help="hallq: queue, kiosk and wallboard system for a government service hall.\n\n"
    "Settings come from the environment: HALLQ_DATABASE_URL (default sqlite:///var/hallq.db), "
    "HALLQ_CONFIG (config/hall.toml), HALLQ_HOST and HALLQ_PORT (127.0.0.1:8050), "
    "HALLQ_PRINTER (file:var/tickets), HALLQ_ISSUE_LIMIT (20), HALLQ_OPEN_ALWAYS (0)."
)
@click.version_option(package_name="hallq")
def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


@main.command("init-db")
@_friendly
def init_db() -> None:
    """Create or migrate the database, then load the hall file into it.

    Run once per deploy (not once per web worker); running it again is harmless.
    """
    with _ctx() as ctx:
        migrate.upgrade(ctx.db)
        changed = apply_config(ctx.db, ctx.config)
        click.echo(
            f"database ready: {ctx.db.url.render_as_string(hide_password=True)}; "
            f"hall file applied ({', '.join(f'{k} {v}' for k, v in changed.items())} changed)"
        )


@main.command("check-config")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@_friendly
def check_config(file: str | None) -> None:
    """Validate a hall file (default: HALLQ_CONFIG) and summarise it."""
    path = file or _settings().config_path
    cfg = hall_config.load(path)
    click.echo(
        f"{path}: OK: {cfg.hall.name.zh} ({cfg.hall.name.en}), {len(cfg.zones)} zones, "
        f"{len(cfg.services)} services, {len(cfg.profiles)} work profiles, "
        f"{len(cfg.windows)} windows, time zone {cfg.hall.timezone}"
    )


@main.command()
@click.option("--host", default=None, help="Address to listen on (default HALLQ_HOST).")
@click.option("--port", default=None, type=int, help="Port (default HALLQ_PORT).")
@click.option(
    "--threads",
    default=4,
    show_default=True,
    help="Request threads. One process is bound by Python's GIL: more threads only queue "
    "inside it and lengthen the slowest answers (see docs/benchmarks.md).",
)
@_friendly
def serve(host: str | None, port: int | None, threads: int) -> None:
    """Run hallq: the screens, the API and, in this process, the background work."""
    import waitress

    from app import create_app

    settings = _settings()
    ctx = _context(settings)
    if migrate.pending(ctx.db):
        raise click.ClickException(
            "the database is not set up or is behind this version of hallq: run `hallq init-db`"
        )
    apply_config(ctx.db, ctx.config)
    app = create_app(ctx, issue_limit=settings.issue_limit)
    host = host or settings.host
    port = port or settings.port
    base = f"http://{host}:{port}"
    click.echo(f"hallq: {ctx.config.hall.name.zh} · {base}")
    for line in _screen_urls(base):
        click.echo(f"  {line}")
    waitress.serve(app.server, host=host, port=port, threads=threads, ident="hallq")


def _screen_urls(base: str) -> list[str]:
    import dash

    from queues.i18n import t

    lines = []
    for page in dash.page_registry.values():
        if page.get("title_key"):
            path = page.get("example_path") or page["path"]
            lines.append(f"{t(page['title_key'])} / {t(page['title_key'], 'en')}: {base}{path}")
    lines.append(f"API: {base}/api/v1/openapi.json")
    lines.append(f"health: {base}/healthz")
    return lines


@main.group()
def token() -> None:
    """API tokens for devices and integrations."""


@token.command("create")
@click.option(
    "--role",
    required=True,
    type=click.Choice(services.ROLES),
    help="kiosk: issue tickets and fetch print jobs; clerk: window actions; manager, admin.",
)
@click.option("--name", default=None, help="Who or what holds it (default: the role).")
@_friendly
def token_create(role: str, name: str | None) -> None:
    """Make a token; it is printed once, as the last line (only its hash is kept)."""
    with _ctx() as ctx:
        value = services.create_token(ctx, role, name or role)
    click.echo(f"token for {name or role} ({role}); keep it, it is not shown again:")
    click.echo(value)


@main.group("project-code")
def project_code() -> None:
    """Key-project codes that open the green channel (绿色通道)."""


@project_code.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The project's name.")
@click.option("--until", "valid_until", default=None, help="Last valid day, YYYY-MM-DD.")
@_friendly
def project_code_add(code: str, name: str, valid_until: str | None) -> None:
    """Register or renew a key-project code."""
    until = None
    if valid_until:
        try:
            until = date.fromisoformat(valid_until)
        except ValueError:
            raise click.ClickException(
                f"--until {valid_until!r} is not a date like 2026-12-31"
            ) from None
    with _ctx() as ctx:
        services.add_project_code(ctx, code, name, until)
    click.echo(
        f"project code {code} ({name}) opens the green channel"
        + (f" until {until}" if until else "")
    )


if __name__ == "__main__":
    sys.exit(main())
