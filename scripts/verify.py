"""Nothing lost: what the load's clients were told, checked against what PostgreSQL holds.

The load script and every fault script end with `verify(ledger, database_url)`. It reads the
tables directly (psycopg), so it needs no Django settings and sees exactly what was committed.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

REFERENCE_PREFIX, REFERENCE_OFFSET = "SUP-", 1000  # as tickets.models.Ticket.reference


@dataclass
class Ledger:
    """What the server acknowledged to the simulated customers."""

    sessions: set[str] = field(default_factory=set)  # contact sessions answered with 200
    tickets: dict[str, str] = field(default_factory=dict)  # submission uuid -> reference told
    deflections: dict[str, int] = field(default_factory=dict)  # session -> article acknowledged
    # Submissions whose every attempt failed: there must be no ticket, or one whole ticket.
    unanswered_submissions: set[str] = field(default_factory=set)

    def merge(self, other: "Ledger") -> None:
        self.sessions |= other.sessions
        self.tickets.update(other.tickets)
        self.deflections.update(other.deflections)
        self.unanswered_submissions |= other.unanswered_submissions

    def to_json(self) -> str:
        return json.dumps(
            {
                "sessions": sorted(self.sessions),
                "tickets": self.tickets,
                "deflections": self.deflections,
                "unanswered_submissions": sorted(self.unanswered_submissions),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> "Ledger":
        data = json.loads(text)
        return cls(
            sessions=set(data["sessions"]),
            tickets=data["tickets"],
            deflections={key: int(value) for key, value in data["deflections"].items()},
            unanswered_submissions=set(data["unanswered_submissions"]),
        )


def connect(database_url: str):
    import psycopg

    parts = urlsplit(database_url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or "") or None,
        dbname=unquote(parts.path.lstrip("/")),
        autocommit=True,
    )


def ticket_pk(reference: str) -> int:
    return int(reference.removeprefix(REFERENCE_PREFIX)) - REFERENCE_OFFSET


def verify(ledger: Ledger, database_url: str, *, sent_emails: list[dict] | None = None) -> dict:
    """Every acknowledged record is there exactly once and whole. Returns figures and problems.

    `sent_emails`, when given, are the messages an SMTP sink received (dicts with the
    X-Deflect-Ticket header as "ticket"): each e-mail owed for the run's tickets must have been
    sent; one received more often than sent is listed under "duplicates", apart from losses.
    """
    problems: list[str] = []
    duplicates: list[str] = []  # delivered more than once: not lost, but not exactly once
    with connect(database_url) as db:
        # 1. Every ticket reference a client was told exists, once for its submission.
        submissions = list(ledger.tickets) + sorted(ledger.unanswered_submissions)
        rows = db.execute(
            "SELECT idempotency_key, id, contact_session_id FROM tickets_ticket "
            "WHERE idempotency_key = ANY(%s)",
            [submissions],
        ).fetchall()
        by_key: dict[str, list[tuple[int, str | None]]] = {}
        for key, pk, session in rows:
            by_key.setdefault(key, []).append((pk, str(session) if session else None))
        run_tickets: dict[int, str | None] = {}
        for submission, reference in ledger.tickets.items():
            found = by_key.get(submission, [])
            if len(found) != 1:
                problems.append(f"ticket {reference} (submission {submission}): {len(found)} rows")
                continue
            pk, session = found[0]
            if pk != ticket_pk(reference):
                problems.append(f"submission {submission}: told {reference}, stored id {pk}")
            run_tickets[pk] = session
        for submission in ledger.unanswered_submissions:
            found = by_key.get(submission, [])
            if len(found) > 1:
                problems.append(f"unanswered submission {submission}: {len(found)} tickets")
            for pk, session in found:
                run_tickets[pk] = session  # committed though the answer was lost: must be whole

        # 2. Every acknowledged deflection is stored as one.
        if ledger.deflections:
            stored = {
                str(pk): (outcome, article)
                for pk, outcome, article in db.execute(
                    "SELECT id, outcome, deflected_by_id FROM tickets_contactsession "
                    "WHERE id = ANY(%s::uuid[])",
                    [list(ledger.deflections)],
                ).fetchall()
            }
            for session, article in ledger.deflections.items():
                outcome, stored_article = stored.get(session, (None, None))
                if outcome != "deflected" or stored_article != article:
                    problems.append(
                        f"deflection {session} by article {article}: stored {outcome!r}, "
                        f"{stored_article!r}"
                    )

        # 3. No contact session a client used is missing.
        present = {
            str(pk)
            for (pk,) in db.execute(
                "SELECT id FROM tickets_contactsession WHERE id = ANY(%s::uuid[])",
                [sorted(ledger.sessions)],
            ).fetchall()
        }
        for session in sorted(ledger.sessions - present):
            problems.append(f"contact session {session} missing")

        # 4. No half-written ticket: each has its creation event, its confirmation e-mail owed,
        # and its contact session marked as having led to it.
        ids = sorted(run_tickets)
        created = dict(
            db.execute(
                "SELECT ticket_id, count(*) FROM tickets_ticketevent "
                "WHERE kind = 'created' AND ticket_id = ANY(%s) GROUP BY ticket_id",
                [ids],
            ).fetchall()
        )
        owed = dict(
            db.execute(
                "SELECT ticket_id, count(*) FROM tickets_notification "
                "WHERE kind = 'ticket_received' AND ticket_id = ANY(%s) GROUP BY ticket_id",
                [ids],
            ).fetchall()
        )
        outcomes = {
            str(pk): outcome
            for pk, outcome in db.execute(
                "SELECT id, outcome FROM tickets_contactsession WHERE id = ANY(%s::uuid[])",
                [[s for s in run_tickets.values() if s]],
            ).fetchall()
        }
        for pk, session in run_tickets.items():
            reference = f"{REFERENCE_PREFIX}{pk + REFERENCE_OFFSET}"
            if created.get(pk) != 1:
                problems.append(f"{reference}: {created.get(pk, 0)} 'created' events")
            if owed.get(pk) != 1:
                problems.append(f"{reference}: {owed.get(pk, 0)} confirmation e-mails owed")
            if session and outcomes.get(session) != "ticket":
                problems.append(f"{reference}: its contact session is {outcomes.get(session)!r}")
        # Sessions of this run marked as having a ticket must have one.
        orphans = db.execute(
            "SELECT s.id FROM tickets_contactsession s LEFT JOIN tickets_ticket t "
            "ON t.contact_session_id = s.id WHERE s.outcome = 'ticket' AND t.id IS NULL "
            "AND s.id = ANY(%s::uuid[])",
            [sorted(ledger.sessions)],
        ).fetchall()
        for (session,) in orphans:
            problems.append(f"contact session {session} says 'ticket' but has none")

        # 5. E-mails: every one owed for these tickets sent, and received exactly once.
        email_figures = {}
        if sent_emails is not None:
            states = Counter(
                dict(
                    db.execute(
                        "SELECT state, count(*) FROM tickets_notification "
                        "WHERE ticket_id = ANY(%s) GROUP BY state",
                        [ids],
                    ).fetchall()
                )
            )
            sent_per_ticket = dict(
                db.execute(
                    "SELECT ticket_id, count(*) FROM tickets_notification "
                    "WHERE ticket_id = ANY(%s) AND state = 'sent' GROUP BY ticket_id",
                    [ids],
                ).fetchall()
            )
            received = Counter(message.get("ticket") for message in sent_emails)
            for state, count in states.items():
                if state != "sent":
                    problems.append(f"{count} e-mails still {state!r}")
            for pk in ids:
                reference = f"{REFERENCE_PREFIX}{pk + REFERENCE_OFFSET}"
                got, want = received.get(reference, 0), sent_per_ticket.get(pk, 0)
                if got < want:
                    problems.append(f"{reference}: {want} e-mails sent, {got} received")
                elif got > want:
                    duplicates.append(f"{reference}: {want} e-mails sent, {got} received")
            email_figures = {
                "emails_owed": sum(states.values()),
                "emails_sent": states.get("sent", 0),
                "emails_received": sum(
                    received[f"{REFERENCE_PREFIX}{pk + REFERENCE_OFFSET}"] for pk in ids
                ),
                "emails_duplicated": len(duplicates),
            }

    return {
        "tickets_told": len(ledger.tickets),
        "tickets_committed_unanswered": len(run_tickets) - len(ledger.tickets),
        "deflections_told": len(ledger.deflections),
        "sessions_used": len(ledger.sessions),
        **email_figures,
        "problems": problems,
        "duplicates": duplicates,
    }


def report_lines(result: dict) -> list[str]:
    figures = ", ".join(
        f"{key} {value}" for key, value in result.items() if key not in {"problems", "duplicates"}
    )
    lines = [f"verified: {figures}"]
    problems = result["problems"]
    lines.append(f"records lost: {len(problems)}")
    lines.extend(f"  - {problem}" for problem in problems[:50])
    if len(problems) > 50:
        lines.append(f"  ... and {len(problems) - 50} more")
    if result.get("duplicates"):
        lines.append(f"e-mails delivered more than once: {len(result['duplicates'])}")
        lines.extend(f"  - {duplicate}" for duplicate in result["duplicates"][:20])
    return lines


def main() -> int:
    import argparse
    import sys

    from scripts.prodshape import DEFAULT_DATABASE_URL

    parser = argparse.ArgumentParser(description="Verify a saved load ledger against the database")
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    args = parser.parse_args()
    result = verify(Ledger.from_json(args.ledger.read_text()), args.database_url)
    sys.stdout.write("\n".join(report_lines(result)) + "\n")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
