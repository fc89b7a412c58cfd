"""Filters of the agents' queue: mine or unassigned, age, open or zombie."""

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import (
    AnswerOffer,
    Ticket,
)
from tickets.selectors import zombie_tickets

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


class AnswerOfferFilter(admin.SimpleListFilter):
    """Answer after filing: tickets whose customer was offered an article, by their answer."""

    title = _("answer after filing")
    parameter_name = "answer"

    def lookups(self, request, model_admin):
        return [
            (AnswerOffer.State.OFFERED, _("Answer offered, no reply yet")),
            (AnswerOffer.State.ACCEPTED, _("Solved by the answer")),
            (AnswerOffer.State.DECLINED, _("Still needs help")),
            ("none", _("No answer offered")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(answer_offer__isnull=True)
        if self.value() in AnswerOffer.State.values:
            return queryset.filter(answer_offer__state=self.value())
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
    """Open tickets unless the agent asks for more: the queue is what is left to do."""

    title = _("queue")
    parameter_name = "queue"
    # Asking for a status, a resolution, a search or a dashboard period means every ticket,
    # not only the open ones: "Resolved" or a search for SUP-1042 must not come back empty.
    WIDENING = ("q", "status__", "resolution__", "created_at__", "resolved_at__")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.widened = any(key.startswith(self.WIDENING) for key in request.GET)

    def lookups(self, request, model_admin):
        return [
            ("open", _("Open (new, open, waiting)")),
            ("zombie", _("Zombies (open long, nobody on it)")),
            ("needs_resolution", _("Resolved without a resolution")),
            ("all", _("All tickets")),
        ]

    def value(self):
        return super().value() or ("all" if self.widened else "open")

    def choices(self, changelist):
        # No "All" link that drops the parameter: without it the queue shows open tickets.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(status__in=Ticket.OPEN_STATUSES)
        if self.value() == "zombie":
            return queryset.filter(pk__in=zombie_tickets(now=timezone.now()).values("pk"))
        if self.value() == "needs_resolution":
            return queryset.filter(status__in=[Status.RESOLVED, Status.CLOSED], resolution="")
        return queryset
