"""A real StalkerLog in processes of its own, for the soak and fault-tolerance tests and for
benchmarks/soak.py: gunicorn, the background worker and the management commands, each a process
that can be killed like a real one, on a data directory and a database of the site's own.

The database is SQLite in the data directory or, when DATABASE_URL names a PostgreSQL server (as
.ci/run does), a throwaway database created on that server for the site and dropped afterwards.

Nothing here loads Django: a test process has its own (pytest-django's), and the site must not
share it. The site is read back with plain SQL (`Site.query`) or through its own commands.
"""

import json
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.client import HTTPConnection
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery staple"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
START_TIMEOUT = 60  # seconds; a busy 2-core machine can take a while to boot four workers

T = TypeVar("T")


def wait_for(condition: Callable[[], T], *, what: str, timeout: float, interval=0.05) -> T:
    """Poll until `condition()` gives something true, and return it; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout:.0f} s waiting for {what}.")
        time.sleep(interval)


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in POSTGRES_SCHEMES


def libpq_url(url: str, database: str | None = None) -> str:
    """A DATABASE_URL as psycopg takes it: without Django's options (conn_max_age, ...)."""
    parts = urlsplit(url)._replace(scheme="postgresql", query="")
    return urlunsplit(parts._replace(path=f"/{database}") if database else parts)


@contextmanager
def throwaway_database(data_dir: Path) -> Iterator[str]:
    """The URL of an empty database for one site, removed afterwards."""
    given = os.environ.get("DATABASE_URL", "")
    if not is_postgres(given):
        yield f"sqlite:///{data_dir / 'db.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    name = f"stalkerlog_live_{secrets.token_hex(6)}"
    maintenance = libpq_url(given, "postgres")

    def execute(statement: sql.Composed) -> None:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(statement)

    execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(given)._replace(path=f"/{name}"))
    finally:
        execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux: read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            # The command name, in parentheses, may hold spaces: the parent comes after it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def group_members(group: int) -> list[int]:
    """The live processes of a process group, wherever their parent went."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] not in {"Z", "X"}:
                found.append(int(stat.parent.name))
    return found


def is_alive(pid: int) -> bool:
    """Running, and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


class Process:
    """A child process in a session of its own (so that it and what it forks die together),
    with its output in a log file."""

    def __init__(self, command: list[str], *, env: dict, log: Path):
        self.log_path = log
        with open(log, "ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 (our own commands)
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid = self.popen.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to the main process only, as the OOM killer or a crash would do it."""
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        """Ask it to stop (SIGTERM), then kill whatever is left of its session."""
        if self.popen.poll() is None:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)


class Server(Process):
    """gunicorn on a free loopback port, serving the site."""

    def __init__(self, site: "Site", *, workers: int, threads: int, log: Path):
        command = [
            str(BIN / "gunicorn"),
            "stalkerlog.wsgi",
            "--bind",
            "127.0.0.1:0",  # gunicorn picks a free port and says which
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--graceful-timeout",
            "5",
            # The default control socket is one path in $HOME, shared by every gunicorn started.
            "--no-control-socket",
        ]
        if threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(threads)]
        super().__init__(command, env=site.env, log=log)
        self.workers = workers
        listening = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
        try:
            port = wait_for(
                lambda: self._exited() or listening.search(self.log()),
                what="gunicorn to listen",
                timeout=START_TIMEOUT,
            )
            self.url = f"http://127.0.0.1:{port[1]}"
            self.wait_ready()
        except BaseException:
            self.stop(timeout=5)
            raise

    def _exited(self) -> None:
        if self.popen.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at once:\n{self.log()}")

    def worker_pids(self) -> list[int]:
        return [pid for pid in children(self.pid) if is_alive(pid)]

    def wait_ready(self) -> None:
        """Until every worker is running and the sign-in page answers."""
        wait_for(
            lambda: len(self.worker_pids()) >= self.workers and self._answers(),
            what="gunicorn's workers",
            timeout=START_TIMEOUT,
        )

    def _answers(self) -> bool:
        self._exited()
        address = urlsplit(self.url)
        connection = HTTPConnection(address.hostname, address.port, timeout=10)
        try:
            connection.request("GET", "/sign-in/")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()


class Site:
    """One installation: a data directory, its database, and the processes started on them."""

    def __init__(self, data_dir: Path, database_url: str, **environment: str):
        self.data_dir = data_dir
        self.database_url = database_url
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.live_settings",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "STATIC_ROOT": str(data_dir / "static"),
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            **environment,
        }
        # Set by the browser tests for their own process; the site runs as it would in use.
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.processes: list[Process] = []

    # --- setting up and reading back -----------------------------------------------------------

    def manage(self, *args: str, check: bool = True, timeout: float = 180):
        """Run a management command to its end, in a process of its own."""
        done = subprocess.run(  # noqa: S603 (our own commands)
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and done.returncode:
            raise AssertionError(
                f"manage.py {' '.join(args)} failed ({done.returncode}):\n"
                f"{done.stdout}\n{done.stderr}"
            )
        return done

    def python(self, code: str):
        """Run Python in `manage.py shell`; returns the JSON the code printed last."""
        output = self.manage("shell", "--verbosity", "0", "--command", code).stdout
        return json.loads(output.strip().splitlines()[-1])

    def install(self, usernames=("alice",)) -> None:
        """What `make run` does first (database, static files), plus the given accounts."""
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.python(
            "import json\n"
            "from incidents.services import account_create\n"
            f"for name in {list(usernames)!r}:\n"
            f"    account_create(username=name, password={PASSWORD!r})\n"
            "print(json.dumps(True))"
        )

    def query(self, statement: str, params: tuple = ()) -> list[tuple]:
        """Read the site's database directly. Placeholders are written %s."""
        if is_postgres(self.database_url):
            import psycopg

            with psycopg.connect(libpq_url(self.database_url)) as connection:
                return connection.execute(statement, params).fetchall()
        path = self.data_dir / "db.sqlite3"
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=20)
        try:
            return connection.execute(statement.replace("%s", "?"), params).fetchall()
        finally:
            connection.close()

    # --- processes -------------------------------------------------------------------------------

    def start_server(self, *, workers: int = 2, threads: int = 1) -> Server:
        log = self.data_dir.parent / f"gunicorn-{len(self.processes)}.log"
        server = Server(self, workers=workers, threads=threads, log=log)
        self.processes.append(server)
        return server

    def start_worker(self) -> Process:
        """The background worker that makes dossiers, as `make run` starts it."""
        log = self.data_dir.parent / f"worker-{len(self.processes)}.log"
        command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"]
        worker = Process([*command, "--no-startup-delay"], env=self.env, log=log)
        self.processes.append(worker)
        return worker

    def close(self) -> None:
        for process in self.processes:
            process.stop(timeout=5)


@contextmanager
def live_site(directory: Path, usernames=("alice",), **environment: str) -> Iterator[Site]:
    """A freshly installed site under `directory`; every process it started is stopped after."""
    data_dir = directory / "data"
    with throwaway_database(data_dir) as database_url:
        site = Site(data_dir, database_url, **environment)
        try:
            site.install(usernames)
            yield site
        finally:
            site.close()
