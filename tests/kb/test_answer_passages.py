"""The passage that answers, as customers see it: in the suggest API, on the search page, on the
article (its block one click away), and never from an article the visitor may not read."""

import re

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from kb.passages import answer_passage
from tests.factories import PASSWORD, make_article, make_user

pytestmark = pytest.mark.django_db

TIMESHEETS = """
<p>Any manager can export timesheets once a pay period is approved.</p>
<h2>Export a pay period</h2>
<ol><li>Open Reports, then Timesheets.</li><li>Pick the pay period.</li>
<li>Click Export and choose CSV.</li></ol>
<p>The CSV file uses commas; Excel in some countries expects semicolons, so open it with
Data, From text.</p>
"""


@pytest.fixture(autouse=True)
def _words_only(settings):
    settings.SUGGEST_SEMANTIC = False  # passages are ranked on words; meaning only slows this


@pytest.fixture
def timesheets(demo_articles):
    return make_article("Export timesheets for payroll", TIMESHEETS, category="Reports")


def suggestion_for(client, query: str, article) -> dict:
    results = client.get("/api/v1/suggest", {"q": query}).json()["results"]
    return next(r for r in results if r["id"] == article.pk)


def test_the_suggest_api_gives_the_steps_that_answer_with_the_words_marked(client, timesheets):
    passage = suggestion_for(client, "how do I export timesheets", timesheets)["passage"]
    assert passage["kind"] == "steps"
    assert passage["heading"] == "Export a pay period"
    assert passage["items"] == [
        "Open Reports, then Timesheets.",
        "Pick the pay period.",
        "Click Export and choose CSV.",
    ]
    assert passage["marked_items"][2] == "Click <mark>Export</mark> and choose CSV."
    assert passage["anchor"].startswith("block-")


def test_the_suggest_api_gives_the_paragraph_where_the_words_are(client, timesheets):
    passage = suggestion_for(client, "timesheet csv semicolons excel", timesheets)["passage"]
    assert passage["kind"] == "paragraph" and passage["items"] == []
    assert "<mark>semicolons</mark>" in passage["marked_text"]


def test_the_passage_link_opens_the_article_at_that_block(client, timesheets):
    passage = suggestion_for(client, "how do I export timesheets", timesheets)["passage"]
    page = client.get(timesheets.url).content.decode()
    block = re.search(
        rf'<div class="article-block" id="{passage["anchor"]}">(.*?)</div>', page, re.S
    )
    assert block and "Click Export and choose CSV." in block.group(1)


def test_the_schema_documents_the_passage(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    suggestion = schema["components"]["schemas"]["Suggestion"]["properties"]
    assert "passage" in suggestion
    passage = schema["components"]["schemas"]["Passage"]["properties"]
    assert {"kind", "heading", "text", "items", "anchor", "marked_text", "marked_items"} <= set(
        passage
    )


def test_the_search_page_shows_the_passage_under_the_result(client, timesheets):
    page = client.get("/search/", {"q": "how do I export timesheets"}).content.decode()
    assert 'data-testid="passage"' in page
    assert "<li>Click <mark>Export</mark> and choose CSV.</li>" in page
    assert f'href="{timesheets.url}#block-' in page


def test_hostile_article_text_is_escaped_in_the_passage_on_the_search_page(client, demo_articles):
    make_article(
        "Embed the clock", "<p>Paste &lt;img src=x onerror=alert(1)&gt; to embed the clock.</p>"
    )
    page = client.get("/search/", {"q": "embed the clock"}).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_restricted_articles_never_give_a_passage(client, demo_articles):
    partners = make_article(
        "Partner pricing",
        "<ol><li>Ask your reseller manager for the partner sheet.</li></ol>",
        category="Partners",
    )
    restriction = PageViewRestriction.objects.create(
        page=partners.get_parent(), restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="Partners"))
    for url in ("/api/v1/suggest", "/search/"):
        assert (
            "reseller manager"
            not in client.get(url, {"q": "partner pricing sheet"}).content.decode()
        )
    assert answer_passage(article=partners, query="partner pricing sheet") is None

    make_user("partner@example.com", groups=["Partners"])
    client.login(username="partner@example.com", password=PASSWORD)
    top = client.get("/api/v1/suggest", {"q": "partner pricing sheet"}).json()["results"][0]
    assert top["passage"]["items"] == ["Ask your reseller manager for the partner sheet."]


def test_answer_passage_gives_the_steps_of_a_public_article(timesheets):
    passage = answer_passage(article=timesheets, query="how do I export timesheets")
    assert passage.kind == "steps" and passage.items[-1] == "Click Export and choose CSV."
    assert answer_passage(article=timesheets, query="") is None


def test_a_draft_article_gives_no_passage():
    draft = make_article("Secret roadmap", "<ol><li>Ship it.</li></ol>", publish=False)
    assert answer_passage(article=draft, query="how to ship") is None


def test_the_passages_of_the_shown_articles_cost_one_query_then_none_once_cached(timesheets):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kb.selectors import suggest_articles

    def queries(**kwargs) -> tuple[int, list]:
        with CaptureQueriesContext(connection) as captured:
            result = suggest_articles("export timesheets invoices password card", **kwargs)
        return len(captured), result.suggestions

    suggest_articles("warm up")  # the index is loaded once per process
    without, shown = queries()
    assert len(shown) >= 3
    cold, shown = queries(passages=True)
    warm, shown = queries(passages=True)
    assert (cold, warm) == (without + 1, without)
    assert any(s.passage for s in shown)


def test_an_edited_article_shows_its_new_steps_on_the_next_search(client, timesheets):
    from kb import markup

    assert suggestion_for(client, "how do I export timesheets", timesheets)["passage"]
    edited = TIMESHEETS.replace("Click Export and choose CSV.", "Click Download, then CSV.")
    timesheets.body = markup.html_to_blocks(markup.to_safe_html(edited))
    timesheets.save_revision().publish()
    passage = suggestion_for(client, "how do I export timesheets", timesheets)["passage"]
    assert passage["items"][-1] == "Click Download, then CSV."
