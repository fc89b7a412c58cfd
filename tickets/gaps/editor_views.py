"""“Articles to write” in Wagtail admin: the gap miner's requests, and what editors do with them."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from tickets.gaps import article_requests
from tickets.gaps.editor_forms import (
    DismissForm,
    LinkArticleForm,
    RequestFilterForm,
    StartWritingForm,
)
from tickets.models import ArticleRequest
from tickets.selectors import article_request_list, customers_told

BREADCRUMBS = [
    {"url": reverse_lazy("wagtailadmin_home"), "label": gettext_lazy("Home")},
    {"url": reverse_lazy("article_requests:index"), "label": gettext_lazy("Articles to write")},
]


@method_decorator(permission_required("tickets.view_articlerequest"), name="dispatch")
class RequestIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "tickets/editor/request_index.html"
    page_title = gettext_lazy("Articles to write")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return BREADCRUMBS[:1] + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = RequestFilterForm(self.request.GET or {"status": ArticleRequest.Status.OPEN})
        status = category = None
        if form.is_valid():
            status = form.cleaned_data["status"] or None
            category = form.cleaned_data["category"]
        requests = article_request_list(
            status=status, category_id=category.pk if category else None
        )
        page = Paginator(requests, 50).get_page(self.request.GET.get("p"))
        context.update(filter_form=form, page_obj=page)
        return context


@method_decorator(permission_required("tickets.view_articlerequest"), name="dispatch")
class RequestDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "tickets/editor/request_detail.html"
    header_icon = "doc-full"
    forms = {"start": StartWritingForm, "link": LinkArticleForm, "dismiss": DismissForm}

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(ArticleRequest, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.object.title

    def get_breadcrumbs_items(self):
        return BREADCRUMBS + [{"url": "", "label": self.object.title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            request_obj=self.object,
            examples=article_requests.example_tickets(self.object),
            pages=article_requests.request_pages(self.object),
            searches=self.object.searches.order_by("-count", "-day")[:20],
            can_change=self.request.user.has_perm("tickets.change_articlerequest"),
            told=customers_told(self.object),
        )
        for name in self.forms:
            context.setdefault(f"{name}_form", self.get_action_form(name))
        return context

    def get_action_form(self, action, data=None):
        extra = {"article_request": self.object} if action == "start" else {}
        return self.forms[action](data, prefix=action, **extra)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("tickets.change_articlerequest"):
            messages.error(request, _("You may look at requests but not act on them."))
            return redirect("article_requests:detail", self.object.pk)
        action = request.POST.get("action")
        if action not in self.forms:
            return redirect("article_requests:detail", self.object.pk)
        form = self.get_action_form(action, request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(**{f"{action}_form": form}))
        try:
            if action == "start":
                article = article_requests.request_start_writing(
                    request=self.object,
                    editor=request.user,
                    category=form.cleaned_data["category"],
                    new_category=form.cleaned_data["new_category"],
                )
                messages.success(request, _("A draft is ready: write the answer, then publish."))
                return redirect(reverse("wagtailadmin_pages:edit", args=(article.pk,)))
            if action == "link":
                article_requests.request_link_article(
                    request=self.object, article=form.cleaned_data["article"], editor=request.user
                )
                messages.success(
                    request, _("Linked. The request is done once the article is live.")
                )
            else:
                article_requests.request_dismiss(
                    request=self.object, editor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Dismissed."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("article_requests:detail", self.object.pk)
