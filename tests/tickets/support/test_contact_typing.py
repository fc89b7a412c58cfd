"""The contact form while the customer types: suggestions, and what is kept of each keystroke."""

import uuid

import pytest
from django.test import Client
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import PASSWORD
from tickets.models import ContactSession, SuggestionShown, Ticket

pytestmark = pytest.mark.django_db
NEW = "/support/new/"


def type_into_the_form(client, session_id, *texts, **headers):
    """Each text as the page's script posts it after a pause in typing; the last response."""
    response = None
    for text in texts:
        response = client.post(
            f"/api/v1/contact-sessions/{session_id}/suggestions",
            {"subject": "", "description": text, "email": "", "source_page": ""},
            content_type="application/json",
            **headers,
        )
    return response


def send(client, session_id, description, **extra):
    return client.post(
        NEW,
        {
            "subject": "Signing in",
            "description": description,
            "email": "guest@example.com",
            "session": str(session_id),
            "submission": str(uuid.uuid4()),
            "action": "send",
            **extra,
        },
    )


def test_the_articles_shown_while_typing_are_on_the_ticket_that_still_need_help_files(
    client, demo_articles
):
    session_id = uuid.uuid4()
    response = type_into_the_form(
        client, session_id, "forgot my pass", "forgot my password", "forgot my password again"
    )
    assert response.json()["results"][0]["title"] == "Reset your password"
    send(client, session_id, "forgot my password again")
    ticket = Ticket.objects.get()
    shown = ticket.contact_session.suggestions_shown.all()
    assert "Reset your password" in [s.title for s in shown]
    assert ticket.description == "forgot my password again"


def test_an_article_that_appears_later_in_the_typing_is_added_once_at_the_rank_it_had(
    client, demo_articles
):
    session_id = uuid.uuid4()
    type_into_the_form(client, session_id, "forgot my password", "forgot my password")
    before = set(SuggestionShown.objects.values_list("article__title", flat=True))
    assert before and SuggestionShown.objects.count() == len(before)  # once each, however often
    type_into_the_form(client, session_id, "forgot my password and my invoice receipts")
    shown = {s.article.title: s.rank for s in SuggestionShown.objects.select_related("article")}
    assert "Download invoices and receipts" in shown and set(shown) > before
    assert SuggestionShown.objects.count() == len(shown)


def test_the_text_kept_is_the_last_keystrokes_and_the_best_match_outlives_a_weaker_one(
    client, demo_articles
):
    session_id = uuid.uuid4()
    type_into_the_form(client, session_id, "forgot my password")
    best = ContactSession.objects.get(pk=session_id).top_relative
    type_into_the_form(client, session_id, "forgot my password qqqzzz xxyyq")
    session = ContactSession.objects.get(pk=session_id)
    assert best and session.description == "forgot my password qqqzzz xxyyq"
    assert session.top_relative >= best * 0.5  # not reset by a keystroke that matched less


def test_typing_nothing_that_matches_leaves_a_score_of_nothing_for_gap_mining(client):
    session_id = uuid.uuid4()
    type_into_the_form(client, session_id, "qqqzzz xxyyq")
    session = ContactSession.objects.get(pk=session_id)
    assert session.top_score == 0 and session.top_relative == 0
    assert not session.suggestions_shown.exists()


def test_a_deflection_after_typing_records_the_article_that_answered(client, demo_articles):
    session_id = uuid.uuid4()
    type_into_the_form(client, session_id, "forgot my password")
    article = demo_articles["Reset your password"]
    client.post(f"/support/contact/{session_id}/deflect/", {"article": article.pk})
    session = ContactSession.objects.get(pk=session_id)
    assert session.outcome == ContactSession.Outcome.DEFLECTED and session.deflected_by == article
    assert session.description == "forgot my password"
    assert not Ticket.objects.exists()


def test_typing_after_filing_changes_nothing_on_the_filed_request(client, demo_articles):
    session_id = uuid.uuid4()
    type_into_the_form(client, session_id, "forgot my password")
    send(client, session_id, "forgot my password")
    shown = SuggestionShown.objects.count()
    response = type_into_the_form(client, session_id, "my card was declined")
    assert response.status_code == 200 and response.json()["session"] == str(session_id)
    session = ContactSession.objects.get(pk=session_id)
    assert session.outcome == ContactSession.Outcome.TICKET
    assert session.description == "forgot my password" == Ticket.objects.get().description
    assert SuggestionShown.objects.count() >= shown


def test_a_double_submit_after_typing_files_one_ticket(client, demo_articles):
    session_id = uuid.uuid4()
    type_into_the_form(client, session_id, "forgot my password")
    data = {"submission": str(uuid.uuid4())}
    first = send(client, session_id, "forgot my password", **data)
    second = send(client, session_id, "forgot my password", **data)
    assert Ticket.objects.count() == 1 and first["Location"] == second["Location"]


def test_someone_elses_session_id_starts_a_session_of_ones_own(client, demo_articles):
    session_id = uuid.uuid4()
    type_into_the_form(client, session_id, "forgot my password")
    stranger = Client()
    response = type_into_the_form(stranger, session_id, "my card was declined")
    theirs = response.json()["session"]
    assert theirs != str(session_id)
    assert ContactSession.objects.get(pk=session_id).description == "forgot my password"
    assert ContactSession.objects.get(pk=theirs).description == "my card was declined"


def test_a_signed_in_customers_typing_is_kept_on_their_own_session(client, customer, demo_articles):
    client.login(username=customer.email, password=PASSWORD)
    session_id = uuid.uuid4()
    type_into_the_form(client, session_id, "forgot my pass", "forgot my password")
    session = ContactSession.objects.get(pk=session_id)
    assert session.user == customer and session.description == "forgot my password"


def test_a_signed_in_customers_typing_needs_the_csrf_token(customer, demo_articles):
    client = Client(enforce_csrf_checks=True)
    client.login(username=customer.email, password=PASSWORD)
    client.get(NEW)  # the form sets the CSRF cookie
    session_id = uuid.uuid4()
    assert type_into_the_form(client, session_id, "forgot my password").status_code == 403
    token = client.cookies["csrftoken"].value
    response = type_into_the_form(client, session_id, "forgot my password", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_typing_faster_than_the_limit_is_refused_with_429(
    client, demo_articles, monkeypatch, settings
):
    settings.CONTACT_DRAFT_SAVE_SECONDS = 0  # every keystroke let through is written
    monkeypatch.setattr(
        ScopedRateThrottle,
        "THROTTLE_RATES",
        {**ScopedRateThrottle.THROTTLE_RATES, "suggest": "3/min"},
    )
    session_id = uuid.uuid4()
    codes = [type_into_the_form(client, session_id, f"password {n}").status_code for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert ContactSession.objects.get(pk=session_id).description == "password 2"
