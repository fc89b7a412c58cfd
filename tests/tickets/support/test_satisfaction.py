"""A resolved ticket asks how it went: one rating per ticket, from its page or the e-mail."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from tests.factories import make_ticket, signed_in
from tickets import links, services
from tickets.models import SatisfactionRating, Ticket

pytestmark = pytest.mark.django_db


def resolve(ticket, agent):
    return services.ticket_resolve(ticket=ticket, actor=agent, resolution=Ticket.Resolution.NOT_KB)


@pytest.fixture
def resolved(customer, agent):
    ticket = make_ticket(customer)
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    return resolve(ticket, agent)


def test_rating_records_good_or_bad_for_the_agent_and_keeps_the_ticket_resolved(resolved, agent):
    rating = services.ticket_rate(ticket=resolved, rating="bad", comment="  Took a week.  ")
    assert (rating.rating, rating.comment, rating.agent) == ("bad", "Took a week.", agent)
    resolved.refresh_from_db()
    assert resolved.status == Ticket.Status.RESOLVED


def test_rating_again_changes_the_one_rating(resolved):
    services.ticket_rate(ticket=resolved, rating="bad", comment="Slow")
    services.ticket_rate(ticket=resolved, rating="good")
    rating = SatisfactionRating.objects.get()
    assert (rating.rating, rating.comment) == ("good", "Slow")


def test_an_open_ticket_cannot_be_rated(customer):
    ticket = make_ticket(customer)
    with pytest.raises(ValidationError):
        services.ticket_rate(ticket=ticket, rating="good")
    with pytest.raises(ValidationError):
        services.ticket_rate(ticket=ticket, rating="meh")
    assert not SatisfactionRating.objects.exists()


def test_the_customer_rates_a_resolved_ticket_from_its_page(resolved, customer):
    client = signed_in(customer)
    url = f"/support/tickets/{resolved.reference}/"
    assert 'data-testid="rate-good"' in client.get(url).content.decode()
    response = client.post(
        url + "rate/", {"rating": "good", "comment": "Quick, thanks"}, follow=True
    )
    html = response.content.decode()
    assert "Thanks for telling us how it went." in html
    assert "You rated this: Good." in html
    assert SatisfactionRating.objects.get().comment == "Quick, thanks"
    assert Ticket.objects.get().status == Ticket.Status.RESOLVED


def test_open_tickets_do_not_ask_for_a_rating(customer):
    ticket = make_ticket(customer)
    client = signed_in(customer)
    assert "rate-good" not in client.get(f"/support/tickets/{ticket.reference}/").content.decode()
    client.post(f"/support/tickets/{ticket.reference}/rate/", {"rating": "good"})
    assert not SatisfactionRating.objects.exists()


def test_nobody_else_can_rate_a_customers_ticket(resolved, other_customer):
    url = f"/support/tickets/{resolved.reference}/rate/"
    assert signed_in(other_customer).post(url, {"rating": "bad"}).status_code == 404
    assert Client().post(url, {"rating": "bad"}).status_code == 404
    assert not SatisfactionRating.objects.exists()


def rating_links(message) -> dict:
    found = re.findall(r"http://testserver(/support/rate/\S+)\?rating=(good|bad)", message.body)
    return {rating: path for path, rating in found}


def test_the_resolution_email_links_rate_without_signing_in_after_confirming(
    customer, agent, committed
):
    ticket = make_ticket(None, email="guest@example.com")
    mail.outbox.clear()
    with committed():
        resolve(ticket, agent)
    (message,) = mail.outbox
    assert "How did we do?" in message.body
    path = rating_links(message)["bad"]
    client = Client()
    page = client.get(path, {"rating": "bad"})
    assert page.status_code == 200 and ticket.reference in page.content.decode()
    assert re.search(r'value="bad"[^>]*checked', page.content.decode())
    assert not SatisfactionRating.objects.exists()  # a mail scanner's GET records nothing
    thanks = client.post(path, {"rating": "bad", "comment": "Still broken for me"})
    assert thanks.status_code == 200 and "Thank you" in thanks.content.decode()
    rating = SatisfactionRating.objects.get()
    assert (rating.ticket, rating.rating, rating.comment) == (ticket, "bad", "Still broken for me")
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.RESOLVED
    client.post(path, {"rating": "good"})
    assert SatisfactionRating.objects.get().rating == "good"
    # The thanks page's link opens the request in the same browser.
    assert client.get(f"/support/tickets/{ticket.reference}/").status_code == 200


def test_a_tampered_rating_link_is_refused_with_a_clear_page(resolved):
    token = links.rating_token(resolved)
    for path in (f"/support/rate/{token[:-2]}xy/", "/support/rate/nonsense/"):
        response = Client().post(path, {"rating": "good"})
        assert response.status_code == 400
        assert "This rating link doesn't work" in response.content.decode()
    assert not SatisfactionRating.objects.exists()


def test_an_expired_rating_link_is_refused_with_a_clear_page(resolved):
    path = f"/support/rate/{links.rating_token(resolved)}/"
    with override_settings(RATING_LINK_MAX_AGE=-1):
        for response in (Client().get(path), Client().post(path, {"rating": "good"})):
            assert response.status_code == 410
            assert "This rating link has expired" in response.content.decode()
    assert not SatisfactionRating.objects.exists()


def test_a_rating_link_for_a_reopened_ticket_says_so(resolved, customer):
    path = f"/support/rate/{links.rating_token(resolved)}/"
    services.ticket_reply(ticket=resolved, author=customer, body="It's back")
    assert "reopened" in Client().get(path).content.decode()
    assert Client().post(path, {"rating": "good"}).status_code == 400
    assert not SatisfactionRating.objects.exists()
