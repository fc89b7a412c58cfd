"""The API's rate limits: per client address as the form limiter sees it, counted atomically."""

import os
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, override_settings
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import ScopedRateThrottle

from kb.api import SuggestView

pytestmark = pytest.mark.django_db


@pytest.fixture
def suggest_rate():
    """Set the suggest endpoint's rate for one test."""
    original = ScopedRateThrottle.THROTTLE_RATES

    def set_rate(rate: str):
        ScopedRateThrottle.THROTTLE_RATES = {**original, "suggest": rate}

    yield set_rate
    ScopedRateThrottle.THROTTLE_RATES = original


def suggest_from(forwarded_for: str, remote_addr: str = "10.0.0.1") -> int:
    response = Client().get(
        "/api/v1/suggest",
        {"q": "password"},
        HTTP_X_FORWARDED_FOR=forwarded_for,
        REMOTE_ADDR=remote_addr,
    )
    return response.status_code


def test_a_client_that_rotates_x_forwarded_for_is_still_limited(suggest_rate, demo_articles):
    suggest_rate("2/min")
    codes = [suggest_from(f"203.0.113.{n}") for n in range(4)]
    assert codes == [200, 200, 429, 429]


def test_behind_a_configured_proxy_each_forwarded_address_has_its_own_limit(
    suggest_rate, demo_articles, settings
):
    settings.RATE_LIMIT_TRUST_X_FORWARDED_FOR = True
    suggest_rate("1/min")
    assert [suggest_from("203.0.113.1"), suggest_from("203.0.113.1")] == [200, 429]
    assert suggest_from("203.0.113.2") == 200


def _redis_cache():
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    return {
        "BACKEND": "portal.cache.ForgivingRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "deflect-throttle-test",
    }


CACHES = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "redis": _redis_cache(),
}


@pytest.mark.parametrize("backend", sorted(CACHES))
def test_parallel_requests_get_exactly_the_limit_through(backend, suggest_rate):
    if CACHES[backend] is None:
        pytest.skip("REDIS_URL is not set")
    suggest_rate("120/min")
    threads, requests_each = 16, 15
    allowed = []
    start = threading.Barrier(threads)

    def client():
        view = SuggestView()
        request = Request(APIRequestFactory().get("/api/v1/suggest", REMOTE_ADDR="10.9.9.9"))
        request.user = AnonymousUser()
        view.request = request
        start.wait()
        for _ in range(requests_each):
            allowed.append(all(t.allow_request(request, view) for t in view.get_throttles()))

    with override_settings(CACHES={"default": CACHES[backend]}):
        from django.core.cache import cache

        cache.clear()
        workers = [threading.Thread(target=client) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        cache.clear()
    assert len(allowed) == threads * requests_each
    assert allowed.count(True) == 120


def test_the_widget_cannot_relay_unlimited_confirmation_emails_to_one_address(settings, committed):
    from django.core import mail

    from tickets.models import Ticket, WidgetOrigin

    WidgetOrigin.objects.create(origin="https://app.example.com")
    settings.RATE_LIMIT_CONFIRMATION_EMAILS = "3/hour"
    widget = Client(HTTP_ORIGIN="https://app.example.com")
    codes = []
    with committed():
        for n in range(5):
            data = {
                "subject": f"Buy cheap watches {n}",
                "description": "Visit evil.example",
                "email": "Victim@Example.com" if n % 2 else "victim@example.com",
            }
            response = widget.post(
                "/api/v1/widget/tickets",
                data,
                content_type="application/json",
                REMOTE_ADDR=f"10.0.0.{n}",
                HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
            )
            codes.append(response.status_code)
        other = widget.post(
            "/api/v1/widget/tickets",
            {"subject": "Card refused", "description": "Help", "email": "pat@example.com"},
            content_type="application/json",
        )
    assert codes == [201] * 5 and other.status_code == 201
    assert Ticket.objects.count() == 6  # every ticket is filed
    recipients = [message.to[0].lower() for message in mail.outbox]
    assert recipients.count("victim@example.com") == 3
    assert recipients.count("pat@example.com") == 1
