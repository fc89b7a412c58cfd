from django.urls import path

from kb import views

app_name = "kb"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("kb/feedback/<id:article_id>/", views.article_feedback, name="feedback"),
]
