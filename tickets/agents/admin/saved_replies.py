"""Saved replies in the Django admin: agents write, retire and see the use of their macros."""

from django.contrib import admin
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from tickets.agents.admin.dates import admin_datetime
from tickets.agents.admin.lookups import BoundedLookupsAdmin
from tickets.models import SavedReply

AGENT_PERMISSION = "tickets.work_ticket_queue"


@admin.register(SavedReply)
class SavedReplyAdmin(BoundedLookupsAdmin):
    list_display = [
        "title",
        "active",
        "set_status",
        "set_priority",
        "set_category",
        "use_count",
        "last_used",
    ]
    list_filter = ["active", "set_status", "set_priority"]
    search_fields = ["title", "body"]
    fields = ["title", "body", "active", "set_status", "set_category", "set_priority"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("set_category")
            .annotate(n_uses=Count("uses"), last_use=Max("uses__used_at"))
        )

    @admin.display(description=_("uses"), ordering="n_uses")
    def use_count(self, reply):
        return reply.n_uses

    @admin.display(description=_("last used"), ordering="last_use")
    def last_used(self, reply):
        return admin_datetime(reply.last_use)

    # Macros speak to customers in the team's name: only people who work the queue write them,
    # whatever model permissions they were handed. Managers may read them (view permission).
    def has_add_permission(self, request):
        return request.user.has_perm(AGENT_PERMISSION) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return request.user.has_perm(AGENT_PERMISSION) and allowed

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return request.user.has_perm(AGENT_PERMISSION) and allowed
