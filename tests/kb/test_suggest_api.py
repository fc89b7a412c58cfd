"""GET /api/v1/suggest: validated input, escaped snippets, only readable articles, throttled."""

import importlib

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from tests.factories import PASSWORD, make_article, make_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/suggest"


@pytest.fixture
def articles():
    return {
        "password": make_article(
            "Reset your password",
            "Click Forgot password on the sign-in page and follow the e-mail link.",
            category="Account",
        ),
        "invoice": make_article(
            "Download invoices",
            "Every invoice is a PDF under Settings, Billing.",
            category="Billing",
        ),
        "slack": make_article(
            "Connect Slack", "Post shift changes into a Slack channel.", category="Integrations"
        ),
    }


def test_suggestions_come_back_ranked_with_title_url_summary_score_and_snippet(client, articles):
    data = client.get(URL, {"q": "forgot my password"}).json()
    assert data["query"] == "forgot my password"
    top = data["results"][0]
    assert top["id"] == articles["password"].pk
    assert top["title"] == "Reset your password"
    assert top["url"] == articles["password"].url
    assert top["summary"]
    assert top["score"] > 0
    assert "<mark>" in top["snippet"]


def test_a_half_typed_word_already_finds_the_article(client, articles):
    ids = [r["id"] for r in client.get(URL, {"q": "how do I download my invo"}).json()["results"]]
    assert ids[:1] == [articles["invoice"].pk]


def test_empty_query_returns_no_results(client, articles):
    assert client.get(URL, {"q": ""}).json() == {"query": "", "results": []}
    assert client.get(URL).json()["results"] == []


def test_a_query_over_500_characters_is_a_400_with_a_clear_message(client, articles):
    response = client.get(URL, {"q": "a" * 501})
    assert response.status_code == 400
    assert "at most 500 characters" in response.json()["q"][0]
    assert client.get(URL, {"q": "password " * 55}).status_code == 200  # 495 characters


@pytest.mark.parametrize("limit", ["0", "11", "ten"])
def test_limit_must_be_between_1_and_10(client, articles, limit):
    assert client.get(URL, {"q": "password", "limit": limit}).status_code == 400


def test_limit_caps_the_number_of_results(client, articles):
    results = client.get(URL, {"q": "password invoice slack", "limit": 2}).json()["results"]
    assert len(results) == 2


def test_nothing_is_suggested_for_unrelated_text(client, articles):
    assert client.get(URL, {"q": "zebra quantum banana"}).json()["results"] == []


def test_snippets_escape_article_text(client):
    make_article("Embed code", "Paste <script>alert(1)</script> into the page header to embed.")
    snippet = client.get(URL, {"q": "embed script"}).json()["results"][0]["snippet"]
    assert "<script>" not in snippet
    assert "&lt;" in snippet


def test_drafts_are_never_suggested(client):
    make_article("Secret roadmap", "Upcoming features nobody should see.", publish=False)
    assert client.get(URL, {"q": "secret roadmap"}).json()["results"] == []


def test_restricted_articles_are_suggested_only_to_visitors_allowed_to_read_them(client):
    partners = make_article("Partner pricing", "Discounts for resellers.", category="Partners")
    restriction = PageViewRestriction.objects.create(
        page=partners.get_parent(), restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="Partners"))

    assert client.get(URL, {"q": "partner pricing"}).json()["results"] == []

    outsider = make_user("outsider@example.com")
    client.login(username=outsider.email, password=PASSWORD)
    assert client.get(URL, {"q": "partner pricing"}).json()["results"] == []

    make_user("partner@example.com", groups=["Partners"])
    client.login(username="partner@example.com", password=PASSWORD)
    ids = [r["id"] for r in client.get(URL, {"q": "partner pricing"}).json()["results"]]
    assert ids == [partners.pk]


def test_login_restricted_articles_need_a_signed_in_visitor(client, customer):
    internal = make_article("Customer-only guide", "Advanced workflows for signed-in customers.")
    PageViewRestriction.objects.create(page=internal, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(URL, {"q": "advanced workflows"}).json()["results"] == []
    client.login(username=customer.email, password=PASSWORD)
    assert client.get(URL, {"q": "advanced workflows"}).json()["results"][0]["id"] == internal.pk


def test_synonyms_added_by_editors_apply_at_query_time(client, settings):
    from kb.models import SynonymGroup

    settings.SUGGEST_SEMANTIC = False  # synonyms work on words; meaning would find it anyway
    invoices = make_article("Download invoices", "Every invoice is a PDF you can download.")
    assert client.get(URL, {"q": "statement"}).json()["results"] == []
    SynonymGroup.objects.create(terms="invoice, statement")
    assert client.get(URL, {"q": "statement"}).json()["results"][0]["id"] == invoices.pk


def test_a_new_knowledge_base_starts_with_common_support_synonyms(client, settings):
    from django.apps import apps

    settings.SUGGEST_SEMANTIC = False  # synonyms work on words; meaning would find it anyway
    from kb.models import SynonymGroup

    starter = importlib.import_module("kb.migrations.0006_starter_synonyms")
    SynonymGroup.objects.all().delete()
    starter.add_starter_groups(apps, None)
    invoices = make_article("Download invoices", "Every invoice is a PDF you can download.")
    assert client.get(URL, {"q": "receipt"}).json()["results"][0]["id"] == invoices.pk
    # They are the editors' to change: without the group, a receipt is not an invoice.
    SynonymGroup.objects.get(terms__contains="receipt").delete()
    assert client.get(URL, {"q": "receipt"}).json()["results"] == []


def test_starter_synonyms_leave_an_editors_own_synonyms_alone():
    from django.apps import apps

    from kb.models import SynonymGroup

    starter = importlib.import_module("kb.migrations.0006_starter_synonyms")
    SynonymGroup.objects.all().delete()
    SynonymGroup.objects.create(terms="invoice, statement")
    starter.add_starter_groups(apps, None)
    assert [group.terms for group in SynonymGroup.objects.all()] == ["invoice, statement"]


def test_suggest_is_throttled_per_client(client, articles, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "suggest": "3/min"}
    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [client.get(URL, {"q": "password"}).status_code for _ in range(4)]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 200, 429]
