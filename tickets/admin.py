"""The agents' queue in the Django admin: filter, assign, reply, resolve."""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kb.models import ArticlePage

from . import services
from .admin_forms import BulkResolveForm, TicketAgentForm
from .metrics import zombie_tickets
from .models import (
    CategoryRoute,
    ContactSession,
    Notification,
    Organization,
    SlaPolicy,
    SupportSettings,
    Ticket,
    WidgetOrigin,
)
from .triage import similar_open_tickets
from .widget import forget_origins

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


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    form = TicketAgentForm
    change_form_template = "admin/tickets/ticket/change_form.html"
    list_display = [
        "reference_link",
        "subject",
        "customer_email",
        "status",
        "priority",
        "sla",
        "assignee",
        "age",
        "last_activity_at",
    ]
    list_display_links = None
    list_filter = [
        OpenFilter,
        "status",
        "priority",
        "sla_state",
        AssigneeFilter,
        "category",
        AgeFilter,
        "resolution",
        "organization__tier",
    ]
    list_select_related = ["assignee", "category"]
    search_fields = ["subject", "customer_email"]
    search_help_text = _("Search by reference (SUP-1042), subject or customer e-mail.")
    list_per_page = 50
    actions = ["assign_to_me", "resolve_tickets", "close_tickets"]
    readonly_fields = [
        "reference",
        "customer_display",
        "subject",
        "conversation",
        "source_page_display",
        "created_at",
        "first_response_at",
        "resolved_at",
        "customer_saw",
        "priority_reason",
        "sla_due",
        "similar_open",
        "merged_display",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "customer_display", "subject", "conversation"]}),
        (
            _("Reply"),
            {"fields": ["reply", "reply_internal", "reply_article", "resolve_with_article"]},
        ),
        (
            _("Work the ticket"),
            {
                "fields": [
                    "status",
                    "priority",
                    "priority_reason",
                    "sla_due",
                    "category",
                    "assignee",
                ]
            },
        ),
        (_("Similar open tickets"), {"fields": ["similar_open", "merge_into", "merged_display"]}),
        (_("Resolution"), {"fields": ["resolution", "suggested_article", "resolved_article"]}),
        (
            _("Context"),
            {
                "fields": [
                    "customer_saw",
                    "source_page_display",
                    "created_at",
                    "first_response_at",
                    "resolved_at",
                ]
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

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, ticket):
        return timesince(ticket.created_at, depth=1)

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
        when = timezone.localtime(due).strftime("%d %b %H:%M") if due else ""
        return format_html(
            '<span class="sla sla-{}">{}</span> <small>{}</small>',
            ticket.sla_state, ticket.get_sla_state_display(), when,
        )  # fmt: skip

    @admin.display(description=_("SLA due"))
    def sla_due(self, ticket):
        if not ticket.sla_state:
            return _("No SLA applies.")
        fmt = "%a %d %b %H:%M"
        first = timezone.localtime(ticket.first_response_due_at).strftime(fmt)
        resolution = timezone.localtime(ticket.resolution_due_at).strftime(fmt)
        answered = _(" (met)") if ticket.first_response_at else ""
        return format_html(
            "{}: {}{} · {}: {} · <strong>{}</strong>",
            _("first response"), first, answered, _("resolution"), resolution,
            ticket.get_sla_state_display(),
        )  # fmt: skip

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
                    (reverse("admin:tickets_ticket_change", args=(t.pk,)), t.reference, t.subject,
                     f"{score:.0%}", timesince(t.created_at, depth=1))
                    for score, t in similar
                ),
            ),
        )  # fmt: skip

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
            ", ", '<a href="{}">{}</a>',
            ((reverse("admin:tickets_ticket_change", args=(t.pk,)), t.reference) for t in merged),
        )  # fmt: skip

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
                        linebreaks(body, autoescape=True),
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

    def get_urls(self):
        return [
            path(
                "<path:object_id>/assign-to-me/",
                self.admin_site.admin_view(self.assign_to_me_view),
                name="tickets_ticket_assign_to_me",
            ),
            *super().get_urls(),
        ]

    def assign_to_me_view(self, request, object_id):
        ticket = get_object_or_404(Ticket, pk=object_id)
        if request.method != "POST" or not self.has_change_permission(request, ticket):
            raise PermissionDenied
        services.ticket_assign(ticket=ticket, assignee=request.user, actor=request.user)
        self.message_user(request, _("%(ref)s is assigned to you.") % {"ref": ticket.reference})
        back = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            return redirect(back)
        return redirect("admin:tickets_ticket_change", ticket.pk)

    def save_model(self, request, obj, form, change):
        """Apply the agent's changes through the services, which record the ticket's history."""
        data, actor = form.cleaned_data, request.user
        original = Ticket.objects.get(pk=obj.pk)
        if original.assignee_id != (data["assignee"].pk if data["assignee"] else None):
            services.ticket_assign(ticket=original, assignee=data["assignee"], actor=actor)
        services.ticket_set_priority(ticket=original, priority=data["priority"], actor=actor)
        services.ticket_set_category(ticket=original, category=data["category"], actor=actor)
        article = None
        if data.get("reply_article"):
            article = ArticlePage.objects.filter(pk=data["reply_article"], live=True).first()
        reply = data["reply"]
        if article is not None:
            reply = f"{reply}\n\n{article_excerpt(article, request)}".strip()
        if reply:
            services.ticket_reply(
                ticket=original, author=actor, body=reply, internal=data["reply_internal"]
            )
        if article is not None and data.get("resolve_with_article"):
            services.ticket_resolve(
                ticket=original, actor=actor,
                resolution=Ticket.Resolution.ANSWERED_BY_ARTICLE, article=article,
            )  # fmt: skip
            obj.refresh_from_db()
            return
        if data.get("merge_into"):
            services.tickets_merge(source=original, target=data["merge_into"], actor=actor)
            obj.refresh_from_db()
            return
        if data["status"] == Status.RESOLVED:
            if (
                original.status != Status.RESOLVED
                or data["resolution"] != original.resolution
                or (form.resolution_article(data) != original.resolved_article)
            ):
                services.ticket_resolve(
                    ticket=original,
                    actor=actor,
                    resolution=data["resolution"],
                    article=form.resolution_article(data),
                )
        elif data["status"] != original.status:
            if original.status != Status.RESOLVED and data["status"] == Status.CLOSED:
                services.ticket_resolve(
                    ticket=original,
                    actor=actor,
                    resolution=data["resolution"],
                    article=form.resolution_article(data),
                )
            services.ticket_set_status(ticket=original, status=data["status"], actor=actor)
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        pass  # nothing related is edited here; the services did all the writing

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        for ticket in queryset:
            services.ticket_assign(ticket=ticket, assignee=request.user, actor=request.user)
        self.message_user(
            request,
            ngettext("%d ticket assigned to you.", "%d tickets assigned to you.", queryset.count())
            % queryset.count(),
        )

    @admin.action(description=_("Resolve…"), permissions=["change"])
    def resolve_tickets(self, request, queryset):
        form = BulkResolveForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            article = form.resolution_article(form.cleaned_data)
            with transaction.atomic():
                for ticket in queryset:
                    services.ticket_resolve(
                        ticket=ticket,
                        actor=request.user,
                        resolution=form.cleaned_data["resolution"],
                        article=article,
                    )
            self.message_user(
                request,
                ngettext("%d ticket resolved.", "%d tickets resolved.", queryset.count())
                % queryset.count(),
            )
            return None
        return TemplateResponse(
            request,
            "admin/tickets/ticket/resolve_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Resolve the selected tickets"),
                "tickets": queryset,
                "form": form,
                "media": self.media + form.media,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Close"), permissions=["change"])
    def close_tickets(self, request, queryset):
        closed, refused = 0, []
        for ticket in queryset:
            try:
                services.ticket_set_status(ticket=ticket, status=Status.CLOSED, actor=request.user)
                closed += 1
            except ValidationError:
                refused.append(ticket.reference)
        if closed:
            self.message_user(
                request, ngettext("%d ticket closed.", "%d tickets closed.", closed) % closed
            )
        if refused:
            self.message_user(
                request,
                _("Resolve these first, saying what resolved them: %s") % ", ".join(refused),
                level=messages.WARNING,
            )


def article_excerpt(article: ArticlePage, request) -> str:
    """What an inserted article adds to a reply: its title, address and summary."""
    url = request.build_absolute_uri(article.url) if article.url else ""
    return f"{article.title}\n{url}\n{article.summary}".strip()


@admin.register(ContactSession)
class ContactSessionAdmin(admin.ModelAdmin):
    """Read-only: what customers typed and how their contact ended."""

    list_display = ["created_at", "subject", "outcome", "deflected_by", "top_relative"]
    list_filter = ["outcome", "created_at"]
    search_fields = ["subject"]
    readonly_fields = [f.name for f in ContactSession._meta.fields if f.name != "browser_key"]
    exclude = ["browser_key", "email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "ticket", "kind", "recipient", "state", "attempts", "last_error"]
    list_filter = ["state", "kind"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ArticlePage)
class ArticleLookupAdmin(admin.ModelAdmin):
    """Only for choosing the resolving article; articles are edited in Wagtail admin."""

    search_fields = ["title", "summary"]

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset.filter(live=True), search_term)

    def has_module_permission(self, request):
        return False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "email_domain", "tier"]
    list_filter = ["tier"]
    search_fields = ["name", "email_domain"]
    filter_horizontal = ["members"]


@admin.register(SupportSettings)
class SupportSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "zombie_age_days", "zombie_quiet_days"]

    def has_add_permission(self, request):
        return not SupportSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.index_template = "admin/deflect_index.html"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["tier", "priority", "first_response_minutes", "resolution_minutes"]
    list_editable = ["first_response_minutes", "resolution_minutes"]
    list_filter = ["tier"]


@admin.register(CategoryRoute)
class CategoryRouteAdmin(admin.ModelAdmin):
    list_display = ["category", "default_assignee"]


@admin.register(WidgetOrigin)
class WidgetOriginAdmin(admin.ModelAdmin):
    list_display = ["origin", "active"]
    readonly_fields = ["embed_code"]

    @admin.display(description=_("embed code"))
    def embed_code(self, origin):
        portal = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        return format_html(
            "<code>&lt;script src=&quot;{}{}&quot; data-portal=&quot;{}&quot; async&gt;"
            "&lt;/script&gt;</code>",
            portal, static("widget/v1.js"), portal,
        )  # fmt: skip

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_origins()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_origins()
