"""The support API: own tickets only, validated input, idempotent creation, deflection."""

import uuid

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import make_ticket
from tickets.models import ContactSession, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(customer):
    client = APIClient()
    client.force_authenticate(customer)
    return client


def test_filing_a_ticket_needs_an_account(client):
    response = client.post("/api/v1/tickets", {"subject": "S", "description": "D"})
    assert response.status_code == 403


def test_a_customer_files_a_ticket_and_gets_its_reference(api, customer):
    response = api.post("/api/v1/tickets", {"subject": "Export fails", "description": "Error 500"})
    assert response.status_code == 201
    body = response.json()
    ticket = Ticket.objects.get()
    assert body["reference"] == ticket.reference and body["status"] == "new"
    assert ticket.customer == customer


def test_a_token_authenticates_as_well_as_a_session(customer):
    token = Token.objects.create(user=customer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.post("/api/v1/tickets", {"subject": "S", "description": "D"}).status_code == 201


def test_the_idempotency_key_files_one_ticket_for_retries(api):
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-123"}
    first = api.post("/api/v1/tickets", {"subject": "S", "description": "D"}, **headers)
    second = api.post("/api/v1/tickets", {"subject": "S", "description": "D"}, **headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["reference"] == second.json()["reference"]
    assert Ticket.objects.count() == 1


def test_idempotency_keys_of_different_customers_do_not_collide(api, other_customer):
    api.post("/api/v1/tickets", {"subject": "S", "description": "D"}, HTTP_IDEMPOTENCY_KEY="k")
    other = APIClient()
    other.force_authenticate(other_customer)
    response = other.post(
        "/api/v1/tickets", {"subject": "S", "description": "D"}, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 201
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"subject": "x" * 201, "description": "D"}, "subject"),
        ({"subject": "S", "description": "x" * 20001}, "description"),
        ({"description": "D"}, "subject"),
        ({"subject": "   ", "description": "D"}, "subject"),
        ({"subject": "S", "description": "D", "category": "billing"}, "category"),
        ({"subject": "S", "description": "D", "category": 999999}, "category"),
        ({"subject": ["a"], "description": "D"}, "subject"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field(api, payload, field):
    response = api.post("/api/v1/tickets", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Ticket.objects.exists()


def test_unknown_fields_are_ignored(api):
    response = api.post(
        "/api/v1/tickets",
        {"subject": "S", "description": "D", "status": "resolved", "priority": "urgent"},
        format="json",
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.priority) == ("new", "normal")


def test_an_unknown_content_type_is_refused(api):
    response = api.post("/api/v1/tickets", b"<xml/>", content_type="application/xml")
    assert response.status_code == 415


def test_a_form_post_is_refused_because_the_api_speaks_json(api):
    response = api.post("/api/v1/tickets", {"subject": "S", "description": "D"}, format="multipart")
    assert response.status_code == 415
    assert not Ticket.objects.exists()


def test_numbers_where_text_belongs_are_refused_not_turned_into_text(api):
    response = api.post("/api/v1/tickets", {"subject": 1042, "description": True})
    assert response.status_code == 400
    assert set(response.json()) == {"subject", "description"}
    assert not Ticket.objects.exists()


def test_a_limit_counts_every_character_sent_even_trailing_spaces(client):
    response = client.get("/api/v1/widget/suggest", {"path": "/billing" + " " * 500})
    assert response.status_code == 400 and "path" in response.json()


def test_text_where_a_number_belongs_is_refused(api, demo_articles):
    response = api.post("/api/v1/tickets", {"subject": "S", "description": "D", "category": "3"})
    assert response.status_code == 400 and "category" in response.json()


def test_a_malformed_session_id_is_a_json_not_found(client):
    for method in (client.post, client.get):
        response = method("/api/v1/contact-sessions/not-a-uuid/deflect")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert client.get("/api/v1/no-such-endpoint").status_code == 404


def test_an_id_too_large_for_the_database_is_not_found_rather_than_an_error(client):
    huge = "151343585823623578087898218496"
    assert client.get(f"/api/v1/widget/articles/{huge}").status_code == 404
    assert client.get(f"/support/contact/{uuid.uuid4()}/article/{huge}/").status_code == 404
    assert client.post(f"/kb/feedback/{huge}/").status_code == 404


def test_an_id_too_large_for_the_database_is_refused_as_input(api, client):
    huge = 40854664331802408475395358720
    session_id = uuid.uuid4()
    client.post(
        f"/api/v1/contact-sessions/{session_id}/suggestions",
        {"subject": "password"},
        content_type="application/json",
    )
    refused = [
        ("article", client.post("/api/v1/widget/deflect", {"article": huge}, "application/json")),
        (
            "article",
            client.post(
                f"/api/v1/contact-sessions/{session_id}/deflect",
                {"article": huge},
                "application/json",
            ),
        ),
        (
            "category",
            api.post(
                "/api/v1/tickets", {"subject": "S", "description": "D", "category": huge}, "json"
            ),
        ),
    ]
    for field, response in refused:
        assert response.status_code == 400 and field in response.json()
    assert not Ticket.objects.exists()
    assert ContactSession.objects.get(pk=session_id).outcome == ContactSession.Outcome.OPEN


def test_a_reference_with_digits_of_another_script_is_not_found(api):
    for reference in ["\u00b9", "SUP-\u00b2\u00b3", "SUP-\u0663"]:  # superscripts, Arabic-Indic
        assert api.get(f"/api/v1/tickets/{reference}").status_code == 404


def test_an_empty_number_in_the_query_is_refused_not_defaulted(client):
    response = client.get("/api/v1/suggest", {"q": "password", "limit": ""})
    assert response.status_code == 400 and "limit" in response.json()


def test_customers_list_and_read_only_their_own_tickets(api, customer, other_customer):
    mine = make_ticket(customer, subject="Mine")
    theirs = make_ticket(other_customer, subject="Theirs")
    listed = [t["reference"] for t in api.get("/api/v1/tickets").json()["results"]]
    assert listed == [mine.reference]
    assert api.get(f"/api/v1/tickets/{mine.reference}").json()["subject"] == "Mine"
    assert api.get(f"/api/v1/tickets/{theirs.reference}").status_code == 404


def test_contact_session_suggestions_are_recorded(client, demo_articles):
    session_id = uuid.uuid4()
    response = client.post(
        f"/api/v1/contact-sessions/{session_id}/suggestions",
        {"subject": "forgot my password", "description": ""},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200 and body["session"] == str(session_id)
    assert body["results"][0]["title"] == "Reset your password"
    session = ContactSession.objects.get(pk=session_id)
    assert session.subject == "forgot my password"
    assert session.suggestions_shown.first().title == "Reset your password"


def test_deflecting_through_the_api(client, demo_articles):
    session_id = uuid.uuid4()
    client.post(
        f"/api/v1/contact-sessions/{session_id}/suggestions",
        {"subject": "forgot my password"},
        content_type="application/json",
    )
    article = demo_articles["Reset your password"]
    response = client.post(
        f"/api/v1/contact-sessions/{session_id}/deflect",
        {"article": article.pk},
        content_type="application/json",
    )
    assert response.json() == {
        "session": str(session_id),
        "outcome": "deflected",
        "article": article.pk,
    }
    assert (
        APIClient()
        .post(
            f"/api/v1/contact-sessions/{session_id}/deflect", {"article": article.pk}, format="json"
        )
        .status_code
        == 404
    )  # another client cannot touch this session
    assert (
        client.post(
            f"/api/v1/contact-sessions/{session_id}/deflect",
            {"article": "x"},
            content_type="application/json",
        ).status_code
        == 400
    )


def test_the_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/tickets" in text and "/api/v1/suggest" in text
    assert "/admin/api" not in text
    assert client.get("/api/docs/").status_code == 200
