"""Measure the answer passages on labelled questions, with the engine the portal serves."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.passage_evaluation import passage_figures


class Command(BaseCommand):
    help = (
        "Index ARTICLES (JSONL: id, title, body) as the portal would, suggest for every question "
        "of QUERIES (JSONL: id, text, relevant) and, where a relevant article is among the five "
        "shown, check the passage picked for it: does it hold every word of the article's title, "
        "or is it the article's first steps? Prints those shares, the passages' mean length and "
        "the time picking passages adds to a keystroke. No database is used."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=Path, required=True)
        parser.add_argument("--queries", type=Path, required=True)
        parser.add_argument(
            "--semantic",
            action="store_true",
            help="Rank the articles with meaning too (passages are always ranked on words).",
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, articles, queries, semantic, as_json, **options):
        for path in (articles, queries):
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        figures = passage_figures(articles, queries, semantic=semantic)
        if as_json:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        f = figures
        lines = [
            f"{f['articles']} articles ({f['articles_with_steps']} with ordered steps), "
            f"{f['passages_per_article']:.1f} passages each",
            f"answered questions (a relevant article in the top 5): {f['answered']}",
            f"top passage holds every title word or is the first steps: {f['hit']:.1%}",
            f"  (the article's opening passage, whatever was asked: {f['lead_passage_hit']:.1%})",
            f"  holds every word of the title:      {f['title_all_words']:.1%}",
            f"  holds at least half the title words: {f['title_half_words']:.1%}",
            f"  is the first steps (of {f['answered_with_steps']} answered by an article with "
            f"steps): {f['first_step']:.1%}",
            f"  no passage shown:                    {f['no_passage']:.1%}",
            "a second figure, on where the passage sits rather than its words: in the part "
            "that answers (under Answer, Resolving the problem, Solution, Workaround…), of "
            f"{f['answered_with_answer_part']} answered by an article with such a part: "
            f"{f['in_answer_part']:.1%} (a passage picked at random: "
            f"{f['in_answer_part_by_chance']:.1%})",
            f"mean passage length: {f['mean_passage_chars']:.0f} characters, "
            f"{f['mean_passage_words']:.0f} words",
            f"added per keystroke (5 articles' passages, cached analysis): "
            f"mean {f['added_ms_mean']:.3f} ms, p50 {f['added_ms_p50']:.3f} ms, "
            f"p99 {f['added_ms_p99']:.3f} ms",
            "reading an article's passages from its blocks (once per article and index, then "
            f"cached): {f['analyse_ms_per_article']:.2f} ms",
        ]
        self.stdout.write("\n".join(lines))
