"""Articles to write: tickets no article answered, grouped by the gap miner."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleRequest(models.Model):
    """An article to write: similar tickets no article answered, grouped by the gap miner."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DISMISSED = "dismissed", _("Dismissed")

    title = models.CharField(_("proposed title"), max_length=200)
    key_terms = models.JSONField(_("key terms"), default=list, blank=True)
    # The group's weighted terms (stem -> weight), to match new tickets on the next run.
    signature = models.JSONField(default=dict, editable=False)
    # The mean of its tickets' vectors (float32), to match new tickets by meaning (kb/engine).
    meaning = models.BinaryField(null=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    category = models.ForeignKey(
        "kb.CategoryPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("category"),
    )
    article = models.ForeignKey(
        "kb.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="article_requests",
        verbose_name=_("article"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("editor"),
    )
    dismissed_reason = models.CharField(_("why dismissed"), max_length=500, blank=True)
    ticket_count = models.PositiveIntegerField(_("tickets"), default=0)
    search_count = models.PositiveIntegerField(_("failed searches"), default=0)
    session_count = models.PositiveIntegerField(_("abandoned contacts"), default=0)
    priority = models.FloatField(_("priority"), default=0, db_index=True)
    first_seen_at = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    searches = models.ManyToManyField(
        "kb.FailedSearch", blank=True, related_name="article_requests"
    )

    class Meta:
        verbose_name = _("article to write")
        verbose_name_plural = _("articles to write")
        ordering = ["-priority", "-last_seen_at"]

    def __str__(self):
        return self.title
