from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    label = "tickets"
    verbose_name = _("Tickets")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connect the article-published handler and the widget's CORS allow-list.
        from tickets.gaps import signals  # noqa: F401
        from tickets.widget import access  # noqa: F401
