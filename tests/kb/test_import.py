"""`import_articles`: idempotent by id, bad lines reported by number, nothing half-written."""

import json

import pytest
from django.core.management import call_command

from kb.importing import import_lines
from kb.models import ArticlePage, CategoryPage

pytestmark = pytest.mark.django_db


def jsonl(*records) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r) for r in records]


GOOD = [
    {
        "id": "a1",
        "title": "Reset your password",
        "body": "Click **Forgot password**.",
        "tags": ["login"],
    },
    {
        "id": "a2",
        "title": "Download invoices",
        "body": "<p>Open <b>Billing</b>.</p>",
        "category": "Billing",
    },
    {"id": 3, "title": "Plain text", "body": "Line one\nLine two <not a tag>", "summary": "Short."},
]


def test_import_creates_live_articles_in_their_categories():
    report = import_lines(jsonl(*GOOD), default_category="Help", publish=True)
    assert (report.created, report.updated, report.skipped) == (3, 0, [])
    assert ArticlePage.objects.live().count() == 3
    invoices = ArticlePage.objects.get(source_id="a2")
    assert invoices.get_parent().title == "Billing"
    assert ArticlePage.objects.get(source_id="a1").get_parent().title == "Help"
    assert "<b>Billing</b>" in invoices.body.raw_data[0]["value"]


def test_plain_text_bodies_keep_angle_brackets_as_text_and_summaries_are_derived():
    import_lines(jsonl(*GOOD), publish=True)
    plain = ArticlePage.objects.get(source_id="3")
    assert "<not a tag>" in plain.body_text()
    assert plain.summary == "Short."
    assert ArticlePage.objects.get(source_id="a1").summary == "Click Forgot password."


def test_reimporting_updates_the_same_pages_with_a_new_revision():
    import_lines(jsonl(*GOOD), publish=True)
    ids = set(ArticlePage.objects.values_list("pk", flat=True))
    changed = dict(GOOD[0], title="Reset a forgotten password")
    report = import_lines(jsonl(changed, *GOOD[1:]), publish=True)
    assert (report.created, report.updated) == (0, 3)
    assert set(ArticlePage.objects.values_list("pk", flat=True)) == ids
    page = ArticlePage.objects.get(source_id="a1")
    assert page.title == "Reset a forgotten password"
    assert page.revisions.count() == 2


def test_reimporting_with_another_category_moves_the_article():
    import_lines(jsonl(*GOOD), publish=True)
    import_lines(jsonl(dict(GOOD[1], category="Payments")), publish=True)
    assert ArticlePage.objects.get(source_id="a2").get_parent().title == "Payments"


def test_without_publish_new_articles_are_drafts_and_live_ones_keep_their_live_text():
    import_lines(jsonl(GOOD[0]), publish=True)
    import_lines(jsonl(dict(GOOD[0], title="New title"), GOOD[1]), publish=False)
    live = ArticlePage.objects.get(source_id="a1")
    assert live.live and live.title == "Reset your password"
    assert live.has_unpublished_changes
    assert not ArticlePage.objects.get(source_id="a2").live


def test_bad_lines_are_reported_by_number_and_good_lines_still_import():
    lines = jsonl(
        GOOD[0],
        "{not json",
        {"id": "x", "body": "no title"},
        {"id": "y", "title": "T" * 300, "body": "too long a title"},
        {"id": "z", "title": "Tags", "body": "b", "tags": "not-a-list"},
        ["a", "list"],
        "",
        GOOD[1],
    )
    report = import_lines(lines, publish=True)
    assert report.created == 2
    assert [line for line, _ in report.skipped] == [2, 3, 4, 5, 6]
    errors = dict(report.skipped)
    assert "invalid JSON" in errors[2]
    assert "'title' is required" in errors[3]
    assert "longer than 255" in errors[4]
    assert "'tags' must be a list" in errors[5]
    assert not ArticlePage.objects.filter(source_id__in=["x", "y", "z"]).exists()


def test_a_line_failing_midway_leaves_no_category_or_page_behind(monkeypatch):
    from kb import importing

    def explode(*args, **kwargs):
        raise importing.RecordError("boom")

    monkeypatch.setattr(importing.ArticlePage, "save_revision", explode)
    report = import_lines(jsonl(dict(GOOD[1], category="Brand new")), publish=True)
    assert report.skipped == [(1, "boom")]
    assert not CategoryPage.objects.filter(title="Brand new").exists()
    assert not ArticlePage.objects.exists()


def test_html_bodies_are_sanitised():
    import_lines(
        jsonl(
            {"id": "h", "title": "Bad", "body": '<p onclick="x()">Hi<script>alert(1)</script></p>'}
        ),
        publish=True,
    )
    stored = ArticlePage.objects.get(source_id="h").body.raw_data[0]["value"]
    assert stored == "<p>Hi</p>"


def test_command_prints_a_summary_and_names_bad_lines(tmp_path, capsys):
    path = tmp_path / "kb.jsonl"
    path.write_text("\n".join(jsonl(GOOD[0], "oops", GOOD[1])) + "\n")
    call_command("import_articles", str(path), "--category", "Imported", "--publish")
    out, err = capsys.readouterr()
    assert "created 2, updated 0, skipped 1" in out
    assert f"{path}:2: skipped: invalid JSON" in err
    call_command("import_articles", str(path), "--publish", "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["created"] == 0 and summary["updated"] == 2 and summary["skipped"] == 1
    assert summary["errors"][0]["line"] == 2


def test_the_evaluation_sees_an_imported_article_exactly_as_the_portal_indexes_it():
    from kb.evaluation import document_from_record
    from kb.shared_index import article_documents

    record = {
        "id": "eval-1",
        "title": "Export <b>timesheets</b>",
        "body": "# Export\n\nOpen **Reports**.\n\n1. Choose dates\n2. Click *Export*\n\n"
        "> **Note:** Large exports take a minute.\n\n```bash\ncurl https://api.example/export\n```",
        "tags": ["csv", "payroll"],
    }
    import_lines(jsonl(record), default_category="Reports", publish=True)
    (portal,) = article_documents()
    evaluated = document_from_record(record)
    assert (portal.title, portal.summary, portal.body, portal.tags) == (
        evaluated.title,
        evaluated.summary,
        evaluated.body,
        evaluated.tags,
    )
