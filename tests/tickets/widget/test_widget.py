"""The help widget's API: only listed sites, no cookies, page-aware answers, signed users."""

import uuid

import pytest
from django.test import Client

from kb.engine.places import Place, applies, parse_places
from kb.models import ArticlePage
from tests.factories import make_article, make_user
from tickets.models import ContactSession, Ticket, WidgetOrigin
from tickets.widget.access import user_token

pytestmark = pytest.mark.django_db
HOST = "https://app.example.com"
API = "/api/v1/widget/"


@pytest.fixture
def origin():
    return WidgetOrigin.objects.create(origin=HOST)


@pytest.fixture
def billing_articles():
    card = make_article(
        "Update your payment card", "Change the card we charge.", category="Billing"
    )
    invoices = make_article("Download invoices", "Every invoice is a PDF.", category="Billing")
    password = make_article("Reset your password", "Use Forgot password.", category="Account")
    for article, places in ((card, "/billing/*\nbilling/payment-method"), (invoices, "/billing/*")):
        article = ArticlePage.objects.get(pk=article.pk)
        article.help_places = places
        article.save_revision().publish()
    return {"card": card, "invoices": invoices, "password": password}


def widget(origin=HOST) -> Client:
    return Client(HTTP_ORIGIN=origin)


def test_places_match_paths_and_contexts():
    places = parse_places("/billing/*, billing/payment-method\n/settings/team")
    assert applies(places, Place(path="/billing/cards")) == 1
    assert applies(places, Place(path="/settings/team/")) == 1
    assert applies(places, Place(context="billing/payment-method/edit")) == 2
    assert applies(places, Place(path="/reports")) == 0


def test_a_listed_site_gets_cors_headers_and_no_cookies(origin, billing_articles):
    response = widget().get(API + "articles", {"path": "/billing/cards"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == HOST
    assert "Access-Control-Allow-Credentials" not in response
    assert not response.cookies


def test_cors_adds_origin_to_vary_without_dropping_what_was_there(origin):
    response = widget().get(API + "articles")
    vary = {value.strip().lower() for value in response["Vary"].split(",")}
    # DRF varies its answers by Accept; a cache must keep them apart by Origin as well.
    assert {"accept", "origin"} <= vary


def test_a_preflight_from_a_listed_site_allows_the_widgets_request(origin):
    preflight = widget().options(
        API + "tickets",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert preflight.status_code == 200 and preflight["Access-Control-Allow-Origin"] == HOST
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert preflight["Access-Control-Allow-Headers"] == "content-type"
    assert preflight["Access-Control-Max-Age"] == "600"


def test_a_preflight_from_an_unlisted_site_is_refused(origin):
    preflight = widget("https://evil.example").options(
        API + "tickets", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert preflight.status_code == 403
    assert "Access-Control-Allow-Origin" not in preflight


def test_each_listed_site_gets_its_own_origin_back_and_only_on_the_widgets_api(origin):
    other = "https://other.example.org"
    assert widget(other).get(API + "articles").status_code == 403
    WidgetOrigin.objects.create(origin=other)  # counts at once, though the list is cached
    assert widget(other).get(API + "articles")["Access-Control-Allow-Origin"] == other
    assert widget().get(API + "articles")["Access-Control-Allow-Origin"] == HOST
    # The rest of the portal is not shared with the widget's sites.
    elsewhere = widget().get("/api/v1/suggest", {"q": "card"})
    assert "Access-Control-Allow-Origin" not in elsewhere


def test_any_other_site_is_refused(origin):
    response = widget("https://evil.example").get(API + "articles")
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    WidgetOrigin.objects.filter(origin=HOST).update(active=False)
    from tickets.widget.access import forget_origins

    forget_origins()
    assert widget().get(API + "articles").status_code == 403


def test_before_typing_the_panel_lists_the_articles_for_this_page(origin, billing_articles):
    titles = [
        r["title"]
        for r in widget().get(API + "articles", {"path": "/billing/cards"}).json()["results"]
    ]
    assert titles == ["Download invoices", "Update your payment card"]
    by_context = widget().get(API + "articles", {"context": "billing/payment-method"}).json()
    assert [r["title"] for r in by_context["results"]] == ["Update your payment card"]
    assert widget().get(API + "articles", {"path": "/reports"}).json()["results"] == []


def test_articles_for_the_page_rank_higher_as_the_visitor_types(origin, billing_articles):
    from kb.selectors import suggest_articles

    text = "download pdf invoice or change card"
    plain = [s.title for s in suggest_articles(text).suggestions]
    on_card_page = widget().get(API + "suggest", {"q": text, "context": "billing/payment-method"})
    ranked = [r["title"] for r in on_card_page.json()["results"]]
    assert plain[0] == "Download invoices" and ranked[0] == "Update your payment card"


def test_an_article_is_served_sanitised_with_absolute_links(origin):
    article = make_article(
        "Embed", "See [the guide](/billing/) and <b>bold</b>.", category="Billing"
    )
    data = widget().get(API + f"articles/{article.pk}").json()
    assert 'href="http://testserver/billing/"' in data["body_html"]
    assert 'target="_blank"' in data["body_html"]
    assert "<script" not in data["body_html"]


def test_a_deflection_in_the_widget_records_the_page(origin, billing_articles):
    response = widget().post(
        API + "deflect",
        {
            "article": billing_articles["card"].pk,
            "path": "/billing/cards",
            "context": "billing",
            "query": "change my card",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    session = ContactSession.objects.get()
    assert (
        session.outcome == "deflected" and session.source_page == f"{HOST}/billing/cards [billing]"
    )


def test_a_ticket_from_the_widget_carries_the_page_and_is_anonymous_without_a_token(origin):
    data = {
        "subject": "Card refused",
        "description": "Payment fails",
        "email": "v@example.com",
        "path": "/billing/cards",
        "context": "",
        "submission": str(uuid.uuid4()),
    }
    first = widget().post(API + "tickets", data, content_type="application/json")
    again = widget().post(API + "tickets", data, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    ticket = Ticket.objects.get()
    assert ticket.source_page == f"{HOST}/billing/cards" and ticket.customer is None
    assert first.json()["reference"] == ticket.reference and not first.json()["as_account"]
    missing = widget().post(API + "tickets", {**data, "email": ""}, content_type="application/json")
    assert missing.status_code == 400 and "email" in missing.json()


def test_a_signed_user_token_files_as_that_customer(origin):
    customer = make_user("pat@acme.example")
    token = user_token(secret=origin.secret, email="pat@acme.example", name="Pat")
    data = {
        "subject": "Card refused",
        "description": "Payment fails",
        "user_token": token,
        "path": "/billing",
    }
    response = widget().post(API + "tickets", data, content_type="application/json")
    assert response.json()["as_account"] is True
    assert Ticket.objects.get().customer == customer


def test_a_site_added_or_switched_off_in_the_admin_is_answered_or_refused_at_once():
    from tests.factories import PASSWORD

    admin = make_user("admin@example.com", is_staff=True, is_superuser=True)
    staff = Client()
    staff.login(username=admin.email, password=PASSWORD)
    assert widget().get(API + "articles").status_code == 403  # and the refusal is cached

    response = staff.post(
        "/django-admin/tickets/widgetorigin/add/",
        {"origin": HOST, "secret": "s3cret-shared-with-the-host", "active": "on"},
    )
    assert response.status_code == 302
    assert widget().get(API + "articles")["Access-Control-Allow-Origin"] == HOST
    listed = WidgetOrigin.objects.get(origin=HOST)
    page = staff.get(f"/django-admin/tickets/widgetorigin/{listed.pk}/change/").content.decode()
    assert "widget/v1.js" in page and "data-portal=" in page  # the embed code to paste

    staff.post(
        f"/django-admin/tickets/widgetorigin/{listed.pk}/change/",
        {"origin": HOST, "secret": listed.secret},  # "active" unticked
    )
    assert widget().get(API + "articles").status_code == 403

    staff.post(
        f"/django-admin/tickets/widgetorigin/{listed.pk}/change/",
        {"origin": HOST, "secret": listed.secret, "active": "on"},
    )
    assert widget().get(API + "articles").status_code == 200
    staff.post(f"/django-admin/tickets/widgetorigin/{listed.pk}/delete/", {"post": "yes"})
    assert not WidgetOrigin.objects.exists()
    assert widget().get(API + "articles").status_code == 403


def test_the_widget_is_rate_limited(origin, settings):
    from rest_framework.throttling import ScopedRateThrottle

    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {**original, "widget": "2/min"}
    try:
        codes = [widget().get(API + "articles").status_code for _ in range(3)]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 429]
