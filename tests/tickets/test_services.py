"""Ticket rules: one ticket per submission, history recorded, e-mails never lose a ticket."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import make_article, make_ticket
from tickets import notifications, services
from tickets.models import ContactSession, Notification, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
Status, Resolution = Ticket.Status, Ticket.Resolution


def test_a_new_ticket_has_a_human_reference_history_and_a_confirmation_email(customer, committed):
    with committed():
        ticket = make_ticket(customer, subject="Export fails")
    assert ticket.reference == f"SUP-{ticket.pk + 1000}"
    assert Ticket.pk_from_reference(ticket.reference.lower()) == ticket.pk
    assert ticket.status == Status.NEW and ticket.customer_email == customer.email
    assert list(ticket.events.values_list("kind", flat=True)) == [TicketEvent.Kind.CREATED]
    assert len(mail.outbox) == 1
    assert ticket.reference in mail.outbox[0].subject
    assert mail.outbox[0].to == [customer.email]
    assert Notification.objects.get(ticket=ticket).state == Notification.State.SENT


def test_the_same_submission_files_one_ticket(committed):
    with committed():
        first, created = services.ticket_create(
            user=None, email="a@example.com", subject="S", description="D", idempotency_key="k-1"
        )
    with committed():
        again, created_again = services.ticket_create(
            user=None, email="a@example.com", subject="S", description="D", idempotency_key="k-1"
        )
    assert created and not created_again
    assert first.pk == again.pk
    assert Ticket.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_contact_session_files_at_most_one_ticket():
    session = ContactSession.objects.create(subject="x")
    first, _ = services.ticket_create(
        user=None, email="a@example.com", subject="S", description="D", session=session
    )
    second, created = services.ticket_create(
        user=None, email="a@example.com", subject="S", description="D", session=session
    )
    assert first.pk == second.pk and not created
    session.refresh_from_db()
    assert session.outcome == ContactSession.Outcome.TICKET


def test_a_failing_mail_server_keeps_the_ticket_and_retries_the_email_later(monkeypatch, committed):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with committed():
        ticket = make_ticket(None, email="guest@example.com")
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    notification = Notification.objects.get(ticket=ticket)
    assert notification.state == Notification.State.PENDING
    assert notification.attempts == 1 and "mail server down" in notification.last_error
    assert notification.next_attempt_at > timezone.now()

    monkeypatch.undo()
    assert notifications.send_due() == 0  # not due yet
    assert notifications.send_due(now=timezone.now() + timedelta(hours=1)) == 1
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert len(mail.outbox) == 1
    assert notifications.send(notification.pk) is False  # never sent twice


def test_an_email_whose_task_was_lost_is_sent_by_the_sweep():
    ticket = make_ticket(None)
    lost = Notification.objects.create(
        ticket=ticket, kind=Notification.Kind.TICKET_RECEIVED, recipient="guest@example.com"
    )
    Notification.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    mail.outbox.clear()
    assert notifications.send_due() == 1
    assert len(mail.outbox) == 1


def test_an_unreachable_task_broker_files_the_ticket_and_the_sweep_sends_its_email(
    monkeypatch, committed
):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def broker_down(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(notifications, "async_task", broker_down)
    with committed():
        ticket = make_ticket(None, email="guest@example.com")
    notification = Notification.objects.get(ticket=ticket)
    assert notification.state == Notification.State.PENDING and not mail.outbox

    assert notifications.send_due(now=timezone.now() + notifications.LOST_TASK_AFTER) == 1
    assert [m.to for m in mail.outbox] == [["guest@example.com"]]


def test_an_agent_reply_records_first_response_waits_on_customer_and_emails_them(
    customer, agent, committed
):
    ticket = make_ticket(customer)
    with committed():
        services.ticket_reply(ticket=ticket, author=agent, body="Try exporting from Reports.")
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.status == Status.PENDING
    assert "Try exporting from Reports." in mail.outbox[0].body
    first = ticket.first_response_at
    services.ticket_reply(ticket=ticket, author=agent, body="Any luck?")
    ticket.refresh_from_db()
    assert ticket.first_response_at == first


def test_an_internal_note_is_not_emailed_and_not_a_first_response(customer, agent, committed):
    ticket = make_ticket(customer)
    with committed():
        services.ticket_reply(ticket=ticket, author=agent, body="Looks like a bug", internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None and mail.outbox == []
    with pytest.raises(ValidationError):
        services.ticket_reply(ticket=ticket, author=customer, body="x", internal=True)


def test_a_customer_reply_reopens_a_resolved_ticket_and_counts_in_history(customer, agent):
    ticket = make_ticket(customer)
    services.ticket_resolve(ticket=ticket, actor=agent, resolution=Resolution.NOT_KB)
    services.ticket_reply(ticket=ticket, author=customer, body="Still broken")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.resolved_at is None
    statuses = list(
        ticket.events.filter(kind=TicketEvent.Kind.STATUS).values_list("from_value", "to_value")
    )
    assert statuses == [(Status.NEW, Status.RESOLVED), (Status.RESOLVED, Status.OPEN)]


def test_resolving_needs_a_resolution_and_an_article_when_answered_by_one(customer, agent):
    ticket = make_ticket(customer)
    with pytest.raises(ValidationError):
        services.ticket_resolve(ticket=ticket, actor=agent, resolution="")
    with pytest.raises(ValidationError):
        services.ticket_resolve(
            ticket=ticket, actor=agent, resolution=Resolution.ANSWERED_BY_ARTICLE
        )
    draft = make_article("Draft answer", publish=False)
    with pytest.raises(ValidationError):
        services.ticket_resolve(
            ticket=ticket, actor=agent, resolution=Resolution.ANSWERED_BY_ARTICLE, article=draft
        )
    with pytest.raises(ValidationError):
        services.ticket_set_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
    article = make_article("Export timesheets")
    services.ticket_resolve(
        ticket=ticket, actor=agent, resolution=Resolution.ANSWERED_BY_ARTICLE, article=article
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution, ticket.resolved_article) == (
        Status.RESOLVED,
        Resolution.ANSWERED_BY_ARTICLE,
        article,
    )
    assert ticket.resolved_at is not None


def test_closing_needs_a_resolution_first(customer, agent):
    ticket = make_ticket(customer)
    with pytest.raises(ValidationError):
        services.ticket_set_status(ticket=ticket, status=Status.CLOSED, actor=agent)
    services.ticket_resolve(ticket=ticket, actor=agent, resolution=Resolution.KB_GAP)
    services.ticket_set_status(ticket=ticket, status=Status.CLOSED, actor=agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_assignment_is_recorded_and_opens_a_new_ticket(customer, agent):
    ticket = make_ticket(customer)
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    ticket.refresh_from_db()
    assert ticket.assignee == agent and ticket.status == Status.OPEN
    assert ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED, to_value=agent.email).exists()
    with pytest.raises(ValidationError):
        services.ticket_assign(ticket=ticket, assignee=customer, actor=agent)


def test_a_deflection_ends_the_contact_without_a_ticket():
    article = make_article("Reset your password")
    session = ContactSession.objects.create(subject="forgot password")
    services.deflection_record(session=session, article=article)
    session.refresh_from_db()
    assert session.outcome == ContactSession.Outcome.DEFLECTED
    assert session.deflected_by == article and session.ended_at is not None
    assert not Ticket.objects.exists()
    services.deflection_record(session=session, article=article)  # idempotent
    assert ContactSession.objects.filter(outcome="deflected").count() == 1


def test_a_contact_that_filed_a_ticket_cannot_also_be_a_deflection():
    article = make_article("Reset your password")
    session = ContactSession.objects.create(subject="forgot password")
    services.ticket_create(
        user=None, email="a@example.com", subject="S", description="D", session=session
    )
    with pytest.raises(ValidationError):
        services.deflection_record(session=session, article=article)


def test_contact_sessions_idle_for_a_day_become_abandoned():
    stale = ContactSession.objects.create(subject="old")
    fresh = ContactSession.objects.create(subject="new")
    ContactSession.objects.filter(pk=stale.pk).update(
        updated_at=timezone.now() - timedelta(hours=25)
    )
    assert services.contact_sessions_abandon() == 1
    stale.refresh_from_db(), fresh.refresh_from_db()
    assert stale.outcome == ContactSession.Outcome.ABANDONED
    assert fresh.outcome == ContactSession.Outcome.OPEN


def test_suggestions_shown_to_a_contact_session_are_recorded_with_rank_and_score(demo_articles):
    session = ContactSession.objects.create()
    result = services.contact_session_suggest(
        session=session, subject="forgot password", description="can't sign in"
    )
    assert result.suggestions
    shown = list(session.suggestions_shown.order_by("rank"))
    assert shown[0].article_id == result.suggestions[0].key and shown[0].rank == 1
    assert shown[0].score == pytest.approx(result.suggestions[0].score)
    session.refresh_from_db()
    assert session.subject == "forgot password" and session.top_score > 0
