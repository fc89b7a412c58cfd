"""manage.py passage_eval: on labelled questions, does the passage shown hold the answer?"""

import json

from django.core.management import call_command

from kb.passage_evaluation import passage_figures

ARTICLES = [
    {
        "id": "export",
        "title": "Export timesheets",
        "body": "<p>Managers can approve a pay period first.</p><ol><li>Open Reports.</li>"
        "<li>Click Export timesheets.</li></ol>",
    },
    {"id": "card", "title": "Card declined", "body": "Your bank declined the card payment."},
    {"id": "slack", "title": "Connect Slack", "body": "Post shift changes to a Slack channel."},
]
QUERIES = [
    {"id": "q1", "text": "how do I export timesheets", "relevant": ["export"]},
    {"id": "q2", "text": "why was my card declined", "relevant": ["card"]},
    {"id": "q3", "text": "zebra quantum banana", "relevant": ["slack"]},
]


def write(tmp_path):
    paths = []
    for name, rows in (("articles", ARTICLES), ("queries", QUERIES)):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(json.dumps(row) for row in rows))
        paths.append(path)
    return paths


def test_answered_questions_are_checked_for_the_title_words_or_the_first_steps(tmp_path):
    articles, queries = write(tmp_path)
    figures = passage_figures(articles, queries)
    assert figures["answered"] == 2  # nothing is suggested for the third
    assert figures["hit"] == 1.0
    assert figures["first_step"] == 1.0 and figures["answered_with_steps"] == 1
    assert figures["lead_passage_hit"] == 0.5  # the export article opens with a paragraph
    assert figures["added_ms_p50"] > 0


def test_the_command_prints_the_figures(tmp_path, capsys):
    articles, queries = write(tmp_path)
    call_command("passage_eval", articles=articles, queries=queries)
    out = capsys.readouterr().out
    assert "answered questions (a relevant article in the top 5): 2" in out
    assert "holds every title word or is the first steps: 100.0%" in out
