"""Imported article bodies never turn escaped text into live HTML on the public article page."""

import importlib
import json

import pytest
from django.apps import apps

from kb.importing import import_lines
from kb.models import ArticlePage
from tests.factories import make_article

pytestmark = pytest.mark.django_db

IMG = "&lt;img src=x onerror=alert(1)&gt;"
META = '&lt;meta http-equiv="refresh" content="0;url=https://evil.example/"&gt;'


def _article_body_html(client, article) -> str:
    html = client.get(article.url).content.decode()
    return html.split('<div class="article-body">', 1)[1].split("</article>", 1)[0]


def _imported(body: str) -> ArticlePage:
    line = json.dumps({"id": "x1", "title": "Hostile", "body": body})
    report = import_lines([line], publish=True)
    assert report.skipped == []
    return ArticlePage.objects.get(source_id="x1")


def test_escaped_markup_in_an_ordered_step_is_shown_as_text(client):
    article = _imported(f"<ol><li>Open settings {IMG}</li><li>{META}</li></ol>")
    html = _article_body_html(client, article)
    assert "<img" not in html and "<meta" not in html
    assert f"Open settings {IMG}" in html
    assert "url=https://evil.example/" in html  # the text, as typed, harmless


def test_a_script_in_a_markdown_step_is_shown_as_text(client):
    article = _imported("1. step <script>alert(1)</script>\n2. done")
    html = _article_body_html(client, article)
    assert "<script" not in html
    assert "step &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_escaped_markup_in_a_callout_is_shown_as_text(client):
    article = _imported(f"<blockquote><strong>Warning:</strong> {IMG}</blockquote><p>x</p>")
    html = _article_body_html(client, article)
    assert "callout-warning" in html
    assert "<img" not in html and IMG in html


def _store_raw_body(article: ArticlePage, raw_blocks: list[dict]) -> None:
    """Write a body as an older importer (or a direct database edit) left it: unsanitised."""
    ArticlePage.objects.filter(pk=article.pk).update(body=raw_blocks)


UNSAFE_STORED = [
    {"type": "text", "value": '<p>intro <img src=x onerror="alert(1)"></p>', "id": "t"},
    {
        "type": "steps",
        "value": {
            "title": "",
            "steps": [
                {"type": "item", "value": META.replace("&lt;", "<").replace("&gt;", ">"), "id": "i"}
            ],
        },
        "id": "s",
    },
    {
        "type": "callout",
        "value": {"kind": "note", "text": "<p><script>alert(1)</script>ok</p>"},
        "id": "c",
    },
]


def test_rich_text_stored_unsanitised_is_sanitised_when_shown(client):
    article = make_article("Old import", "placeholder")
    _store_raw_body(article, UNSAFE_STORED)
    html = _article_body_html(client, article)
    assert "<img" not in html and "<meta" not in html and "<script" not in html
    assert "intro" in html and "ok" in html


def test_the_data_migration_resanitises_stored_bodies_and_keeps_editors_links(client):
    migration = importlib.import_module("kb.migrations.0008_article_text_blocks_render_sanitised")
    target = make_article("Reset your password", "How to reset it.")
    article = make_article("Old import", "placeholder")
    editors_text = (
        f'<p data-block-key="k1">See <a linktype="page" id="{target.pk}">the reset guide</a></p>'
    )
    _store_raw_body(article, [*UNSAFE_STORED, {"type": "text", "value": editors_text, "id": "e"}])
    migration.resanitise_stored_bodies(apps, None)
    stored = str(list(ArticlePage.objects.get(pk=article.pk).body.raw_data))
    assert "<img" not in stored and "<meta" not in stored and "<script" not in stored
    assert "intro" in stored and "ok" in stored
    assert editors_text in stored  # what Wagtail wrote itself is left as it was
    html = _article_body_html(client, article)
    assert f'href="{target.url}"' in html and "the reset guide</a>" in html
