"""The Agents group: exactly what working the ticket queue needs, and nothing of the KB's editing."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENT_PERMISSIONS = {
    "tickets": ["view_ticket", "change_ticket", "work_ticket_queue", "view_contactsession",
                "view_notification"],
    "kb": ["view_articlepage"],  # to pick the article that answered a ticket
}


def create_agents(apps, schema_editor):
    for label in AGENT_PERMISSIONS:
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    agents, _ = Group.objects.get_or_create(name="Agents")
    for label, codenames in AGENT_PERMISSIONS.items():
        agents.permissions.add(
            *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("kb", "0003_editors_manage_synonyms"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_agents, migrations.RunPython.noop)]
