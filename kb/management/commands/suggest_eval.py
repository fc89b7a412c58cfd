"""Measure suggestion quality on labelled questions, with the engine the portal serves."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.evaluation import run_eval
from kb.synonyms import read_groups


class Command(BaseCommand):
    help = (
        "Index ARTICLES (JSONL: id, title, body…) as the portal would, run every question of "
        "QUERIES (JSONL: id, text, relevant) and print Hit@5, Recall@1, Recall@5, MRR@10 and "
        "latency. No database is used."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=Path, required=True)
        parser.add_argument("--queries", type=Path, required=True)
        parser.add_argument(
            "--prefix", type=int, help="Use only the first N characters of each question."
        )
        parser.add_argument(
            "--unanswerable",
            type=Path,
            help="Questions no article answers: share left silent (labelled tickets such as "
            "clinc150's: only those whose category is 'oos').",
        )
        parser.add_argument(
            "--lexical", action="store_true", help="Words only, as without the semantic layer."
        )
        parser.add_argument(
            "--learn",
            type=Path,
            help="Questions taken as tickets resolved by their relevant articles.",
        )
        parser.add_argument(
            "--contexts",
            type=Path,
            help="JSON object article id -> context key: ask each question from the context of "
            "its relevant article (measures the page-context boost).",
        )
        parser.add_argument(
            "--synonyms",
            type=Path,
            help="Synonym groups, one per line as 'invoice, receipt, statement' (default: the "
            "starter groups of a new knowledge base; an empty file: none).",
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(
        self,
        *args,
        articles,
        queries,
        prefix,
        unanswerable,
        learn,
        contexts,
        synonyms,
        lexical,
        as_json,
        **options,
    ):
        for path in (articles, queries, unanswerable, learn, contexts, synonyms):
            if path is not None and not path.is_file():
                raise CommandError(f"No such file: {path}")
        if prefix is not None and prefix < 1:
            raise CommandError("--prefix must be at least 1.")
        report = run_eval(
            articles,
            queries,
            prefix=prefix,
            unanswerable_path=unanswerable,
            learn_path=learn,
            contexts=json.loads(contexts.read_text()) if contexts else None,
            synonyms=read_groups(synonyms) if synonyms else None,
            semantic=not lexical,
        )
        if as_json:
            self.stdout.write(json.dumps(report))
            return
        typed = f"first {prefix} characters" if prefix else "whole question"
        ranking = "words and meaning" if report["semantic"] else "words only"
        self.stdout.write(f"{report['queries']} queries ({typed}), ranked by {ranking}")
        self.stdout.write(
            f"  Hit@5 {report['hit@5']:.3f} ({report['hit@5_unsilenced']:.3f} never silent)   "
            f"Recall@1 {report['recall@1']:.3f}   Recall@5 {report['recall@5']:.3f}   "
            f"MRR@10 {report['mrr@10']:.3f}"
        )
        self.stdout.write(f"  latency p50 {report['p50_ms']:.3f} ms, p99 {report['p99_ms']:.3f} ms")
        if "unanswerable_suppressed" in report:
            self.stdout.write(
                f"  unanswerable: nothing suggested for {report['unanswerable_suppressed']:.1%} "
                f"of {report['unanswerable']}"
            )
