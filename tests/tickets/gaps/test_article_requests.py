"""Editors turn articles to write into articles, in Wagtail admin, without seeing who asked."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kb.models import ArticlePage, CategoryPage
from tests.factories import make_article, make_category, make_ticket, signed_in
from tickets import services
from tickets.gaps.article_requests import (
    request_dismiss,
    request_link_article,
    request_start_writing,
)
from tickets.gaps.mining import mine_gaps
from tickets.models import ArticleRequest, ContactSession, Ticket

pytestmark = pytest.mark.django_db
Status = ArticleRequest.Status


@pytest.fixture
def snowflake_request(agent):
    category = make_category("Integrations")
    for subject, description in [
        ("Export shifts to Snowflake", "Write to me at jo.doe@example.com, we need Snowflake."),
        ("Snowflake export of shifts", "Our Snowflake warehouse needs shift data nightly."),
    ]:
        ticket = make_ticket(
            None,
            subject=subject,
            description=description,
            category=category,
            email="jo.doe@example.com",
        )
        services.ticket_resolve(ticket=ticket, actor=agent, resolution=Ticket.Resolution.KB_GAP)
    mine_gaps()
    return ArticleRequest.objects.get()


def test_start_writing_creates_a_draft_with_the_title_and_the_questions(snowflake_request, editor):
    article = request_start_writing(request=snowflake_request, editor=editor)
    article = ArticlePage.objects.get(pk=article.pk)
    assert not article.live
    assert article.title == snowflake_request.title
    assert article.get_parent().title == "Integrations"
    notes = article.body_text()
    assert "Export shifts to Snowflake" in notes and "Snowflake export of shifts" in notes
    snowflake_request.refresh_from_db()
    assert snowflake_request.status == Status.IN_PROGRESS
    assert snowflake_request.assignee == editor and snowflake_request.article_id == article.pk


def test_publishing_the_article_marks_the_request_done(snowflake_request, editor):
    article = request_start_writing(request=snowflake_request, editor=editor)
    article.save_revision().publish()
    snowflake_request.refresh_from_db()
    assert snowflake_request.status == Status.DONE and snowflake_request.done_at is not None


def test_linking_an_existing_article(snowflake_request, editor):
    draft = make_article("Warehouses", "Export CSV, load it anywhere.", publish=False)
    request_link_article(request=snowflake_request, article=draft, editor=editor)
    snowflake_request.refresh_from_db()
    assert snowflake_request.status == Status.IN_PROGRESS
    draft.save_revision().publish()
    snowflake_request.refresh_from_db()
    assert snowflake_request.status == Status.DONE


def test_dismissing_needs_a_reason(snowflake_request, editor):
    with pytest.raises(ValidationError):
        request_dismiss(request=snowflake_request, editor=editor, reason="  ")
    request_dismiss(request=snowflake_request, editor=editor, reason="Not on our roadmap")
    snowflake_request.refresh_from_db()
    assert snowflake_request.status == Status.DISMISSED
    with pytest.raises(ValidationError):
        request_start_writing(request=snowflake_request, editor=editor)


def test_editors_see_requests_and_example_tickets_without_customer_identities(
    snowflake_request, editor
):
    client = signed_in(editor)
    index = client.get("/admin/articles-to-write/").content.decode()
    assert snowflake_request.title in index
    detail = client.get(f"/admin/articles-to-write/{snowflake_request.pk}/").content.decode()
    assert "Snowflake export of shifts" in detail
    assert "jo.doe@example.com" not in detail and "[e-mail]" in detail
    assert 'data-testid="ticket-count">2<' in detail


def test_the_editor_works_a_request_from_wagtail_admin(snowflake_request, editor):
    client = signed_in(editor)
    url = f"/admin/articles-to-write/{snowflake_request.pk}/"
    response = client.post(url, {"action": "start", "start-category": ""})
    snowflake_request.refresh_from_db()
    assert response["Location"] == f"/admin/pages/{snowflake_request.article_id}/edit/"
    client.post(url, {"action": "dismiss", "dismiss-reason": ""})
    snowflake_request.refresh_from_db()
    assert snowflake_request.status == Status.IN_PROGRESS  # no reason given: nothing happens


def test_starting_an_article_for_a_request_without_a_category_creates_no_category_unasked(
    snowflake_request, editor
):
    ArticleRequest.objects.filter(pk=snowflake_request.pk).update(category=None)
    categories = set(CategoryPage.objects.values_list("title", flat=True))
    with pytest.raises(ValidationError, match="Choose the category"):
        request_start_writing(request=snowflake_request, editor=editor)

    client = signed_in(editor)
    url = f"/admin/articles-to-write/{snowflake_request.pk}/"
    page = client.get(url).content.decode()
    assert "— choose a category —" in page and "…or a new category" in page
    response = client.post(url, {"action": "start", "start-category": ""}, follow=True)
    assert "Choose the category the article goes in, or name a new one." in (
        response.content.decode()
    )
    assert set(CategoryPage.objects.values_list("title", flat=True)) == categories
    snowflake_request.refresh_from_db()
    assert snowflake_request.article is None and snowflake_request.status == Status.OPEN


def test_an_editor_puts_the_article_in_a_new_category_only_by_naming_it(snowflake_request, editor):
    ArticleRequest.objects.filter(pk=snowflake_request.pk).update(category=None)
    client = signed_in(editor)
    url = f"/admin/articles-to-write/{snowflake_request.pk}/"
    client.post(url, {"action": "start", "start-category": "", "start-new_category": "Data"})
    snowflake_request.refresh_from_db()
    assert snowflake_request.article.get_parent().title == "Data"
    assert snowflake_request.category.title == "Data"


def test_an_editor_may_choose_another_existing_category(snowflake_request, editor):
    billing = make_category("Billing")
    client = signed_in(editor)
    url = f"/admin/articles-to-write/{snowflake_request.pk}/"
    assert "Its own: Integrations" in client.get(url).content.decode()
    client.post(url, {"action": "start", "start-category": billing.pk})
    snowflake_request.refresh_from_db()
    assert snowflake_request.article.get_parent().specific == billing


@pytest.mark.parametrize("who", ["customer", "agent"])
def test_customers_and_agents_without_the_permission_never_see_requests(
    snowflake_request, who, request
):
    user = request.getfixturevalue(who)
    client = signed_in(user)
    for url in ("/admin/articles-to-write/", f"/admin/articles-to-write/{snowflake_request.pk}/"):
        assert client.get(url).status_code in (302, 403)
    assert Client().get("/admin/articles-to-write/").status_code == 302


def test_the_index_filters_by_status_and_category(snowflake_request, editor):
    client = signed_in(editor)
    assert (
        snowflake_request.title
        in client.get("/admin/articles-to-write/?status=open").content.decode()
    )
    assert (
        snowflake_request.title
        not in client.get("/admin/articles-to-write/?status=done").content.decode()
    )
    other = make_category("Billing")
    assert (
        snowflake_request.title
        not in client.get(f"/admin/articles-to-write/?status=&category={other.pk}").content.decode()
    )


def test_the_wagtail_dashboard_shows_top_requests_and_this_weeks_deflection(
    snowflake_request, editor
):
    article = make_article("Reset your password")
    ContactSession.objects.create(outcome="deflected", deflected_by=article)
    ContactSession.objects.create(outcome="ticket")
    ContactSession.objects.create(outcome="deflected", deflected_by=article)
    ContactSession.objects.create(outcome="ticket")
    html = signed_in(editor).get("/admin/").content.decode()
    assert "Articles to write" in html and snowflake_request.title in html
    assert 'data-testid="deflection-rate">50%<' in html


def test_each_article_shows_how_support_used_it(editor, customer, agent):
    article = make_article("Reset your password", "Click Forgot password.")
    session = ContactSession.objects.create()
    services.contact_session_suggest(session=session, subject="forgot password", description="")
    services.contact_session_open_article(session=session, article=article)
    services.deflection_record(session=session, article=article)
    ticket = make_ticket(customer, subject="Locked out", description="Forgot my password again")
    services.ticket_resolve(
        ticket=ticket,
        actor=agent,
        resolution=Ticket.Resolution.ANSWERED_BY_ARTICLE,
        article=article,
    )
    html = signed_in(editor).get(f"/admin/pages/{article.pk}/edit/").content.decode()
    figures = [int(x) for x in __import__("re").findall(r'data-testid="figure">(\d+)<', html)]
    assert figures == [1, 1, 1, 1]  # suggested, opened, deflections, tickets resolved
    assert "Locked out. Forgot my password again" in html  # a learned phrase


def request_page(article_request) -> str:
    return f"/admin/articles-to-write/{article_request.pk}/"


def test_an_editor_links_an_existing_article_from_the_request_page(snowflake_request, editor):
    article = make_article("Warehouses", "Export a CSV and load it into any warehouse.")
    client = signed_in(editor)
    page = client.post(
        request_page(snowflake_request), {"action": "link", "link-article": article.pk}, follow=True
    ).content.decode()
    assert "Linked. The request is done once the article is live." in page
    snowflake_request.refresh_from_db()
    assert snowflake_request.article == article


def test_an_editor_dismisses_a_request_with_a_reason_and_cannot_then_start_it(
    snowflake_request, editor
):
    client = signed_in(editor)
    url = request_page(snowflake_request)
    page = client.post(
        url, {"action": "dismiss", "dismiss-reason": "Not on our roadmap"}, follow=True
    ).content.decode()
    assert "Dismissed." in page
    snowflake_request.refresh_from_db()
    assert snowflake_request.status == Status.DISMISSED

    page = client.post(url, {"action": "start", "start-category": ""}, follow=True)
    assert page.redirect_chain[-1][0] == url  # back on the request, with the reason why not
    assert "This request is closed." in page.content.decode()
    snowflake_request.refresh_from_db()
    assert snowflake_request.status == Status.DISMISSED and snowflake_request.article is None


def test_an_unknown_action_changes_nothing(snowflake_request, editor):
    response = signed_in(editor).post(request_page(snowflake_request), {"action": "publish"})
    assert response.status_code == 302 and response["Location"] == request_page(snowflake_request)
    snowflake_request.refresh_from_db()
    assert snowflake_request.status == Status.OPEN
