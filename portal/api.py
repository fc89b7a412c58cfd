"""Version 1 of the public API: one URL list for every app's DRF views."""

from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from kb.api import SuggestView
from tickets.backlog import api as backlog_api
from tickets.support import api as support_api
from tickets.widget import api as widget_api

urlpatterns = [
    path("suggest", SuggestView.as_view(), name="api-suggest"),
    path(
        "contact-sessions/<uuid:session_id>/suggestions",
        support_api.ContactSessionSuggestionsView.as_view(),
        name="api-contact-suggestions",
    ),
    path(
        "contact-sessions/<uuid:session_id>/deflect",
        support_api.ContactSessionDeflectView.as_view(),
        name="api-contact-deflect",
    ),
    path("tickets", support_api.TicketListCreateView.as_view(), name="api-tickets"),
    path("metrics/backlog", backlog_api.BacklogMetricsView.as_view(), name="api-backlog-metrics"),
    path("widget/articles", widget_api.WidgetPageArticlesView.as_view(), name="widget-articles"),
    path(
        "widget/articles/<id:article_id>",
        widget_api.WidgetArticleView.as_view(),
        name="widget-article",
    ),
    path("widget/suggest", widget_api.WidgetSuggestView.as_view(), name="widget-suggest"),
    path("widget/deflect", widget_api.WidgetDeflectView.as_view(), name="widget-deflect"),
    path("widget/tickets", widget_api.WidgetTicketView.as_view(), name="widget-tickets"),
    path(
        "tickets/<str:reference>", support_api.TicketDetailView.as_view(), name="api-ticket-detail"
    ),
    # Last: an API URL that matched nothing (a session id that is not a UUID, an unknown path)
    # answers a JSON 404 instead of falling through to the site's slash redirect and HTML pages.
    re_path(r"", csrf_exempt(lambda request: JsonResponse({"detail": "Not found."}, status=404))),
]


def public_endpoints_only(endpoints):
    """The schema documents this API, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
