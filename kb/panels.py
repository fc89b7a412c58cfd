"""Read-only panels shown to editors in the article editor."""

from wagtail.admin.panels import Panel


class ArticlePerformancePanel(Panel):
    """How customers responded to this article: helpful votes and recent comments."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "kb/admin/article_performance_panel.html"

        def get_context_data(self, parent_context=None):
            from .selectors import article_performance

            context = super().get_context_data(parent_context)
            context["performance"] = (
                article_performance(article=self.instance) if self.instance.pk else None
            )
            return context
