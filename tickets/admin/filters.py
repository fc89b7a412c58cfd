"""Filters of the agents' queue: mine or unassigned, age, open or zombie."""

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..metrics import zombie_tickets
from ..models import (
    Ticket,
)

Status = Ticket.Status


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("mine", _("Mine")), ("unassigned", _("Unassigned")), ("others", _("Others'"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(assignee=request.user)
        if self.value() == "unassigned":
            return queryset.filter(assignee__isnull=True)
        if self.value() == "others":
            return queryset.exclude(assignee=request.user).exclude(assignee__isnull=True)
        return queryset


class AgeFilter(admin.SimpleListFilter):
    title = _("age")
    parameter_name = "age"
    BUCKETS = {
        "lt1d": (None, timedelta(days=1)),
        "1-3d": (timedelta(days=1), timedelta(days=3)),
        "3-7d": (timedelta(days=3), timedelta(days=7)),
        "7-30d": (timedelta(days=7), timedelta(days=30)),
        "gt30d": (timedelta(days=30), None),
    }

    def lookups(self, request, model_admin):
        return [
            ("lt1d", _("Less than a day")),
            ("1-3d", _("1–3 days")),
            ("3-7d", _("3–7 days")),
            ("7-30d", _("7–30 days")),
            ("gt30d", _("Over 30 days")),
        ]

    def queryset(self, request, queryset):
        if self.value() not in self.BUCKETS:
            return queryset
        youngest, oldest = self.BUCKETS[self.value()]
        now = timezone.now()
        if youngest is not None:
            queryset = queryset.filter(created_at__lte=now - youngest)
        if oldest is not None:
            queryset = queryset.filter(created_at__gt=now - oldest)
        return queryset


class OpenFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("open", _("Open (new, open, waiting)")),
            ("zombie", _("Zombies (open long, nobody on it)")),
            ("needs_resolution", _("Resolved without a resolution")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(status__in=Ticket.OPEN_STATUSES)
        if self.value() == "zombie":
            return queryset.filter(pk__in=zombie_tickets(now=timezone.now()).values("pk"))
        if self.value() == "needs_resolution":
            return queryset.filter(status__in=[Status.RESOLVED, Status.CLOSED], resolution="")
        return queryset
