"""What agents do to tickets in the admin: assign, reply, resolve, merge, in bulk or one by one."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kb.converters import parse_id
from kb.models import ArticlePage
from tickets import services
from tickets.agents.forms import BulkResolveForm
from tickets.models import (
    Ticket,
)

Status = Ticket.Status


class TicketWorkMixin:
    """The writing side of the ticket admin: every change goes through the services."""

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
        pk = parse_id(object_id)  # "x" or a number past 64 bits is no ticket, not a 500
        if pk is None:
            raise Http404
        ticket = get_object_or_404(Ticket, pk=pk)
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
        data = form.cleaned_data
        article = None
        if data.get("reply_article"):
            article = ArticlePage.objects.filter(pk=data["reply_article"], live=True).first()
        reply = data["reply"]
        if article is not None:
            reply = f"{reply}\n\n{article_excerpt(article, request)}".strip()
        edit = services.TicketEdit(
            assignee=data["assignee"],
            priority=data["priority"],
            category=data["category"],
            waiting_on_team=data["waiting_on_team"],
            status=data["status"],
            resolution=data["resolution"],
            resolution_article=form.resolution_article(data),
            reply=reply,
            reply_internal=data["reply_internal"],
            saved_reply=data.get("saved_reply"),
            answered_by=article if data.get("resolve_with_article") else None,
            merge_into=data.get("merge_into"),
        )
        services.ticket_edit(ticket=obj, actor=request.user, edit=edit)
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
