"""Measure auto-category on labelled questions, with the rule tickets are triaged by."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.engine import similarity as meaning
from kb.evaluation import build_index, read_jsonl
from tickets.triage.routing import choose_category, choose_category_by_meaning, ticket_words

OUT_OF_SCOPE = "oos"


def labelled(rows: list[dict], category_of: dict) -> list[tuple[str, str]]:
    """(text, category) of each row: its own `category`, else its relevant article's.
    Out-of-scope rows (`oos`, as in clinc150) have no category to guess and are left out."""
    pairs = []
    for row in rows:
        if row.get("category") == OUT_OF_SCOPE:
            continue
        if row.get("category"):
            pairs.append((row["text"], row["category"]))
        elif row.get("relevant") and category_of.get(row["relevant"][0]):
            pairs.append((row["text"], category_of[row["relevant"][0]]))
    return pairs


class Command(BaseCommand):
    help = (
        "Guess each question's category as a new ticket's would be guessed (the nearest resolved "
        "tickets of --resolved by meaning, with a matching article's category; --lexical: the "
        "rule by words) and compare with its own. Questions are {text, relevant} (their "
        "article's category is theirs) or labelled tickets {text, category}. No database is used."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--queries", type=Path, required=True)
        parser.add_argument(
            "--articles",
            type=Path,
            help="Articles (JSONL); optional when the questions carry their own category.",
        )
        parser.add_argument(
            "--resolved",
            type=Path,
            help="Questions taken as resolved tickets (their own category, or their article's).",
        )
        parser.add_argument(
            "--categories",
            type=Path,
            help="JSON object: article id -> category (default: each article's 'category').",
        )
        parser.add_argument(
            "--lexical", action="store_true", help="Measure the rule by words instead."
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, articles, queries, resolved, categories, lexical, as_json, **options):
        for path in (articles, queries, resolved, categories):
            if path is not None and not path.is_file():
                raise CommandError(f"No such file: {path}")
        records = read_jsonl(articles) if articles else []
        category_of = (
            json.loads(categories.read_text())
            if categories
            else {r["id"]: r["category"] for r in records if r.get("category")}
        )
        asked = read_jsonl(queries)
        tickets = labelled(asked, category_of)
        if not tickets:
            raise CommandError(
                "No categories: give --categories, articles with a 'category', "
                "or questions with their own 'category'."
            )
        history = labelled(read_jsonl(resolved), category_of) if resolved else []
        index = build_index(articles) if articles else None
        vectors = None if lexical else meaning.vectors([text for text, _ in history + tickets])
        if not lexical and vectors is None:
            raise CommandError("The semantic layer is off or not installed; use --lexical.")
        correct = guessed = 0
        for n, (text, category) in enumerate(tickets):
            suggestions = index.suggest(text, limit=1, snippets=False).suggestions if index else []
            if vectors is None:
                guess = choose_category(
                    mine=ticket_words(text, ""),
                    suggestions=suggestions,
                    article_category=category_of.get,
                    resolved=[(ticket_words(t, ""), c) for t, c in history],
                )
            else:
                guess = choose_category_by_meaning(
                    vector=vectors[len(history) + n],
                    history=vectors[: len(history)],
                    labels=[c for _, c in history],
                    suggestions=suggestions,
                    article_category=category_of.get,
                )
            guessed += guess is not None
            correct += guess == category
        total = len(tickets)
        report = {
            "queries": total,
            "rule": "words" if lexical else "meaning",
            "categories": len({c for _, c in tickets}),
            "guessed": guessed,
            "accuracy": correct / total,
            "accuracy_when_guessed": correct / guessed if guessed else 0.0,
        }
        if as_json:
            self.stdout.write(json.dumps(report))
        else:
            self.stdout.write(
                f"{total} queries, {report['categories']} categories, by {report['rule']}: "
                f"guessed {guessed}, accuracy {report['accuracy']:.3f} "
                f"({report['accuracy_when_guessed']:.3f} when a guess was made)"
            )
