"""Saved replies agents send in one click, and each time one was sent on a ticket."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.tickets import Ticket, TicketMessage
from tickets.placeholders import check_placeholders


class SavedReply(models.Model):
    """A reply agents send in one click: text with placeholders, and changes to the ticket."""

    # Resolving needs a resolution and closing a resolved ticket: neither belongs in a macro.
    STATUS_CHOICES = [
        (Ticket.Status.OPEN, Ticket.Status.OPEN.label),
        (Ticket.Status.PENDING, Ticket.Status.PENDING.label),
    ]

    title = models.CharField(_("title"), max_length=120, unique=True)
    body = models.TextField(
        _("reply"),
        max_length=20000,
        validators=[check_placeholders],
        help_text=_(
            "Placeholders: {customer_name}, {reference}, {subject}, {agent_name}, and "
            "{article:42} for the title and link of the published article with id 42."
        ),
    )
    set_status = models.CharField(
        _("then set the status to"),
        max_length=16,
        choices=STATUS_CHOICES,
        blank=True,
        help_text=_("Empty: a public reply leaves the ticket waiting on the customer."),
    )
    set_category = models.ForeignKey(
        "kb.CategoryPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("then set the category to"),
    )
    set_priority = models.CharField(
        _("then set the priority to"), max_length=16, choices=Ticket.Priority.choices, blank=True
    )
    active = models.BooleanField(
        _("offered to agents"), default=True, help_text=_("Untick to retire it but keep its use.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        ordering = ["title"]

    def __str__(self):
        return self.title


class SavedReplyUse(models.Model):
    """One saved reply sent on one ticket: counts its use and, once resolved, what it solved."""

    reply = models.ForeignKey(
        SavedReply, on_delete=models.CASCADE, related_name="uses", verbose_name=_("saved reply")
    )
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="saved_reply_uses", verbose_name=_("ticket")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("agent"),
    )
    message = models.ForeignKey(
        TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(_("used"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("saved reply use")
        indexes = [models.Index(fields=["reply", "used_at"])]

    def __str__(self):
        return f"{self.reply} on {self.ticket.reference}"
