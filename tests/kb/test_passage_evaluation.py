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


# A Technote-like article: only what follows "RESOLVING THE PROBLEM" answers.
SYNC = {
    "id": "sync",
    "title": "Shifts do not sync to the calendar",
    "body": "<p>PROBLEM Shifts you add do not show in your calendar app.</p>"
    "<p>CAUSE The calendar feed is cached by the calendar app for a day.</p>"
    "<p>RESOLVING THE PROBLEM Subscribe to the feed again so the app refreshes it.</p>"
    "<p>The new subscription refreshes every hour.</p>",
}
SYNC_QUERIES = [
    {"id": "q4", "text": "calendar app refreshes every hour", "relevant": ["sync"]},
    {"id": "q5", "text": "shifts do not show in my calendar app", "relevant": ["sync"]},
]


def write(tmp_path, articles=ARTICLES, queries=QUERIES):
    paths = []
    for name, rows in (("articles", articles), ("queries", queries)):
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


def test_a_second_figure_says_whether_the_passage_sits_in_the_part_that_answers(tmp_path):
    articles, queries = write(tmp_path, ARTICLES + [SYNC], QUERIES + SYNC_QUERIES)
    figures = passage_figures(articles, queries)
    # Only the calendar article has a part that answers: the passage about the hourly refresh
    # is in it, the one restating the problem is not, though it holds more of the title.
    assert figures["answered"] == 4 and figures["answered_with_answer_part"] == 2
    assert figures["in_answer_part"] == 0.5
    assert figures["in_answer_part_by_chance"] == 0.5  # two of its four passages


def test_the_command_prints_the_figures(tmp_path, capsys):
    articles, queries = write(tmp_path)
    call_command("passage_eval", articles=articles, queries=queries)
    out = capsys.readouterr().out
    assert "answered questions (a relevant article in the top 5): 2" in out
    assert "holds every title word or is the first steps: 100.0%" in out
    assert "in the part that answers" in out
