"""`make serve-prod` keeps serving when its q2 cluster dies, restarts the cluster, stops promptly.

Starts scripts/prodshape.py for real (gunicorn, a q2 cluster) over the machine's PostgreSQL, in
a database of its own, and a Redis of its own; skipped when PostgreSQL or redis-server is not
there. The first run migrates that database; later runs take about 15 s.
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from scripts.faults.services import PrivateRedis, free_port

ROOT = Path(__file__).resolve().parents[2]


def shape_database_url() -> str:
    """The suite's PostgreSQL server when it runs on one, else the local one; its own database."""
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith("postgres"):
        parts = urlsplit(configured)
        return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_prodshape"))
    return "postgres://postgres@127.0.0.1:5432/deflect_prodshape_test"


def postgres_reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            connect_timeout=2,
        ).close()
    except psycopg.Error:
        return False
    return True


pytestmark = [
    pytest.mark.skipif(sys.platform != "linux", reason="reads the process table from /proc"),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed"),
    pytest.mark.skipif(
        not postgres_reachable(shape_database_url()), reason="PostgreSQL is unreachable"
    ),
]


def children(pid: int) -> dict[int, str]:
    """Live child processes of `pid` and their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if stat[0] != "Z" and int(stat[1]) == pid:
            found[int(entry.name)] = command
    return found


def cluster_pid(shape: subprocess.Popen) -> int | None:
    pids = [pid for pid, command in children(shape.pid).items() if "qcluster" in command]
    return pids[0] if pids else None


def wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout:.0f}s")


class HealthProbe(threading.Thread):
    """Asks /healthz ten times a second and keeps every answer (a status or an error)."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.answers, self.done = url, [], threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    self.answers.append(response.status)
            except urllib.error.HTTPError as error:
                self.answers.append(error.code)
            except OSError as error:
                self.answers.append(type(error).__name__)
            time.sleep(0.1)


@pytest.fixture
def production_shape(tmp_path):
    port = free_port()
    output = tmp_path / "serve-prod.log"
    with PrivateRedis() as redis_server, output.open("w") as log:
        env = {**os.environ, "DATABASE_URL": shape_database_url(), "REDIS_URL": redis_server.url()}
        # The shape's index files stay apart from the suite's (prodshape.py names a directory
        # per database), even when the suite was given a directory of its own.
        env.pop("DEFLECT_INDEX_DIR", None)
        shape = subprocess.Popen(
            [
                sys.executable,
                "scripts/prodshape.py",
                "--port",
                str(port),
                "--no-demo",
                "--workers",
                "1",
                "--threads",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        shape.log, shape.url = output, f"http://127.0.0.1:{port}"
        try:
            wait_for(
                lambda: "Production shape on" in output.read_text() or shape.poll() is not None,
                timeout=300,  # a first run migrates the database
                what="the shape did not come up",
            )
            assert shape.poll() is None, output.read_text()
            yield shape
        finally:
            leftovers = children(shape.pid)
            if shape.poll() is None:
                shape.send_signal(signal.SIGTERM)
                try:
                    shape.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    shape.kill()
            for pid in leftovers:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def test_the_shape_outlives_its_q2_cluster_and_still_stops_within_seconds(production_shape):
    # One shape for both checks: starting one is most of this test's time.
    shape = production_shape
    first_cluster = cluster_pid(shape)
    assert first_cluster is not None
    probe = HealthProbe(f"{shape.url}/healthz")
    probe.start()
    time.sleep(0.5)

    os.killpg(first_cluster, signal.SIGKILL)
    second_cluster = wait_for(
        lambda: (pid := cluster_pid(shape)) != first_cluster and pid,
        timeout=15,
        what="no new q2 cluster",
    )
    wait_for(
        lambda: shape.log.read_text().count(" running.") >= 2,
        # Serving never waits for it (the probe checks that); starting the cluster does, and
        # under coverage (which follows subprocesses) beside CI's other half it took over 30 s.
        timeout=90,
        what="the new cluster did not report running",
    )
    time.sleep(1)
    probe.done.set()
    probe.join()

    assert shape.poll() is None
    assert cluster_pid(shape) == second_cluster
    assert probe.answers and set(probe.answers) == {200}, probe.answers
    assert "qcluster exited with -9; restarting it" in shape.log.read_text()

    processes = children(shape.pid)
    assert len(processes) == 2  # gunicorn's master and the q2 cluster's sentinel
    started = time.monotonic()
    shape.send_signal(signal.SIGTERM)
    shape.wait(timeout=30)

    assert time.monotonic() - started < 8
    assert shape.returncode == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in processes)
    assert "Stopped gunicorn and the q2 cluster." in shape.log.read_text()
