"""Customers whose question had no article hear, once, when one is written; they can say no."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import make_category, make_ticket, make_user, signed_in
from tickets import links, services
from tickets.gaps.article_requests import request_start_writing
from tickets.gaps.mining import mine_gaps
from tickets.models import ArticleRequest, EmailOptOut, Notification, Ticket

pytestmark = pytest.mark.django_db

QUESTIONS = [
    ("guest@example.com", "Export shifts to Snowflake", "We need shift data in Snowflake."),
    ("guest@example.com", "Snowflake export of shifts", "Can shifts go to Snowflake nightly?"),
    ("customer@example.com", "Shifts into Snowflake", "Our Snowflake warehouse needs shifts."),
]


@pytest.fixture
def snowflake_request(agent, customer):
    category = make_category("Integrations")
    for email, subject, description in QUESTIONS:
        user = customer if email == customer.email else None
        ticket = make_ticket(
            user, subject=subject, description=description, category=category, email=email
        )
        services.ticket_resolve(ticket=ticket, actor=agent, resolution=Ticket.Resolution.KB_GAP)
    mine_gaps()
    request = ArticleRequest.objects.get()
    assert request.ticket_count == 3
    return request


def publish_article_for(request, editor, committed):
    article = request_start_writing(request=request, editor=editor)
    mail.outbox.clear()
    with committed():
        article.save_revision().publish()
    article.refresh_from_db()
    return article


def notices():
    return [m for m in mail.outbox if "written an article" in m.subject]


def test_publishing_the_article_tells_each_customer_who_asked_once(
    snowflake_request, editor, committed
):
    article = publish_article_for(snowflake_request, editor, committed)
    sent = notices()
    assert sorted(m.to[0] for m in sent) == ["customer@example.com", "guest@example.com"]
    for message in sent:
        assert message.subject == f"We've written an article about your question: {article.title}"
        assert f"http://testserver{article.url}" in message.body
        assert "/support/unsubscribe/" in message.body
    guest = next(m for m in sent if m.to == ["guest@example.com"])
    assert "Snowflake export of shifts" in guest.body  # their latest ticket of the two
    assert guest.extra_headers["List-Unsubscribe"].startswith("<http://testserver/support/")


def test_republishing_the_article_tells_nobody_again(snowflake_request, editor, committed):
    article = publish_article_for(snowflake_request, editor, committed)
    mail.outbox.clear()
    with committed():
        article.save_revision().publish()
        services.gap_article_notices_queue(request=snowflake_request, article=article)
    assert notices() == []
    assert Notification.objects.filter(article_request=snowflake_request).count() == 2


def test_nothing_is_sent_until_the_publication_commits(snowflake_request, editor):
    article = request_start_writing(request=snowflake_request, editor=editor)
    mail.outbox.clear()
    article.save_revision().publish()  # the test's transaction never commits
    assert notices() == []
    assert Notification.objects.filter(article_request=snowflake_request).count() == 2


def test_a_customer_who_turned_notices_off_is_not_told(
    snowflake_request, editor, customer, committed
):
    response = signed_in(customer).post("/support/preferences/", {})  # box left unticked
    assert response.status_code == 302
    publish_article_for(snowflake_request, editor, committed)
    assert [m.to[0] for m in notices()] == ["guest@example.com"]


def test_a_guest_who_unsubscribed_is_not_told(snowflake_request, editor, committed):
    services.email_opt_out(email="Guest@Example.com")
    publish_article_for(snowflake_request, editor, committed)
    assert [m.to[0] for m in notices()] == ["customer@example.com"]


def test_the_editor_sees_how_many_customers_were_told(snowflake_request, editor, committed):
    client = signed_in(editor)
    detail = f"/admin/articles-to-write/{snowflake_request.pk}/"
    assert 'data-testid="customers-told">0<' in client.get(detail).content.decode()
    publish_article_for(snowflake_request, editor, committed)
    assert 'data-testid="customers-told">2<' in client.get(detail).content.decode()
    index = client.get("/admin/articles-to-write/?status=done").content.decode()
    assert 'data-testid="customers-told">2<' in index


def test_the_unsubscribe_link_asks_first_then_unsubscribes_without_signing_in(client):
    url = f"/support/unsubscribe/{links.unsubscribe_token('guest@example.com')}/"
    page = client.get(url)
    assert page.status_code == 200 and "guest@example.com" in page.content.decode()
    assert not EmailOptOut.objects.exists()  # a mail scanner following the link changes nothing
    done = Client(enforce_csrf_checks=True).post(url)  # mail clients' one-click post, no token
    assert done.status_code == 200 and "unsubscribed" in done.content.decode()
    assert not services.article_notices_wanted(email="guest@example.com")


def test_a_tampered_unsubscribe_link_is_refused_with_a_clear_page(client):
    token = links.unsubscribe_token("guest@example.com")
    forged = token.replace("guest", "other", 1)
    response = client.post(f"/support/unsubscribe/{forged}x/")
    assert response.status_code == 400
    assert "link doesn't work" in response.content.decode()
    assert not EmailOptOut.objects.exists()


def test_the_preferences_page_needs_signing_in_and_shows_the_choice(customer):
    assert Client().get("/support/preferences/").status_code == 302
    client = signed_in(customer)
    assert re.search(
        r'name="article_notices"[^>]*checked', client.get("/support/preferences/").content.decode()
    )
    client.post("/support/preferences/", {})
    assert not services.article_notices_wanted(email=customer.email)
    client.post("/support/preferences/", {"article_notices": "on"})
    assert services.article_notices_wanted(email=customer.email)


def test_saying_yes_again_lifts_an_earlier_unsubscribe_of_the_own_address(customer):
    services.email_opt_out(email=customer.email)
    client = signed_in(customer)
    html = client.get("/support/preferences/").content.decode()
    assert not re.search(r'name="article_notices"[^>]*checked', html)
    client.post("/support/preferences/", {"article_notices": "on"})
    assert services.article_notices_wanted(email=customer.email)


def test_erased_customers_are_not_told(snowflake_request, editor, committed):
    other = make_user("gone@example.com")
    ticket = make_ticket(other, subject="Snowflake shifts export", description="Snowflake?")
    Ticket.objects.filter(pk=ticket.pk).update(gap_request=snowflake_request)
    from tickets.services.privacy import customer_erase

    customer_erase(user=other)
    publish_article_for(snowflake_request, editor, committed)
    assert all("erased" not in m.to[0] for m in notices())
