"""Throwaway PostgreSQL clusters for the tests of hallq past one machine (tests/sites/).

Each cluster is made by ``initdb`` in a temporary directory, listens on a free port of
127.0.0.1 only (its socket in its own directory), trusts every local connection, and is stopped
and removed when the test ends, failed or not. The machine's own server is never touched.

The binaries are PostgreSQL's own (``initdb``, ``pg_ctl``, ``pg_basebackup``): from
``HALLQ_PG_BINDIR`` when set, else the newest ``/usr/lib/postgresql/<version>/bin``, else the
``PATH``. When none is found the test fails and says so: these tests are never skipped.
``initdb`` refuses to run as root; as root the clusters run as the ``postgres`` user
(``runuser``), which owns their directories.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from tests.support import free_port

BINARIES = ("initdb", "pg_ctl", "pg_basebackup")
START_SECONDS = 60


def bindir() -> Path:
    """Where PostgreSQL's server binaries are; fails the test with the reason when nowhere."""
    candidates: list[Path] = []
    if os.environ.get("HALLQ_PG_BINDIR"):
        candidates.append(Path(os.environ["HALLQ_PG_BINDIR"]))
    lib = Path("/usr/lib/postgresql")
    if lib.is_dir():
        versions = sorted(
            (p for p in lib.iterdir() if p.name.isdigit()), key=lambda p: int(p.name), reverse=True
        )
        candidates += [v / "bin" for v in versions]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for where in candidates:
        if all((where / name).is_file() for name in BINARIES):
            return where
    pytest.fail(
        "PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup) were not found in "
        "HALLQ_PG_BINDIR, /usr/lib/postgresql/*/bin or the PATH: install the PostgreSQL server "
        "(apt-get install postgresql) or set HALLQ_PG_BINDIR; .ci/run checks this",
        pytrace=False,
    )


def _runner() -> tuple[list[str], int | None, int | None]:
    """The command prefix that runs a binary as a user initdb accepts, and that user's ids."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail(
            "running as root, and initdb refuses root: a `postgres` user is needed "
            "(the PostgreSQL server package makes it)",
            pytrace=False,
        )
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.fail("running as root without runuser: cannot start PostgreSQL as `postgres`")
    return [runuser, "-u", "postgres", "--"], user.pw_uid, user.pw_gid


class Cluster:
    """One PostgreSQL cluster in a directory of its own, on a port of its own."""

    def __init__(self, name: str, root: Path, settings: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.bin = bindir()
        self.prefix, self._uid, self._gid = _runner()
        self.root = root
        self.data = root / "data"
        self.log = root / "server.log"
        self.port = free_port()
        self.settings = dict(settings or {})
        self.running = False

    # --- life --------------------------------------------------------------------------------

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*self.prefix, *argv], capture_output=True, text=True, cwd=self.root, timeout=120
        )
        if check and done.returncode != 0:
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{self.name}: {' '.join(argv)} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}{tail}"
            )
        return done

    def _own(self, path: Path) -> None:
        if self._uid is not None:
            os.chown(path, self._uid, self._gid)  # type: ignore[arg-type]

    def init(self) -> Cluster:
        self._own(self.root)
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        self.configure()
        return self

    def configure(self, **more: str) -> None:
        """The settings every test cluster has, then the test's own (``postgresql.auto.conf``)."""
        lines = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.root}'",
            "fsync": "off",
            "full_page_writes": "off",
            "max_connections": "60",
            "shared_buffers": "'32MB'",
            **{k: str(v) for k, v in self.settings.items()},
            **more,
        }
        conf = self.data / "postgresql.auto.conf"
        with conf.open("a") as f:
            f.write("".join(f"{k} = {v}\n" for k, v in lines.items()))

    def start(self) -> Cluster:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
            "-w", "-t", str(START_SECONDS), "start",
        )  # fmt: skip
        self.running = True
        return self

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
            self.running = False

    # --- use ---------------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.url(database), autocommit=True, connect_timeout=10)

    def sql(self, statement: str, database: str = "postgres") -> list[tuple]:
        """Run one statement in autocommit (``CREATE DATABASE``, ``CREATE SUBSCRIPTION``...)."""
        with self.connect(database) as conn:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else []

    def create_database(self, name: str) -> str:
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)


class Clusters:
    """Makes clusters in one temporary directory; :meth:`close` stops and removes them all."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="hallq-pg-"))
        os.chmod(self.base, 0o755)
        self.made: list[Cluster] = []

    def _root(self, name: str) -> Path:
        root = self.base / name
        root.mkdir()
        return root

    def make(self, name: str, **settings: str) -> Cluster:
        """A new cluster, started, with ``settings`` (e.g. ``wal_level="logical"``)."""
        cluster = Cluster(name, self._root(name), settings)
        self.made.append(cluster)
        return cluster.init().start()

    def replica_of(self, primary: Cluster, name: str = "replica") -> Cluster:
        """A streaming replica of ``primary`` made by ``pg_basebackup -R``, started."""
        standby = Cluster(name, self._root(name))
        self.made.append(standby)
        standby._own(standby.root)
        primary._run(
            str(primary.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
            "-U", "postgres", "-D", str(standby.data), "-R", "-X", "stream", "--no-sync",
            "--checkpoint=fast",
        )  # fmt: skip
        # The copy carries the primary's settings; the replica takes its own port and socket.
        standby.configure(hot_standby="on")
        return standby.start()

    def close(self) -> None:
        for cluster in reversed(self.made):
            with contextlib.suppress(Exception):
                cluster.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


@contextmanager
def clusters() -> Iterator[Clusters]:
    """Clusters for one test: every one made is stopped and its directory removed when the block
    ends, however it ends."""
    made = Clusters()
    try:
        yield made
    finally:
        made.close()


def wait_for(predicate: Callable[[], object], seconds: float = 30, what: str = "condition") -> None:
    """Poll ``predicate`` until it is true, or fail saying ``what`` did not happen in time."""
    deadline = time.monotonic() + seconds
    while True:
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:g} s")
        time.sleep(0.1)
