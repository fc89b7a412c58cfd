"""Abuse limits: too many posts from one address or one account get 429 with Retry-After."""

import uuid

import pytest
from django.test import Client

from tests.factories import PASSWORD
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "tickets:new": "2/hour",
        "login": "3/min",
        "password_reset": "1/hour",
    }


TOPICS = ["Printer on fire", "Invoice missing", "Calendar sync broken", "Slack silent"]


def file(client, n=0, **extra):
    return client.post(
        "/support/new/",
        {
            "subject": TOPICS[n],
            "description": f"{TOPICS[n]}, please help",
            "email": "a@example.com",
            "action": "send",
            "submission": str(uuid.uuid4()),
        },
        **extra,
    )


def test_filing_too_many_tickets_from_one_address_is_refused_with_retry_after(tight, client):
    # Different requests: the same words twice would be one double-submitted ticket.
    assert [file(client, n).status_code for n in range(2)] == [302, 302]
    refused = file(client, 2)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many attempts" in refused.content.decode()
    assert Ticket.objects.count() == 2
    assert file(Client(), REMOTE_ADDR="10.0.0.9").status_code == 302  # another address


def test_an_account_is_limited_whatever_address_it_comes_from(tight, customer):
    client = Client()
    client.login(username=customer.email, password=PASSWORD)
    codes = [file(client, n, REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(3)]
    assert codes == [302, 302, 429]


def test_sign_in_attempts_are_limited(tight, customer):
    client = Client()
    attempts = [
        client.post(
            "/accounts/login/", {"username": customer.email, "password": "wrong"}
        ).status_code
        for _ in range(4)
    ]
    assert attempts == [200, 200, 200, 429]


def test_password_reset_requests_are_limited(tight, client):
    assert client.post("/accounts/password_reset/", {"email": "x@example.com"}).status_code == 302
    assert client.post("/accounts/password_reset/", {"email": "x@example.com"}).status_code == 429


def test_reading_is_never_limited(tight, client):
    assert all(client.get("/support/new/").status_code == 200 for _ in range(5))


def test_an_unreachable_counter_lets_requests_through(tight, client, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "add", broken)
    monkeypatch.setattr(cache, "incr_counter", broken, raising=False)  # Redis's one round trip
    assert [file(client).status_code for _ in range(3)] == [302, 302, 302]


def test_the_api_throttles_answer_429_with_retry_after(client, demo_articles):
    from rest_framework.throttling import ScopedRateThrottle

    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {**original, "suggest": "1/min"}
    try:
        client.get("/api/v1/suggest", {"q": "password"})
        response = client.get("/api/v1/suggest", {"q": "password"})
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def test_deflecting_again_and_again_is_refused(settings, client, demo_articles):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "tickets:deflect": "2/min"}
    article = demo_articles["Reset your password"]
    codes = []
    for _ in range(3):
        session = str(uuid.uuid4())
        client.post(
            "/support/new/",
            {
                "subject": "I forgot my password",
                "description": "Cannot sign in",
                "email": "a@example.com",
                "session": session,
                "action": "check",
            },
        )
        deflect = client.post(f"/support/contact/{session}/deflect/", {"article": article.pk})
        codes.append(deflect.status_code)
    assert codes == [302, 302, 429]


SIGN_IN_PAGES = ["/accounts/login/", "/admin/login/", "/django-admin/login/"]


def test_one_account_is_limited_across_every_sign_in_page_and_address(settings, customer):
    settings.RATE_LIMIT_SIGN_IN_ACCOUNT = "4/hour"
    codes = []
    for n in range(6):
        page = SIGN_IN_PAGES[n % 3]
        guess = {"username": f" {customer.email.upper()} ", "password": f"guess {n}"}
        codes.append(Client().post(page, guess, REMOTE_ADDR=f"10.1.0.{n}").status_code)
    assert codes == [200, 200, 200, 200, 429, 429]
    other = {"username": "other@example.com", "password": "guess"}
    assert Client().post(SIGN_IN_PAGES[1], other, REMOTE_ADDR="10.1.0.9").status_code == 200


@pytest.mark.parametrize("page", SIGN_IN_PAGES)
def test_every_sign_in_page_is_limited_per_address_by_default(page):
    client = Client()
    codes = [
        client.post(page, {"username": f"user{n}@example.com", "password": "x"}).status_code
        for n in range(11)
    ]
    assert codes == [200] * 10 + [429]  # RATE_LIMIT_SIGN_IN, 10/min
