"""Support managers keep the list of teams tickets can wait on; agents see it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGERS = ["view_team", "add_team", "change_team", "delete_team"]
AGENTS = ["view_team"]


def forwards(apps, schema_editor):
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
    dependencies = [("tickets", "0017_teams_and_waiting_on_team")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
