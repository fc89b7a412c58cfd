"""Customers see only published articles; editors build the knowledge base in Wagtail admin."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from kb.models import ArticlePage
from tests.factories import PASSWORD, make_article, make_category

pytestmark = pytest.mark.django_db


def test_home_page_shows_search_box_categories_and_articles(client):
    article = make_article(
        "Reset your password", "Use the link on the sign-in page.", category="Account"
    )
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html
    assert "What do you need help with?" in html
    assert "Account" in html
    assert article.title in html


def test_each_topic_on_the_home_page_counts_its_own_live_articles(client):
    for title in ("Download invoices", "Update your card", "Refunds", "VAT numbers"):
        make_article(title, category="Billing")
    make_article("Draft about credits", category="Billing", publish=False)
    make_article("Reset your password", category="Account")
    make_article("Set up two-factor authentication", category="Account")
    make_category("Integrations")
    html = " ".join(client.get("/").content.decode().split())
    assert 'Billing</a></h3> <p class="muted">4 articles</p>' in html
    assert 'Account</a></h3> <p class="muted">2 articles</p>' in html
    assert 'Integrations</a></h3> <p class="muted">0 articles</p>' in html


def test_category_page_lists_its_live_articles_in_title_order(client):
    billing = make_category("Billing", "Plans, invoices and payments.")
    make_article("Update your card", category=billing)
    make_article("Download invoices", category=billing)
    make_article("Draft about refunds", category=billing, publish=False)
    html = client.get(billing.url).content.decode()
    assert "Plans, invoices and payments." in html
    assert html.index("Download invoices") < html.index("Update your card")
    assert "Draft about refunds" not in html


def test_article_page_has_breadcrumbs_body_blocks_and_related_articles(client):
    first = make_article(
        "Export timesheets",
        "Intro.\n\n1. Open **Reports**\n2. Click Export\n\n"
        "> **Warning:** Large exports take a minute.\n\n"
        "```bash\ncurl https://api.example/v1/export\n```",
        category="Reports",
        tags=("export", "csv"),
    )
    sibling = make_article("Schedule a report", category="Reports")
    html = client.get(first.url).content.decode()
    assert 'aria-label="Breadcrumb"' in html and ">Reports<" in html
    assert '<div class="steps">' in html and "<strong>Reports</strong>" in html
    assert "callout-warning" in html and "Large exports take a minute." in html
    assert '<code class="language-bash">curl https://api.example/v1/export</code>' in html
    assert sibling.title in html  # related: same category
    assert ">csv<" in html


def test_a_draft_article_is_never_shown_to_customers(client):
    draft = make_article("Secret roadmap", "Not yet.", publish=False)
    assert client.get(draft.get_url() or f"/help/billing/{draft.slug}/").status_code == 404
    assert "Secret roadmap" not in client.get("/").content.decode()
    assert "Secret roadmap" not in client.get("/search/?q=secret+roadmap").content.decode()


def test_an_unpublished_article_disappears_from_every_customer_page(client):
    article = make_article("Cancel your plan", "Go to Settings, Billing, Cancel.")
    url = article.url
    assert client.get(url).status_code == 200
    article.unpublish()
    assert client.get(url).status_code == 404
    assert "Cancel your plan" not in client.get("/").content.decode()
    assert "Cancel your plan" not in client.get(article.get_parent().url).content.decode()
    assert "Cancel your plan" not in client.get("/search/?q=cancel+plan").content.decode()


def test_user_text_in_articles_is_escaped(client):
    article = make_article(
        "<script>alert(1)</script> billing",
        "<img src=x onerror=alert(1)> hello",
        summary="<b>x</b>",
    )
    html = client.get(article.url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; billing" in html
    assert "&lt;img src=x onerror=alert(1)&gt; hello" in html  # shown as text, harmless


def _article_form(category, title, **overrides):
    return nested_form_data(
        {
            "title": title,
            "slug": overrides.get("slug", "reset-password"),
            "summary": "How to choose a new password.",
            "body": streamfield([("text", rich_text("<p>Click <b>Forgot password</b>.</p>"))]),
            "tags": "password, sign in",
            "related_links": inline_formset([]),
            **overrides.get("extra", {}),
        }
    )


def test_editor_creates_a_draft_in_wagtail_admin_then_publishes_it(client, editor):
    category = make_category("Account")
    client.login(username=editor.email, password=PASSWORD)
    add_url = reverse("wagtailadmin_pages:add", args=("kb", "articlepage", category.pk))
    assert client.get(add_url).status_code == 200

    response = client.post(add_url, _article_form(category, "Reset your password"))
    assert response.status_code == 302, response.content.decode()[:2000]
    article = ArticlePage.objects.get(slug="reset-password")
    assert not article.live
    client.logout()
    assert client.get("/account/reset-password/").status_code == 404

    client.login(username=editor.email, password=PASSWORD)
    edit_url = reverse("wagtailadmin_pages:edit", args=(article.pk,))
    response = client.post(
        edit_url,
        _article_form(category, "Reset your password", extra={"action-publish": "publish"}),
    )
    assert response.status_code == 302
    client.logout()
    page = client.get("/account/reset-password/")
    assert page.status_code == 200
    assert "Forgot password" in page.content.decode()
    article.refresh_from_db()
    assert sorted(article.tags.names()) == ["password", "sign in"]


def test_editor_sees_feedback_counts_on_the_article_in_wagtail_admin(client, editor):
    from kb.services import feedback_record

    article = make_article("Set up 2FA")
    feedback_record(article=article, session_key="a", helpful=True)
    feedback_record(article=article, session_key="b", helpful=True)
    feedback_record(
        article=article, session_key="c", helpful=False, comment="Missing Android steps"
    )
    client.login(username=editor.email, password=PASSWORD)
    html = client.get(reverse("wagtailadmin_pages:edit", args=(article.pk,))).content.decode()
    assert 'data-testid="helpful-count">2<' in html
    assert 'data-testid="unhelpful-count">1<' in html
    assert "Missing Android steps" in html


def test_customers_cannot_open_wagtail_admin(client, customer):
    client.login(username=customer.email, password=PASSWORD)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert "login" in response["Location"]
