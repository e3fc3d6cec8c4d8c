"""A busy city hall for five minutes, on PostgreSQL with four web workers (issue 6); or a city.

    .venv/bin/python bench/bench_load.py [--seconds 300] [--screens 300] [--kiosks 10]
        [--clerks 35] [--workers 4] [--threads 4]
    .venv/bin/python bench/bench_load.py --city [--districts 10] [--towns 8] [--villages 162]
        [--seconds 300] [--screens 300] [--kiosks 10] [--clerks 35] [--pace 5] [--ramp 30]

gunicorn (``--workers 4 --threads 4``, gthread) serves ``app:server`` beside one ``hallq worker``,
on a fresh PostgreSQL schema, all on loopback. The load, from this process:

* **screens**: each polls ``GET /api/v1/display/version`` once a second on a keep-alive
  connection of its own (a third of them the whole hall's, the rest one zone's), and when the
  version moved fetches ``GET /api/v1/display``, as the wallboards do; a screen notes when it
  first shows each call;
* **kiosks**: each takes a ticket (``POST /api/v1/tickets``) every ``--kiosk-every`` seconds
  (30: 1,200 tickets an hour from ten kiosks, twenty times the default hall's busiest hour) for
  the services of its zone, with the kiosk token of one of the hall's kiosks (the shipped hall
  has three: the load's ten share them, under each kiosk's 10 tickets a minute);
* **clerks**: each at a window of their own: call the next (again after 3-8 s while nobody
  waits), start after a few seconds, finish after a service time drawn around the service's,
  ``--pace`` times faster than real (5), pause now and then.

Reported: latencies of each kind of request as the load sees them and as gunicorn's access log
times them (the server's own time, without the listen queue or the load generator's threads;
``--threads 1`` runs sync workers for comparison), the answers' status codes and errors (any 4xx
or 5xx), call to screen (from the call's answer to the
screen's first drawing of it, over every screen that shows it), and CPU seconds and peak memory
of each process. Goals: no error, issue p95 ≤ 100 ms, poll p95 ≤ 50 ms, call to screen
p95 ≤ 1.5 s.

``--city`` (issue 12): the same deployment serves a city's network file instead (written to a
temporary folder): ``--districts`` district-size halls (the shipped config/hall.toml, its code
changed to d01 …, as ``bench_network.py`` builds them) and service points, the shipped towns' and
villages' hall files of config/halls/ copied under new codes (``--towns`` t01 …, each under a
district in turn; ``--villages`` v001 …, each under a town in turn). The load is spread over them
on each hall's own paths (``/api/v1/halls/<code>/…``): the ``--screens`` one to a point first, the
rest over the district halls; ``--kiosks`` kiosks in each district hall, one in each town point
that has one (every shipped town does), none in the villages; ``--clerks`` clerks in each district
hall and one at each window of every point (villages get no tickets: their clerks look for the
next visitor every 3-8 s). The clerks come in over the first ``--ramp`` seconds (30), not all in
the same instant. Goals as above (issue 12 names no call-to-screen goal for a city).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from common import HALL_FILE, ROOT, district_hall, free_port, fresh_database, machine, percentile

from queues.access import tokens
from queues.context import Context
from queues.hall import config as hall_config
from queues.hall import network as hall_network
from queues.hall.sync import apply_config
from queues.store.db import Database

TICK = os.sysconf("SC_CLK_TCK")


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.shown: list[float] = []
        self.samples: list[str] = []
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

    def note(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1


class Client:
    """One keep-alive HTTP connection."""

    def __init__(self, port: int, stats: Stats, token: str | None = None) -> None:
        self.port, self.stats, self.token = port, stats, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, kind: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        began = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                status = response.status
                break
            except (OSError, http.client.HTTPException) as exc:
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                stale = isinstance(
                    exc, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
                )
                if attempt == 1 and stale:
                    continue  # a kept-alive connection the server had closed: as browsers do
                self.stats.note(kind, time.perf_counter() - began, False)
                if len(self.stats.samples) < 10:
                    self.stats.samples.append(f"{kind} {method} {path}: {exc!r}")
                return 0, {}
        elapsed = time.perf_counter() - began
        ok = status < 400  # a refusal (401, 409, 429 …) is an error of the load too
        self.stats.note(kind, elapsed, ok)
        self.stats.statuses[kind][status] += 1
        if not ok and len(self.stats.samples) < 10:
            self.stats.samples.append(f"{kind} {method} {path}: {status} {raw[:200]!r}")
        try:
            return status, (json.loads(raw) if raw else {})
        except ValueError:
            return status, {}


@dataclass(frozen=True)
class Hall:
    """A hall under load: its code, level, hall file and API prefix."""

    code: str
    level: str
    config: hall_config.HallConfig
    api: str
    """``/api/v1`` (the default hall), or ``/api/v1/halls/<code>``."""


def screen(
    port: int, hall: Hall, zone: str | None, stats: Stats, calls: dict, stop: threading.Event
) -> None:
    client = Client(port, stats)
    suffix = f"?zone={zone}" if zone else ""
    api = hall.api
    time.sleep(random.random())  # screens are not in step
    version = None
    seen: set[tuple[str, int, str]] = set()
    next_at = time.monotonic()
    while not stop.is_set():
        status, body = client.call("poll", "GET", f"{api}/display/version{suffix}")
        if status == 200 and body.get("version") != version:
            version = body["version"]
            status, board = client.call("board", "GET", f"{api}/display{suffix}")
            now = time.time()
            for c in board.get("calling", [])[:1] if status == 200 else []:
                key = (c["number"], c["window"], c["called_at"])
                if key in seen:
                    continue
                seen.add(key)
                with stats.lock:
                    made = calls.get((hall.code, c["number"], c["window"]))
                    if made is not None:
                        stats.shown.append(now - made)
        next_at += 1.0
        stop.wait(max(0.0, next_at - time.monotonic()))


def kiosk(
    port: int,
    hall: Hall,
    name: str,
    token: str,
    codes: list[str],
    every: float,
    stats: Stats,
    stop: threading.Event,
) -> None:
    client = Client(port, stats, token)
    rng = random.Random(f"{hall.code}-{name}")
    stop.wait(rng.random() * every)
    while not stop.is_set():
        client.call(
            "issue", "POST", f"{hall.api}/tickets", {"service": rng.choice(codes), "kiosk": name}
        )
        stop.wait(every)


def clerk(
    port: int,
    hall: Hall,
    pace: float,
    ramp: float,
    window: int,
    token: str,
    stats: Stats,
    calls: dict,
    stop: threading.Event,
) -> None:
    client = Client(port, stats, token)
    rng = random.Random(f"{hall.code}-{window}")
    minutes = {s.code: s.service_minutes for s in hall.config.services}
    base = f"{hall.api}/windows/{window}"
    if ramp and stop.wait(rng.uniform(0, ramp)):
        return  # the run ended before this clerk came in
    client.call("act", "POST", f"{base}/resume")
    while not stop.is_set():
        status, ticket = client.call("call", "POST", f"{base}/call-next")
        if status == 204:  # nobody waits: the clerk looks at the console again in a few seconds
            stop.wait(rng.uniform(3, 8))
            continue
        if status != 200:
            stop.wait(1.0)
            continue
        with stats.lock:
            calls[(hall.code, ticket["number"], window)] = time.time()
        stop.wait(rng.uniform(2, 6))
        client.call("start", "POST", f"{base}/start")
        service = minutes.get(ticket["service"], 8) * 60 / pace
        stop.wait(rng.lognormvariate(0, 0.4) * service)
        client.call("finish", "POST", f"{base}/finish", {"outcome": "done"})
        if rng.random() < 0.03:
            client.call("act", "POST", f"{base}/pause", {"reason": "休息"})
            stop.wait(rng.uniform(10, 30))
            client.call("act", "POST", f"{base}/resume")


def _server_times(log: str) -> dict[str, list[float]]:
    """Milliseconds per kind of request from the access log (``method path status ms``)."""
    kinds = {"version": "poll", "display": "board", "tickets": "issue", "call-next": "call"}
    kinds |= {"start": "start", "finish": "finish", "pause": "act", "resume": "act"}
    out: dict[str, list[float]] = defaultdict(list)
    for line in log.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[1].startswith("/api/v1/"):
            kind = kinds.get(parts[1].rsplit("/", 1)[-1])
            if kind:
                out[kind].append(float(parts[3]))
    return out


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return 0.0


def _peak_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _postgres_pids() -> list[int]:
    out = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def city(folder: Path, districts: int, towns: int, villages: int) -> Path:
    """Write a city's network file and hall files into ``folder``; answers the network file.

    District halls d01 … (the shipped hall, as bench_network.py builds them); towns t01 … and
    villages v001 …, the shipped towns' and villages' hall files in turn, their codes changed."""
    if districts < 1 or (villages and not towns):
        raise SystemExit("a city needs a district hall, and its villages a town")
    shipped = tomllib.loads((ROOT / "config" / "network.toml").read_text(encoding="utf-8"))
    small = {
        level: [
            (h["code"], ROOT / "config" / h["file"])
            for h in shipped["halls"]
            if h["level"] == level
        ]
        for level in ("town", "village")
    }
    lines = ['default = "d01"']
    entries: list[tuple[str, str, str | None, str]] = []
    for i in range(districts):
        entries.append((f"d{i + 1:02d}", "district", None, district_hall(f"d{i + 1:02d}")))
    for level, count, parents, width in (
        ("town", towns, [e[0] for e in entries], 2),
        ("village", villages, [f"t{n + 1:02d}" for n in range(towns)], 3),
    ):
        for i in range(count):
            code = f"{level[0]}{i + 1:0{width}d}"
            original, path = small[level][i % len(small[level])]
            text = path.read_text(encoding="utf-8")
            entries.append(
                (code, level, parents[i % len(parents)],
                 text.replace(f'code = "{original}"', f'code = "{code}"', 1))
            )  # fmt: skip
    for code, level, parent, text in entries:
        (folder / f"{code}.toml").write_text(text, encoding="utf-8")
        lines += [
            "",
            "[[halls]]",
            f'code = "{code}"',
            f'level = "{level}"',
            f'file = "{code}.toml"',
        ]
        if parent:
            lines.append(f'parent = "{parent}"')
    network = folder / "network.toml"
    network.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return network


def plan(halls: list[Hall], args: argparse.Namespace, stats: Stats, calls: dict, port: int,
         token: dict[str, str], stop: threading.Event) -> list[threading.Thread]:  # fmt: skip
    """The load's threads: screens, kiosks and clerks spread over ``halls``."""
    districts = [h for h in halls if h.level == "district"]
    points = [h for h in halls if h.level != "district"]
    screens: list[Hall] = points[: args.screens]
    screens += [districts[i % len(districts)] for i in range(args.screens - len(screens))]
    threads = []
    shown: dict[str, int] = defaultdict(int)
    for hall in screens:
        i = shown[hall.code]
        shown[hall.code] += 1
        zones = [z.code for z in hall.config.zones]
        zone = None if i % 3 == 0 or len(zones) == 1 else zones[i % len(zones)]
        threads.append(threading.Thread(target=screen, args=(port, hall, zone, stats, calls, stop)))
    ramp = args.ramp if args.ramp is not None else (30.0 if args.city else 0.0)
    for hall in halls:
        cfg = hall.config
        by_zone = {
            z.code: [s.code for s in cfg.services if s.zone == z.code and s.kiosk]
            for z in cfg.zones
        }
        if hall.level == "district":
            # the hall's own kiosks (the shipped hall has three), several of the load's to each
            kiosks = [
                (cfg.kiosks[i % len(cfg.kiosks)].id, cfg.kiosks[i % len(cfg.kiosks)].zone)
                for i in range(args.kiosks)
            ]
            windows = cfg.windows[: args.clerks]
        else:  # a point: its own kiosk, if it has one (villages have none); a clerk a window
            kiosks = [(k.id, k.zone) for k in cfg.kiosks[:1]] if hall.level == "town" else []
            windows = cfg.windows
        for name, zone in kiosks:
            threads.append(
                threading.Thread(
                    target=kiosk,
                    args=(
                        port,
                        hall,
                        name,
                        token[name],
                        by_zone[zone],
                        args.kiosk_every,
                        stats,
                        stop,
                    ),
                )
            )
        for w in windows:
            threads.append(
                threading.Thread(
                    target=clerk,
                    args=(port, hall, args.pace, ramp, w.id, token["clerk"], stats, calls, stop),
                )
            )
    return threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--screens", type=int, default=300, help="in all (city: over the halls)")
    parser.add_argument("--kiosks", type=int, default=10, help="(city: in each district hall)")
    parser.add_argument("--kiosk-every", type=float, default=30.0)
    parser.add_argument("--pace", type=float, default=5.0, help="times faster than real service")
    parser.add_argument("--clerks", type=int, default=35, help="(city: in each district hall)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gunicorn worker (1: sync workers)"
    )
    parser.add_argument("--city", action="store_true", help="a city's network of halls")
    parser.add_argument("--districts", type=int, default=10, help="city: district-size halls")
    parser.add_argument("--towns", type=int, default=8, help="city: town points")
    parser.add_argument("--villages", type=int, default=162, help="city: village points")
    parser.add_argument(
        "--ramp", type=float, default=None, help="clerks come in over this many seconds (city: 30)"
    )
    args = parser.parse_args()
    print(machine())
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    if args.city:
        threading.stack_size(512 * 1024)  # a thousand threads of the load: small stacks
    with tempfile.TemporaryDirectory() as folder, fresh_database("postgres") as url:
        if args.city:
            loaded = hall_network.load(
                city(Path(folder), args.districts, args.towns, args.villages)
            )
            config_path = loaded.path
            halls = [
                Hall(h.code, h.entry.level, h.config, f"/api/v1/halls/{h.code}")
                for h in loaded.halls
            ]
        else:
            config_path = HALL_FILE
            halls = [Hall("district", "district", hall_config.load(HALL_FILE), "/api/v1")]
        db = Database(url)
        for hall in halls if args.city else ():
            apply_config(db, hall.config)
        first = Context(db=db, config=halls[0].config)  # tokens are the network's, not a hall's
        token = {k.id: tokens.create_token(first, "kiosk", k.id) for k in first.config.kiosks}
        token["clerk"] = tokens.create_token(first, "clerk", "load")
        db.dispose()
        port = free_port()
        env = {
            **os.environ,
            "HALLQ_DATABASE_URL": url,
            "HALLQ_CONFIG": str(config_path),
            "HALLQ_OPEN_ALWAYS": "1",
            "HALLQ_ISSUE_LIMIT": "0",
            "HALLQ_PRINTER": "dummy:",
            "HALLQ_PRINT_JOURNAL": f"/tmp/hallq-load-{port}.jsonl",
        }
        access = Path(f"/tmp/hallq-load-{port}.access")
        web = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "--workers", str(args.workers)),
                *("--threads", str(args.threads), "--keep-alive", "30"),
                *("--bind", f"127.0.0.1:{port}", "--access-logfile", str(access)),
                *("--access-logformat", "%(m)s %(U)s %(s)s %(M)s", "app:server"),
            ],
            cwd=ROOT,
            env=env,
            stderr=open(os.environ.get("HALLQ_BENCH_LOG", os.devnull), "w"),  # noqa: SIM115
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "cli", "worker"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
        )
        try:
            probe = Client(port, Stats())
            started = time.monotonic()
            while probe.call("up", "GET", "/healthz")[0] != 200:
                if time.monotonic() > started + 300:
                    raise RuntimeError("gunicorn did not come up")
                time.sleep(0.5)
            print(f"gunicorn up in {time.monotonic() - started:.0f} s", flush=True)
            time.sleep(2)
            pids = {"gunicorn master": [web.pid], "gunicorn workers": _children(web.pid)}
            pids["hallq worker"] = [worker.pid]
            pids["postgres (all backends)"] = _postgres_pids()
            pids["load generator (this)"] = [os.getpid()]
            cpu0 = {k: sum(_cpu(p) for p in v) for k, v in pids.items()}

            logged_from = access.stat().st_size
            stats, calls, stop = Stats(), {}, threading.Event()
            threads = plan(halls, args, stats, calls, port, token, stop)
            kinds: dict[str, int] = defaultdict(int)
            for th in threads:
                kinds[th._target.__name__] += 1  # type: ignore[attr-defined]
            for th in threads:
                th.daemon = True
                th.start()
            began = time.monotonic()
            stop.wait(args.seconds)
            stop.set()
            elapsed = time.monotonic() - began
            for th in threads:
                th.join(timeout=30)
            pids["postgres (all backends)"] = sorted(
                set(pids["postgres (all backends)"]) | set(_postgres_pids())
            )
            cpu1 = {k: sum(_cpu(p) for p in v) for k, v in pids.items()}
            with access.open("rb") as log:
                log.seek(logged_from)
                served = _server_times(log.read().decode())
            peak = {k: sum(_peak_mb(p) for p in v) for k, v in pids.items()}
        finally:
            web.terminate()
            worker.terminate()
            web.wait(timeout=30)
            worker.wait(timeout=30)
            access.unlink(missing_ok=True)

    if args.city:
        levels = {
            lvl: sum(h.level == lvl for h in halls) for lvl in ("district", "town", "village")
        }
        print(
            f"{elapsed:.0f} s: a city of {levels['district']} district halls, {levels['town']} "
            f"towns and {levels['village']} villages: {kinds['screen']} screens, {kinds['kiosk']} "
            f"kiosks (a ticket every {args.kiosk_every:g} s each), {kinds['clerk']} clerks at "
            f"{args.pace:g}× pace (coming in over {args.ramp if args.ramp is not None else 30:g} "
            f"s); gunicorn {args.workers} workers × {args.threads} threads, PostgreSQL"
        )
    else:
        print(
            f"{elapsed:.0f} s: {args.screens} screens, {args.kiosks} kiosks (a ticket every "
            f"{args.kiosk_every:g} s each), {args.clerks} clerks at {args.pace:g}× pace; gunicorn "
            f"{args.workers} workers × {args.threads} threads, PostgreSQL"
        )
    print("| request | count | per s | median | p95 | p99 | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind in ("poll", "board", "issue", "call", "start", "finish", "act"):
        t = [x * 1000 for x in stats.times.get(kind, [])]
        if not t:
            continue
        print(
            f"| {kind} | {len(t)} | {len(t) / elapsed:.0f} | {statistics.median(t):.1f} ms | "
            f"{percentile(t, 95):.1f} ms | {percentile(t, 99):.1f} ms | {stats.errors[kind]} |"
        )
    print("Server side (gunicorn's own request time, without the wait in the listen queue):")
    print("| request | count | median | p95 | p99 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind in ("poll", "board", "issue", "call", "start", "finish", "act"):
        t = served.get(kind, [])
        if t:
            print(
                f"| {kind} | {len(t)} | {statistics.median(t):.1f} ms | "
                f"{percentile(t, 95):.1f} ms | {percentile(t, 99):.1f} ms |"
            )
    print(
        "answers:",
        "; ".join(
            f"{kind} " + ", ".join(f"{n} × {code}" for code, n in sorted(codes.items()))
            for kind, codes in stats.statuses.items()
            if kind != "up"
        ),
    )
    for sample in stats.samples:
        print("  error:", sample)
    shown = stats.shown
    if shown:
        print(
            f"call to screen, {len(shown)} screen drawings of {len(calls)} calls: median "
            f"{statistics.median(shown) * 1000:.0f} ms, p95 {percentile(shown, 95) * 1000:.0f} ms, "
            f"max {max(shown) * 1000:.0f} ms"
        )
    print("| process | CPU seconds | CPU share of the run | peak memory |")
    print("| --- | ---: | ---: | ---: |")
    for k in pids:
        used = cpu1[k] - cpu0[k]
        print(f"| {k} | {used:.0f} s | {used / elapsed:.0%} of a core | {peak[k]:.0f} MB |")


if __name__ == "__main__":
    main()
