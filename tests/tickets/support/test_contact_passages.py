"""The passage that answers, where customers ask for help: the no-JS check page, the live
suggestions of the contact form and the widget."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_article
from tickets.models import WidgetOrigin

pytestmark = pytest.mark.django_db
NEW = "/support/new/"
RESET = """
<p>If you forgot your password you can set a new one yourself.</p>
<ol><li>Click Forgot password on the sign-in page.</li>
<li>Open the link we e-mail you.</li><li>Choose a new password.</li></ol>
<blockquote><p>Note: the link works for one hour.</p></blockquote>
"""


@pytest.fixture(autouse=True)
def _words_only(settings):
    settings.SUGGEST_SEMANTIC = False  # passages are ranked on words; meaning only slows this


@pytest.fixture
def reset(demo_articles):
    return make_article("Forgot your password?", RESET, category="Account")


def contact_data(**overrides):
    data = {
        "subject": "How do I reset a forgotten password",
        "description": "I forgot my password and cannot sign in.",
        "email": "guest@example.com",
        "session": str(uuid.uuid4()),
        "submission": str(uuid.uuid4()),
        "action": "check",
    }
    return data | overrides


def test_without_javascript_the_check_page_shows_the_steps_under_the_article(client, reset):
    data = contact_data()
    html = client.post(NEW, data).content.decode()
    article_url = reverse("tickets:article", args=[data["session"], reset.pk])
    start = html.index(f'href="{article_url}"')
    item = html[start : html.index('data-testid="deflect-yes"', start)]
    assert 'data-testid="passage"' in item
    assert '<ol class="passage-steps">' in item
    assert "<li>Choose a new <mark>password</mark>.</li>" in item
    link = re.search(r'href="([^"]+)" data-testid="passage-link"', item).group(1)
    assert link.startswith(article_url + "#block-")
    # The link opens the article, in the contact flow, at that very block.
    page = client.get(link.split("#")[0]).content.decode()
    assert f'id="{link.split("#")[1]}"' in page


def test_the_live_suggestions_carry_the_passage(client, reset):
    session = uuid.uuid4()
    client.get(NEW)
    results = client.post(
        f"/api/v1/contact-sessions/{session}/suggestions",
        {"subject": "How do I reset a forgotten password", "description": ""},
        content_type="application/json",
    ).json()["results"]
    passage = next(r["passage"] for r in results if r["id"] == reset.pk)
    assert passage["kind"] == "steps"
    assert passage["items"][0] == "Click Forgot password on the sign-in page."
    assert passage["anchor"].startswith("block-")


def test_the_widget_suggestions_carry_the_passage(reset):
    WidgetOrigin.objects.create(origin="https://app.example.com")
    widget = Client(HTTP_ORIGIN="https://app.example.com")
    results = widget.get(
        "/api/v1/widget/suggest", {"q": "my password link stopped working after an hour"}
    ).json()["results"]
    passage = next(r["passage"] for r in results if r["id"] == reset.pk)
    assert passage["kind"] == "callout"
    assert "<mark>link</mark> <mark>works</mark>" in passage["marked_text"]


def test_before_typing_the_widget_lists_articles_without_passages(reset):
    WidgetOrigin.objects.create(origin="https://app.example.com")
    widget = Client(HTTP_ORIGIN="https://app.example.com")
    results = widget.get("/api/v1/widget/articles", {"path": "/"}).json()["results"]
    assert all(r["passage"] is None for r in results)
