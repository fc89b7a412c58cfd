"""The agents' queue in the Django admin: what a ticket shows, and how the list is ordered."""

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from tickets.agents.admin.actions import TicketWorkMixin
from tickets.agents.admin.dates import admin_datetime
from tickets.agents.admin.filters import AgeFilter, AnswerOfferFilter, AssigneeFilter, OpenFilter
from tickets.agents.admin.lookups import BoundedLookupsAdmin
from tickets.agents.forms import TicketAgentForm
from tickets.models import (
    AnswerOffer,
    Ticket,
)
from tickets.rendering import message_html
from tickets.triage.routing import similar_open_tickets

Status = Ticket.Status


@admin.register(Ticket)
class TicketAdmin(TicketWorkMixin, BoundedLookupsAdmin):
    form = TicketAgentForm
    # What an agent picks the next ticket by, fitting 1280 px beside the filters: subjects and
    # names keep to one line (agent-admin.css), the customer is on the ticket page and in search.
    list_display = [
        "reference_link",
        "subject_line",
        "priority",
        "status",
        "sla",
        "assignee_line",
        "waiting_on",
        "answer_offered",
        "age",
        "last_activity",
    ]
    list_display_links = None
    list_filter = [
        OpenFilter,
        "status",
        "priority",
        "sla_state",
        AssigneeFilter,
        "waiting_on_team",
        "category",
        AgeFilter,
        AnswerOfferFilter,
        "resolution",
        "organization__tier",
    ]
    list_select_related = ["assignee", "category", "waiting_on_team", "answer_offer"]
    search_fields = ["subject", "customer_email"]
    search_help_text = _("Search by reference (SUP-1042), subject or customer e-mail.")
    list_per_page = 50
    actions = ["assign_to_me", "resolve_tickets", "close_tickets"]
    save_on_top = True  # Save, and Assign to me beside it, without scrolling past the thread
    readonly_fields = [
        "reference",
        "customer_display",
        "subject",
        "conversation",
        "source_page_display",
        "created",
        "first_response",
        "resolved",
        "customer_saw",
        "priority_reason",
        "sla_due",
        "similar_open",
        "merged_display",
        "answer_offer_display",
    ]
    # The page opens on what an agent does most (status, assignee; Save and Assign to me sit
    # at the top too), then the thread, the reply under it and the resolution; the rest folds.
    fieldsets = [
        # The heading above already reads "SUP-1042: subject".
        (None, {"fields": ["customer_display", "sla_due", "answer_offer_display"]}),
        (
            _("Work the ticket"),
            {
                "fields": [
                    ("status", "priority"),
                    ("assignee", "category"),
                    "waiting_on_team",
                    "priority_reason",
                ]
            },
        ),
        (None, {"fields": ["conversation"]}),
        (
            _("Reply"),
            {
                "fields": [
                    "saved_reply",
                    "reply",
                    "reply_internal",
                    "reply_article",
                    "resolve_with_article",
                ]
            },
        ),
        (_("Resolution"), {"fields": ["resolution", "suggested_article", "resolved_article"]}),
        (
            _("Similar open tickets"),
            {"fields": ["similar_open", "merge_into", "merged_display"], "classes": ["collapse"]},
        ),
        (
            _("Context"),
            {
                "fields": [
                    "customer_saw",
                    "source_page_display",
                    "created",
                    "first_response",
                    "resolved",
                ],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request):
        # Open tickets first, oldest first: the queue is worked from the front.
        return (
            super()
            .get_queryset(request)
            .annotate(
                queue_rank=Case(
                    When(status__in=Ticket.OPEN_STATUSES, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("queue_rank", "created_at")
        )

    class Media:
        css = {"all": ["css/agent-admin.css"]}
        js = ["js/agent-admin.js"]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": _("Tickets"), **(extra_context or {})})

    def get_search_results(self, request, queryset, search_term):
        pk = Ticket.pk_from_reference(search_term)
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if pk is not None:
            results = results | queryset.filter(pk=pk)
        return results, may_have_duplicates

    def has_add_permission(self, request):
        return False  # tickets come from customers

    # The backlog dashboard links its numbers to the tickets behind them by date range.
    DASHBOARD_LOOKUPS = {"created_at__gte", "created_at__lt", "resolved_at__gte", "resolved_at__lt"}

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in self.DASHBOARD_LOOKUPS or super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("reference"), ordering="pk")
    def reference_link(self, ticket):
        url = reverse("admin:tickets_ticket_change", args=(ticket.pk,))
        return format_html('<a href="{}">{}</a>', url, ticket.reference)

    @admin.display(description=_("subject"), ordering="subject")
    def subject_line(self, ticket):
        return format_html(
            '<span class="one-line" title="{}">{}</span>', ticket.subject, ticket.subject
        )

    @admin.display(description=_("assignee"), ordering="assignee")
    def assignee_line(self, ticket):
        if ticket.assignee is None:
            return "—"
        name = str(ticket.assignee)
        return format_html('<span class="one-line" title="{}">{}</span>', name, name)

    @admin.display(description=_("waiting on"), ordering="waiting_on_team__name")
    def waiting_on(self, ticket):
        # A resolved ticket waits on nobody, whatever team it last waited on.
        return ticket.waiting_on_team.name if ticket.waiting_on_team_id and ticket.is_open else "—"

    @admin.display(description=_("answer"), ordering="answer_offer__state")
    def answer_offered(self, ticket):
        offer = getattr(ticket, "answer_offer", None)
        if offer is None:
            return "—"
        # Marked while the customer has not answered; what they answered, once they did.
        return format_html(
            '<span class="answer-offer answer-offer-{}" title="{}">{}</span>',
            offer.state,
            offer.title,
            offer.get_state_display(),
        )

    @admin.display(description=_("answer offered after filing"))
    def answer_offer_display(self, ticket):
        offer = AnswerOffer.objects.filter(ticket=ticket).select_related("article").first()
        if offer is None:
            return _("None: no article answered it confidently, or its category turns it off.")
        article = offer.article
        link = (
            format_html('<a href="{}">{}</a>', article.url, offer.title) if article else offer.title
        )
        outcome = {
            AnswerOffer.State.OFFERED: _("waiting for the customer's answer"),
            AnswerOffer.State.ACCEPTED: _("the customer said it solved it and closed the ticket"),
            AnswerOffer.State.DECLINED: _("the customer still needs help"),
        }[offer.state]
        return format_html(
            '<span data-testid="answer-offer-status"><strong>{}</strong>: {} ({}, {})</span>',
            offer.get_state_display(),
            link,
            outcome,
            admin_datetime(offer.created_at),
        )

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, ticket):
        return timesince(ticket.created_at, depth=1)

    @admin.display(description=_("last activity"), ordering="last_activity_at")
    def last_activity(self, ticket):
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            ticket.last_activity_at.isoformat(),
            admin_datetime(ticket.last_activity_at),
            _("%(time)s ago") % {"time": timesince(ticket.last_activity_at, depth=1)},
        )

    @admin.display(description=_("customer"))
    def customer_display(self, ticket):
        account = _("account") if ticket.customer_id else _("no account")
        return format_html("{} ({})", ticket.customer_email, account)

    @admin.display(description=_("SLA"), ordering="sla_state")
    def sla(self, ticket):
        if not ticket.sla_state:
            return "—"
        due = (
            ticket.first_response_due_at
            if not ticket.first_response_at
            else ticket.resolution_due_at
        )
        when = admin_datetime(due) if due else ""
        return format_html(
            '<span class="sla sla-{}">{}</span> <small class="due">{}</small>',
            ticket.sla_state,
            ticket.get_sla_state_display(),
            when,
        )

    @admin.display(description=_("SLA due"))
    def sla_due(self, ticket):
        if not ticket.sla_state:
            return _("No SLA applies.")
        first = admin_datetime(ticket.first_response_due_at)
        resolution = admin_datetime(ticket.resolution_due_at)
        answered = _(" (met)") if ticket.first_response_at else ""
        return format_html(
            "{}: {}{} · {}: {} · <strong>{}</strong>",
            _("first response"),
            first,
            answered,
            _("resolution"),
            resolution,
            ticket.get_sla_state_display(),
        )

    @admin.display(description=_("similar open tickets"))
    def similar_open(self, ticket):
        similar = similar_open_tickets(ticket)
        if not similar:
            return _("None: nobody else reports this right now.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> {} <small>({} alike, {})</small></li>',
                (
                    (
                        reverse("admin:tickets_ticket_change", args=(t.pk,)),
                        t.reference,
                        t.subject,
                        f"{score:.0%}",
                        timesince(t.created_at, depth=1),
                    )
                    for score, t in similar
                ),
            ),
        )

    @admin.display(description=_("merged"))
    def merged_display(self, ticket):
        if ticket.merged_into_id:
            url = reverse("admin:tickets_ticket_change", args=(ticket.merged_into_id,))
            return format_html(
                '{} <a href="{}">{}</a>', _("Merged into"), url, ticket.merged_into.reference
            )
        merged = list(ticket.merged_tickets.all())
        if not merged:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:tickets_ticket_change", args=(t.pk,)), t.reference) for t in merged),
        )

    @admin.display(description=_("created"))
    def created(self, ticket):
        return admin_datetime(ticket.created_at)

    @admin.display(description=_("first response"))
    def first_response(self, ticket):
        return admin_datetime(ticket.first_response_at)

    @admin.display(description=_("resolved"))
    def resolved(self, ticket):
        return admin_datetime(ticket.resolved_at)

    @admin.display(description=_("came from"))
    def source_page_display(self, ticket):
        return ticket.source_page or "—"

    @admin.display(description=_("conversation"))
    def conversation(self, ticket):
        entries = [(_("Customer"), ticket.created_at, ticket.description, "")]
        for message in ticket.messages.select_related("author"):
            who = _("Customer") if message.from_customer else (message.author or _("Agent"))
            entries.append(
                (who, message.created_at, message.body, "internal" if message.internal else "")
            )
        return format_html(
            '<div class="deflect-thread">{}</div>',
            format_html_join(
                "",
                '<div class="deflect-message {}"><p><strong>{}</strong> · {}{}</p>{}</div>',
                (
                    (
                        kind,
                        who,
                        timezone.localtime(when).strftime("%d %b %Y %H:%M"),
                        " · " + str(_("internal note")) if kind else "",
                        message_html(body),
                    )
                    for who, when, body, kind in entries
                ),
            ),
        )

    @admin.display(description=_("what the customer already saw"))
    def customer_saw(self, ticket):
        session = ticket.contact_session
        if session is None:
            return _("The customer didn't use the contact form (filed through the API).")
        shown = list(session.suggestions_shown.all())
        if not shown:
            return _("No article was suggested while they typed.")
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li>{} <small>(score {}){}</small></li>",
                (
                    (s.title, f"{s.score:.2f}", " · " + str(_("opened")) if s.clicked_at else "")
                    for s in shown
                ),
            ),
        )
