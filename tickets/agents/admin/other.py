"""Supporting records in the Django admin: contacts, e-mails, organizations, settings, SLAs."""

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kb.models import ArticlePage
from tickets.agents.admin.lookups import BoundedLookupsAdmin
from tickets.models import (
    CategoryRoute,
    ContactSession,
    Notification,
    Organization,
    SlaPolicy,
    SupportSettings,
    Team,
    WidgetOrigin,
)


@admin.register(ContactSession)
class ContactSessionAdmin(BoundedLookupsAdmin):
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
class NotificationAdmin(BoundedLookupsAdmin):
    list_display = ["created_at", "ticket", "kind", "recipient", "state", "attempts", "last_error"]
    list_filter = ["state", "kind"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ArticlePage)
class ArticleLookupAdmin(BoundedLookupsAdmin):
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
class OrganizationAdmin(BoundedLookupsAdmin):
    list_display = ["name", "email_domain", "tier"]
    list_filter = ["tier"]
    search_fields = ["name", "email_domain"]
    filter_horizontal = ["members"]


@admin.register(SupportSettings)
class SupportSettingsAdmin(BoundedLookupsAdmin):
    list_display = ["__str__", "zombie_age_days", "zombie_quiet_days"]

    def has_add_permission(self, request):
        return not SupportSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.index_template = "admin/deflect_index.html"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(BoundedLookupsAdmin):
    list_display = ["tier", "priority", "first_response_minutes", "resolution_minutes"]
    list_editable = ["first_response_minutes", "resolution_minutes"]
    list_filter = ["tier"]


@admin.register(CategoryRoute)
class CategoryRouteAdmin(BoundedLookupsAdmin):
    list_display = ["category", "default_assignee"]


@admin.register(WidgetOrigin)
class WidgetOriginAdmin(BoundedLookupsAdmin):
    list_display = ["origin", "active"]
    readonly_fields = ["embed_code"]

    @admin.display(description=_("embed code"))
    def embed_code(self, origin):
        portal = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        return format_html(
            "<code>&lt;script src=&quot;{}{}&quot; data-portal=&quot;{}&quot; async&gt;"
            "&lt;/script&gt;</code>",
            portal,
            static("widget/v1.js"),
            portal,
        )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """The teams a ticket can wait on: engineering, billing, …"""

    list_display = ["name", "description"]
    search_fields = ["name"]
