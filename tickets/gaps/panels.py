"""The editors' dashboard panel in Wagtail admin: what to write next and whether it works."""

from datetime import timedelta

from django.utils import timezone
from wagtail.admin.ui.components import Component

from tickets.models import ArticleRequest
from tickets.selectors import (
    article_request_list,
    deflection_rate,
    failed_searches,
    tickets_answered_by_articles,
)


class ArticleRequestsPanel(Component):
    name = "article_requests"
    template_name = "tickets/editor/dashboard_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        week_ago = timezone.now() - timedelta(days=7)
        context.update(
            top_requests=list(
                article_request_list(status=ArticleRequest.Status.OPEN, category_id=None)[:5]
            ),
            deflection_rate=deflection_rate(since=week_ago),
            answered_by_articles=tickets_answered_by_articles(since=week_ago),
            failed_searches=failed_searches(since=week_ago, limit=5),
        )
        return context
