"""PostgreSQL cuts the portal's connections mid-request, again and again, during a load run.

    .venv/bin/python scripts/faults/pg_terminate.py

For a few seconds `pg_terminate_backend` ends every connection to the fault database several
times a second (web workers' and the q2 cluster's). Requests caught by it must fail cleanly
(an error response, nothing half-written: each ticket has its creation event, its e-mail owed
and its contact session marked, whatever the client was told) and, once it stops, the next
requests must all succeed: Django's connection health checks replace the dead connections.
"""

import asyncio
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.faults.common import (  # noqa: E402
    DATABASE,
    FaultServices,
    conclude,
    fault_services,
    fault_shape,
    load_beside,
    say,
    show_load,
)
from scripts.loadtest import run_customers  # noqa: E402
from scripts.verify import connect  # noqa: E402

NAME = "pg_terminate"
WINDOW_SECONDS, INTERVAL_SECONDS = 10, 0.25

# Every ticket written since the run began, whoever filed it (the ledger knows only what the
# clients were told), must be whole. The demo history loaded before it has no e-mails owed.
HALF_WRITTEN = {
    "tickets without their 'created' event": (
        "SELECT count(*) FROM tickets_ticket t WHERE t.created_at >= %(since)s AND NOT EXISTS "
        "(SELECT 1 FROM tickets_ticketevent e WHERE e.ticket_id = t.id AND e.kind = 'created')"
    ),
    "tickets without their confirmation e-mail owed": (
        "SELECT count(*) FROM tickets_ticket t WHERE t.created_at >= %(since)s AND NOT EXISTS "
        "(SELECT 1 FROM tickets_notification n WHERE n.ticket_id = t.id "
        "AND n.kind = 'ticket_received')"
    ),
    "tickets whose contact session is not marked 'ticket'": (
        "SELECT count(*) FROM tickets_ticket t JOIN tickets_contactsession s "
        "ON s.id = t.contact_session_id WHERE t.created_at >= %(since)s AND s.outcome <> 'ticket'"
    ),
    "contact sessions marked 'ticket' without one": (
        "SELECT count(*) FROM tickets_contactsession s WHERE s.created_at >= %(since)s "
        "AND s.outcome = 'ticket' AND NOT EXISTS "
        "(SELECT 1 FROM tickets_ticket t WHERE t.contact_session_id = s.id)"
    ),
}


def terminate_connections(services: FaultServices) -> dict:
    admin = services.postgres.url("postgres")
    terminated = rounds = 0
    with connect(admin) as db:
        deadline = time.monotonic() + WINDOW_SECONDS
        while time.monotonic() < deadline:
            rows = db.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [DATABASE],
            ).fetchall()
            terminated += sum(1 for (done,) in rows if done)
            rounds += 1
            time.sleep(INTERVAL_SECONDS)
    say(f"[{NAME}] terminated {terminated} connections in {rounds} rounds over {WINDOW_SECONDS}s")
    return {"connections_terminated": terminated, "rounds": rounds, "window": WINDOW_SECONDS}


def main() -> int:
    figures: dict = {"failed_checks": []}
    with fault_services(NAME) as services:
        with fault_shape(NAME, services) as shape:
            with connect(services.database_url) as db:
                since = db.execute("SELECT now()").fetchone()[0]
            stats, ledger, cut = asyncio.run(
                load_beside(
                    shape.url,
                    customers=12,
                    seconds=WINDOW_SECONDS + 8,
                    fault_after=4,
                    fault=lambda: terminate_connections(services),
                )
            )
            figures.update(cut)
            show_load(f"[{NAME}] load while connections are cut", stats)
            figures["during"] = {
                "requests": stats.requests,
                "failed": stats.failed,
                "failed_by_endpoint": stats.failures,
                "samples": stats.failure_samples,
            }
            after, after_ledger, _ = asyncio.run(
                run_customers(shape.url, customers=12, seconds=12, think_scale=0.3)
            )
            ledger.merge(after_ledger)
            show_load(f"[{NAME}] load after", after)
            figures["after"] = {"requests": after.requests, "failed": after.failed}
            if after.failed:
                figures["failed_checks"].append(f"{after.failed} requests failed after the cuts")
            with connect(services.database_url) as db:
                for label, query in HALF_WRITTEN.items():
                    count = db.execute(query, {"since": since}).fetchone()[0]
                    figures[label] = count
                    if count:
                        figures["failed_checks"].append(f"{count} {label}")
            say(f"[{NAME}] half-written: " + ", ".join(f"{k} {figures[k]}" for k in HALF_WRITTEN))
        # The shape has stopped; the database is checked while its server still runs.
        return conclude(NAME, services, ledger, figures)


if __name__ == "__main__":
    sys.exit(main())
