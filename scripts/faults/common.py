"""What the fault scripts share: their own production shape, load beside a fault, the verdict.

A fault run touches nothing anything else uses: it starts its own Redis and its own PostgreSQL
cluster on private ports (scripts/faults/services.py; the shared 6379 and 5432 are refused),
creates the database `deflect_faults` there, and serves on port 8010. Each run starts alike,
from a fresh cluster and an empty Redis.
"""

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

if __package__ in (None, "") or __package__ == "faults":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.faults.services import PrivatePostgres, PrivateRedis, refuse_shared  # noqa: E402
from scripts.loadtest import Stats, print_table, run_customers  # noqa: E402
from scripts.prodshape import (  # noqa: E402
    LOAD_TEST_LIMITS,
    ROOT,
    ProductionShape,
    manage,
    prepare,
    production_env,
    say,
)
from scripts.verify import Ledger, connect, report_lines, verify  # noqa: E402

HOST, PORT = "127.0.0.1", 8010
DATABASE = "deflect_faults"
SMTP_PORT = 2526
TASK_QUEUE_KEY = "django_q:deflect:q"  # django-q2's Redis list for the cluster named "deflect"
OUTPUT = ROOT / "var" / "faults"


@dataclass
class FaultServices:
    """The run's own Redis and PostgreSQL, and the URLs the shape and the checks use."""

    redis: PrivateRedis
    postgres: PrivatePostgres

    @property
    def database_url(self) -> str:
        return self.postgres.url(DATABASE)

    @property
    def redis_url(self) -> str:
        return self.redis.url(0)


@contextmanager
def fault_services(name: str):
    """Start a private Redis and PostgreSQL for one fault run; stop and remove them after."""
    logs = OUTPUT / name
    logs.mkdir(parents=True, exist_ok=True)
    with PrivateRedis(log_path=logs / "redis.log") as redis_server:
        with PrivatePostgres(log_copy=logs / "postgres.log") as postgres:
            say(f"[{name}] own Redis on port {redis_server.port}, PostgreSQL on {postgres.port}")
            yield FaultServices(redis=redis_server, postgres=postgres)


def fault_env(services: FaultServices, **overrides) -> dict:
    env = production_env(
        host=HOST,
        port=PORT,
        DATABASE_URL=services.database_url,
        REDIS_URL=services.redis_url,
        **LOAD_TEST_LIMITS,
        **overrides,
    )
    # Never the machine's shared servers, whatever the environment or a caller said.
    refuse_shared(env["DATABASE_URL"])
    refuse_shared(env["REDIS_URL"])
    return env


def redis_db(services: FaultServices) -> redis.Redis:
    return redis.Redis.from_url(services.redis_url, socket_connect_timeout=1, socket_timeout=2)


@contextmanager
def fault_shape(name: str, services: FaultServices, **env_overrides):
    """Prepare the fault database and start gunicorn and the q2 cluster; stop them after."""
    env = fault_env(services, **env_overrides)
    say(f"[{name}] preparing the database and static files ...")
    prepare(env, demo=True, quiet=True)
    shape = ProductionShape(env, host=HOST, port=PORT, log_dir=OUTPUT / name)
    try:
        shape.start()
        say(f"[{name}] production shape up on {shape.url} (logs in {OUTPUT / name})")
        yield shape
    finally:
        shape.stop()


def manage_shell(env: dict, code: str) -> str:
    return manage(env, "shell", "-c", code, quiet=True).stdout.strip()


def notification_states(services: FaultServices) -> Counter:
    with connect(services.database_url) as db:
        rows = db.execute("SELECT state, count(*) FROM tickets_notification GROUP BY state")
        return Counter(dict(rows.fetchall()))


def queued_tasks(services: FaultServices) -> int | None:
    try:
        return redis_db(services).llen(TASK_QUEUE_KEY)
    except redis.RedisError:
        return None


def wait_for(predicate: Callable[[], bool], *, timeout: float, interval: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


async def load_beside(
    url: str,
    *,
    customers: int,
    seconds: float,
    fault_after: float,
    fault: Callable[[], dict],
    think: float = 0.3,
    deflect_share: float = 0.5,
) -> tuple[Stats, Ledger, dict]:
    """Run the simulated customers and, `fault_after` seconds in, the fault (in a thread)."""
    load = asyncio.create_task(
        run_customers(
            url,
            customers=customers,
            seconds=seconds,
            think_scale=think,
            deflect_share=deflect_share,
        )
    )
    await asyncio.sleep(fault_after)
    figures = await asyncio.to_thread(fault)
    stats, ledger, _elapsed = await load
    return stats, ledger, figures


def show_load(title: str, stats: Stats) -> None:
    say(f"{title}: {stats.requests} requests, {stats.failed} failed")
    print_table(stats.table())
    for sample in stats.failure_samples[:8]:
        say(f"  failure: {sample}")


def conclude(
    name: str,
    services: FaultServices,
    ledger: Ledger,
    figures: dict,
    *,
    sent_emails: list[dict] | None = None,
) -> int:
    """Verify nothing was lost, print and save the figures; the exit status of the script."""
    result = verify(ledger, services.database_url, sent_emails=sent_emails)
    for line in report_lines(result):
        say(f"[{name}] {line}")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{name}.json").write_text(
        json.dumps({**figures, "verification": result}, indent=2, default=str)
    )
    ok = not result["problems"] and not figures.get("failed_checks")
    for check in figures.get("failed_checks", []):
        say(f"[{name}] FAILED: {check}")
    say(f"[{name}] {'PASS' if ok else 'FAIL'} (figures in {OUTPUT / (name + '.json')})")
    return 0 if ok else 1
