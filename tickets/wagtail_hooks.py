"""Registers the support side's pieces in Wagtail admin (no logic here)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from tickets.gaps import editor_urls
from tickets.gaps.panels import ArticleRequestsPanel
from tickets.selectors import article_figures


class ArticlesToWriteMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("tickets.view_articlerequest")


@hooks.register("register_admin_urls")
def register_article_request_urls():
    return [path("articles-to-write/", include(editor_urls, namespace="article_requests"))]


@hooks.register("register_admin_menu_item")
def register_articles_to_write_menu_item():
    return ArticlesToWriteMenuItem(
        _("Articles to write"), reverse("article_requests:index"), icon_name="doc-full", order=250
    )


@hooks.register("construct_homepage_panels")
def add_article_requests_panel(request, panels):
    if request.user.has_perm("tickets.view_articlerequest"):
        panels.insert(0, ArticleRequestsPanel())


@hooks.register("deflect_article_figures")
def support_figures_of_article(article):
    return article_figures(article=article)
