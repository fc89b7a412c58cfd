"""Who is around a ticket: customers' organizations and e-mail choices, the teams it waits on."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """A customer's company: its tier sets expectations for the accounts assigned to it."""

    class Tier(models.TextChoices):
        FREE = "free", _("Free")
        PRO = "pro", _("Pro")
        ENTERPRISE = "enterprise", _("Enterprise")

    name = models.CharField(_("name"), max_length=200)
    email_domain = models.CharField(
        _("e-mail domain"),
        max_length=253,
        unique=True,
        null=True,
        blank=True,
        help_text=_(
            "The company's domain, e.g. acme.com, to find its customers. A typed address proves "
            "nothing, so only members assigned below get this organization's tier."
        ),
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.FREE)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organizations",
        verbose_name=_("members"),
        help_text=_("Customer accounts an admin has checked belong here: they get its tier."),
    )

    class Meta:
        verbose_name = _("organization")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    """Another team a ticket can wait on (engineering, billing, …), kept in the Django admin."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("team")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CustomerPreferences(models.Model):
    """A signed-in customer's choice of optional e-mails (no row: the defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_preferences"
    )
    article_notices = models.BooleanField(
        _("e-mail me when an article answers a question I asked"), default=True
    )

    class Meta:
        verbose_name = _("customer e-mail preferences")
        verbose_name_plural = _("customer e-mail preferences")


class EmailOptOut(models.Model):
    """An address that followed an unsubscribe link: it gets no optional e-mails."""

    email = models.EmailField(_("e-mail address"), unique=True)  # stored lower-case
    created_at = models.DateTimeField(_("unsubscribed"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail opt-out")

    def __str__(self):
        return self.email
