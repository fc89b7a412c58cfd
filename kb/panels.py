"""Read-only panels shown to editors in the article editor."""

from wagtail import hooks
from wagtail.admin.panels import Panel


class ArticlePerformancePanel(Panel):
    """How customers responded to this article: helpful votes and recent comments."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "kb/admin/article_performance_panel.html"

        def get_context_data(self, parent_context=None):
            # The figures come through the `deflect_article_performance` hook (registered in
            # kb/wagtail_hooks.py), so that the models, which declare this panel, import no query.
            context = super().get_context_data(parent_context)
            context["performance"] = None
            if self.instance.pk:
                for figures in hooks.get_hooks("deflect_article_performance"):
                    context["performance"] = figures(article=self.instance)
            return context
