"""The e-mail outbox: notifications written with their cause, sent after commit, retried."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models.tickets import Ticket, TicketMessage


class Notification(models.Model):
    """An e-mail owed to someone, written in the same transaction as its cause (an outbox).

    A task sends it right after commit; a scheduled sweep retries what failed, so a mail server
    outage delays e-mails but never loses them or the ticket.
    """

    class Kind(models.TextChoices):
        TICKET_RECEIVED = "ticket_received", _("Ticket received")
        AGENT_REPLY = "agent_reply", _("Agent replied")
        CUSTOMER_REPLY = "customer_reply", _("Customer replied")
        TICKET_RESOLVED = "ticket_resolved", _("Ticket resolved")
        TICKET_MERGED = "ticket_merged", _("Ticket merged")
        SLA_BREACHED = "sla_breached", _("SLA breached")
        NEW_LINK = "new_link", _("New link to the ticket")
        GAP_ARTICLE = "gap_article", _("Article written for the customer's question")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Gave up")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notifications")
    message = models.ForeignKey(
        TicketMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A gap-article notice: the article to write whose article it announces.
    article_request = models.ForeignKey(
        "tickets.ArticleRequest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    recipient = models.EmailField()
    state = models.CharField(
        max_length=8, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail notification")
        constraints = [
            # A customer hears about the article written for their question once, however
            # many of their tickets asked it and however often the article is republished.
            models.UniqueConstraint(
                fields=["article_request", "recipient"],
                condition=Q(article_request__isnull=False),
                name="tickets_one_gap_notice_per_address",
            ),
        ]
