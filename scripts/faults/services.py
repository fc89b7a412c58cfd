"""A Redis and a PostgreSQL of the fault scripts' own, on private ports, for them to break.

The machine's Redis (6379) and PostgreSQL (5432) serve everyone else on it: other test runs,
`make serve-prod`, people. A fault script that shuts one of them down breaks all of those, so
the scripts start their own servers in a temporary directory and `refuse_shared` stops any of
them (and any helper here) from aiming at the shared ports.

    with PrivateRedis() as redis_server, PrivatePostgres() as postgres:
        redis_server.url(0), postgres.url("deflect_faults")
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

SHARED_PORTS = {5432: "PostgreSQL", 6379: "Redis"}
DEFAULT_PORTS = {"postgres": 5432, "postgresql": 5432, "redis": 6379, "rediss": 6379}
START_TIMEOUT = 30


class SharedServiceError(RuntimeError):
    """A fault script was about to touch a service that others on the machine use."""


def refuse_shared(target: int | str) -> None:
    """Raise SharedServiceError for a port, or a URL, of the machine's shared services."""
    if isinstance(target, str):
        parts = urlsplit(target)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
        # A URL without a host reaches the shared server through its Unix socket.
        if not parts.hostname or parts.hostname.startswith("/"):
            raise SharedServiceError(f"{target}: name a private host and port")
    else:
        port = target
    if port in SHARED_PORTS:
        raise SharedServiceError(
            f"port {port} is the machine's shared {SHARED_PORTS[port]}: fault scripts start "
            "and break their own servers on private ports"
        )


def free_port() -> int:
    """A port nothing listens on now (the kernel's choice: never one of the shared ones)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} within {timeout:.0f}s")
        time.sleep(0.1)


class PrivateRedis:
    """redis-server on a private port, in memory only (no RDB, no AOF): a restart empties it."""

    def __init__(self, *, port: int | None = None, log_path: Path | None = None):
        self.port = port or free_port()
        refuse_shared(self.port)
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def ping(self) -> bool:
        # A bare PING: redis-py's client retries a refused connection for seconds.
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> "PrivateRedis":
        refuse_shared(self.port)
        output = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                tempfile.gettempdir(),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self.ping, timeout=START_TIMEOUT, what=f"Redis did not answer on {self.port}")
        return self

    def shutdown(self) -> None:
        """SHUTDOWN NOSAVE: everything in it is lost, as when a Redis host dies."""
        refuse_shared(self.port)
        if self.process is None or self.process.poll() is not None:
            return
        subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True,
            timeout=10,
        )
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    stop = shutdown

    def __enter__(self) -> "PrivateRedis":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def postgres_bin_dir() -> Path:
    """The newest server binaries Debian installed (initdb and pg_ctl are not on PATH there)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise FileNotFoundError("no PostgreSQL server binaries (initdb, pg_ctl) found")


class PrivatePostgres:
    """A PostgreSQL cluster of its own: initdb into a temporary directory, a private port.

    PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` user and
    its commands run through `runuser`. Trust authentication, loopback only.
    """

    def __init__(self, *, port: int | None = None, log_copy: Path | None = None):
        self.port = port or free_port()
        refuse_shared(self.port)
        self.log_copy = log_copy
        self.bin_dir = postgres_bin_dir()
        self.workdir: Path | None = None

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*prefix, str(self.bin_dir / command[0]), *command[1:]],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    def start(self) -> "PrivatePostgres":
        refuse_shared(self.port)
        self.workdir = Path(tempfile.mkdtemp(prefix="deflect-faults-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.workdir, user="postgres", group="postgres")
        data = self.workdir / "data"
        self._run(
            "initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl",
            "-D",
            str(data),
            "-l",
            str(self.workdir / "postgres.log"),
            "-o",
            options,
            "-w",
            "-t",
            str(START_TIMEOUT),
            "start",
        )
        return self

    def stop(self) -> None:
        if self.workdir is None:
            return
        try:
            self._run("pg_ctl", "-D", str(self.workdir / "data"), "-m", "fast", "-w", "stop")
        except subprocess.CalledProcessError:
            pass  # not running (it never started, or was stopped already)
        finally:
            log = self.workdir / "postgres.log"
            if self.log_copy is not None and log.exists():
                self.log_copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(log, self.log_copy)
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> "PrivatePostgres":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
