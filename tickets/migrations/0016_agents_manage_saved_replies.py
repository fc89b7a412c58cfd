"""Agents write and retire saved replies; support managers read them and how they are used."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENTS = ["view_savedreply", "add_savedreply", "change_savedreply", "delete_savedreply",
          "view_savedreplyuse"]
MANAGERS = ["view_savedreply", "view_savedreplyuse"]


def forwards(apps, schema_editor):
    config = apps.get_app_config("tickets")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    own = Permission.objects.filter(content_type__app_label="tickets")
    for name, codenames in (("Agents", AGENTS), ("Support managers", MANAGERS)):
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.add(*own.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0015_saved_replies")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
