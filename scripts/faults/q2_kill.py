"""kill -9 the q2 cluster while confirmation e-mails are queued; restart it; count the e-mails.

    .venv/bin/python scripts/faults/q2_kill.py

Customers file tickets through the form while a slow SMTP sink (ours, on 127.0.0.1:2526) holds
each message, so e-mails queue up in Redis. Mid-load the whole cluster (guard, pusher,
workers, monitor) gets SIGKILL; the load goes on with no cluster, then the cluster restarts.
E-mails whose task the dead cluster had already taken from Redis stay "pending", and one being
sent at the kill stays "sending": the every-minute `send_due_notifications` schedule resends
the first after 2 minutes and reclaims the second after 10. Rather than wait, the script calls
`tickets.notifications.send_due(now=now + 11 minutes)` once, as that schedule would then.
Finally every e-mail owed must have reached the sink; one that reached it twice (sent, then
killed before it was marked sent) is reported as a duplicate.
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
from scripts.smtp_sink import SmtpSink  # noqa: E402

NAME = "q2_kill"
SEND_DUE_LATER = (
    "from datetime import timedelta; from django.utils import timezone; "
    "from tickets.notifications import send_due; "
    "print(send_due(now=timezone.now() + timedelta(minutes=11)))"
)


def main() -> int:
    figures: dict = {"failed_checks": []}
    with (
        fault_services(NAME) as services,
        SmtpSink(OUTPUT / f"{NAME}-mail.jsonl", port=SMTP_PORT, delay=0.8) as sink,
    ):
        with fault_shape(NAME, services, EMAIL_URL=sink.url) as shape:
            before = notification_states(services)

            def kill_cluster() -> dict:
                at_kill = {
                    "queued_in_redis_at_kill": queued_tasks(services),
                    "notifications_at_kill": dict(notification_states(services) - before),
                    "received_at_kill": len(sink.messages),
                }
                shape.kill_worker()
                say(f"[{NAME}] kill -9 of the q2 cluster's process group: {at_kill}")
                return at_kill

            stats, ledger, at_kill = asyncio.run(
                load_beside(
                    shape.url,
                    customers=12,
                    seconds=25,
                    fault_after=12,
                    fault=kill_cluster,
                    deflect_share=0.2,
                )
            )
            figures.update(at_kill)
            show_load(f"[{NAME}] load", stats)
            figures["load_requests"], figures["load_failures"] = stats.requests, stats.failed
            figures["queued_in_redis_before_restart"] = queued_tasks(services)
            figures["received_before_restart"] = len(sink.messages)

            started = time.monotonic()
            shape.start_worker()
            drained = wait_for(lambda: queued_tasks(services) == 0, timeout=120)
            wait_for(
                lambda: not (notification_states(services) - before).get("pending"), timeout=20
            )
            time.sleep(2)
            left = notification_states(services) - before
            figures["seconds_to_drain_after_restart"] = round(time.monotonic() - started, 1)
            figures["left_after_restart"] = dict(left)
            say(f"[{NAME}] restarted; queue drained: {drained}; left over: {dict(left)}")
            if not drained:
                figures["failed_checks"].append("the restarted cluster did not drain the queue")

            sent_later = manage_shell(shape.env, SEND_DUE_LATER).splitlines()[-1]
            figures["sent_by_send_due_11_minutes_later"] = int(sent_later)
            say(f"[{NAME}] send_due(now + 11 min) sent {sent_later} more")
            time.sleep(1)
            figures["emails_received"] = len(sink.messages)
            if stats.failed:
                figures["failed_checks"].append(f"{stats.failed} requests failed under load")
            return conclude(NAME, services, ledger, figures, sent_emails=sink.messages)


if __name__ == "__main__":
    sys.exit(main())
