"""Registers the knowledge base's admin pieces with Wagtail (no logic here)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from kb import pagecache, selectors
from kb.models import LearnedPhrase, SynonymGroup


class SynonymViewSet(SnippetViewSet):
    model = SynonymGroup
    icon = "search"
    menu_label = _("Search synonyms")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["terms", "updated_at"]
    search_fields = ["terms"]


register_snippet(SynonymViewSet)


class LearnedPhraseViewSet(SnippetViewSet):
    model = LearnedPhrase
    icon = "openquote"
    menu_label = _("Learned phrases")
    add_to_admin_menu = False
    list_display = ["text", "article", "created_at"]
    list_filter = ["article"]
    search_fields = ["text"]


register_snippet(LearnedPhraseViewSet)


@hooks.register("before_serve_page")
def _remember_whether_page_is_public(page, request, serve_args, serve_kwargs):
    pagecache.mark_cacheable(request, page)


hooks.register("deflect_page_context", selectors.page_context)
hooks.register("deflect_article_performance", selectors.article_performance)
