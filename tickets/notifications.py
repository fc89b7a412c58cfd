"""E-mails about tickets, written to an outbox in the ticket's transaction and sent after it."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context, Engine
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from tickets.limits import over_limit
from tickets.models import ArticleRequest, Notification, Ticket, TicketMessage

logger = logging.getLogger(__name__)
Kind = Notification.Kind
MAX_ATTEMPTS = 8
SEND_TASK = "tickets.tasks.send_notification"
# E-mails to the customer that carry their personal link when they have no account.
LINK_KINDS = {
    Kind.TICKET_RECEIVED,
    Kind.AGENT_REPLY,
    Kind.TICKET_RESOLVED,
    Kind.TICKET_MERGED,
    Kind.NEW_LINK,
    Kind.GAP_ARTICLE,
}
# E-mails a customer may refuse; the others are about their own request.
OPTIONAL_KINDS = {Kind.GAP_ARTICLE}
LOST_TASK_AFTER = timedelta(minutes=2)  # never attempted this long after commit: task lost
CLAIM_TIMEOUT = timedelta(minutes=10)  # a worker that claimed an e-mail this long ago died


def queue(
    ticket: Ticket,
    kind: str,
    *,
    message: TicketMessage | None = None,
    recipient: str = "",
    article_request: ArticleRequest | None = None,
) -> Notification | None:
    """Record an e-mail owed, and send it once the surrounding transaction commits."""
    recipient = recipient or ticket.customer_email
    if kind == Kind.TICKET_RECEIVED and _too_many_confirmations(recipient):
        return None
    notification = Notification.objects.create(
        ticket=ticket,
        kind=kind,
        message=message,
        recipient=recipient,
        article_request=article_request,
    )
    transaction.on_commit(lambda: _enqueue(notification))
    return notification


def _too_many_confirmations(recipient: str) -> bool:
    """Whether this address has had its share of "we received your ticket" e-mails.

    Anyone may file a ticket for any address (the widget needs no account), so without a cap
    the confirmation would relay unlimited mail with a chosen subject to a chosen victim. The
    ticket is still filed; only the e-mail is skipped. The counter is the form limiter's.
    """
    rate = settings.RATE_LIMIT_CONFIRMATION_EMAILS
    if over_limit("confirmation-email", recipient.strip().lower(), rate) is None:
        return False
    logger.warning("Confirmation e-mails to one address over %s: not sending another", rate)
    return True


def _enqueue(notification: Notification) -> None:
    try:
        async_task(SEND_TASK, notification.pk, task_name=f"e-mail {notification.kind}")
    except Exception:  # noqa: BLE001  (the broker is down: the e-mail must not fail the request)
        # The row is committed as pending: send_due() sends it once LOST_TASK_AFTER has passed.
        logger.exception("Could not queue e-mail %s; send_due will send it", notification.pk)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 240))


def _render_text(template_name: str, context: dict) -> str:
    """A plain-text template rendered without HTML escaping: subjects and bodies carry what the
    customer typed ("Can't", "<b>") as typed, not as &#x27; and &lt;b&gt;."""
    template = Engine.get_default().get_template(template_name)
    return template.render(Context(context, autoescape=False))


def _render(notification: Notification) -> EmailMessage:
    from tickets.access import link_issue
    from tickets.links import rating_token, unsubscribe_token

    ticket = notification.ticket
    needs_link = notification.kind in LINK_KINDS and not ticket.customer_id
    answer = None
    if notification.kind == Kind.TICKET_RECEIVED:
        answer = _offered_answer(ticket)
    context = {
        "ticket": ticket,
        "message": notification.message,
        "base_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
        "link_token": link_issue(ticket) if needs_link else "",
        "site_name": settings.WAGTAIL_SITE_NAME,
        "article_request": notification.article_request,
        "rating_token": rating_token(ticket),
        "unsubscribe_token": unsubscribe_token(notification.recipient),
        "answer": answer,
    }
    headers = {"X-Deflect-Ticket": ticket.reference}
    if notification.kind in OPTIONAL_KINDS:
        # Mail clients show their own "unsubscribe" button for this (RFC 2369, RFC 8058).
        url = context["base_url"] + reverse(
            "tickets:unsubscribe", args=(context["unsubscribe_token"],)
        )
        headers.update(
            {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        )
    subject = _render_text(f"tickets/email/{notification.kind}_subject.txt", context)
    body = _render_text(f"tickets/email/{notification.kind}.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split())[:200],  # one line: no header injection
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers=headers,
    )


def _offered_answer(ticket: Ticket):
    """The answer after filing for the confirmation e-mail, decided now if the filing request
    has not yet; the e-mail goes out without it rather than not at all."""
    from tickets.selectors import offered_answer
    from tickets.services import answer_offer_after_filing

    answer_offer_after_filing(ticket_id=ticket.pk)
    try:
        return offered_answer(ticket=ticket)
    except Exception:  # noqa: BLE001  (a broken passage must not hold up the confirmation)
        logger.exception("Could not render the answer offered to ticket %s", ticket.pk)
        return None


def send(notification_id: int) -> bool:
    """Send one pending e-mail; on failure keep it pending with a later retry time.

    The row is claimed with a conditional update rather than held locked, so a slow or dead
    mail server never holds a database lock (SQLite has only one writer).
    """
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, state=Notification.State.PENDING
    ).update(state=Notification.State.SENDING, claimed_at=now)
    if not claimed:
        return False  # already sent or being sent by another worker, or given up
    notification = Notification.objects.select_related(
        "ticket", "message", "article_request__article"
    ).get(pk=notification_id)
    attempts = notification.attempts + 1
    try:
        _render(notification).send(fail_silently=False)
    except Exception as error:  # noqa: BLE001  (any mail failure must keep the e-mail owed)
        gave_up = attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.State.FAILED if gave_up else Notification.State.PENDING,
            attempts=attempts,
            last_error=f"{type(error).__name__}: {error}"[:500],
            next_attempt_at=None if gave_up else timezone.now() + _backoff(attempts),
        )
        log = logger.error if gave_up else logger.warning
        log(
            "E-mail %s to %s failed (attempt %d): %s",
            notification_id,
            notification.recipient,
            attempts,
            error,
        )
        return False
    Notification.objects.filter(pk=notification_id).update(
        state=Notification.State.SENT, attempts=attempts, sent_at=timezone.now()
    )
    return True


def send_due(*, now=None, limit: int = 200) -> int:
    """Retry e-mails whose retry time has come, and any whose task was lost or died mid-send."""
    now = now or timezone.now()
    Notification.objects.filter(
        state=Notification.State.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(state=Notification.State.PENDING, next_attempt_at=now)
    pending = Notification.objects.filter(state=Notification.State.PENDING)
    due = pending.filter(next_attempt_at__lte=now) | pending.filter(
        next_attempt_at__isnull=True, created_at__lte=now - LOST_TASK_AFTER
    )
    sent = 0
    for pk in due.order_by("created_at").values_list("pk", flat=True)[:limit]:
        sent += send(pk)
    return sent
