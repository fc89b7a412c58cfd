"""Starting SLA targets (business minutes) per tier and priority, and who may edit what."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# tier: priority: (first response, resolution)
DEFAULT_TARGETS = {
    "enterprise": {"urgent": (30, 240), "high": (60, 480), "normal": (240, 1440), "low": (480, 2400)},
    "pro": {"urgent": (60, 480), "high": (120, 960), "normal": (480, 2400), "low": (960, 4800)},
    "free": {"urgent": (240, 1440), "high": (480, 2400), "normal": (960, 4800), "low": (1440, 7200)},
}
MANAGERS = ["view_supportsettings", "change_supportsettings", "view_slapolicy", "change_slapolicy",
            "view_categoryroute", "change_categoryroute", "add_categoryroute"]
AGENTS = ["view_slapolicy", "view_categoryroute"]


def forwards(apps, schema_editor):
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    for tier, targets in DEFAULT_TARGETS.items():
        for priority, (first, resolution) in targets.items():
            SlaPolicy.objects.get_or_create(
                tier=tier, priority=priority,
                defaults={"first_response_minutes": first, "resolution_minutes": resolution},
            )
    config = apps.get_app_config("tickets")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    own = Permission.objects.filter(content_type__app_label="tickets")
    for name, codenames in (("Support managers", MANAGERS), ("Agents", AGENTS)):
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.add(*own.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_triage")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
