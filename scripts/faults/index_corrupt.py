"""The stored suggestion index missing, then garbled, when the web workers start.

    .venv/bin/python scripts/faults/index_corrupt.py

With the shape stopped, the script deletes every kb_suggestindexsnapshot row and the index
files the processes map (kb/engine/index_file.py) and starts it; later it overwrites the rows
and the files with garbage and starts it again. Each time suggestions must answer
200 throughout (empty results while there is no usable index, never an error) and come back by
themselves: kb/shared_index.py drops a snapshot it cannot decode and queues a build, and a
missing one is built on the first request (the q2 cluster builds it; each worker picks it up within
SUGGEST_INDEX_CHECK_SECONDS). A short load run and the usual verification end it.
"""

import asyncio
import sys
import time
from pathlib import Path

import httpx

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.faults.common import (  # noqa: E402
    conclude,
    fault_services,
    fault_shape,
    say,
    show_load,
)
from scripts.loadtest import run_customers  # noqa: E402
from scripts.verify import connect  # noqa: E402

NAME = "index_corrupt"
QUERIES = ["reset my password", "export timesheets", "invite my team", "payroll export"]
RECOVERY_TIMEOUT = 120
# Missing first: the run starts with an empty Redis, as a fresh start-up would. (The other way
# round, the build request for the missing index can wait up to 60 s behind the debounce key
# kb/shared_index.py set for the garbled one.)
DAMAGE = {
    "missing": "DELETE FROM kb_suggestindexsnapshot",
    "garbled": "UPDATE kb_suggestindexsnapshot SET data = convert_to('not an index', 'UTF8')",
}


def damage_index_files(directory: Path, damage: str) -> int:
    """Delete or garble the mapped index files as the rows were; how many there were."""
    files = list(directory.glob("*.idx"))
    for path in files:
        if damage == "missing":
            path.unlink()
        else:
            path.write_bytes(b"not an index")
    return len(files)


def watch_recovery(url: str) -> dict:
    """Ask for suggestions until they come back; every answer must be 200."""
    started = time.monotonic()
    statuses: dict[int, int] = {}
    empty = 0
    with httpx.Client(base_url=url, headers={"X-Forwarded-Proto": "https"}) as client:
        while time.monotonic() - started < RECOVERY_TIMEOUT:
            for query in QUERIES:
                response = client.get("/api/v1/suggest", params={"q": query})
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code == 200 and response.json()["results"]:
                    return {
                        "recovered_after_s": round(time.monotonic() - started, 1),
                        "statuses": statuses,
                        "empty_answers_meanwhile": empty,
                    }
                empty += response.status_code == 200
            time.sleep(0.2)
    return {"recovered_after_s": None, "statuses": statuses, "empty_answers_meanwhile": empty}


def snapshots(database_url: str) -> list[tuple]:
    with connect(database_url) as db:
        return db.execute(
            "SELECT id, generation, article_count, length(data) FROM kb_suggestindexsnapshot"
        ).fetchall()


def main() -> int:
    figures: dict = {"failed_checks": []}
    with fault_services(NAME) as services:
        with fault_shape(NAME, services) as shape:
            for damage, statement in DAMAGE.items():
                shape.stop()
                with connect(services.database_url) as db:
                    damaged = db.execute(statement).rowcount
                files = damage_index_files(Path(shape.env["DEFLECT_INDEX_DIR"]), damage)
                say(f"[{NAME}] {damage}: {damaged} snapshot rows, {files} files; starting")
                shape.start()
                outcome = watch_recovery(shape.url)
                outcome["damaged_rows"], outcome["damaged_files"] = damaged, files
                outcome["snapshots_after"] = snapshots(services.database_url)
                figures[damage] = outcome
                say(f"[{NAME}] {damage}: {outcome}")
                if outcome["recovered_after_s"] is None:
                    figures["failed_checks"].append(f"{damage}: suggestions did not come back")
                if set(outcome["statuses"]) != {200}:
                    figures["failed_checks"].append(f"{damage}: answers {outcome['statuses']}")
            stats, ledger, _ = asyncio.run(
                run_customers(shape.url, customers=8, seconds=10, think_scale=0.3)
            )
            show_load(f"[{NAME}] load after recovery", stats)
            figures["after"] = {"requests": stats.requests, "failed": stats.failed}
            if stats.failed:
                figures["failed_checks"].append(f"{stats.failed} requests failed after recovery")
        # The shape has stopped; the database is checked while its server still runs.
        return conclude(NAME, services, ledger, figures)


if __name__ == "__main__":
    sys.exit(main())
