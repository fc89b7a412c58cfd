"""The worker's recurring jobs, run as the worker runs them: by the function name each schedule
stores. Each does its job; a job about something deleted meanwhile does nothing and does not
fail; a mail server that keeps refusing never costs a ticket."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task, fetch

from tests.factories import make_ticket, make_user
from tickets import notifications, services
from tickets.models import ArticleRequest, ContactSession, Notification, SlaState, Ticket

pytestmark = pytest.mark.django_db
State = Notification.State


def run_job(func: str, *args):
    """Run a task the way the worker does (synchronously under test) and return its record."""
    task = fetch(async_task(func, *args))
    assert task is not None, f"{func} left no record"
    return task


def run_scheduled(name: str):
    task = run_job(Schedule.objects.get(name=name).func)
    assert task.success, task.result  # a failure's record holds the traceback
    return task.result


def refuse_mail(monkeypatch):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)


def test_the_e_mail_task_sends_the_e_mail_it_is_given(customer):
    ticket = make_ticket(customer, subject="Export fails")  # not committed: nothing sent yet
    notification = Notification.objects.get(ticket=ticket)
    assert run_job(notifications.SEND_TASK, notification.pk).result is True
    assert [m.to for m in mail.outbox] == [[customer.email]]
    assert ticket.reference in mail.outbox[0].subject
    notification.refresh_from_db()
    assert notification.state == State.SENT


def test_the_e_mail_task_for_a_ticket_deleted_meanwhile_sends_nothing_and_succeeds(customer):
    ticket = make_ticket(customer)
    notification_id = Notification.objects.get(ticket=ticket).pk
    ticket.delete()
    task = run_job(notifications.SEND_TASK, notification_id)
    assert task.success and task.result is False
    assert mail.outbox == []


def test_the_every_minute_job_sends_an_e_mail_whose_first_attempt_failed(
    monkeypatch, customer, committed
):
    refuse_mail(monkeypatch)
    with committed():
        ticket = make_ticket(customer)
    assert Notification.objects.get(ticket=ticket).state == State.PENDING
    monkeypatch.undo()
    Notification.objects.filter(ticket=ticket).update(next_attempt_at=timezone.now())

    assert run_scheduled("Retry unsent e-mails") == 1
    assert [m.to for m in mail.outbox] == [[customer.email]]
    assert run_scheduled("Retry unsent e-mails") == 0  # sent once, never twice


def test_an_e_mail_claimed_by_a_worker_that_died_is_sent_by_the_sweep(customer):
    ticket = make_ticket(customer)
    Notification.objects.filter(ticket=ticket).update(
        state=State.SENDING, claimed_at=timezone.now() - timedelta(minutes=11)
    )
    assert notifications.send_due() == 1
    assert Notification.objects.get(ticket=ticket).state == State.SENT
    assert len(mail.outbox) == 1


def test_an_e_mail_being_sent_by_a_live_worker_is_not_sent_again(customer):
    ticket = make_ticket(customer)
    Notification.objects.filter(ticket=ticket).update(
        state=State.SENDING, claimed_at=timezone.now() - timedelta(minutes=1)
    )
    assert notifications.send_due(now=timezone.now() + timedelta(minutes=5)) == 0
    assert mail.outbox == []


def test_an_e_mail_refused_every_time_is_given_up_and_the_ticket_stays(monkeypatch, customer):
    refuse_mail(monkeypatch)
    ticket = make_ticket(customer, subject="Charged twice")
    notification = Notification.objects.get(ticket=ticket)
    later = timezone.now()
    for _attempt in range(notifications.MAX_ATTEMPTS):
        later += timedelta(hours=5)  # past the longest back-off
        assert notifications.send_due(now=later) == 0
    notification.refresh_from_db()
    assert notification.state == State.FAILED
    assert notification.attempts == notifications.MAX_ATTEMPTS
    assert notification.next_attempt_at is None and "mail server down" in notification.last_error

    monkeypatch.undo()
    assert notifications.send_due(now=later + timedelta(days=1)) == 0  # given up: not retried
    assert mail.outbox == []
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW and ticket.subject == "Charged twice"


def test_the_hourly_job_marks_contact_sessions_idle_for_a_day_abandoned():
    stale = ContactSession.objects.create(subject="old")
    ContactSession.objects.filter(pk=stale.pk).update(
        updated_at=timezone.now() - timedelta(hours=25)
    )
    assert run_scheduled("Mark contact sessions abandoned") == 1
    stale.refresh_from_db()
    assert stale.outcome == ContactSession.Outcome.ABANDONED


def test_the_sla_job_escalates_a_ticket_past_its_first_response_target(customer, agent):
    ticket = make_ticket(customer)
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due_at=timezone.now() - timedelta(minutes=1)
    )
    assert run_scheduled("Check SLAs and escalate breaches")["escalated"] == 1
    ticket.refresh_from_db()
    assert ticket.sla_state == SlaState.BREACHED and "SLA breached" in ticket.priority_reason


def test_the_nightly_job_turns_unanswered_tickets_on_one_topic_into_an_article_request(
    settings, agent
):
    settings.SUGGEST_SEMANTIC = False
    for subject in ["Pay with bitcoin", "Bitcoin payments accepted?", "Paying by bitcoin"]:
        ticket = make_ticket(None, subject=subject, description="Can we pay in bitcoin?")
        services.ticket_resolve(ticket=ticket, actor=agent, resolution=Ticket.Resolution.KB_GAP)

    report = run_scheduled("Mine knowledge-base gaps (nightly)")
    assert report["created"] == 1
    request = ArticleRequest.objects.get()
    assert request.ticket_count == 3 and "bitcoin" in request.title.lower()


def test_the_weekly_job_e_mails_the_backlog_report_to_support_managers(customer):
    make_user("manager@example.com", groups=["Support managers"], is_staff=True)
    make_ticket(customer)
    assert run_scheduled("Weekly backlog report") == 1
    (message,) = mail.outbox
    assert message.to == ["manager@example.com"] and "Backlog" in message.subject
