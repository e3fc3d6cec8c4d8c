"""The ``hallq`` command: the composition root that wires the hall, the database and the app."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import psycopg

from queues import project_codes
from queues.access import halls, tokens
from queues.context import Context
from queues.errors import HallqError, UnknownHall
from queues.hall import config as hall_config
from queues.hall import network as hall_network
from queues.hall.sync import apply_config
from queues.store import migrate, sites
from queues.store import replication as replication_sql
from queues.store.db import Database
from runtime.settings import Settings, SettingsError

SERVE_STREAMS = 32
"""Live streams `hallq serve` holds at once by default (each waits on a thread of its own)."""

if TYPE_CHECKING:
    from kiosk.worker import PrintWorker
    from queues.network import Network
    from runtime.notifier import Notifier
    from runtime.scheduler import Runner

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
def _network() -> Iterator[Network]:
    """Every hall of the network file (or the one hall of a hall file), on one database."""
    from app import network_from

    network = network_from(_settings())
    try:
        yield network
    finally:
        network.context().db.network.dispose()


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
    "HALLQ_CONFIG (config/network.toml), HALLQ_HOST and HALLQ_PORT (127.0.0.1:8050), "
    "HALLQ_PRINTER (file:var/tickets), HALLQ_ISSUE_LIMIT (20), HALLQ_OPEN_ALWAYS (0), "
    "HALLQ_HTTPS (0), HALLQ_BEHIND_PROXY (0), HALLQ_READ_DATABASE_URL (none), HALLQ_SITE (0), "
    "HALLQ_WEBHOOK_LOCAL (0), HALLQ_PUSH (1), HALLQ_STREAMS (per server model)."
)
@click.version_option(package_name="hallq")
def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line a second otherwise


@main.command("init-db")
@_friendly
def init_db() -> None:
    """Create or migrate the database, then load every hall's file into it.

    Run once per deploy (not once per web worker); running it again is harmless. A database
    from before the network becomes the default hall's. On a site's own PostgreSQL database
    (HALLQ_SITE=1..N) it also moves the ids into the site's range.
    """
    settings = _settings()
    with _network() as network:
        default = network.context()
        migrate.upgrade(default.db, default.hall)
        try:
            placed = sites.place_ids(default.db, settings.site)
        except sites.SiteError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"database ready: {default.db.url.render_as_string(hide_password=True)}")
        if settings.site:
            first, past = sites.id_range(settings.site)
            moved = [p.table for p in placed if p.moved]
            click.echo(
                f"site {settings.site}: ids from {first} to {past - 1}"
                + (f" (moved: {', '.join(moved)})" if moved else "")
            )
        for ctx in network:
            changed = apply_config(ctx.db, ctx.config)
            click.echo(
                f"  {ctx.hall}: hall file applied "
                f"({', '.join(f'{k} {v}' for k, v in changed.items())} changed)"
            )


@main.command("check-config")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@_friendly
def check_config(file: str | None) -> None:
    """Validate a network file and each of its hall files, or a single hall file (default:
    HALLQ_CONFIG), and summarise them."""
    path = file or _settings().config_path
    network = hall_network.load(path)
    for hall in network.halls:
        cfg = hall.config
        where = str(hall.path) if network.single else f"{hall.code} ({hall.path})"
        click.echo(
            f"{where}: OK: {cfg.hall.name.zh} ({cfg.hall.name.en}), {len(cfg.zones)} zones, "
            f"{len(cfg.services)} services, {len(cfg.profiles)} work profiles, "
            f"{len(cfg.kiosks)} kiosks, {len(cfg.windows)} windows, "
            f"time zone {cfg.hall.timezone}"
        )
    if not network.single:
        levels = ", ".join(
            f"{n} {level}{'' if n == 1 else 's'}" for level, n in network.levels().items()
        )
        click.echo(f"{path}: OK: {len(network.halls)} halls ({levels}); default {network.default}")


@main.command()
@click.option("--host", default=None, help="Address to listen on (default HALLQ_HOST).")
@click.option("--port", default=None, type=int, help="Port (default HALLQ_PORT).")
@click.option(
    "--no-worker",
    is_flag=True,
    help="Leave printing to a separate `hallq worker` (several web processes on PostgreSQL).",
)
@click.option(
    "--threads",
    default=4,
    show_default=True,
    help="Request threads. One process is bound by Python's GIL: more threads only queue "
    "inside it and lengthen the slowest answers (see docs/benchmarks.md).",
)
@click.option(
    "--streams",
    default=None,
    type=click.IntRange(0, 1000),
    help="Screens' live streams held at once, each on a thread of its own beside the request "
    "threads (default HALLQ_STREAMS, else 32); screens past it poll.",
)
@_friendly
def serve(
    host: str | None, port: int | None, no_worker: bool, threads: int, streams: int | None
) -> None:
    """Run hallq: the screens, the API and, in this process, the print worker."""
    import waitress

    from app import create_app, network_from

    settings = _settings()
    network = network_from(settings)
    ctx = network.context()
    _require_migrated(ctx)
    for each in network:
        apply_config(each.db, each.config)
    if streams is None:
        streams = settings.streams if settings.streams is not None else SERVE_STREAMS
    if not settings.push:
        streams = 0
    app = create_app(
        network,
        https=settings.https,
        behind_proxy=settings.behind_proxy,
        streams=streams,
    )
    host = host or settings.host
    port = port or settings.port
    base = f"http://{host}:{port}"
    click.echo(f"hallq: {ctx.config.hall.name.zh} · {base}")
    for line in _screen_urls(base):
        click.echo(f"  {line}")
    for other in network:
        if other.hall != network.default:
            click.echo(f"  {other.config.hall.name.zh}: {base}/h/{other.hall}/")
    runner = None
    if not no_worker:
        runner = _background(network, settings, base, "serve").start()
        click.echo(f"  printing: {_printing_summary(ctx, settings)}")
        click.echo(f"  texts: {settings.notify}")
        click.echo("  scheduler: close-out, roll-ups, auto no-show, alerts (in this process)")
    if not ctx.config.hall.public_url:
        click.echo(f"  QR codes on tickets point to {base}: set hall.public_url for phones")
    # waitress drops X-Forwarded-* by default; behind a proxy, ProxyFix (web.security)
    # is the one place that reads them, or every client would be the proxy's address
    try:
        waitress.serve(
            app.server,
            host=host,
            port=port,
            threads=threads + streams,  # a stream waits on a thread of its own
            connection_limit=100 + streams,
            ident="hallq",
            clear_untrusted_proxy_headers=not settings.behind_proxy,
        )
    finally:  # Ctrl-C: waitress has stopped serving
        _stop_background(runner)


def _stop_background(runner: Runner | None, seconds: float = 10.0) -> None:
    """Stop the scheduler and printing (the runner lock is handed back for another process),
    and make sure the process then ends: a job still running would otherwise hold the exit up,
    since the scheduler's job threads are joined when the interpreter ends. What matters is
    committed or rolled back already, and the print journal is written as each slip prints."""
    if runner is None:
        return
    runner.stop(timeout=seconds)
    if runner.alive():
        log.warning("background work did not stop within %.0f s; ending the process", seconds)
        logging.shutdown()
        os._exit(0)


def _date(option: str, text: str) -> date:
    """A date given on the command line, or a clear refusal naming the option."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.ClickException(f"{option} {text!r} is not a date like 2026-01-05") from None


def _require_migrated(ctx: Context) -> None:
    if migrate.pending(ctx.db):
        raise click.ClickException(
            "the database is not set up or is behind this version of hallq: run `hallq init-db`"
        )


def _print_worker(ctx: Context, settings: Settings, base: str, journal: Path) -> PrintWorker:
    from kiosk.printers import check_uri
    from kiosk.worker import PrintWorker

    for uri in [settings.printer] + [k.printer for k in ctx.config.kiosks if k.printer]:
        try:
            check_uri(uri)
        except ValueError as exc:
            raise click.ClickException(f"printer: {exc}") from None
    return PrintWorker(
        ctx,
        default_uri=settings.printer,
        base_url=base,
        journal_path=journal,
    )


def _printing_summary(ctx: Context, settings: Settings) -> str:
    kiosks = ctx.config.kiosks
    named = ", ".join(
        f"{k.id} → {'agent' if k.agent else k.printer or settings.printer}" for k in kiosks
    )
    return f"{named}; others → {settings.printer}" if named else settings.printer


@main.command()
@_friendly
def worker() -> None:
    """Run the background work alone: the scheduler and print delivery.

    For several web processes started with `serve --no-worker` (or gunicorn): start one worker;
    a second one waits, and takes over if the first stops.
    """
    from app import network_from

    settings = _settings()
    network = network_from(settings)
    ctx = network.context()
    _wait_for_database(ctx)
    _require_migrated(ctx)
    base = f"http://{settings.host}:{settings.port}"  # each hall's public_url comes first
    click.echo(f"hallq worker: scheduler and printing ({_printing_summary(ctx, settings)})")
    runner = _background(network, settings, base, "worker").start()
    try:
        runner.wait()
    except KeyboardInterrupt:
        runner.stop()


def _wait_for_database(ctx: Context) -> None:
    """Wait, at growing intervals, for a database that cannot be reached yet: a worker started
    before it, or restarted by systemd during an outage, would otherwise exit at once, again and
    again, until systemd gives up on it."""
    import time

    from runtime.scheduler import BACKOFF_LIMIT_SECONDS

    if ctx.db.ping():
        return
    log.warning("the database cannot be reached yet; waiting for it")
    pause = 1.0
    while not ctx.db.ping():
        time.sleep(pause)
        pause = min(pause * 2, BACKOFF_LIMIT_SECONDS)
    log.info("the database answers")


def _background(network: Network, settings: Settings, base: str, name: str) -> Runner:
    """The scheduler's runner for every hall, with each hall's print delivery every second as
    one of its jobs: the tick hands due jobs to each printer's own thread and returns, so no
    printer waits for another. A hall other than the default prints with the links of its own
    pages (``/h/<hall>``, unless its file names a ``public_url``) and keeps its own journal."""
    from apscheduler.triggers.interval import IntervalTrigger

    from runtime.scheduler import Runner

    journal = Path(settings.print_journal)
    extra = []
    for ctx in network:
        if ctx.hall == network.default:
            printer = _print_worker(ctx, settings, base, journal)
        else:
            printer = _print_worker(
                ctx,
                settings,
                f"{base}/h/{ctx.hall}",
                journal.with_name(f"{journal.stem}.{ctx.hall}{journal.suffix}"),
            )
        extra.append((f"{ctx.hall}:print", printer.tick, IntervalTrigger(seconds=1)))
    extra.append(("notify", _notifier(network, settings).tick, IntervalTrigger(seconds=1)))
    extra.append(_webhook_job(network))
    return Runner(network, extra=extra, name=name)


def _notifier(network: Network, settings: Settings) -> Notifier:
    """Every hall's text messages, sent through each hall's channel (runtime.notifier)."""
    from runtime.notifier import Notifier

    try:
        return Notifier(network, settings.notify, settings.notify_secret, name="notifier")
    except ValueError as exc:
        raise click.ClickException(f"notify: {exc}") from None


def _webhook_job(network: Network) -> tuple[str, Any, Any]:
    """Webhook delivery, every hall's endpoints from one worker: each tick wakes the lanes of
    the endpoints with deliveries due (runtime.webhook_worker)."""
    from apscheduler.triggers.interval import IntervalTrigger

    from runtime.webhook_worker import WebhookWorker

    default = network.context()
    hooks = WebhookWorker(default.db, clock=default.clock)
    return ("webhooks", hooks.tick, IntervalTrigger(seconds=1))


@main.command()
@click.option("--days", default=30, show_default=True, help="Calendar days to play.")
@click.option(
    "--start", "start_text", default=None, help="First day, YYYY-MM-DD (default: DAYS ago)."
)
@click.option("--seed", default=1, show_default=True, help="The same seed gives the same history.")
@click.option(
    "--workers", default=os.cpu_count() or 1, show_default=True, help="Processes (one per core)."
)
@click.option(
    "--today",
    is_flag=True,
    help="Then play today from its opening up to now (people waiting, windows busy).",
)
@click.option(
    "--booked",
    default=0.0,
    type=click.FloatRange(0, 1),
    show_default=True,
    help="The share of bookable matters' visitors who book a slot ahead and check in "
    "(then booked and walk-in waits are reported apart).",
)
@_friendly
def simulate(
    days: int, start_text: str | None, seed: int, workers: int, today: bool, booked: float
) -> None:
    """Fill the database with days of every hall's life, through the same use cases as real use
    (for trying the dashboard and reports, and for benchmarks). Each hall sees visitors in
    proportion to its windows (the district centre's day, scaled). With --booked, that share of
    the visitors of bookable matters book their slot the evening before and check in at the
    kiosk around it: the effect on walk-ins' waits is printed, and on the reports page."""
    import time

    from simulation import simulate as sim

    with _network() as network:
        _require_migrated(network.context())
        for n, ctx in enumerate(network):
            this_day = ctx.business_day()
            first = _date("--start", start_text) if start_text else this_day - timedelta(days=days)
            if first + timedelta(days=days) > this_day + timedelta(days=1):
                raise click.ClickException("simulated days must lie in the past (before today)")
            began = time.perf_counter()
            if len(network) > 1:
                click.echo(f"{ctx.hall}: {ctx.config.hall.name.zh}")

            def progress(day: sim.DayResult) -> None:
                click.echo(
                    f"  {day.day}: {day.issued} tickets, {day.served} served, "
                    f"{day.no_shows} no-shows, {day.rated} ratings"
                )

            model = sim.Model.for_hall(ctx.config)
            model.booked_share = booked
            results = sim.simulate_days(
                ctx, first, days, seed=seed + n, model=model, workers=workers, progress=progress
            )
            tickets = sum(r.issued for r in results)
            click.echo(
                f"{len(results)} working days, {tickets} tickets "
                f"in {time.perf_counter() - began:.0f} s"
            )
            if booked and results:
                click.echo(sim.booked_summary(ctx, results[0].day, results[-1].day))
            if today:
                if not ctx.config.hours.is_working_day(this_day):
                    click.echo(f"today ({this_day}) the hall is closed: nothing to play")
                    continue
                played = sim.play_until(ctx, ctx.now(), seed=seed + n, model=model)
                click.echo(f"today so far: {played.issued} tickets, {played.served} served")


@main.command()
@click.option("--speed", default=10.0, show_default=True, help="Model minutes per real minute.")
@click.option("--seed", default=None, type=int, help="The same seed gives the same day.")
@_friendly
def demo(speed: float, seed: int | None) -> None:
    """Play today's hall against the running system, so every screen moves (Ctrl-C stops)."""
    from simulation import simulate as sim

    settings = _settings()
    ctx = _context(settings)
    ctx.open_always = True
    _require_migrated(ctx)
    click.echo(f"demo: the hall's day at {speed:g}x, from 09:00; open /display and /kiosk")
    try:
        sim.run_live(ctx, speed=speed, seed=seed)
    except KeyboardInterrupt:
        click.echo("demo stopped")


@main.command("print-agent")
@click.option("--server", required=True, help="hallq's address, http://host:8050.")
@click.option(
    "--kiosk", required=True, help="The kiosk whose tickets to print (its id in the hall file)."
)
@click.option(
    "--printer",
    "printer_uri",
    required=True,
    help="tcp://host:9100, usb://VID:PID, serial:///dev/ttyUSB0, file:DIR.",
)
@click.option(
    "--token",
    required=True,
    envvar="HALLQ_AGENT_TOKEN",
    help="A kiosk token named after the kiosk (or HALLQ_AGENT_TOKEN).",
)
@click.option(
    "--journal",
    default=None,
    help="Where the agent remembers what it printed (default var/agent-KIOSK.journal).",
)
@click.option(
    "--font",
    default="/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    show_default=True,
    help="CJK font for raster printers.",
)
@_friendly
def print_agent(
    server: str, kiosk: str, printer_uri: str, token: str, journal: str | None, font: str
) -> None:
    """Print a kiosk's tickets on a printer attached to this PC, fetching them from the server."""
    import threading
    from pathlib import Path

    from kiosk.agent import AgentError, PrintAgent
    from kiosk.printers import check_uri

    try:
        check_uri(printer_uri)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    agent = PrintAgent(
        server=server,
        kiosk=kiosk,
        printer_uri=printer_uri,
        token=token,
        journal_path=Path(journal or f"var/agent-{kiosk}.journal"),
        font=font,
    )
    click.echo(f"hallq print agent: kiosk {kiosk} → {printer_uri}, jobs from {server}")
    stop = threading.Event()
    try:
        agent.run(stop)
    except AgentError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        stop.set()


def _screen_urls(base: str) -> list[str]:
    import dash

    from queues.text.i18n import t

    lines = []
    for page in dash.page_registry.values():
        if page.get("title_key"):
            path = page.get("example_path") or page["path"]
            lines.append(f"{t(page['title_key'])} / {t(page['title_key'], 'en')}: {base}{path}")
    lines.append(f"API: {base}/api/v1/openapi.json")
    lines.append(f"health: {base}/healthz")
    return lines


def _hall_options(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """``--hall CODE`` and ``--network``: where a new account or token belongs."""

    def add(command: Callable[..., None]) -> Callable[..., None]:
        command = click.option(
            "--network",
            is_flag=True,
            help=f"A network {what}: it acts in every hall of the network.",
        )(command)
        return click.option(
            "--hall",
            default=None,
            metavar="CODE",
            help=f"The hall the {what} belongs to and acts in, one of the network's (default: "
            "the hall of HALLQ_CONFIG, the default hall of a network file).",
        )(command)

    return add


def _belongs(hall: str | None, network: bool) -> str | halls.Here | None:
    if hall is not None and network:
        raise click.ClickException("give --hall CODE or --network, not both")
    if network:
        return halls.NETWORK
    return halls.HERE


@contextmanager
def _hall_ctx(hall: str | None) -> Iterator[Context]:
    """The context of hall ``hall`` of the network HALLQ_CONFIG names (None: its default hall),
    where an account or token of that hall is made (its windows and kiosks are that hall's)."""
    from app import network_from

    network = network_from(_settings())
    try:
        if hall is not None and hall not in network:
            raise UnknownHall(hall=hall)
        yield network.context(hall)
    finally:
        network.context().db.dispose()


def _where(hall: str | None) -> str:
    return "every hall of the network" if hall is None else f"hall {hall}"


@main.group()
def token() -> None:
    """API tokens for devices and integrations."""


@token.command("create")
@click.option(
    "--role",
    required=True,
    type=click.Choice(tokens.ROLES),
    help="kiosk: issue tickets and fetch print jobs; clerk: window actions; manager, admin.",
)
@click.option(
    "--name",
    default=None,
    help="Who or what holds it; for a kiosk token the kiosk's id in the hall file (default: the "
    "role).",
)
@click.option(
    "--windows",
    default=None,
    help="For a clerk token: the windows it may act at, e.g. 20,21 (or --any-window).",
)
@click.option("--any-window", is_flag=True, help="A clerk token for every window.")
@_hall_options("token")
@_friendly
def token_create(
    role: str,
    name: str | None,
    windows: str | None,
    any_window: bool,
    hall: str | None,
    network: bool,
) -> None:
    """Make a token; it is printed once, as the last line (only its hash is kept)."""
    bound = _windows(windows)
    if role == "clerk" and not bound and not any_window:
        raise click.ClickException(
            "a clerk token acts at windows: give --windows 20,21 (or --any-window)"
        )
    with _hall_ctx(hall) as ctx:
        belongs = halls.hall_for(ctx, _belongs(hall, network))
        value = tokens.create_token(ctx, role, name or role, windows=bound, hall=belongs)
    click.echo(
        f"token for {name or role} ({role}, {_where(belongs)}); keep it, it is not shown again:"
    )
    click.echo(value)


@token.command("revoke")
@click.argument("which")
@_friendly
def token_revoke(which: str) -> None:
    """Revoke a token by its id, or every live token of that name (a lost kiosk, a leaked key)."""
    with _ctx() as ctx:
        for t in tokens.revoke_token(ctx, which):
            click.echo(f"revoked token {t.id}: {t.name} ({t.role})")


@token.command("list")
@_friendly
def token_list() -> None:
    """The tokens made so far: id, name, role, hall ("(network)": every hall), made, revoked."""
    with _ctx() as ctx:
        for t in tokens.tokens(ctx):
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "live"
            click.echo(
                f"{t.id:>4}  {t.name:<24} {t.role:<8} {t.hall or '(network)':<16} "
                f"{t.created_at:%Y-%m-%d}  {state}"
            )


@main.group()
def kiosk() -> None:
    """Kiosk PCs: pair a browser as one of the hall file's kiosks, list and unpair them."""


@kiosk.command("pair")
@click.argument("kiosk_id")
@click.option(
    "--hall", default=None, metavar="CODE", help="The network's hall (default: its default hall)."
)
@_friendly
def kiosk_pair(kiosk_id: str, hall: str | None) -> None:
    """Print a one-time link; opened on the kiosk PC's browser it makes that browser KIOSK_ID
    of the hall (its tickets print on that kiosk's printer). It works once, for a quarter of an
    hour."""
    from queues.access import devices

    settings = _settings()
    with _hall_ctx(hall) as ctx:
        pairing = devices.pairing_code(ctx, kiosk_id, "cli")
        base = ctx.config.hall.public_url or (
            f"http://{settings.host}:{settings.port}" + (f"/h/{hall}" if hall else "")
        )
    until = pairing.expires_at.astimezone(ctx.tz)
    click.echo(f"open this on kiosk {kiosk_id}'s browser before {until:%H:%M} (once):")
    click.echo(f"{base.rstrip('/')}{devices.PAIR_PATH}{pairing.code}")


@kiosk.command("list")
@click.option(
    "--hall", default=None, metavar="CODE", help="The network's hall (default: its default hall)."
)
@_friendly
def kiosk_list(hall: str | None) -> None:
    """Every paired browser of the hall: id, kiosk, when, from where, and whether it was
    unpaired."""
    from queues.access import devices

    with _hall_ctx(hall) as ctx:
        for d in devices.devices(ctx):
            state = f"unpaired {d.revoked_at:%Y-%m-%d %H:%M}" if d.revoked_at else "paired"
            paired = f"{d.paired_at:%Y-%m-%d %H:%M}" if d.paired_at else "-"
            click.echo(f"{d.id:>4}  {d.kiosk:<8} {paired}  {d.client or '-':<16} {state}")


@kiosk.command("unpair")
@click.argument("device_id", type=int)
@click.option(
    "--hall", default=None, metavar="CODE", help="The network's hall (default: its default hall)."
)
@_friendly
def kiosk_unpair(device_id: int, hall: str | None) -> None:
    """End a paired browser of the hall (a replaced PC, a lost tablet): from its next request on
    it is a visitor's browser, and prints nothing."""
    from queues.access import devices

    with _hall_ctx(hall) as ctx:
        devices.unpair(ctx, device_id, "cli")
    click.echo(f"device {device_id} unpaired")


@main.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@_friendly
def backup_cmd(target: Path) -> None:
    """Copy the SQLite database to TARGET while hallq runs (online backup).

    For PostgreSQL use `pg_dump --format=custom` (docs/deploy.md).
    """
    from queues.store import backup

    with _ctx() as ctx:
        size = backup.backup(ctx.db, target)
    click.echo(f"backed up to {target} ({size / 1e6:.1f} MB)")


@main.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: replace the database.")
@_friendly
def restore_cmd(source: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup SOURCE (stop hallq first), then migrate it
    to this version."""
    from queues.store import backup

    with _ctx() as ctx:
        if not yes:
            click.confirm(f"replace {ctx.db.url.database} with {source}?", abort=True)
        backup.restore(ctx.db, source)
        migrate.upgrade(ctx.db, ctx.hall)
    click.echo(f"restored from {source}")


@main.group()
def replication() -> None:
    """A town site's rows into the district's database by PostgreSQL logical replication: a
    publication at the site, a subscription at the district (docs/deploy.md, "Town sites on
    their own database"). Each command prints the SQL it runs; --print-only runs nothing."""


@contextmanager
def _database(settings: Settings) -> Iterator[Database]:
    db = Database(settings.database_url)
    try:
        yield db
    except replication_sql.ReplicationError as exc:
        raise click.ClickException(str(exc)) from None
    except psycopg.Error as exc:  # the site or the district does not answer, or refuses
        raise click.ClickException(str(exc).strip().splitlines()[0]) from None
    finally:
        db.dispose()


@replication.command("publish")
@click.option("--print-only", is_flag=True, help="Print the statements, run nothing.")
@_friendly
def replication_publish(print_only: bool) -> None:
    """At a site (HALLQ_SITE=1..N, after `hallq init-db`): publish its halls' rows."""
    settings = _settings()
    if settings.site == 0:
        raise click.ClickException(
            "publish from a site's own database: set HALLQ_SITE=1..N and run `hallq init-db` "
            "first, so its ids never meet the district's"
        )
    with _database(settings) as db:
        try:
            behind = sites.unplaced(db, settings.site)
        except sites.SiteError as exc:
            raise click.ClickException(str(exc)) from None
        if behind:
            raise click.ClickException(
                f"the ids of {', '.join(behind)} are not in site {settings.site}'s range yet: "
                f"run `hallq init-db` with HALLQ_SITE={settings.site} first"
            )
        done = replication_sql.publish_statements(db) if print_only else replication_sql.publish(db)
    for statement in done:
        click.echo(f"{statement};")


@replication.command("subscribe")
@click.argument("site")
@click.argument("site_url")
@click.option("--print-only", is_flag=True, help="Print the statements, run nothing.")
@_friendly
def replication_subscribe(site: str, site_url: str, print_only: bool) -> None:
    """At the district (HALLQ_SITE=0): receive the rows SITE publishes; SITE_URL is its
    database as the district's PostgreSQL server reaches it. The first copy brings what the
    site already holds; then each change as it is committed, and after a cut link what was
    missed."""
    settings = _settings()
    if settings.site != 0:
        raise click.ClickException("subscribe at the district's database (HALLQ_SITE=0)")
    with _database(settings) as db:
        done = (
            replication_sql.subscribe_statements(db, site, site_url)
            if print_only
            else replication_sql.subscribe(db, site, site_url)
        )
    for statement in done:
        click.echo(f"{statement};")
    if not done:
        click.echo(f"already subscribed to {site}")


@replication.command("unsubscribe")
@click.argument("site")
@_friendly
def replication_unsubscribe(site: str) -> None:
    """At the district: stop receiving SITE's rows (those received stay)."""
    with _database(_settings()) as db:
        done = replication_sql.unsubscribe(db, site)
    for statement in done:
        click.echo(f"{statement};")


@replication.command("status")
@_friendly
def replication_status() -> None:
    """At the district: each subscription, whether it is on, when its site last spoke, and how
    often applying its rows failed (see the district's PostgreSQL log for why)."""
    with _database(_settings()) as db:
        rows = replication_sql.status(db)
    for name, enabled, lsn, at, errors in rows:
        state = "enabled" if enabled else "disabled"
        click.echo(
            f"{name}\t{state}\treceived {lsn or '-'}\tlast heard {at or '- (link down?)'}"
            f"\terrors {errors}"
        )
    if not rows:
        click.echo("no subscriptions")


@main.group()
def user() -> None:
    """Staff accounts for the pages: clerks, managers, administrators."""


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("password", hide_input=True, confirmation_prompt=True)


def _windows(text: str | None) -> list[int]:
    if not text:
        return []
    try:
        return [int(w) for w in text.replace(" ", "").split(",") if w]
    except ValueError:
        raise click.ClickException(f"--windows {text!r}: give window numbers like 3,5") from None


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["clerk", "manager", "admin"]))
@click.option("--windows", default=None, help="The windows a clerk works, e.g. 5,6 (default: any).")
@click.option("--display-name", default="", help="The name shown on screens (default: NAME).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@_hall_options("account")
@_friendly
def user_add(
    name: str,
    role: str,
    windows: str | None,
    display_name: str,
    password_stdin: bool,
    hall: str | None,
    network: bool,
) -> None:
    """Add a member of staff; the password is asked for (or read with --password-stdin)."""
    from queues.access import staff

    bound = _windows(windows)
    belongs = _belongs(hall, network)
    password = _password(password_stdin)
    with _hall_ctx(hall) as ctx:
        added = staff.add_user(
            ctx, name, role, password, windows=bound, display_name=display_name, hall=belongs
        )
    at = f" at windows {', '.join(map(str, added.windows))}" if added.windows else ""
    click.echo(f"{added.name} ({added.role}, {_where(added.hall)}){at} can sign in at /login")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@_friendly
def user_passwd(name: str, password_stdin: bool) -> None:
    """Set a new password (and sign the user out everywhere)."""
    from queues.access import staff

    password = _password(password_stdin)
    with _ctx() as ctx:
        staff.set_password(ctx, name, password)
    click.echo(f"new password for {name}")


@user.command("disable")
@click.argument("name")
@_friendly
def user_disable(name: str) -> None:
    """Stop an account from signing in (its sessions end at once)."""
    from queues.access import staff

    with _ctx() as ctx:
        staff.set_active(ctx, name, False)
    click.echo(f"{name} can no longer sign in")


@user.command("sessions")
@click.argument("name")
@click.option("--all", "everything", is_flag=True, help="The ended and expired ones too.")
@_friendly
def user_sessions(name: str, everything: bool) -> None:
    """The user's sessions: id, signed in, last seen, until, address, browser."""
    from queues.access import staff

    with _ctx() as ctx:
        found = staff.sessions_of(ctx, name, ended=everything)
        zone = ctx.tz
    for x in found:
        if x.live:
            state = f"until {x.expires_at.astimezone(zone):%H:%M}"
        elif x.ended_at is not None:
            state = f"ended {x.ended_at.astimezone(zone):%m-%d %H:%M} ({x.end_reason})"
        else:
            state = "expired"
        click.echo(
            f"{x.id:>5}  {x.created_at.astimezone(zone):%Y-%m-%d %H:%M}  "
            f"seen {x.last_seen_at.astimezone(zone):%H:%M}  {state:<28} "
            f"{x.client or '?':<16} {(x.user_agent or '')[:60]}"
        )
    if not found:
        click.echo(f"{name} has no {'' if everything else 'live '}sessions")


@user.command("sign-out")
@click.argument("name")
@_friendly
def user_sign_out(name: str) -> None:
    """End every session of the user at once (a lost phone, a password seen)."""
    from queues.access import staff

    with _ctx() as ctx:
        ended = staff.sign_out_everywhere(ctx, name)
    click.echo(f"{name}: {ended} session{'' if ended == 1 else 's'} ended")


@user.command("list")
@_friendly
def user_list() -> None:
    """The active accounts: name, role, hall ("(network)": every hall), windows, shown as."""
    from queues.access import staff

    with _ctx() as ctx:
        for u in staff.users(ctx):
            windows = ",".join(map(str, u.windows)) or "any"
            click.echo(
                f"{u.name:<20} {u.role:<8} {u.hall or '(network)':<16} "
                f"windows {windows:<12} {u.display_name}"
            )


@main.command()
@click.option(
    "--since",
    "since_text",
    required=True,
    help="First day to count again, YYYY-MM-DD (every past day from it that has tickets).",
)
@_friendly
def rollup(since_text: str) -> None:
    """Count past days' figures again from their tickets (after an upgrade that counts a new
    figure; the scheduler rolls up each night and after a night the server was off)."""
    from queues.read import rollups

    since = _date("--since", since_text)
    with _ctx() as ctx:
        days = rollups.days_with_tickets(ctx, since)
        for day in days:
            rollups.rollup(ctx, day)
    click.echo(f"rolled up {len(days)} day(s) from {since}")


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
    until = _date("--until", valid_until) if valid_until else None
    with _ctx() as ctx:
        project_codes.add_project_code(ctx, code, name, until)
    click.echo(
        f"project code {code} ({name}) opens the green channel"
        + (f" until {until}" if until else "")
    )


if __name__ == "__main__":
    sys.exit(main())
