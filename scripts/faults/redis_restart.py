"""Redis shut down (without saving) and restarted in the middle of a load run.

    .venv/bin/python scripts/faults/redis_restart.py

Redis is the cache (DRF throttles, rate limits, Wagtail's site root paths, the suggestion
index's build debounce) and the q2 broker. For a few seconds it is gone, then it comes back
empty: every queued task is lost. Requests must keep being served throughout (a cache miss is
not an error): the script lists those that failed while it was down (the web workers' log,
var/faults/redis_restart/gunicorn.log, has their tracebacks), requires none to fail once it is
back, and shows the e-mails whose task was lost going out through the reconciliation (the
every-minute `send_due_notifications` schedule, called here with now + 3 minutes instead of
waiting). The Redis broken is the run's own (scripts/faults/services.py), never the machine's.
"""

import asyncio
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.faults.common import (  # noqa: E402
    OUTPUT,
    SMTP_PORT,
    conclude,
    fault_services,
    fault_shape,
    load_beside,
    manage_shell,
    notification_states,
    queued_tasks,
    say,
    show_load,
    wait_for,
)
from scripts.loadtest import run_customers  # noqa: E402
from scripts.smtp_sink import SmtpSink  # noqa: E402

NAME = "redis_restart"
OUTAGE_SECONDS = 5
SEND_DUE_LATER = (
    "from datetime import timedelta; from django.utils import timezone; "
    "from tickets.notifications import send_due; "
    "print(send_due(now=timezone.now() + timedelta(minutes=3)))"
)


def main() -> int:
    figures: dict = {"failed_checks": [], "outage_seconds": OUTAGE_SECONDS}
    with (
        fault_services(NAME) as services,
        SmtpSink(OUTPUT / f"{NAME}-mail.jsonl", port=SMTP_PORT) as sink,
    ):
        with fault_shape(NAME, services, EMAIL_URL=sink.url) as shape:
            before = notification_states(services)

            def restart_redis() -> dict:
                queued = queued_tasks(services)
                services.redis.shutdown()
                down_at = time.monotonic()
                say(f"[{NAME}] Redis shut down (nosave), {queued} tasks queued")
                time.sleep(OUTAGE_SECONDS)
                services.redis.start()
                say(f"[{NAME}] Redis back after {time.monotonic() - down_at:.1f}s, empty")
                return {"queued_in_redis_at_shutdown": queued}

            stats, ledger, at_fault = asyncio.run(
                load_beside(shape.url, customers=12, seconds=25, fault_after=8, fault=restart_redis)
            )
            figures.update(at_fault)
            show_load(f"[{NAME}] load across the outage", stats)
            figures["during"] = {
                "requests": stats.requests,
                "failed": stats.failed,
                "failed_by_endpoint": stats.failures,
                "samples": stats.failure_samples,
            }
            if stats.failed:
                # Cache misses are not errors: every request should be served without Redis.
                figures["failed_checks"].append(
                    f"{stats.failed} requests failed while Redis was down: {stats.failures}"
                )

            after, after_ledger, _ = asyncio.run(
                run_customers(shape.url, customers=12, seconds=15, think_scale=0.3)
            )
            ledger.merge(after_ledger)
            show_load(f"[{NAME}] load after Redis is back", after)
            figures["after"] = {"requests": after.requests, "failed": after.failed}
            if after.failed:
                figures["failed_checks"].append(f"{after.failed} requests failed after")

            wait_for(lambda: queued_tasks(services) == 0, timeout=60)
            time.sleep(3)
            figures["notifications_before_reconciliation"] = dict(
                notification_states(services) - before
            )
            sent_later = manage_shell(shape.env, SEND_DUE_LATER).splitlines()[-1]
            figures["sent_by_send_due_3_minutes_later"] = int(sent_later)
            say(
                f"[{NAME}] e-mails {figures['notifications_before_reconciliation']}; "
                f"send_due(now + 3 min) sent {sent_later} whose task Redis lost"
            )
            time.sleep(1)
            return conclude(NAME, services, ledger, figures, sent_emails=sink.messages)


if __name__ == "__main__":
    sys.exit(main())
