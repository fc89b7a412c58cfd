from django.urls import path

from tickets.gaps import editor_views

app_name = "article_requests"

urlpatterns = [
    path("", editor_views.RequestIndexView.as_view(), name="index"),
    path("<id:pk>/", editor_views.RequestDetailView.as_view(), name="detail"),
]
