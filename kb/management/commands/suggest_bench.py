"""Benchmark the suggestion engine on a synthetic corpus, beside rank_bm25 in the same run."""

import json

from django.core.management.base import BaseCommand, CommandError

from kb.benchmark import QUERY_WORDS, format_bench, run_bench


class Command(BaseCommand):
    help = (
        "Build an index of N synthetic articles (seeded, reproducible) and print build time, "
        "memory and per-keystroke latency (with the query's embedding) of the engine and of "
        "rank_bm25's get_scores + top-5."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=10_000)
        parser.add_argument("--queries", type=int, default=200)
        parser.add_argument(
            "--naive-queries",
            type=int,
            help="How many queries rank_bm25 runs (default: all; it takes ~0.5 s each at 100k).",
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--rounds",
            type=int,
            default=3,
            help="Times each query is run per engine; the best round counts (default: 3).",
        )
        parser.add_argument(
            "--words",
            type=int,
            nargs=2,
            default=QUERY_WORDS,
            metavar=("FEWEST", "MOST"),
            help="How many words a query has, drawn evenly between the two (default: 4 20).",
        )
        parser.add_argument(
            "--lexical", action="store_true", help="Words only, as without the semantic layer."
        )
        parser.add_argument(
            "--mapped",
            action="store_true",
            help="Time the index mapped from its file, as web processes read it.",
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(
        self,
        *args,
        articles,
        queries,
        naive_queries,
        seed,
        rounds,
        words,
        lexical,
        mapped,
        as_json,
        **options,
    ):
        if articles < 1 or queries < 1 or rounds < 1:
            raise CommandError("--articles, --queries and --rounds must be at least 1.")
        if not 1 <= words[0] <= words[1] <= 200:
            raise CommandError("--words needs 1 <= FEWEST <= MOST <= 200.")
        result = run_bench(
            articles,
            queries=queries,
            naive_queries=naive_queries,
            seed=seed,
            rounds=rounds,
            query_words=tuple(words),
            semantic=not lexical,
            mapped=mapped,
        )
        self.stdout.write(json.dumps(result) if as_json else format_bench(result))
