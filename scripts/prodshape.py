"""The production shape on one machine: gunicorn + WhiteNoise, PostgreSQL, Redis, a q2 cluster.

`make serve-prod` runs `python scripts/prodshape.py`, which supervises both (scripts/supervisor.py:
a dead one is restarted, the other keeps running); the load and fault scripts import
`ProductionShape` to start, kill and restart the same processes with the same environment.
"""

import argparse
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.supervisor import Supervisor, stop_process_groups  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable

# Not the `deflect` database and Redis db 0 that CI and `make test` use: a test run's
# cache.clear() flushes its Redis db, which would drop this shape's queued tasks.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/deflect_prod"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000
# 2 cores: 4 processes keep both busy while some wait on PostgreSQL or Redis, and 2 threads
# each let a process overlap that waiting without the memory of more processes.
DEFAULT_WORKERS, DEFAULT_THREADS = 4, 2
# A request here takes well under a second: 4 s lets those in flight finish on a stop, and keeps
# Ctrl-C prompt (the supervisor kills what is still running 6 s after SIGTERM).
GRACEFUL_TIMEOUT = 4


# Every simulated customer of a loopback load run comes from 127.0.0.1: raise the per-client
# limits (DRF throttles and the portal's rate limits) or the run measures throttling.
LOAD_TEST_LIMITS = {
    "THROTTLE_SUGGEST": "1000000/min",
    "THROTTLE_DEFLECT": "1000000/min",
    "THROTTLE_TICKETS": "1000000/hour",
    "RATE_LIMIT_CONTACT": "1000000/hour",
    "RATE_LIMIT_DEFLECT": "1000000/min",
    "RATE_LIMIT_REPLY": "1000000/hour",
    # The simulated customers file far more tickets an hour than a real one; the faults count
    # every confirmation e-mail owed.
    "RATE_LIMIT_CONFIRMATION_EMAILS": "1000000/hour",
}


def say(*parts) -> None:
    sys.stdout.write(" ".join(str(part) for part in parts) + "\n")
    sys.stdout.flush()


def production_env(*, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, **overrides) -> dict:
    """The environment of every process of the shape; the caller's own values win."""
    env = dict(os.environ)
    defaults = {
        "DATABASE_URL": DEFAULT_DATABASE_URL,
        "REDIS_URL": DEFAULT_REDIS_URL,
        # Generated per run unless given: sessions and signed links last as long as the run.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback; behind a real TLS proxy leave this unset (redirect on).
        "SECURE_SSL_REDIRECT": "0",
        "BASE_URL": f"http://{host}:{port}",
        "EMAIL_URL": "console:",
    }
    for name, value in defaults.items():
        env.setdefault(name, value)
    env.update({key: str(value) for key, value in overrides.items()})
    # The suggestion index files of this database (kb/engine/index_file.py), apart from any other's.
    env.setdefault("DEFLECT_INDEX_DIR", str(index_dir_for(env["DATABASE_URL"])))
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.production"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def index_dir_for(database_url: str) -> Path:
    parts = urlsplit(database_url)
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"{parts.hostname}-{parts.port}-{parts.path}").strip("-")
    return ROOT / "var" / "index" / name


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database named in the URL when it does not exist yet."""
    import psycopg

    parts = urlsplit(database_url)
    name = unquote(parts.path.lstrip("/"))
    params = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or "") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            say(f"Created database {name}")


def manage(env: dict, *args: str, quiet: bool = False) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=quiet, text=True
    )
    if result.returncode != 0:
        if quiet:
            sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode})")
    return result


def prepare(env: dict, *, demo: bool = True, quiet: bool = False) -> None:
    """Database, migrations, static files and (for a loopback run) the demo help centre."""
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", quiet=True)
    manage(env, "collectstatic", "--noinput", quiet=True)
    if demo:
        manage(env, "seed_demo", quiet=quiet)


class ProductionShape:
    """The web server and the q2 cluster as separate process groups, killable one at a time."""

    def __init__(
        self,
        env: dict,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        workers: int = DEFAULT_WORKERS,
        threads: int = DEFAULT_THREADS,
        log_dir: Path | None = None,
    ):
        self.env, self.host, self.port = env, host, port
        self.workers, self.threads = workers, threads
        self.log_dir = log_dir
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        output = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115  (child keeps it)
        # A session of its own: Ctrl-C reaches us only, and a kill reaches all its children.
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,
        )

    def start_web(self) -> subprocess.Popen:
        self.web = self._spawn(
            "gunicorn",
            [
                PYTHON,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                f"--bind={self.host}:{self.port}",
                f"--workers={self.workers}",
                "--worker-class=gthread",
                f"--threads={self.threads}",
                "--timeout=30",
                f"--graceful-timeout={GRACEFUL_TIMEOUT}",
                "--keep-alive=5",
                "--worker-tmp-dir=/dev/shm",
                "--error-logfile=-",
                "--no-control-socket",  # several shapes may run side by side
            ],
        )
        return self.web

    def start_worker(self) -> subprocess.Popen:
        self.worker = self._spawn("qcluster", [PYTHON, "manage.py", "qcluster"])
        return self.worker

    def start(self, *, wait: float = 60) -> None:
        self.start_worker()
        self.start_web()
        self.wait_healthy(timeout=wait)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def wait_healthy(self, *, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web is not None and self.web.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.web.returncode}")
            if self.healthy():
                return
            time.sleep(0.3)
        raise RuntimeError(f"{self.url}/healthz did not answer 200 within {timeout:.0f}s")

    @staticmethod
    def _signal_group(process: subprocess.Popen | None, signum: int) -> None:
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signum)
            except ProcessLookupError:
                pass

    def kill_worker(self) -> None:
        """kill -9 the whole q2 cluster: its guard, pusher, workers and monitor at once."""
        self._signal_group(self.worker, signal.SIGKILL)
        if self.worker is not None:
            self.worker.wait()

    def stop_worker(self) -> None:
        stop_process_groups({"qcluster": self.worker})

    def stop(self) -> None:
        stop_process_groups({"gunicorn": self.web, "qcluster": self.worker})

    def __enter__(self) -> "ProductionShape":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", DEFAULT_HOST))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", DEFAULT_PORT)))
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument("--no-demo", action="store_true", help="don't load the demo help centre")
    parser.add_argument(
        "--load-limits",
        action="store_true",
        help="raise per-client rate limits for a load run from 127.0.0.1 (never in production)",
    )
    args = parser.parse_args(argv)

    limits = (
        {k: os.environ.get(k, v) for k, v in LOAD_TEST_LIMITS.items()} if args.load_limits else {}
    )
    env = production_env(host=args.host, port=args.port, **limits)
    if args.host not in env["ALLOWED_HOSTS"].split(","):
        env["ALLOWED_HOSTS"] += f",{args.host}"
    say("Preparing: migrate, collectstatic" + ("" if args.no_demo else ", demo content"))
    prepare(env, demo=not args.no_demo)
    shape = ProductionShape(
        env, host=args.host, port=args.port, workers=args.workers, threads=args.threads
    )
    supervisor = Supervisor({"qcluster": shape.start_worker, "gunicorn": shape.start_web})
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    announced = False

    def announce_once_healthy() -> None:
        nonlocal announced
        if not announced and shape.healthy():
            announced = True
            say(
                f"Production shape on {shape.url}/ : gunicorn {args.workers} workers x "
                f"{args.threads} threads, q2 cluster, PostgreSQL "
                f"{urlsplit(env['DATABASE_URL']).path}, Redis {urlsplit(env['REDIS_URL']).path}. "
                "A process that dies is restarted; Ctrl-C stops all."
            )

    status = supervisor.run(stopping=lambda: stopping, on_poll=announce_once_healthy)
    say("Stopped gunicorn and the q2 cluster.")
    return status


if __name__ == "__main__":
    sys.exit(main())
