"""Hostile text is stored as text and shown escaped everywhere people read it."""

import pytest
from django.core import mail

from tests.factories import make_editor, make_ticket, make_user, signed_in
from tickets import groups, services
from tickets.gaps.mining import mine_gaps
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile_ticket(customer, agent, committed):
    with committed():
        ticket = make_ticket(customer, subject=f"Help {SCRIPT}", description=f"Body {SCRIPT}")
        services.ticket_reply(ticket=ticket, author=customer, body=f"Reply {SCRIPT}")
        services.ticket_reply(ticket=ticket, author=agent, body=f"Agent {SCRIPT}")
    return ticket


def assert_escaped(html: str):
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_customer_pages_escape_it(hostile_ticket, customer):
    client = signed_in(customer)
    assert_escaped(client.get(f"/support/tickets/{hostile_ticket.reference}/").content.decode())
    assert_escaped(client.get("/support/tickets/").content.decode())


def test_the_agents_queue_and_ticket_page_escape_it(hostile_ticket, agent):
    client = signed_in(agent)
    assert_escaped(client.get("/django-admin/tickets/ticket/").content.decode())
    assert_escaped(
        client.get(f"/django-admin/tickets/ticket/{hostile_ticket.pk}/change/").content.decode()
    )


def test_the_backlog_dashboard_escapes_it(hostile_ticket):
    from django.utils import timezone

    Ticket.objects.filter(pk=hostile_ticket.pk).update(
        created_at=timezone.now().replace(year=2025), assignee=None
    )
    manager = make_user("m@example.com", groups=[groups.MANAGERS], is_staff=True)
    assert_escaped(signed_in(manager).get("/django-admin/backlog/").content.decode())


def test_wagtail_admin_escapes_it_in_articles_to_write(hostile_ticket, agent):
    services.ticket_resolve(ticket=hostile_ticket, actor=agent, resolution=Ticket.Resolution.KB_GAP)
    mine_gaps()
    from tickets.models import ArticleRequest

    request = ArticleRequest.objects.get()
    client = signed_in(make_editor("e2@example.com"))
    assert_escaped(client.get("/admin/articles-to-write/").content.decode())
    assert_escaped(client.get(f"/admin/articles-to-write/{request.pk}/").content.decode())


def test_emails_are_plain_text_with_the_words_as_written(hostile_ticket):
    assert mail.outbox
    for message in mail.outbox:
        assert message.content_subtype == "plain" and not getattr(message, "alternatives", None)
        assert "\n" not in message.subject


def test_the_search_page_and_the_api_echo_queries_safely(client):
    assert_escaped(client.get("/search/", {"q": SCRIPT}).content.decode())
    response = client.get("/api/v1/suggest", {"q": SCRIPT})
    assert response["Content-Type"] == "application/json"


def test_an_id_too_large_for_the_database_in_a_form_is_a_clear_error_not_a_crash(
    client, demo_articles
):
    huge = "40854664331802408475395358720"
    session = "0b7c7f3e-9d57-4a55-9a8a-2f3f1c1d1e1f"
    form = {"subject": "Password", "description": "Forgot it", "email": "a@example.com"}
    response = client.post("/support/new/", {**form, "category": huge, "action": "send"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not Ticket.objects.exists()
    assert client.post(f"/support/contact/{session}/deflect/", {"article": huge}).status_code == 404
    manager = make_user("m@example.com", groups=[groups.MANAGERS], is_staff=True)
    assert signed_in(manager).get("/django-admin/backlog/", {"category": huge}).status_code == 200
    editor = signed_in(make_editor("e2@example.com"))
    assert editor.get("/admin/articles-to-write/", {"category": huge}).status_code == 200


def test_an_id_too_large_for_the_database_in_an_admin_list_filter_is_refused(
    customer, demo_articles
):
    huge = "40854664331802408475395358720"
    category = demo_articles["Reset your password"].get_parent().specific
    make_ticket(customer, subject="Filed under the category", category=category)
    admin = signed_in(make_user("root@example.com", is_staff=True, is_superuser=True))
    queue = "/django-admin/tickets/ticket/"
    assert admin.get(queue, {"category": huge}).status_code == 400
    assert admin.get(queue, {"category__in": f"{category.pk},{huge}"}).status_code == 400
    assert (
        admin.get("/django-admin/tickets/contactsession/", {"deflected_by": huge}).status_code
        == 400
    )
    assert admin.get("/django-admin/kb/articlepage/", {"pk": huge}).status_code == 400
    # An id that can exist still filters as before.
    assert (
        "Filed under the category" in admin.get(queue, {"category": category.pk}).content.decode()
    )


def test_invalid_utf8_in_a_form_is_a_clear_error_not_a_crash(client):
    response = client.post(
        "/support/new/",
        data=b"subject=%FF%FE%FD&description=ok&email=a%40example.com&action=send",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 302, 400)
    assert Ticket.objects.count() <= 1


def test_invalid_utf8_in_json_is_a_400(client):
    response = client.post(
        "/api/v1/contact-sessions/0b7c7f3e-9d57-4a55-9a8a-2f3f1c1d1e1f/suggestions",
        data=b'{"subject": "\xff\xfe"}',
        content_type="application/json",
    )
    assert response.status_code == 400
