"""Contact sessions: what a customer typed into "Contact support" and the articles it showed."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactSession(models.Model):
    """One visit to "Contact support": what was typed, what was shown, and how it ended."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("In progress")
        DEFLECTED = "deflected", _("Deflected")
        TICKET = "ticket", _("Ticket filed")
        FOLLOW_UP = "follow_up", _("Added to an open ticket")
        ABANDONED = "abandoned", _("Abandoned")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_sessions",
        verbose_name=_("customer"),
    )
    # Hash of the visitor's browser session, so a session id cannot be used from elsewhere.
    browser_key = models.CharField(max_length=64, blank=True, editable=False)
    subject = models.CharField(_("subject typed"), max_length=200, blank=True)
    description = models.TextField(_("description typed"), max_length=20000, blank=True)
    email = models.EmailField(_("e-mail typed"), blank=True)
    category = models.ForeignKey(
        "kb.CategoryPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_page = models.CharField(_("came from"), max_length=500, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.OPEN
    )
    deflected_by = models.ForeignKey(
        "kb.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deflections",
        verbose_name=_("answered by article"),
    )
    top_score = models.FloatField(_("best suggestion score"), null=True, blank=True)
    gap_request = models.ForeignKey(
        "tickets.ArticleRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_sessions",
    )
    top_relative = models.FloatField(_("best relative score"), null=True, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last activity"), auto_now=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact session")
        indexes = [models.Index(fields=["outcome", "updated_at"])]

    def __str__(self):
        return f"{self.subject or _('(nothing typed)')} [{self.get_outcome_display()}]"

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN

    def typed_text(self) -> str:
        return f"{self.subject}\n{self.description}".strip()


class SuggestionShown(models.Model):
    """An article shown to a contact session, at its best rank, and whether it was opened."""

    session = models.ForeignKey(
        ContactSession, on_delete=models.CASCADE, related_name="suggestions_shown"
    )
    article = models.ForeignKey(
        "kb.ArticlePage", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=255)
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    shown_at = models.DateTimeField(auto_now_add=True)
    clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("suggestion shown")
        ordering = ["rank", "shown_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "article"], name="tickets_shown_once")
        ]
