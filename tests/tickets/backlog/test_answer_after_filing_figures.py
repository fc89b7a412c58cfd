"""Answer after filing for agents and managers: the queue's mark and filter, the ticket page,
and the dashboard, API and weekly report figures (offered, accepted, agent time saved)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import make_article, make_ticket, make_user, signed_in
from tickets.backlog.reports import weekly_report_send
from tickets.models import AnswerOffer, Ticket
from tickets.services import answer_offer_accept, answer_offer_decline, ticket_resolve

pytestmark = pytest.mark.django_db
QUEUE = "/django-admin/tickets/ticket/"
DASHBOARD = "/django-admin/backlog/"


def offer(ticket, article) -> AnswerOffer:
    return AnswerOffer.objects.create(
        ticket=ticket, article=article, title=article.title, relative=0.5
    )


@pytest.fixture
def tickets(customer, kb_root):
    article = make_article("Reset your password", "Click Forgot password.", category="Account")
    offered = make_ticket(customer, subject="Alpha printer")
    accepted = make_ticket(customer, subject="Bravo scanner")
    declined = make_ticket(customer, subject="Charlie fax")
    plain = make_ticket(customer, subject="Delta modem")
    for ticket in (offered, accepted, declined):
        offer(ticket, article)
    answer_offer_accept(offer=accepted.answer_offer)
    answer_offer_decline(offer=declined.answer_offer)
    return {
        "offered": offered,
        "accepted": accepted,
        "declined": declined,
        "plain": plain,
        "article": article,
    }


def test_the_queue_marks_answer_offered_and_filters_by_the_customers_answer(agent, tickets):
    client = signed_in(agent)
    html = client.get(QUEUE, {"queue": "all"}).content.decode()
    assert 'class="answer-offer answer-offer-offered"' in html and "Answer offered" in html
    only_offered = client.get(QUEUE, {"answer": "offered", "queue": "all"}).content.decode()
    assert "Alpha printer" in only_offered
    assert "Bravo scanner" not in only_offered and "Delta modem" not in only_offered
    accepted = client.get(QUEUE, {"answer": "accepted", "queue": "all"}).content.decode()
    assert "Bravo scanner" in accepted and "Alpha printer" not in accepted
    none = client.get(QUEUE, {"answer": "none", "queue": "all"}).content.decode()
    assert "Delta modem" in none and "Charlie fax" not in none


def test_an_offered_ticket_stays_in_the_open_queue(agent, tickets):
    html = signed_in(agent).get(QUEUE).content.decode()
    assert "Alpha printer" in html and "Charlie fax" in html
    assert "Bravo scanner" not in html  # the customer closed that one


def test_the_ticket_page_says_what_was_offered_and_what_the_customer_answered(agent, tickets):
    client = signed_in(agent)
    page = client.get(f"{QUEUE}{tickets['offered'].pk}/change/").content.decode()
    assert 'data-testid="answer-offer-status"' in page
    assert "Reset your password" in page and "waiting for the customer" in page
    solved = client.get(f"{QUEUE}{tickets['accepted'].pk}/change/").content.decode()
    assert "the customer said it solved it" in solved


def test_agents_cannot_record_self_service_themselves(agent, tickets):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ticket_resolve(
            ticket=tickets["plain"], actor=agent, resolution=Ticket.Resolution.SELF_SERVICE
        )


def _handled(customer, category, hours: float, article):
    """A ticket of the category an agent resolved `hours` after it was filed."""
    ticket = make_ticket(customer, subject="Handled by an agent", category=category)
    ticket_resolve(ticket=ticket, actor=None, resolution="answered_by_article", article=article)
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=timezone.now() - timedelta(hours=hours + 1),
        resolved_at=timezone.now() - timedelta(hours=1),
    )


def test_dashboard_api_and_weekly_report_count_offered_accepted_and_agent_time_saved(
    customer, tickets
):
    category = tickets["article"].get_parent().specific
    Ticket.objects.filter(pk=tickets["accepted"].pk).update(category=category)
    for hours in (1, 2, 3, 4, 100):  # median 3 h
        _handled(customer, category, hours, tickets["article"])
    manager = make_user("manager@example.com", groups=["Support managers"], is_staff=True)
    html = signed_in(manager).get(DASHBOARD).content.decode()
    assert 'data-testid="answers-accepted">1/3<' in html
    assert 'data-testid="agent-time-saved">3.0 h<' in html
    assert 'data-testid="answers-after-filing"' in html
    api = signed_in(manager).get("/api/v1/metrics/backlog").json()["answers_after_filing"]
    assert (api["offered"], api["accepted"], api["declined"]) == (3, 1, 1)
    assert api["acceptance_rate"] == pytest.approx(1 / 3)
    assert api["agent_hours_saved"] == 3.0
    assert api["top_articles"][0]["title"] == "Reset your password"
    assert weekly_report_send() == 1
    report = mail.outbox[-1].body
    assert "Answers offered after filing: 3 offered, 1 accepted (33%), agent time saved 3.0 h" in (
        report
    )


def test_editors_see_the_category_switch_in_wagtail_on_by_default(editor, kb_root):
    from tests.factories import make_category

    category = make_category("Account")
    assert category.offer_answer_after_filing is True
    html = signed_in(editor).get(f"/admin/pages/{category.pk}/edit/").content.decode()
    assert 'name="offer_answer_after_filing"' in html and "Offer an answer after filing" in html
