"""How long gap mining takes, and how well it groups, on N unanswered tickets.

    python manage.py gaps_bench --queries ../shared/eval/stackfaq/queries.jsonl --tickets 100000

Files N resolved `kb_gap` tickets whose subjects are the labelled questions (cycled, with the
ticket's number appended so that no two are the same text), mines them, prints the time, the
peak memory of this process and, from the questions' labels, how pure the groups are (share of
each group's tickets about its commonest topic) and how complete (share of each topic's
tickets in its largest group). Everything is rolled back at the end: the database is unchanged.

Questions are {text, relevant} (the topic: the relevant article) or labelled tickets
{text, category} such as clinc150's (`--domains banking credit_cards` keeps those domains):

    python manage.py gaps_bench --queries ../shared/eval/clinc150/val.jsonl \
        --domains banking credit_cards --tickets 600

With the semantic layer each ticket is filed with its vector, as filing stores it; the
distinct texts are embedded once, beforehand, and that time is reported apart.
"""

import json
import resource
import time
from collections import Counter, defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from kb.engine import similarity as meaning
from tickets.gaps.mining import mine_gaps
from tickets.models import Ticket, TicketVector

BATCH = 2000
DOMAIN = "@gaps-bench.invalid"


class RolledBack(Exception):
    pass


def read_questions(path: Path, domains: list[str] | None = None) -> list[tuple[str, str]]:
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if domains and row.get("domain") not in domains:
                continue
            label = row.get("category") or (row.get("relevant") or ["?"])[0]
            questions.append((row["text"], label))
    if not questions:
        raise CommandError(f"No questions in {path}")
    return questions


def clustering_quality(labels_by_group: dict[int, list[str]]) -> dict:
    total = sum(len(labels) for labels in labels_by_group.values())
    pure = sum(Counter(labels).most_common(1)[0][1] for labels in labels_by_group.values())
    groups_by_label: dict[str, Counter] = defaultdict(Counter)
    for group, labels in labels_by_group.items():
        for label in labels:
            groups_by_label[label][group] += 1
    complete = sum(counts.most_common(1)[0][1] for counts in groups_by_label.values())
    return {
        "groups": len(labels_by_group),
        "topics": len(groups_by_label),
        "purity": round(pure / total, 3) if total else None,
        "completeness": round(complete / total, 3) if total else None,
    }


class Command(BaseCommand):
    help = "Time gap mining on N labelled unanswered tickets (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--queries", type=Path, required=True)
        parser.add_argument("--tickets", type=int, default=100_000)
        parser.add_argument(
            "--domains", nargs="+", help="Only questions of these domains (clinc150's 'domain')."
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *, queries, tickets, domains, as_json, **options):
        questions = read_questions(queries, domains)
        result = {}
        try:
            with transaction.atomic():
                result = self._run(questions, tickets)
                raise RolledBack
        except RolledBack:
            pass
        if as_json:
            self.stdout.write(json.dumps(result))
            return
        quality = result["quality"]
        self.stdout.write(
            f"{result['tickets']} gap tickets filed in {result['file_seconds']} s "
            f"(their {result['distinct_texts']} texts embedded beforehand in "
            f"{result['embed_seconds']} s); "
            f"mined in {result['mine_seconds']} s ({result['mining']['created']} articles to "
            f"write); peak memory {result['peak_rss_mb']} MB\n"
            f"groups {quality['groups']} for {quality['topics']} topics, "
            f"purity {quality['purity']}, completeness {quality['completeness']}"
        )

    def _run(self, questions: list[tuple[str, str]], count: int) -> dict:
        embedding_started = time.perf_counter()
        texts = sorted({text for text, _ in questions})
        vectors = meaning.vectors([meaning.ticket_text(t[:180], t) for t in texts])
        vector_of = {}
        if vectors is not None:
            vector_of = {t: meaning.to_bytes(v) for t, v in zip(texts, vectors, strict=True)}
        embed_seconds = round(time.perf_counter() - embedding_started, 1)
        started = time.perf_counter()
        now = timezone.now()
        label_of: dict[str, str] = {}
        batch, texts_of_batch = [], []
        for n in range(count):
            text, label = questions[n % len(questions)]
            subject = f"{text[:180]} #{n}"
            label_of[subject] = label
            batch.append(
                Ticket(
                    customer_email=f"bench{n % 5000}{DOMAIN}",
                    subject=subject,
                    description=text,
                    status=Ticket.Status.RESOLVED,
                    resolution=Ticket.Resolution.KB_GAP,
                    created_at=now,
                    last_activity_at=now,
                    resolved_at=now,
                )
            )
            texts_of_batch.append(text)
            if len(batch) == BATCH:
                self._file(batch, texts_of_batch, vector_of)
                batch, texts_of_batch = [], []
        self._file(batch, texts_of_batch, vector_of)
        filed = time.perf_counter()
        report = mine_gaps()
        mined = time.perf_counter()
        labels_by_group: dict[int, list[str]] = defaultdict(list)
        rows = Ticket.objects.filter(customer_email__endswith=DOMAIN).values_list(
            "gap_request_id", "subject"
        )
        for group, subject in rows.iterator(BATCH):
            labels_by_group[group].append(label_of[subject])
        return {
            "tickets": count,
            "distinct_texts": len(texts),
            "embed_seconds": embed_seconds,
            "file_seconds": round(filed - started, 1),
            "mine_seconds": round(mined - filed, 1),
            "mining": report.as_dict(),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "quality": clustering_quality(labels_by_group),
        }

    def _file(self, batch: list[Ticket], texts: list[str], vector_of: dict[str, bytes]) -> None:
        Ticket.objects.bulk_create(batch)
        if vector_of:
            TicketVector.objects.bulk_create(
                TicketVector(ticket=ticket, vector=vector_of[text])
                for ticket, text in zip(batch, texts, strict=True)
            )
