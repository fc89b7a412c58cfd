"""Support managers see the backlog dashboard and the queue; agents may see the dashboard too."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGER_PERMISSIONS = [
    "view_ticket", "view_backlog", "view_contactsession", "view_articlerequest",
    "view_organization", "view_backlogsettings", "change_backlogsettings",
]
AGENT_EXTRA = ["view_backlog", "view_organization"]


def create_managers(apps, schema_editor):
    config = apps.get_app_config("tickets")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    tickets = Permission.objects.filter(content_type__app_label="tickets")
    managers, _ = Group.objects.get_or_create(name="Support managers")
    managers.permissions.add(*tickets.filter(codename__in=MANAGER_PERMISSIONS))
    agents = Group.objects.filter(name="Agents").first()
    if agents:
        agents.permissions.add(*tickets.filter(codename__in=AGENT_EXTRA))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_backlogsettings_alter_ticket_options_and_more")]

    operations = [migrations.RunPython(create_managers, migrations.RunPython.noop)]
