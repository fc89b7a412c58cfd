"""How often new tickets would be offered an answer after filing, with a sample of what."""

import json
import random

from django.core.management.base import BaseCommand, CommandError

from kb.passages import answer_passage
from tickets.models import AnswerOffer, Ticket
from tickets.services import suggestion_query
from tickets.services.answer_offers import confident_answer_for, confident_relative


class Command(BaseCommand):
    help = (
        "Ask the engine, as at filing, which of the newest tickets it would offer an answer "
        "(nothing is written), and count the offers stored and their answers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=500, help="The newest N tickets.")
        parser.add_argument("--sample", type=int, default=8)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, tickets, sample, seed, as_json, **options):
        if tickets < 1:
            raise CommandError("--tickets must be at least 1.")
        newest = list(Ticket.objects.select_related("category").order_by("-created_at")[:tickets])
        offered = []
        for ticket in newest:
            if ticket.category_id and not ticket.category.offer_answer_after_filing:
                continue
            chosen = confident_answer_for(ticket)
            if chosen is not None:
                offered.append((ticket, *chosen))
        picked = random.Random(seed).sample(offered, min(sample, len(offered)))
        report = {
            "threshold": confident_relative(),
            "tickets": len(newest),
            "offered": len(offered),
            "share_offered": len(offered) / len(newest) if newest else None,
            "stored_offers": {
                state: AnswerOffer.objects.filter(state=state).count()
                for state in AnswerOffer.State.values
            },
            "sample": [
                _sample_row(ticket, article, relative) for ticket, article, relative in picked
            ],
        }
        if as_json:
            self.stdout.write(json.dumps(report, indent=2))
            return
        share = report["share_offered"]
        self.stdout.write(
            f"Newest {report['tickets']} tickets: {report['offered']} would be offered an answer "
            f"({0 if share is None else share:.1%}) at relative score >= {report['threshold']}."
        )
        self.stdout.write(f"Stored offers by answer: {report['stored_offers']}")
        for row in report["sample"]:
            self.stdout.write(
                f"- {row['ticket']!r} -> {row['article']!r} ({row['relative']:.2f}): "
                f"{row['passage']}"
            )


def _sample_row(ticket, article, relative) -> dict:
    query = suggestion_query(ticket.subject, ticket.description)
    passage = answer_passage(article=article.specific, query=query)
    text = ""
    if passage is not None:
        text = " / ".join(passage.items) if passage.kind == "steps" else passage.text
    return {
        "ticket": ticket.subject,
        "article": article.title,
        "relative": round(relative, 3),
        "passage_kind": passage.kind if passage else None,
        "passage": text[:160],
    }
