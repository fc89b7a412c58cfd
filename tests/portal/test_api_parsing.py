"""JSON bodies the API cannot use are a clear 400, however they are built."""

import uuid

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
SESSION = uuid.uuid4()
JSON_ENDPOINTS = [
    f"/api/v1/contact-sessions/{SESSION}/suggestions",
    f"/api/v1/contact-sessions/{SESSION}/deflect",
    "/api/v1/widget/deflect",
    "/api/v1/widget/tickets",
]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
@pytest.mark.parametrize("url", JSON_ENDPOINTS)
def test_json_nested_too_deeply_is_a_400_for_anyone(url, depth):
    response = Client().post(url, nested(depth), content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_json_nested_too_deeply_is_a_400_when_filing_a_ticket(customer):
    client = Client()
    client.login(username=customer.email, password=PASSWORD)
    body = '{"subject": "Help", "description": ' + nested(1000) + "}"
    response = client.post("/api/v1/tickets", body, content_type="application/json")
    assert response.status_code == 400


def test_ordinary_nesting_is_still_parsed(client):
    body = {"subject": "Invoice", "description": "Missing", "extra": [[{"a": [1]}]]}
    response = client.post(JSON_ENDPOINTS[0], body, content_type="application/json")
    assert response.status_code == 200
