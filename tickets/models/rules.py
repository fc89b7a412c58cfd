"""What admins set in the Django admin: support settings, SLA policies, routes, widget origins."""

import secrets
from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.customers import Organization
from tickets.models.tickets import Ticket


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


class SupportSettings(models.Model):
    """Knobs of the support flow that admins tune (one row, edited in the Django admin)."""

    zombie_age_days = models.PositiveSmallIntegerField(
        _("zombie: open for more than (days)"), default=14
    )
    zombie_quiet_days = models.PositiveSmallIntegerField(
        _("zombie: no agent activity for (days)"),
        default=7,
        help_text=_("A ticket open that long with no assignee, or untouched by agents this long."),
    )
    follow_up_similarity = models.FloatField(
        _("follow-up similarity"),
        default=0.5,
        validators=[MinValueValidator(0.05), MaxValueValidator(1.0)],
        help_text=_(
            "How alike (0–1) a new request must be to one of the customer's open tickets to be "
            "added to it as a follow-up instead of opening another ticket."
        ),
    )
    business_day_start = models.TimeField(_("business day starts"), default=time(9, 0))
    business_day_end = models.TimeField(_("business day ends"), default=time(17, 0))
    business_days = models.CharField(
        _("business days"),
        max_length=20,
        default="0,1,2,3,4",
        validators=[RegexValidator(r"^[0-6](,[0-6])*$")],
        help_text=_("Weekday numbers, Monday = 0: “0,1,2,3,4” is Monday to Friday."),
    )
    sla_at_risk_share = models.FloatField(
        _("at risk after this share of the SLA time"),
        default=0.75,
        validators=[MinValueValidator(0.1), MaxValueValidator(0.99)],
    )

    class Meta:
        verbose_name = _("support settings")
        verbose_name_plural = _("support settings")

    def __str__(self):
        return str(_("Support settings"))

    @classmethod
    def current(cls) -> "SupportSettings":
        return cls.objects.get_or_create(pk=1)[0]

    def weekdays(self) -> set[int]:
        return {int(day) for day in self.business_days.split(",") if day.strip()}


class SlaPolicy(models.Model):
    """Service targets for a customer tier and priority, in business minutes."""

    tier = models.CharField(_("tier"), max_length=16, choices=Organization.Tier.choices)
    priority = models.CharField(_("priority"), max_length=16, choices=Ticket.Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["tier", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "priority"], name="tickets_one_sla_per_tier")
        ]

    def __str__(self):
        return f"{self.get_tier_display()} / {self.get_priority_display()}"


class CategoryRoute(models.Model):
    """Who gets a new ticket of this category first."""

    category = models.OneToOneField(
        "kb.CategoryPage", on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    default_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"is_staff": True},
        verbose_name=_("default assignee"),
    )

    class Meta:
        verbose_name = _("category route")

    def __str__(self):
        return f"{self.category} → {self.default_assignee}"


class WidgetOrigin(models.Model):
    """A website allowed to embed the help widget, and the secret that signs its user tokens."""

    origin = models.CharField(
        _("origin"),
        max_length=200,
        unique=True,
        validators=[RegexValidator(r"^https?://[^/\s]+$", _("Like https://app.example.com"))],
        help_text=_("Scheme, host and port, no path: https://app.example.com"),
    )
    secret = models.CharField(
        _("shared secret"),
        max_length=200,
        default=_new_secret,
        help_text=_("Signs the user tokens the host application passes (see README)."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("widget origin")

    def __str__(self):
        return self.origin
