from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_schedules(sender, **kwargs):
    from portal.schedules import schedules_sync

    schedules_sync()


class PortalConfig(AppConfig):
    name = "portal"
    label = "portal"
    verbose_name = _("Portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_sync_schedules, sender=self, dispatch_uid="portal-schedules")
