"""What the fault scripts share: their own production shape, load beside a fault, the verdict.

A fault run never touches `make serve-prod`'s data: it uses the database `deflect_faults`,
Redis db 2 and port 8010, and empties its Redis db first so that each run starts alike.
"""

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import redis

if __package__ in (None, "") or __package__ == "faults":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

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
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/deflect_faults"
REDIS_URL = "redis://127.0.0.1:6379/2"
SMTP_PORT = 2526
TASK_QUEUE_KEY = "django_q:deflect:q"  # django-q2's Redis list for the cluster named "deflect"
OUTPUT = ROOT / "var" / "faults"


def fault_env(**overrides) -> dict:
    return production_env(
        host=HOST,
        port=PORT,
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        **LOAD_TEST_LIMITS,
        **overrides,
    )


def redis_db() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)


@contextmanager
def fault_shape(name: str, **env_overrides):
    """Prepare the fault database and start gunicorn and the q2 cluster; stop them after."""
    env = fault_env(**env_overrides)
    say(f"[{name}] preparing the database and static files ...")
    prepare(env, demo=True, quiet=True)
    redis_db().flushdb()
    shape = ProductionShape(env, host=HOST, port=PORT, log_dir=OUTPUT / name)
    try:
        shape.start()
        say(f"[{name}] production shape up on {shape.url} (logs in {OUTPUT / name})")
        yield shape
    finally:
        shape.stop()


def manage_shell(env: dict, code: str) -> str:
    return manage(env, "shell", "-c", code, quiet=True).stdout.strip()


def notification_states() -> Counter:
    with connect(DATABASE_URL) as db:
        rows = db.execute("SELECT state, count(*) FROM tickets_notification GROUP BY state")
        return Counter(dict(rows.fetchall()))


def queued_tasks() -> int | None:
    try:
        return redis_db().llen(TASK_QUEUE_KEY)
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
    name: str, ledger: Ledger, figures: dict, *, sent_emails: list[dict] | None = None
) -> int:
    """Verify nothing was lost, print and save the figures; the exit status of the script."""
    result = verify(ledger, DATABASE_URL, sent_emails=sent_emails)
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
