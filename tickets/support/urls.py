from django.urls import path

from tickets.support import answer_offer_views, preference_views, satisfaction_views, views

app_name = "tickets"

urlpatterns = [
    path("new/", views.contact_new, name="new"),
    path(
        "contact/<uuid:session_id>/article/<id:article_id>/", views.contact_article, name="article"
    ),
    path("contact/<uuid:session_id>/deflect/", views.contact_deflect, name="deflect"),
    path("contact/<uuid:session_id>/thanks/", views.contact_thanks, name="thanks"),
    path("tickets/", views.ticket_list, name="list"),
    path("my-data/", views.my_data, name="my-data"),
    path("tickets/<str:reference>/", views.ticket_detail, name="detail"),
    path("tickets/<str:reference>/solved/", views.ticket_solved, name="solved"),
    path("tickets/<str:reference>/rate/", satisfaction_views.ticket_rate, name="rate"),
    path("t/<str:token>/", views.open_link, name="open-link"),
    path("link/", views.new_link, name="new-link"),
    path("rate/<str:token>/", satisfaction_views.rate_by_link, name="rate-link"),
    path("answer/<str:token>/", answer_offer_views.answer_by_link, name="answer-link"),
    path("preferences/", preference_views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", preference_views.unsubscribe, name="unsubscribe"),
]
