"""Answer after filing: a confident article is offered on the confirmation page and e-mail of
every channel, and one click from the customer, and only that, closes the ticket."""

import re
import uuid

import pytest
from django.core import mail, signing
from django.test import Client
from rest_framework.test import APIClient

from kb.models import CategoryPage
from tickets.links import ANSWER_OFFER_SALT
from tickets.models import AnswerOffer, SuggestionShown, Ticket, TicketEvent, WidgetOrigin

pytestmark = pytest.mark.django_db
NEW = "/support/new/"
PASSWORD_QUESTION = {
    "subject": "I forgot my password",
    "description": "I cannot sign in because I forgot my password and need to reset it.",
}
VAGUE = {"subject": "Hello", "description": "Something about the weather on Tuesday."}


def file_by_form(client, committed, **overrides):
    data = {
        **PASSWORD_QUESTION,
        "email": "guest@example.com",
        "session": str(uuid.uuid4()),
        "submission": str(uuid.uuid4()),
        "action": "send",
        **overrides,
    }
    with committed():
        response = client.post(NEW, data)
    assert response.status_code == 302
    return Ticket.objects.latest("pk"), response


def answer_link(body: str, choice: str = "solved") -> str:
    match = re.search(rf"http://testserver(/support/answer/[^/\s]+/)\?choice={choice}", body)
    assert match, body
    return match.group(1)


# --- offered on every channel --------------------------------------------------------------


def test_a_confident_match_is_offered_on_the_confirmation_page_and_e_mail(
    client, demo_articles, committed
):
    ticket, response = file_by_form(client, committed)
    offer = AnswerOffer.objects.get(ticket=ticket)
    assert offer.article == demo_articles["Reset your password"]
    assert offer.state == AnswerOffer.State.OFFERED
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="answer-offer"' in page and "Reset your password" in page
    assert "Click Forgot password on the sign-in page" in page  # the answering passage
    assert "This solved it — close my request" in page and "I still need help" in page
    email = mail.outbox[-1]
    assert email.to == ["guest@example.com"]
    assert "Reset your password" in email.body and "Click Forgot password" in email.body
    assert answer_link(email.body, "solved") == answer_link(email.body, "help")
    ticket.refresh_from_db()
    assert ticket.is_open  # nothing closed without the customer's click
    assert ticket.events.filter(kind=TicketEvent.Kind.ANSWER_OFFERED).count() == 1


def test_the_api_offers_the_answer_in_its_response_and_e_mail(customer, demo_articles, committed):
    api = APIClient()
    api.force_authenticate(customer)
    with committed():
        response = api.post("/api/v1/tickets", PASSWORD_QUESTION)
    assert response.status_code == 201
    offered = response.json()["answer_offered"]
    assert offered["article_title"] == "Reset your password"
    assert offered["passage"]["text"].startswith("Click Forgot password")
    assert offered["answer_url"].startswith("http://testserver/support/answer/")
    assert "Reset your password" in mail.outbox[-1].body
    # The page's link and the e-mail's open the same offer (each is signed when it is written,
    # so their timestamps may differ by a second).
    in_mail = answer_link(mail.outbox[-1].body).split("/")[-2]
    in_response = offered["answer_url"].rstrip("/").split("/")[-1]
    assert signing.loads(in_mail, salt=ANSWER_OFFER_SALT) == signing.loads(
        in_response, salt=ANSWER_OFFER_SALT
    )


def test_the_widget_offers_the_answer_in_its_response_and_e_mail(demo_articles, committed):
    WidgetOrigin.objects.create(origin="https://app.example.com")
    widget = Client(HTTP_ORIGIN="https://app.example.com")
    data = {**PASSWORD_QUESTION, "email": "w@example.com", "submission": str(uuid.uuid4())}
    with committed():
        response = widget.post("/api/v1/widget/tickets", data, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["answer_offered"]["article_title"] == "Reset your password"
    assert "This solved it — close my request" in mail.outbox[-1].body
    again = widget.post("/api/v1/widget/tickets", data, content_type="application/json")
    assert again.status_code == 200 and again.json()["answer_offered"] is None


# --- not offered ---------------------------------------------------------------------------


def test_nothing_is_offered_when_no_article_is_a_confident_match(client, demo_articles, committed):
    ticket, response = file_by_form(client, committed, **VAGUE)
    assert not AnswerOffer.objects.filter(ticket=ticket).exists()
    assert 'data-testid="answer-offer"' not in client.get(response["Location"]).content.decode()
    assert "This solved it" not in mail.outbox[-1].body


def test_a_match_worth_showing_but_not_confident_is_not_offered(
    client, demo_articles, committed, settings
):
    settings.ANSWER_OFFER_MIN_RELATIVE = 5.0  # nothing can be this sure
    ticket, _ = file_by_form(client, committed)
    assert not AnswerOffer.objects.filter(ticket=ticket).exists()
    assert "This solved it" not in mail.outbox[-1].body


def test_editors_can_turn_it_off_for_a_category(client, demo_articles, committed):
    account = CategoryPage.objects.get(title="Account")
    account.offer_answer_after_filing = False
    account.save_revision().publish()
    ticket, _ = file_by_form(client, committed)
    assert not AnswerOffer.objects.filter(ticket=ticket).exists()
    assert "This solved it" not in mail.outbox[-1].body


def test_an_article_opened_and_rejected_before_filing_is_not_offered_again(
    client, demo_articles, committed
):
    session = str(uuid.uuid4())
    client.post(
        NEW, {**PASSWORD_QUESTION, "email": "g@example.com", "session": session, "action": "check"}
    )
    password = demo_articles["Reset your password"]
    client.get(f"/support/contact/{session}/article/{password.pk}/")  # opened, then "No"
    assert SuggestionShown.objects.filter(article=password, clicked_at__isnull=False).exists()
    ticket, _ = file_by_form(client, committed, email="g@example.com", session=session)
    offer = AnswerOffer.objects.filter(ticket=ticket).first()
    assert offer is None or offer.article != password
    assert "Click Forgot password" not in mail.outbox[-1].body


def test_filing_never_fails_when_the_offer_cannot_be_decided(
    client, demo_articles, committed, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("engine down")

    monkeypatch.setattr("tickets.services.answer_offers.suggest_articles", broken)
    ticket, _ = file_by_form(client, committed)
    assert ticket.is_open and not AnswerOffer.objects.exists()
    assert mail.outbox[-1].subject  # the confirmation still went out


# --- the signed link -----------------------------------------------------------------------


@pytest.fixture
def offered(client, demo_articles, committed):
    ticket, _ = file_by_form(client, committed)
    return ticket, answer_link(mail.outbox[-1].body)


def test_opening_the_link_shows_the_answer_and_closes_nothing(offered):
    ticket, link = offered
    response = Client().get(link + "?choice=solved")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Click Forgot password" in html and 'name="choice" value="solved"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    ticket.refresh_from_db()
    assert ticket.is_open and ticket.answer_offer.state == AnswerOffer.State.OFFERED


def test_this_solved_it_closes_that_ticket_as_resolved_by_self_service(offered, committed):
    ticket, link = offered
    other, _ = Ticket.objects.get_or_create(
        subject="Other", description="x", customer_email="guest@example.com"
    )
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(link)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = visitor.post(link, {"choice": "solved", "csrfmiddlewaretoken": token}, follow=True)
    assert "we closed " + ticket.reference in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.resolution == Ticket.Resolution.SELF_SERVICE
    assert ticket.resolved_article == ticket.answer_offer.article
    assert ticket.answer_offer.state == AnswerOffer.State.ACCEPTED
    assert ticket.events.filter(kind=TicketEvent.Kind.ANSWER_ACCEPTED).count() == 1
    other.refresh_from_db()
    assert other.is_open
    # A second click is harmless: still resolved once, nothing else changes.
    visitor.post(link, {"choice": "solved", "csrfmiddlewaretoken": token})
    assert ticket.events.filter(kind=TicketEvent.Kind.ANSWER_ACCEPTED).count() == 1
    assert ticket.events.filter(kind=TicketEvent.Kind.STATUS, to_value="resolved").count() == 1
    # The link proved the address: this browser now follows the ticket, marked self-service.
    detail = visitor.get(f"/support/tickets/{ticket.reference}/").content.decode()
    assert 'data-testid="self-service-resolution"' in detail


def test_the_link_refuses_a_post_without_the_csrf_token(offered):
    ticket, link = offered
    response = Client(enforce_csrf_checks=True).post(link, {"choice": "solved"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.is_open


def test_i_still_need_help_keeps_it_open_and_clears_the_offer(offered, client):
    ticket, link = offered
    Client().post(link, {"choice": "help"})
    ticket.refresh_from_db()
    assert ticket.is_open and ticket.answer_offer.state == AnswerOffer.State.DECLINED
    assert ticket.events.filter(kind=TicketEvent.Kind.ANSWER_DECLINED).count() == 1
    page = client.get(f"/support/tickets/{ticket.reference}/").content.decode()
    assert 'data-testid="answer-offer"' not in page


@pytest.mark.parametrize(
    "tamper", [lambda link: link[:-6] + "xxxxx/", lambda link: "/support/answer/nonsense/"]
)
def test_a_tampered_link_says_so_and_closes_nothing(offered, tamper):
    ticket, link = offered
    for method in ("get", "post"):
        response = getattr(Client(), method)(tamper(link), {"choice": "solved"})
        assert response.status_code == 400
        assert "doesn't work" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.is_open


def test_a_link_signed_for_another_ticket_closes_nothing(offered):
    ticket, _ = offered
    forged = signing.dumps(
        {"o": ticket.answer_offer.pk, "t": ticket.pk + 1, "e": ticket.customer_email},
        salt=ANSWER_OFFER_SALT,
    )
    assert Client().post(f"/support/answer/{forged}/", {"choice": "solved"}).status_code == 400
    ticket.refresh_from_db()
    assert ticket.is_open


def test_an_expired_link_says_so_and_closes_nothing(offered, settings):
    ticket, link = offered
    settings.ANSWER_OFFER_LINK_MAX_AGE = -1
    response = Client().post(link, {"choice": "solved"})
    assert response.status_code == 410 and "expired" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.is_open
