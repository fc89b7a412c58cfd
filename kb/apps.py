from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "kb"
    label = "kb"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings
        from django.core.signals import setting_changed

        from kb import converters, signals  # noqa: F401  (registers <id:...>; index freshness)
        from kb.engine import embedding

        embedding.set_enabled(settings.SUGGEST_SEMANTIC)
        setting_changed.connect(_semantic_setting_changed, dispatch_uid="kb-suggest-semantic")


def _semantic_setting_changed(*, setting, value, **kwargs):
    if setting == "SUGGEST_SEMANTIC":
        from kb.engine import embedding

        embedding.set_enabled(bool(value))
